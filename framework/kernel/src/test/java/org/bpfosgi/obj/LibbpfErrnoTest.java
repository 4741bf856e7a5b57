package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libbpf_strerror()'s text (libbpf 1.5 libbpf_errno.c) for the error codes bpf_object__open()
 * and bpf_object__load() return, and the CLI printing them in its errno form instead of a bare
 * number.
 */
class LibbpfErrnoTest {
    @Test
    void libbpfStrerrorTable() {
        assertEquals("-LIBBPF_ERRNO__FORMAT (BPF object format invalid)", LibbpfErrno.text(-4001));
        assertEquals("-LIBBPF_ERRNO__FORMAT (BPF object format invalid)", LibbpfErrno.text(4001), "either sign, as libbpf_strerror()");
        assertEquals("-LIBBPF_ERRNO__LIBELF (Something wrong in libelf)", LibbpfErrno.text(-4000));
        assertEquals("-LIBBPF_ERRNO__ENDIAN (Endian mismatch)", LibbpfErrno.text(-4003));
        assertEquals("-LIBBPF_ERRNO__RELOC (Relocation failed)", LibbpfErrno.text(-4005));
        assertEquals("-LIBBPF_ERRNO__LOAD ((null))", LibbpfErrno.text(-4006), "the table has no LOAD entry");
        assertEquals("-LIBBPF_ERRNO__NLPARSE (Incorrect netlink message parsing)", LibbpfErrno.text(-4013));
        assertEquals("-4014 (Unknown libbpf error 4014)", LibbpfErrno.text(-4014));
        assertEquals("-ENOENT (No such file or directory)", LibbpfErrno.text(-2));
        assertEquals("-EINVAL (Invalid argument)", LibbpfErrno.text(-22));
        for (LibbpfErrno e : LibbpfErrno.values()) {
            assertEquals(4000 + e.ordinal(), e.number(), e.name());
        }
    }

    @Test
    void objLoadShowAndProgLoadNameTheOpenErrorInsteadOfANumber(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.o");
        // the ELF magic and ELFCLASS64, then the file ends inside the ELF header
        Files.write(bad, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        ObjKernel k = new ObjKernel();
        String expected = "Error: failed to open object file " + bad + ": -LIBBPF_ERRNO__FORMAT (BPF object format invalid)";
        ObjKernel.Out load = k.run("obj", "load", bad.toString());
        assertEquals(1, load.status());
        assertEquals("libbpf: elf: failed to get ELF header from " + bad + ": the file ends at byte 8, inside the 64-byte "
                + "ELF header at offset 0\n" + expected + "\n", load.err());
        ObjKernel.Out show = k.run("obj", "show", bad.toString());
        assertEquals(1, show.status());
        assertEquals(load.err(), show.err());
        ObjKernel.Out prog = k.run("prog", "load", bad.toString());
        assertEquals(1, prog.status());
        assertEquals(true, prog.err().contains("failed to open object file " + bad + ": -LIBBPF_ERRNO__FORMAT "
                + "(BPF object format invalid)"), prog.err());
    }
}
