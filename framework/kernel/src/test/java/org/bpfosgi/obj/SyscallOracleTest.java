package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bpfosgi.structops.StructOpsKernel;
import org.junit.jupiter.api.Test;

/**
 * The model against what the 6.18 machine answered (src/test/kernel-oracle, recorded in
 * kernel-6.18-syscall-test-run.txt): BPF_PROG_TEST_RUN of a syscall program for several
 * ctx_size_in and repeat values (ctx_size_in below max_ctx_offset, and any repeat, are -EINVAL;
 * the context is copied back), and a syscall program that uses a prog array, which the verifier
 * refuses before do_check (a sleepable program). The programs are clang's, as llvm-objdump shows them.
 */
class SyscallOracleTest {
    static final String MAP = """
            struct {
                __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
                __uint(max_entries, 2);
                __uint(key_size, sizeof(__u32));
                __uint(value_size, sizeof(__u32));
            } jmp SEC(".maps");
            """;

    static String object(boolean tail) {
        return ".license \"GPL\"\n" + MAP + """
                SEC("%ssyscall")
                tail:
                    r3 = *(u32 *)(r1 +8)
                    r2 = jmp ll
                    call 12
                    r0 = 0
                    exit

                SEC("%ssyscall")
                count:
                    r0 = *(u64 *)(r1 +0)
                    r0 += 1
                    *(u64 *)(r1 +0) = r0
                    exit
                """.formatted(tail ? "" : "?", tail ? "?" : "");
    }

    private static String run(StructOpsKernel sk, int prog, int size, int repeat, String what) {
        byte[] ctx = new byte[size];
        if (size >= 8) {
            ctx[0] = 41; // .n = 41
        }
        StructOpsKernel.TestRun r = sk.testRun(prog, size == 0 ? null : ctx, repeat);
        if (r.err() < 0) {
            return "run " + what + ": err " + r.err();
        }
        long n = java.nio.ByteBuffer.wrap(r.ctxOut()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        return "run " + what + ": retval " + r.retval() + " n " + n;
    }

    @Test
    void theModelAnswersAsThe618MachineDid() {
        ObjKernel k = new ObjKernel();
        List<String> out = new ArrayList<>();
        BpfObject o = k.loadObject("tc", object(false), Set.of());
        int count = o.prog("count").id();
        out.add(run(k.sk, count, 16, 0, "ctx_size_in 16"));
        out.add(run(k.sk, count, 8, 0, "ctx_size_in 8"));
        out.add(run(k.sk, count, 4, 0, "ctx_size_in 4"));
        out.add(run(k.sk, count, 0, 0, "ctx_size_in 0"));
        out.add(run(k.sk, count, 16, 1, "repeat 1"));
        ObjLoader.unload(o, k.sk);
        try {
            k.loadObject("tc", object(true), Set.of());
            out.add("load tail: err 0");
        } catch (ObjLoader.ObjLoadException e) {
            out.add("load tail: err " + e.err());
            boolean in = false;
            for (String l : e.lines()) {
                if (l.equals("-- END PROG LOAD LOG --")) {
                    in = false;
                }
                if (in) {
                    out.add(l);
                }
                if (l.endsWith("-- BEGIN PROG LOAD LOG --")) {
                    in = true;
                }
            }
        }
        List<String> expected = ObjKernel.resource("/org/bpfosgi/obj/kernel-6.18-syscall-test-run.txt").lines()
                .filter(l -> !l.startsWith("#")).toList();
        assertEquals(String.join("\n", expected), String.join("\n", out));
        assertEquals(List.of(), k.sk.maps().list(), "the failed load closed its map");
    }
}
