package org.bpfosgi.btf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.bpfosgi.isa.Insn;

/**
 * The clang-built CO-RE test objects (src/test/bpf/core/*.c, built by build.sh into
 * src/test/resources/org/bpfosgi/btf/ext/): their extracted {@code .BTF}, {@code .BTF.ext}, code
 * sections, and the golden files record-golden.sh took from libbpf and the live kernel.
 */
public final class ExtObjects {
    private ExtObjects() {
    }

    public static byte[] bytes(String name) {
        try (InputStream in = ExtObjects.class.getResourceAsStream("/org/bpfosgi/btf/ext/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource org/bpfosgi/btf/ext/" + name + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    public static Btf btf(String obj) {
        return Btf.parse(bytes(obj + ".BTF"));
    }

    public static BtfExt ext(String obj) {
        return BtfExt.parse(bytes(obj + ".BTF.ext"), btf(obj));
    }

    /** The instructions of code section {@code sec} ("/" written as "_" in the file name). */
    public static List<Insn> insns(String obj, String sec) {
        return Insn.decodeAll(bytes(obj + ".sec." + sec.replace('/', '_')));
    }
}
