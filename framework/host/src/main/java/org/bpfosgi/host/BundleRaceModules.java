package org.bpfosgi.host;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.race.RaceModules;
import org.bpfosgi.subsystem.BpfSubsystem;

/**
 * The race harness's modules, read from the machine's subsystem bundle jars without OSGi: the
 * {@code Bpf-Btf} header from the jar, and the Declarative Services component that provides
 * {@code BpfSubsystem} (its {@code OSGI-INF} XML names the class) loaded through a class loader
 * over the jar whose parent is the host's (which has the API), instantiated fresh for each race
 * machine. The component's activate method is not called: a race machine's module_init is the
 * registration of the object, as on the test kit's TestKernel.
 */
final class BundleRaceModules implements RaceModules {
    private static final Pattern PROVIDES = Pattern.compile("interface=\"" + Pattern.quote(BpfSubsystem.class.getName()) + "\"");
    private static final Pattern IMPLEMENTATION = Pattern.compile("<implementation\\s+class=\"([^\"]+)\"");
    private final Map<String, Path> jars;
    private final Map<String, ModuleDef> loaded = new HashMap<>();

    BundleRaceModules(Map<String, Path> jars) {
        this.jars = Map.copyOf(jars);
    }

    @Override
    public synchronized Optional<ModuleDef> find(String name) {
        if (loaded.containsKey(name)) {
            return Optional.of(loaded.get(name));
        }
        Path jar = jars.get(name);
        if (jar == null) {
            return Optional.empty();
        }
        ModuleDef def = read(name, jar);
        loaded.put(name, def);
        return Optional.of(def);
    }

    private static ModuleDef read(String name, Path jar) {
        SubsystemHeaders h = BundleImages.readHeaders(jar);
        if (h.builtin()) {
            throw new IllegalArgumentException(name + " is built in (Bpf-Builtin: true); a race machine inserts modules only");
        }
        String btfPath = h.btfPath().orElseThrow(() ->
                new IllegalArgumentException(name + ": the bundle has no Bpf-Btf header"));
        String header;
        String impl = null;
        try (JarFile jf = new JarFile(jar.toFile())) {
            JarEntry e = jf.getJarEntry(btfPath);
            if (e == null) {
                throw new IllegalArgumentException(name + ": Bpf-Btf " + btfPath + " is not in " + jar);
            }
            try (InputStream in = jf.getInputStream(e)) {
                header = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Enumeration<JarEntry> all = jf.entries();
            while (all.hasMoreElements() && impl == null) {
                JarEntry x = all.nextElement();
                if (x.getName().startsWith("OSGI-INF/") && x.getName().endsWith(".xml")) {
                    try (InputStream in = jf.getInputStream(x)) {
                        String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        Matcher m = IMPLEMENTATION.matcher(xml);
                        if (PROVIDES.matcher(xml).find() && m.find()) {
                            impl = m.group(1);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new KernelException(Errno.ENOEXEC, "cannot read " + jar + ": " + e.getMessage());
        }
        if (impl == null) {
            throw new IllegalArgumentException(name + ": no component in " + jar + " provides " + BpfSubsystem.class.getName());
        }
        Constructor<? extends BpfSubsystem> ctor;
        try {
            URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, BundleRaceModules.class.getClassLoader());
            ctor = cl.loadClass(impl).asSubclass(BpfSubsystem.class).getDeclaredConstructor();
            ctor.setAccessible(true);
        } catch (IOException | ReflectiveOperationException | ClassCastException | LinkageError e) {
            throw new IllegalArgumentException(name + ": cannot load " + impl + " from " + jar + ": " + e);
        }
        String file = name + ".ko:" + btfPath;
        String implClass = impl;
        Constructor<? extends BpfSubsystem> make = ctor;
        return new ModuleDef(name, file, header, () -> {
            try {
                return make.newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(name + ": cannot instantiate " + implClass + ": " + e);
            }
        });
    }
}
