package org.bpfosgi.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.subsystem.testmod.BpfTestmod;
import org.junit.jupiter.api.Test;

/** The OSGi-free kernel of the kit, with bpf_testmod inserted from its object and header. */
class TestKernelTest {
    private static final String BODY_KFUNC = String.join("\n",
            ".license \"GPL\"",
            "SEC(\"struct_ops/test_epilogue\")",
            "r1 = *(u64 *)(r1 +0)",
            "call bpf_kfunc_st_ops_inc10",
            "r0 = 0",
            "exit");

    private static String testmodHeader() throws IOException {
        try (InputStream in = BpfTestmod.class.getResourceAsStream("/bpf/bpf_testmod.h")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void insmodLoadPinAndRmmodWithTypedResults() throws IOException {
        TestKernel k = TestKernel.create();
        assertEquals(Optional.empty(), k.insmod("bpf_testmod", "bpf_testmod.h", testmodHeader(), new BpfTestmod()));
        assertEquals("Live", k.module("bpf_testmod").orElseThrow().state());

        LoadResult r = k.load(BODY_KFUNC);
        assertTrue(r.ok(), r.log());
        // the seed policy (the default): the ctx save, the body, then v2 8/8's epilogue with its two kfunc calls
        assertEquals("   0: (7b) *(u64 *)(r10 -8) = r1", r.xlated().get(0));
        assertTrue(r.xlated().get(2).startsWith("   2: (85) call kernel-function"), r.xlated().toString());
        assertEquals("   4: (79) r1 = *(u64 *)(r10 -8)", r.xlated().get(4));
        assertEquals("  14: (95) exit", r.xlated().get(r.xlated().size() - 1));
        ModuleView pinned = k.module("bpf_testmod").orElseThrow();
        assertEquals(1, pinned.refcount());
        assertEquals(List.of("prog " + r.progId() + " (test) kfunc_btf_tab off 1"),
                List.copyOf(pinned.holders().keySet()));

        assertEquals(Optional.of(Errno.EAGAIN), k.rmmod("bpf_testmod"));
        assertEquals(Optional.empty(), k.free(r.progId()));
        assertEquals(Optional.empty(), k.rmmod("bpf_testmod"));
        assertTrue(k.module("bpf_testmod").isEmpty());
        assertEquals(List.of(), k.progIds());
    }

    @Test
    void aRejectedLoadHasTheErrnoAndTheVerifierLine() throws IOException {
        TestKernel k = TestKernel.create();
        k.insmod("bpf_testmod", "bpf_testmod.h", testmodHeader(), new BpfTestmod());
        LoadResult r = k.load(String.join("\n", ".license \"GPL\"", "SEC(\"struct_ops/test_epilogue\")",
                "r0 = *(u64 *)(r2 +0)", "exit"));
        assertFalse(r.ok());
        assertEquals(Optional.of(Errno.EACCES), r.errno());
        assertTrue(r.log().contains("R2 !read_ok"), r.log());
        assertEquals(0, k.module("bpf_testmod").orElseThrow().refcount());
    }

    @Test
    void aHeaderThatDoesNotCompileFailsTheInsmodAndLeavesNothing() {
        TestKernel k = TestKernel.create();
        Optional<Errno> e = k.insmod("bpf_testmod", "bpf_testmod.h", "struct broken {", new BpfTestmod());
        assertTrue(e.isPresent());
        assertTrue(k.module("bpf_testmod").isEmpty());
    }
}
