package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.subsystem.KfuncPolicy;

/**
 * Models {@code struct bpf_prog_aux}, the parts a struct_ops load fills: the kfunc tables with
 * the references they hold, the attach information set by check_struct_ops_btf_id(), and the
 * stack depths. {@link #freeKfuncBtfTab} is bpf_free_kfunc_btf_tab(), run when the program is
 * freed — also when its load failed.
 */
public final class BpfProgAux {
    /** prog->aux->id once the load succeeded (bpf_prog_alloc_id()); 0 while loading. */
    int id;
    final String name;
    /** {@code kfunc_tab}: sorted by (func_id, offset) during verification, by (imm, offset) after fixup. */
    final List<KfuncDesc> kfuncTab = new ArrayList<>();
    /** Whether {@code kfunc_tab} was allocated (the first kfunc call was seen, even a weak one). */
    boolean kfuncTabAllocated;
    /** {@code kfunc_btf_tab} (null until the first offset &gt; 0), sorted by offset. */
    List<KfuncBtf> kfuncBtfTab;
    /** {@code attach_btf}: the BTF the program attaches to (a reference held by the program). */
    BtfObject attachBtf;
    StructOpsDesc stOps;
    int attachStOpsMemberOff;
    String attachFuncName;
    BtfType.FuncProto attachFuncProto;
    boolean sleepable;
    boolean gplCompatible;
    /** Stack depth of each subprogram, as check_max_stack_depth() leaves it. */
    int[] stackDepths = new int[0];
    int verifiedInsns;
    /** The policy for kfunc calls in generated pro/epilogues this load ran under. */
    KfuncPolicy kfuncPolicy = KfuncPolicy.SEED;
    /** emit-call policy: allow BPF_EMIT_CALL targets in module text (bpf-osgi's unsafe-module-calls). */
    boolean unsafeModuleCalls;
    /** {@code used_maps}: the maps the program's ld_imm64s name, each with a reference. */
    final List<VerifierMaps.UsedMap> usedMaps = new ArrayList<>();
    /**
     * {@code used_btfs}: the BTF objects ksym ld_imm64s named (check_pseudo_btf_id()), each once,
     * with a BTF reference and, for a module's, a module reference; released at prog free.
     */
    final List<BtfModPair> usedBtfs = new ArrayList<>();
    /** {@code max_ctx_offset}: one past the last ctx byte the program accesses (check_ctx_access()). */
    int maxCtxOffset;

    public BpfProgAux(String name) {
        this.name = name;
    }

    /** What bpf_prog_load() sets before bpf_check(): attach_btf (with its reference), gpl_compatible, sleepable. */
    public void initForLoad(BtfObject attachBtf, boolean gplCompatible, boolean sleepable) {
        this.attachBtf = attachBtf;
        this.gplCompatible = gplCompatible;
        this.sleepable = sleepable;
    }

    /** The attach BTF reference was put (prog free). */
    public void clearAttachBtf() {
        this.attachBtf = null;
    }

    /** What bpf_prog_load() is asked beyond the kernel's attr: the pro/epilogue kfunc policy. */
    public void setKfuncPolicy(KfuncPolicy policy, boolean unsafeModuleCalls) {
        this.kfuncPolicy = java.util.Objects.requireNonNull(policy);
        this.unsafeModuleCalls = unsafeModuleCalls;
    }

    public KfuncPolicy kfuncPolicy() {
        return kfuncPolicy;
    }

    public boolean unsafeModuleCalls() {
        return unsafeModuleCalls;
    }

    public String name() {
        return name;
    }

    public int id() {
        return id;
    }

    public void setId(int id) {
        this.id = id;
    }

    public List<KfuncDesc> kfuncTab() {
        return List.copyOf(kfuncTab);
    }

    public List<KfuncBtf> kfuncBtfTab() {
        return kfuncBtfTab == null ? List.of() : List.copyOf(kfuncBtfTab);
    }

    public Optional<StructOpsDesc> stOps() {
        return Optional.ofNullable(stOps);
    }

    public String attachFuncName() {
        return attachFuncName;
    }

    public BtfObject attachBtf() {
        return attachBtf;
    }

    public boolean gplCompatible() {
        return gplCompatible;
    }

    public int verifiedInsns() {
        return verifiedInsns;
    }

    /** {@code prog->aux->max_ctx_offset}, which bpf_prog_test_run_syscall() checks ctx_size_in against. */
    public int maxCtxOffset() {
        return maxCtxOffset;
    }

    /** {@code prog->aux->used_maps}. */
    public List<VerifierMaps.UsedMap> usedMaps() {
        return List.copyOf(usedMaps);
    }

    /** Models bpf_free_used_maps() / release_maps(): every used map's reference is put. */
    public void releaseUsedMaps() {
        for (VerifierMaps.UsedMap m : usedMaps) {
            m.put();
        }
        usedMaps.clear();
    }

    /** {@code prog->aux->used_btfs}. */
    public List<BtfModPair> usedBtfs() {
        return List.copyOf(usedBtfs);
    }

    /** The holder name of a used_btfs module reference (for lsmod and tests). */
    String usedBtfHolder(BtfObject btf) {
        return "prog " + id + " (" + name + ") used_btfs " + btf.name();
    }

    /**
     * Models __bpf_free_used_btfs() (kernel/bpf/core.c, v6.12), run by bpf_prog_free_deferred()
     * after bpf_free_used_maps() (and by release_btfs() when bpf_check() fails): for each entry in
     * order, module_put() of its module (if any), then btf_put().
     */
    public void releaseUsedBtfs(ModuleTable modules, BtfRegistry btfs) {
        for (BtfModPair p : usedBtfs) {
            if (p.module() != null) {
                modules.modulePut(p.module(), p.holder());
            }
            btfs.btfPut(p.btf());
        }
        usedBtfs.clear();
    }

    public int[] stackDepths() {
        return stackDepths.clone();
    }

    /**
     * The holder name of a kfunc_btf_tab entry: who holds what, for lsmod and tests. The id is
     * the one the program table reserved for this load (the kernel allocates it after
     * bpf_check(); the model reserves it first so that the name is right from the start).
     */
    String kfuncBtfHolder(int offset) {
        return "prog " + id + " (" + name + ") kfunc_btf_tab off " + offset;
    }

    /** Sorts kfunc_tab by (func_id, offset): kfunc_desc_cmp_by_id_off(). */
    void sortKfuncDescsByIdOff() {
        kfuncTab.sort(Comparator.comparingInt(KfuncDesc::funcId).thenComparingInt(KfuncDesc::offset));
    }

    /** Models sort_kfunc_descs_by_imm_off(). */
    void sortKfuncDescsByImmOff() {
        kfuncTab.sort(Comparator.comparingInt(KfuncDesc::imm).thenComparingInt(KfuncDesc::offset));
    }

    /**
     * Models bpf_free_kfunc_btf_tab(): from the last entry to the first, module_put() then
     * btf_put(). Idempotent here (the kernel frees the table with the aux).
     */
    public void freeKfuncBtfTab(ModuleTable modules, BtfRegistry btfs) {
        if (kfuncBtfTab == null) {
            return;
        }
        for (int i = kfuncBtfTab.size() - 1; i >= 0; i--) {
            KfuncBtf e = kfuncBtfTab.get(i);
            modules.modulePut(e.module(), e.holder());
            btfs.btfPut(e.btf());
        }
        kfuncBtfTab = null;
    }
}
