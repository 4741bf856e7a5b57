package org.bpfosgi.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.module.ModuleImage;
import org.osgi.framework.Bundle;

/**
 * What load_module reads of a subsystem jar or bundle, as the kernel reads a {@code .ko}: the
 * manifest headers ({@code Bpf-Module}, {@code Bpf-Builtin}, {@code Bpf-Btf}; a jar without them
 * is "Invalid module format"), the module image with its BTF header, and its size for lsmod.
 */
final class BundleImages {
    private BundleImages() {
    }

    static SubsystemHeaders readHeaders(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest mf = jf.getManifest();
            if (mf == null) {
                throw new KernelException(Errno.ENOEXEC, "Invalid module format (no manifest)");
            }
            var a = mf.getMainAttributes();
            SubsystemHeaders h = SubsystemHeaders.of(a.getValue(SubsystemHeaders.BPF_MODULE),
                    a.getValue(SubsystemHeaders.BPF_BUILTIN), a.getValue(SubsystemHeaders.BPF_BTF)).orElseThrow(() ->
                    new KernelException(Errno.ENOEXEC, "Invalid module format (no Bpf-Module header)"));
            SubsystemHeaders.nameProblem(h.module()).ifPresent(p -> {
                throw new KernelException(Errno.ENOEXEC, "Invalid module format (" + p + ")");
            });
            return h;
        } catch (IOException e) {
            throw new KernelException(Errno.ENOEXEC, "Invalid module format (" + e.getMessage() + ")");
        }
    }

    static long sizeOf(Bundle b) {
        String loc = b.getLocation();
        int colon = loc.indexOf(':');
        if (colon > 0) {
            Path p = Path.of(loc.substring(colon + 1).replaceFirst("^//", ""));
            try {
                return Files.size(p);
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
        return 0;
    }

    static ModuleImage image(Bundle bundle, SubsystemHeaders headers, long size) {
        Optional<ModuleImage.BtfSource> btf = headers.btfPath().map(p -> {
            var url = bundle.getEntry(p);
            if (url == null) {
                throw new KernelException(Errno.ENOEXEC, "Bpf-Btf: " + p + " is not in the bundle");
            }
            try (InputStream in = url.openStream()) {
                return new ModuleImage.BtfSource(headers.module() + ".ko:" + p,
                        new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new KernelException(Errno.EIO, "cannot read " + p + ": " + e.getMessage());
            }
        });
        // every subsystem component has activate and deactivate: module_init and module_exit
        return new ModuleImage(headers.module(), headers.builtin(), btf, true, true, size);
    }

    static ModuleImage asModule(ModuleImage i) {
        return new ModuleImage(i.name(), false, i.btfSource(), i.hasInit(), i.hasExit(), i.size());
    }

}
