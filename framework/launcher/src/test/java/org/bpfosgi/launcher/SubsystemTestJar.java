package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.bpfosgi.errno.Errno;

/**
 * Builds a one-class subsystem bundle for the launcher's integration tests: compiles the class
 * against the framework API jar and packs it with a module BTF header and a DS component, under
 * the manifest headers the module loader reads (Bpf-Module, Bpf-Builtin, Bpf-Btf,
 * Service-Component). Shared so that the tests of insmod's failure paths build their jars alike.
 */
final class SubsystemTestJar {
    private SubsystemTestJar() {
    }

    /**
     * Writes {@code tmp/<module>.jar}: class {@code className} compiled from {@code source},
     * {@code bpf/<module>.h} holding {@code btfHeader} and {@code OSGI-INF/<module>.xml} holding
     * {@code componentXml}.
     */
    static Path build(Path tmp, String module, String symbolicName, String importPackage, String className,
            String source, String btfHeader, String componentXml) throws IOException, URISyntaxException {
        String classPath = className.replace('.', '/');
        Path src = tmp.resolve("src/" + classPath + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = tmp.resolve("classes");
        Files.createDirectories(classes);
        String api = Path.of(Errno.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), "-cp", api, "--release", "17",
                src.toString()), "javac " + src);
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bpf-Module", module);
        a.putValue("Bpf-Builtin", "false");
        a.putValue("Bpf-Btf", "bpf/" + module + ".h");
        a.putValue("Import-Package", importPackage);
        a.putValue("Service-Component", "OSGI-INF/" + module + ".xml");
        Path jar = tmp.resolve(module + ".jar");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(os, mf)) {
            put(jos, classPath + ".class", Files.readAllBytes(classes.resolve(classPath + ".class")));
            put(jos, "bpf/" + module + ".h", btfHeader.getBytes(StandardCharsets.UTF_8));
            put(jos, "OSGI-INF/" + module + ".xml", componentXml.getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    private static void put(JarOutputStream jos, String name, byte[] bytes) throws IOException {
        jos.putNextEntry(new JarEntry(name));
        jos.write(bytes);
        jos.closeEntry();
    }
}
