package org.example.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.testkit.LoadResult;
import org.bpfosgi.testkit.TestKernel;
import org.bpfosgi.testkit.TestMemory;
import org.junit.jupiter.api.Test;

/** Unit tests with the kit's OSGi-free kernel: the prologue, the kfunc, the module reference. */
class HelloOpsTest {
    private static final Path HEADER = Path.of("src/main/bpf/hello_ops.h");

    @Test
    void thePrologueIsPatchedInAndTheKfuncPinsTheModule() throws IOException {
        TestKernel k = TestKernel.create();
        assertEquals(Optional.empty(), k.insmod("hello_ops", HEADER, new HelloSubsystem()));

        LoadResult r = k.load(Files.readString(Path.of("src/test/bpf/greet.s")));
        assertTrue(r.ok(), r.log());
        assertEquals(List.of(
                "   0: (79) r6 = *(u64 *)(r1 +0)",
                "   1: (79) r7 = *(u64 *)(r6 +0)",
                "   2: (07) r7 += 1",
                "   3: (7b) *(u64 *)(r6 +0) = r7",
                "   4: (79) r1 = *(u64 *)(r1 +0)"), r.xlated().subList(0, 5));
        assertTrue(r.xlated().get(5).startsWith("   5: (85) call kernel-function"), r.xlated().get(5));

        // the kfunc call holds the module until the program is freed
        assertEquals(1, k.module("hello_ops").orElseThrow().refcount());
        assertEquals(Optional.of(Errno.EWOULDBLOCK), k.rmmod("hello_ops"));
        assertEquals(Optional.empty(), k.free(r.progId()));
        assertEquals(Optional.empty(), k.rmmod("hello_ops"));
    }

    @Test
    void writingPastHelloArgsIsRefused() {
        TestKernel k = TestKernel.create();
        k.insmod("hello_ops", HEADER, new HelloSubsystem());
        LoadResult r = k.load(String.join("\n", ".license \"GPL\"", "SEC(\"struct_ops/greet\")",
                "r1 = *(u64 *)(r1 +0)", "r2 = 1", "*(u64 *)(r1 +8) = r2", "r0 = 0", "exit"));
        assertEquals(Optional.of(Errno.EACCES), r.errno(), r.log());
        assertEquals(0, k.module("hello_ops").orElseThrow().refcount());
    }

    @Test
    void theKfuncBody() {
        TestMemory mem = new TestMemory(8);
        mem.writeU64(TestMemory.BASE, 21);
        assertEquals(42, HelloSubsystem.bpfHelloDouble(mem, new long[] {TestMemory.BASE}));
        assertEquals(42, mem.readU64(TestMemory.BASE));
    }
}
