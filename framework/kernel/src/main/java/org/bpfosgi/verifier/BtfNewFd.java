package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;

/**
 * Models BPF_BTF_LOAD (kernel/bpf/btf.c btf_new_fd() → btf_parse()) for a program's BTF, the part
 * that reaches the rest of the kernel: btf_parse_struct_metas() (v6.12, with "bpf: Search for
 * kptrs in prog BTF structs", Dave Marchevsky/Amery Hung) collects every type btf_find_kptr()
 * accepts (a PTR to a "kptr"/"kptr_untrusted"/"percpu_kptr" TYPE_TAG of a struct), and every
 * struct with a member of such a type gets btf_parse_fields(): an error fails the load (so a
 * {@code struct T __kptr *} of a kernel type without a destructor is -ENOENT here, as the live
 * 6.18 kernel answers), and the records stay in {@code btf->struct_meta_tab} — with their
 * references on kernel BTFs and modules — until the BTF object is freed.
 *
 * <p>Not modelled: the BTF's own validation (the callers hand over parsed BTF) and the other
 * special fields of struct metas (bpf_spin_lock, graph roots and nodes, bpf_refcount: refused
 * with -EOPNOTSUPP and a kernel-log line when a struct with a kptr has them).
 */
public final class BtfNewFd {
    private BtfNewFd() {
    }

    /** What BPF_BTF_LOAD returns: the BTF object (its id is the model's fd), or a negative errno. */
    public record Result(BtfObject btf, int err) {
        public boolean ok() {
            return btf != null;
        }
    }

    public static Result load(KernelServices k, String name, Btf btf) {
        String holder = "btf " + name;
        java.util.Set<Integer> kptrTypes = new java.util.HashSet<>();
        for (int i = btf.startId(); i < btf.nrTypes(); i++) {
            if (BtfParseFields.isKptr(btf, i)) {
                kptrTypes.add(i);
            }
        }
        List<BtfRecord> metas = new ArrayList<>();
        if (!kptrTypes.isEmpty()) {
            for (int i = btf.startId(); i < btf.nrTypes(); i++) {
                if (btf.kind(i) != BtfKind.STRUCT) {
                    continue;
                }
                boolean parse = ((org.bpfosgi.btf.BtfType.Composite) btf.type(i)).members().stream()
                        .anyMatch(m -> kptrTypes.contains(m.type()));
                if (!parse) {
                    continue;
                }
                BtfRecord rec;
                try {
                    rec = BtfParseFields.parse(btf, i, ((org.bpfosgi.btf.BtfType.Composite) btf.type(i)).size(), k, holder);
                } catch (BtfParseFields.NotModelled e) {
                    metas.forEach(r -> BtfParseFields.free(r, k.btfs(), k.modules(), holder));
                    k.registry().klog("bpf-osgi: BPF_BTF_LOAD: " + e.getMessage() + " is not modelled");
                    return new Result(null, Errno.EOPNOTSUPP.negative());
                }
                // "The record cannot be unset, treat it as an error if so"
                int err = rec == null ? Errno.EFAULT.negative() : rec.err();
                if (err < 0) {
                    metas.forEach(r -> BtfParseFields.free(r, k.btfs(), k.modules(), holder));
                    return new Result(null, err);
                }
                metas.add(rec);
            }
        }
        Runnable release = metas.isEmpty() ? null
                : () -> metas.forEach(r -> BtfParseFields.free(r, k.btfs(), k.modules(), holder));
        return new Result(k.btfs().btfLoad(name, btf, release), 0);
    }
}
