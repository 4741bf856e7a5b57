package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.module.Module;

/**
 * Models kernel/bpf/verifier.c find_kfunc_desc_btf() and __find_kfunc_desc_btf():
 * offset 0 is vmlinux BTF; a positive offset names a module BTF in fd_array, found once and then
 * kept in kfunc_btf_tab with a BTF reference and a module reference.
 */
final class FindKfuncDescBtf {
    /** MAX_KFUNC_BTFS. */
    static final int MAX_KFUNC_BTFS = 256;

    private FindKfuncDescBtf() {
    }

    /** The BTF for {@code offset}; a KernelException carries the errno (the log line is written here). */
    static BtfObject find(VerifierEnv env, int offset) {
        if (offset != 0) {
            if (offset < 0) {
                env.verbose("negative offset disallowed for kernel module function call\n");
                throw new KernelException(Errno.EINVAL);
            }
            return findModuleBtf(env, offset);
        }
        return env.btfs().vmlinux();
    }

    /** Models __find_kfunc_desc_btf(). */
    private static BtfObject findModuleBtf(VerifierEnv env, int offset) {
        BpfProgAux aux = env.aux;
        for (KfuncBtf b : aux.kfuncBtfTab) {
            if (b.offset() == offset) {
                return b.btf();
            }
        }
        if (aux.kfuncBtfTab.size() >= MAX_KFUNC_BTFS) {
            env.verbose("too many different module BTFs\n");
            throw new KernelException(Errno.E2BIG);
        }
        List<?> fdArray = env.attr.fdArray();
        if (fdArray == null) {
            env.verbose("kfunc offset > 0 without fd_array is invalid\n");
            throw new KernelException(Errno.EPROTO);
        }
        if (offset >= fdArray.size()) {
            // copy_from_bpfptr_offset() past the user's array
            throw new KernelException(Errno.EFAULT);
        }
        Object entry = fdArray.get(offset);
        if (!(entry instanceof BtfObject btf)) {
            // btf_get_by_fd(): no file -EBADF; a file that is not a BTF (a map fd) -EINVAL
            env.verbose("invalid module BTF fd specified\n");
            throw new KernelException(entry == null ? Errno.EBADF : Errno.EINVAL);
        }
        env.btfs().btfGet(btf); // btf_get_by_fd()
        if (!btf.isModule()) {
            env.verbose("BTF fd for kfunc is not a module BTF\n");
            env.btfs().btfPut(btf);
            throw new KernelException(Errno.EINVAL);
        }
        String holder = aux.kfuncBtfHolder(offset);
        Optional<Module> mod = env.btfs().btfTryGetModule(btf, holder);
        if (mod.isEmpty()) {
            env.btfs().btfPut(btf);
            throw new KernelException(Errno.ENXIO);
        }
        List<KfuncBtf> tab = new ArrayList<>(aux.kfuncBtfTab);
        tab.add(new KfuncBtf(btf, mod.get(), offset, holder));
        tab.sort(Comparator.comparingInt(KfuncBtf::offset)); // kfunc_btf_cmp_by_off
        aux.kfuncBtfTab = tab;
        return btf;
    }
}
