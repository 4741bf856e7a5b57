package org.bpfosgi.prog;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.verifier.BpfCheck;
import org.bpfosgi.verifier.BpfProgAux;
import org.bpfosgi.verifier.BpfProgLoadAttr;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.verifier.KernelServices;

/**
 * The program table: kernel/bpf/syscall.c bpf_prog_load() (up to and around bpf_check()), the
 * {@code prog_idr} with ids allocated cyclically from 1, and bpf_prog_put() → __bpf_prog_put_noref()
 * freeing the references a program holds. This is the kernel facade the {@code prog} commands use.
 */
public final class ProgTable {
    private final KernelServices kernel;
    private final TreeMap<Integer, BpfProg> idr = new TreeMap<>();
    private final java.util.Set<Integer> reserved = new java.util.HashSet<>();
    private int nextId = 1;
    private volatile KfuncPolicy defaultKfuncPolicy = KfuncPolicy.SEED;

    /**
     * What a load asks beyond the model's attr: the pro/epilogue kfunc policy (empty: the
     * machine's default), for emit-call whether calls into module text are allowed, and the
     * size of the user's log buffer ({@code attr->log_size}; 0: as large as the log).
     */
    public record LoadOptions(Optional<KfuncPolicy> policy, boolean unsafeModuleCalls, long logSize) {
        public static final LoadOptions DEFAULT = new LoadOptions(Optional.empty(), false);

        public LoadOptions {
            java.util.Objects.requireNonNull(policy, "policy");
        }

        /** Options with a log buffer as large as the log. */
        public LoadOptions(Optional<KfuncPolicy> policy, boolean unsafeModuleCalls) {
            this(policy, unsafeModuleCalls, 0);
        }

        public static LoadOptions of(KfuncPolicy policy) {
            return new LoadOptions(Optional.of(policy), false);
        }
    }

    /** The machine-wide pro/epilogue kfunc policy ({@code --kfunc-policy}); seed by default. */
    public void setDefaultKfuncPolicy(KfuncPolicy policy) {
        this.defaultKfuncPolicy = java.util.Objects.requireNonNull(policy);
    }

    public KfuncPolicy defaultKfuncPolicy() {
        return defaultKfuncPolicy;
    }

    public ProgTable(KernelServices kernel) {
        this.kernel = kernel;
    }

    public KernelServices kernel() {
        return kernel;
    }

    /**
     * Models the end of bpf_check(): {@code bpf_vlog_finalize()} fails the load with -ENOSPC when
     * the log did not fit the user's buffer (the log, rolling by default, keeps its tail), and
     * that error replaces the verifier's own ("if (err) ret = err", v6.12). Decided before the
     * program exists, so the load fails as any other: nothing allocated, nothing held.
     */
    private static BpfCheck.Result bpfVlogFinalize(BpfProgLoadAttr attr, LoadOptions options, BpfCheck.Result r) {
        if (attr.logLevel() == 0 || options.logSize() == 0 || r.log().length() < options.logSize()) {
            return r;
        }
        // len_total counts the terminating NUL: a log of log_size bytes or more was truncated
        return new BpfCheck.Result(Errno.ENOSPC.negative(), r.log(), r.insns());
    }

    /** Models bpf_prog_alloc_id(): {@code idr_alloc_cyclic(&prog_idr, prog, 1, INT_MAX)}. */
    private synchronized int allocId() {
        while (idr.containsKey(nextId) || reserved.contains(nextId)) {
            nextId = nextId == Integer.MAX_VALUE - 1 ? 1 : nextId + 1;
        }
        int id = nextId;
        nextId = nextId == Integer.MAX_VALUE - 1 ? 1 : nextId + 1;
        reserved.add(id);
        return id;
    }

    /**
     * Models bpf_prog_load(). The id is reserved before bpf_check() (the kernel allocates it
     * after) so that reference holders are named after it from the start; a failed load gives it
     * back, and the next load gets it.
     */
    public ProgLoadResult load(BpfProgLoadAttr attr) {
        return load(attr, LoadOptions.DEFAULT);
    }

    /** {@link #load(BpfProgLoadAttr)} under {@code options}' kfunc policy. */
    public ProgLoadResult load(BpfProgLoadAttr attr, LoadOptions options) {
        String name = attr.name();
        // sysctl_unprivileged_bpf_disabled (default on) && !bpf_token_capable(CAP_BPF): -EPERM; the
        // later "only socket filters and cgroup skb programs without CAP_BPF" check agrees
        if ((attr.capabilities() & (BpfProgLoadAttr.CAP_BPF | BpfProgLoadAttr.CAP_SYS_ADMIN)) == 0) {
            return new ProgLoadResult(null, Errno.EPERM.negative(), "");
        }
        // attr->insn_cnt == 0 || attr->insn_cnt > BPF_COMPLEXITY_LIMIT_INSNS: -E2BIG for both
        if (attr.insns().isEmpty() || attr.insns().size() > org.bpfosgi.isa.Bpf.BPF_COMPLEXITY_LIMIT_INSNS) {
            return new ProgLoadResult(null, Errno.E2BIG.negative(), "");
        }
        // bpf_obj_name_cpy(), after bpf_prog_alloc() and find_prog_type()
        if (bpfObjNameCpy(name) < 0) {
            return new ProgLoadResult(null, Errno.EINVAL.negative(), "");
        }
        // attach_btf: the object of attach_btf_obj_fd, or vmlinux for an attach_btf_id alone
        BtfObject attachBtf = attr.attachBtf();
        if (attachBtf != null) {
            kernel.btfs().btfGet(attachBtf);
        } else if (attr.attachBtfId() != 0) {
            attachBtf = kernel.btfs().vmlinux();
            kernel.btfs().btfGet(attachBtf);
        }
        int id = allocId();
        BpfProgAux aux = new BpfProgAux(name);
        aux.setId(id);
        aux.setKfuncPolicy(options.policy().orElse(defaultKfuncPolicy), options.unsafeModuleCalls());
        aux.initForLoad(attachBtf, attr.gplCompatible(), (attr.progFlags() & BpfProgLoadAttr.BPF_F_SLEEPABLE) != 0);
        BpfCheck.Result r = bpfVlogFinalize(attr, options, BpfCheck.run(attr, aux, kernel));
        if (!r.ok()) {
            // free_prog_sec / bpf_prog_free: everything the aux took goes back
            freeAux(aux);
            synchronized (this) {
                reserved.remove(id);
                // the kernel never allocated an id for this load: the cyclic counter goes back
                if (nextId == id + 1 || (id == Integer.MAX_VALUE - 1 && nextId == 1)) {
                    nextId = id;
                }
            }
            return new ProgLoadResult(null, r.err(), r.log());
        }
        // bpf_prog_select_runtime() → bpf_check_tail_call(): every prog array it uses must take this program
        for (org.bpfosgi.verifier.VerifierMaps.UsedMap m : aux.usedMaps()) {
            if (m.mapType() == org.bpfosgi.verifier.VerifierMaps.BPF_MAP_TYPE_PROG_ARRAY && !m.progCompatible(attr.progType())) {
                freeAux(aux);
                synchronized (this) {
                    reserved.remove(id);
                    if (nextId == id + 1 || (id == Integer.MAX_VALUE - 1 && nextId == 1)) {
                        nextId = id;
                    }
                }
                return new ProgLoadResult(null, Errno.EINVAL.negative(), r.log());
            }
        }
        String attach = aux.stOps().map(d -> d.name() + "." + aux.attachFuncName()).orElse("");
        BpfProg prog = new BpfProg(id, name, r.insns(), aux, attach, attr.license(), attr.progType(),
                attr.attachBtfId(), attr.expectedAttachType());
        synchronized (this) {
            reserved.remove(id);
            idr.put(id, prog);
        }
        return new ProgLoadResult(prog, 0, r.log());
    }

    /**
     * Models bpf_obj_name_cpy(): only isalnum(), '_' and '.', and a NUL within BPF_OBJ_NAME_LEN
     * bytes. The kernel's ctype also calls Latin-1 letters (0xc0-0xff) alnum, but a name's UTF-8
     * encoding puts a continuation byte (0x80-0xbf, never alnum) in every non-ASCII character, so
     * exactly the ASCII letters and digits pass.
     */
    static int bpfObjNameCpy(String name) {
        if (name.length() > BpfProgLoadAttr.BPF_OBJ_NAME_LEN - 1) {
            return Errno.EINVAL.negative();
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && c != '_' && c != '.') {
                return Errno.EINVAL.negative();
            }
        }
        return name.length();
    }

    /**
     * __bpf_prog_put_noref() puts the attach BTF (btf_put(prog->aux->attach_btf)) first; then
     * bpf_prog_free_deferred() frees the used maps and the used BTFs (with their module
     * references); the kfunc_btf_tab goes later, in bpf_prog_free_deferred() → bpf_free_kfunc_btf_tab() (last entry
     * to first, module_put() then btf_put() each).
     */
    private void freeAux(BpfProgAux aux) {
        if (aux.attachBtf() != null) {
            kernel.btfs().btfPut(aux.attachBtf());
            aux.clearAttachBtf();
        }
        // bpf_prog_free_deferred(): bpf_free_used_maps() first
        aux.releaseUsedMaps();
        aux.releaseUsedBtfs(kernel.modules(), kernel.btfs()); // bpf_free_used_btfs()
        aux.freeKfuncBtfTab(kernel.modules(), kernel.btfs());
    }

    /** The loaded programs by id. */
    public synchronized List<BpfProg> list() {
        return new ArrayList<>(idr.values());
    }

    public synchronized Optional<BpfProg> get(int id) {
        return Optional.ofNullable(idr.get(id));
    }

    /**
     * The user closes the reference {@code prog load} gave: bpf_prog_put(). The program goes when
     * that was its last reference (nothing else, such as a struct_ops map, holds it). -ENOENT if
     * there is no such program, -EBADF if the user no longer holds a reference to it (only the
     * kernel does).
     */
    public int free(int id) {
        BpfProg p;
        synchronized (this) {
            p = idr.get(id);
        }
        if (p == null) {
            return Errno.ENOENT.negative();
        }
        if (!p.dropUserRef()) {
            return Errno.EBADF.negative();
        }
        put(p);
        return 0;
    }

    /** Models bpf_prog_inc(): a new reference to a program the caller already holds. */
    public void inc(BpfProg p) {
        p.inc();
    }

    /**
     * Models bpf_prog_put(): on the last reference the id goes (bpf_prog_free_id()), then
     * __bpf_prog_put_noref() → btf_put(attach_btf), and bpf_prog_free_deferred() →
     * bpf_free_kfunc_btf_tab().
     */
    public void put(BpfProg p) {
        if (!p.dec()) {
            return;
        }
        synchronized (this) {
            idr.remove(p.id(), p);
        }
        freeAux(p.aux());
        p.markFreed();
    }
}
