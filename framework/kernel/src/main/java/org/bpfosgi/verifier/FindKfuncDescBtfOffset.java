package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.module.Module;

/**
 * Models find_kfunc_desc_btf_offset() of the dropped seed patch (v2 7/8 "bpf: Allow
 * pro/epilogue to call kfunc", seed/): the kfunc_btf_tab offset for a pro/epilogue
 * kfunc of {@code btf}. vmlinux is 0; an entry already holding this BTF is reused; otherwise the
 * smallest offset ≥ 1 not in the (offset-sorted) table is taken, with try_module_get(module)
 * (-ENXIO when the module is not LIVE) and a BTF reference, until bpf_free_kfunc_btf_tab().
 */
final class FindKfuncDescBtfOffset {
    private FindKfuncDescBtfOffset() {
    }

    /** The offset (≥ 0), or a negative errno. */
    static int run(VerifierEnv env, BtfObject btf, Module module) {
        if (!btf.isModule()) {
            return 0; // btf_is_vmlinux(btf)
        }
        BpfProgAux aux = env.aux;
        if (aux.kfuncBtfTab == null) {
            aux.kfuncBtfTab = new ArrayList<>();
        }
        int newOffset = 1; // 0 is reserved for btf_vmlinux
        for (KfuncBtf b : aux.kfuncBtfTab) {
            if (b.btf().equals(btf)) {
                return b.offset();
            }
            // the table is sorted by offset, so one pass finds the smallest free offset
            if (newOffset == b.offset()) {
                newOffset++;
            }
        }
        if (aux.kfuncBtfTab.size() == FindKfuncDescBtf.MAX_KFUNC_BTFS) {
            return env.err(Errno.E2BIG, "too many different module BTFs\n");
        }
        String holder = aux.kfuncBtfHolder(newOffset) + ", pro/epilogue";
        env.modules().point("find_kfunc_desc_btf_offset:before_try_get");
        if (!env.modules().tryModuleGet(module, holder)) {
            return Errno.ENXIO.negative();
        }
        env.btfs().btfGet(btf);
        List<KfuncBtf> tab = new ArrayList<>(aux.kfuncBtfTab);
        tab.add(new KfuncBtf(btf, module, newOffset, holder));
        tab.sort(Comparator.comparingInt(KfuncBtf::offset)); // kfunc_btf_cmp_by_off
        aux.kfuncBtfTab = tab;
        env.modules().point("find_kfunc_desc_btf_offset:after_try_get");
        return newOffset;
    }
}
