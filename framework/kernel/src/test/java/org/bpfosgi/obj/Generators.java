package org.bpfosgi.obj;

import java.util.List;
import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;

/**
 * Whether bpf_testmod's prologue/epilogue generators (st_ops_gen_prologue/gen_epilogue, spec
 * §6.4) and convert_ctx_accesses' patching (spec §1.4-1.7) are in this build: the expected
 * return values of the selftests depend on them.
 */
enum Generators {
    /** No generators: programs load as their bodies. */
    NONE,
    /** Generators but no patching: every bpf_testmod struct_ops load fails with -ENOTSUPP. */
    PENDING,
    /** Both: the xlated test_prologue starts with the 4-instruction prologue (§6.6.1). */
    ACTIVE;

    static final String WHY = "needs bpf_testmod's gen_prologue/gen_epilogue and convert_ctx_accesses' "
            + "prologue/epilogue patching (spec §1.4-1.7, §6.4), which this branch does not have";

    static final String TEST_PROLOGUE = """
            .license "GPL"
            SEC("struct_ops/test_prologue")
            test_prologue:
                r1 = *(u64 *)(r1 +0)
                r6 = r1
                call bpf_kfunc_st_ops_inc10
                r1 = r6
                call subprog
                exit
            subprog:
                r2 = *(u64 *)(r1 +0)
                r2 += 1
                *(u64 *)(r1 +0) = r2
                r0 = r2
                exit
            """;

    private static Generators probed;

    /** Probes (once) a machine of its own with bpf_testmod loaded. */
    static synchronized Generators probe() {
        if (probed == null) {
            probed = probe(new ObjKernel().withTestmod());
        }
        return probed;
    }

    private static Generators probe(ObjKernel k) {
        ProgLoadResult r = k.pk.progs().load(ProgLoader.toAttr(ProgLoader.parse(TEST_PROLOGUE, "probe.s"), Optional.empty(),
                0, k.pk.services()));
        if (!r.ok()) {
            if (r.errno().orElseThrow() == Errno.ENOTSUPP) {
                return PENDING;
            }
            throw new AssertionError("the probe program failed to load: " + r.errno() + "\n" + r.log());
        }
        int n = r.prog().insns().size();
        k.pk.progs().free(r.prog().id());
        return n > 11 ? ACTIVE : NONE; // 6 + 5 instructions, 4 more with the prologue
    }

    /** The kfunc policy the table expectations are for: {@code -Dbpfosgi.kfuncPolicy=seed|upstream} (default upstream). */
    static String policy() {
        return System.getProperty("bpfosgi.kfuncPolicy", "upstream");
    }

    static final List<String> POLICIES = List.of("upstream", "seed");
}
