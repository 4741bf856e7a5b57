package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfBuilder;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.junit.jupiter.api.Test;

/** btf_resolve_size() (kernel/bpf/btf.c __btf_resolve_size(), v6.12): sizes, and -EINVAL as a value. */
class BtfResolveSizeTest {
    private final BtfBuilder b = new BtfBuilder(null);
    private final int u32 = b.add(new BtfType.Int(b.str("unsigned int"), 4, 0, 0, 32));
    private final int u64 = b.add(new BtfType.Int(b.str("long long unsigned int"), 8, 0, 0, 64));
    private final int st = b.add(new BtfType.Composite(BtfKind.STRUCT, b.str("s"), false, 12,
            List.of(new BtfType.Member(b.str("a"), u32, 0))));

    private static void size(Btf btf, int id, long want) {
        BtfResolveSize r = BtfResolveSize.of(btf, id);
        assertTrue(r.ok(), String.valueOf(r));
        assertEquals(want, r.size());
    }

    private static void einval(Btf btf, int id) {
        BtfResolveSize r = BtfResolveSize.of(btf, id);
        assertFalse(r.ok());
        assertEquals(Errno.EINVAL, r.err());
        assertEquals(-22, r.ptrErr());
    }

    @Test
    void sizedKindsModifiersAndArrays() {
        int ptr = b.add(new BtfType.Ref(BtfKind.PTR, 0, false, st));
        int td = b.add(new BtfType.Ref(BtfKind.TYPEDEF, b.str("t"), false, u64));
        int cv = b.add(new BtfType.Ref(BtfKind.CONST, 0, false, b.add(new BtfType.Ref(BtfKind.VOLATILE, 0, false, td))));
        int arr = b.add(new BtfType.Array(0, st, u32, 3));
        int arr2 = b.add(new BtfType.Array(0, arr, u32, 2));
        int empty = b.add(new BtfType.Array(0, st, u32, 0));
        int f = b.add(new BtfType.Float(b.str("double"), 8));
        Btf btf = b.build();
        size(btf, u32, 4);
        size(btf, st, 12);
        size(btf, ptr, 8);
        size(btf, cv, 8);
        size(btf, arr, 36);
        size(btf, arr2, 72);
        size(btf, empty, 0);
        size(btf, f, 8);
    }

    @Test
    void typesWithoutSizeAreEinval() {
        int fwd = b.add(new BtfType.Fwd(b.str("fwd"), false));
        int proto = b.add(new BtfType.FuncProto(0, 0, List.of()));
        int var = b.add(new BtfType.Var(b.str("v"), u32, 1));
        int sec = b.add(new BtfType.DataSec(b.str(".data"), 4, List.of(new BtfType.VarSecInfo(var, 0, 4))));
        int toVoid = b.add(new BtfType.Ref(BtfKind.CONST, 0, false, 0));
        Btf btf = b.build();
        einval(btf, 0); // void
        einval(btf, fwd);
        einval(btf, proto);
        einval(btf, var);
        einval(btf, sec); // DATASEC has a size word, but __btf_resolve_size() does not take it
        einval(btf, toVoid);
    }

    /**
     * An array just under U32_MAX bytes resolves. (Larger products are -EINVAL in
     * __btf_resolve_size() too, but BTF validation — btf_array_resolve(), "Array size overflows
     * U32_MAX" — refuses such a BTF first, here as in the kernel.)
     */
    @Test
    void arrayUpToU32MaxResolves() {
        int fits = b.add(new BtfType.Array(0, u32, u32, (1 << 30) - 1));
        Btf btf = b.build();
        size(btf, fits, 4L * ((1 << 30) - 1));
    }

    /** MAX_RESOLVE_DEPTH: 31 typedefs and the int resolve; 32 do not. */
    @Test
    void moreThanMaxResolveDepthStepsIsEinval() {
        int id = u32;
        for (int i = 0; i < BtfResolveSize.MAX_RESOLVE_DEPTH - 1; i++) {
            id = b.add(new BtfType.Ref(BtfKind.TYPEDEF, b.str("t" + i), false, id));
        }
        int deeper = b.add(new BtfType.Ref(BtfKind.TYPEDEF, b.str("deep"), false, id));
        Btf btf = b.build();
        size(btf, id, 4);
        einval(btf, deeper);
    }
}
