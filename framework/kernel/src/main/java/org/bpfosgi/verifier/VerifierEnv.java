package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.subsystem.VerifierOps;

/**
 * Models {@code struct bpf_verifier_env}: everything one bpf_check() works on. Passes read and
 * write it; it dies with the bpf_check() call.
 */
public final class VerifierEnv {
    /** BPF_MAX_SUBPROGS. */
    public static final int BPF_MAX_SUBPROGS = 256;

    final BpfProgLoadAttr attr;
    final BpfProgAux aux;
    final KernelServices kernel;
    final BpfVerifierLog log;
    /** {@code prog->insnsi}, rewritten in place by the fixup passes. */
    final List<Insn> insns;
    /** {@code env->ops}: the generic struct_ops ops until check_struct_ops_btf_id() sets the subsystem's. */
    VerifierOps ops;
    /** {@code env->attach_btf_mod}: held during bpf_check() only. */
    Module attachBtfMod;
    final String attachBtfModHolder;
    /** {@code subprog_info[]}: start of each subprogram, plus the fake "exit" entry at the end. */
    final List<Integer> subprogStarts = new ArrayList<>();
    int[] subprogStackDepth = new int[0];
    /** {@code insn_aux_data[].seen}. */
    boolean[] seen;
    /** {@code insn_aux_data[].orig_idx}: the instruction's index in the loaded program (0 for inserted ones). */
    int[] origIdx;
    /**
     * {@code insn_aux_data[].finalized_call} (Jan 2026 RFC "skb-meta bpf_emit_call from
     * prologue"; the emit-call policy): a helper call whose imm is already
     * BPF_CALL_IMM(fn), which do_misc_fixups() must not fix up again.
     */
    boolean[] finalizedCall;
    /** {@code insn_aux_data[].fastcall_pattern} ({@link MarkFastcallPatterns}); null before mark_fastcall_patterns(). */
    boolean[] fastcallPattern;
    /** {@code insn_aux_data[].fastcall_spills_num}. */
    int[] fastcallSpillsNum;
    /** {@code subprog_info[].fastcall_stack_off} (s16). */
    int[] fastcallStackOff;
    /** {@code subprog_info[].keep_fastcall_stack}. */
    boolean[] keepFastcallStack;
    /** {@code insn_aux_data[].map_ptr_state} (record_func_map()): null where no map helper call was verified. */
    MapPtrState[] mapPtrState;
    /** {@code prog->aux->linfo[].insn_off} (check_btf_line()), moved by bpf_adj_linfo() as insns are patched. */
    final List<Integer> linfoInsnOff = new ArrayList<>();
    /** {@code prog->aux->linfo}: the line_info records check_btf_line() accepted (see {@link #linfoInsnOff}). */
    List<org.bpfosgi.btf.BtfExt.LineInfo> linfo = List.of();
    /** {@code prog->aux->btf}: the program's BTF (prog_btf_fd), null without func/line info. */
    org.bpfosgi.btf.Btf progBtf;
    /** {@code prog->aux->func_info}. */
    List<org.bpfosgi.btf.BtfExt.FuncInfo> funcInfo = List.of();
    /** {@code prog->aux->poke_tab[].insn_idx}: the model has no tail calls yet; kept for adjust_poke_descs(). */
    final List<Integer> pokeInsnIdx = new ArrayList<>();
    final boolean bpfCapable;
    final boolean allowPtrLeaks;
    final boolean allowUninitStack;
    /** {@code env->seen_direct_write} (packet writes; never set for struct_ops). */
    boolean seenDirectWrite;
    int insnProcessed;
    int totalStates;
    int peakStates;
    int maxStatesPerInsn;
    int curStates;
    /** Counter for reg ids and reference ids ({@code env->id_gen}). */
    int idGen;
    final long startNanos = System.nanoTime();
    /** {@code insn_aux_data[].btf_var} of the ksym ld_imm64s, by instruction index (check_pseudo_btf_id()). */
    final java.util.Map<Integer, BtfVarAux> btfVars = new java.util.HashMap<>();

    /** The used map whose address a BPF_PSEUDO_MAP_FD ld_imm64 loads, or null. */
    VerifierMaps.UsedMap usedMapAt(long address) {
        for (VerifierMaps.UsedMap m : aux.usedMaps) {
            if (m.address() == address) {
                return m;
            }
        }
        return null;
    }

    /** The used map of this id, or null. */
    VerifierMaps.UsedMap usedMap(int id) {
        for (VerifierMaps.UsedMap m : aux.usedMaps) {
            if (m.id() == id) {
                return m;
            }
        }
        return null;
    }

    VerifierEnv(BpfProgLoadAttr attr, BpfProgAux aux, KernelServices kernel) {
        this.attr = attr;
        this.aux = aux;
        this.kernel = kernel;
        this.log = new BpfVerifierLog(attr.logLevel());
        this.insns = new ArrayList<>(attr.insns());
        this.bpfCapable = (attr.capabilities() & (BpfProgLoadAttr.CAP_BPF | BpfProgLoadAttr.CAP_SYS_ADMIN)) != 0;
        boolean perfmon = (attr.capabilities() & (BpfProgLoadAttr.CAP_PERFMON | BpfProgLoadAttr.CAP_SYS_ADMIN)) != 0;
        this.allowPtrLeaks = perfmon;
        this.allowUninitStack = perfmon;
        this.attachBtfModHolder = "verifier attach_btf_mod (loading " + aux.name + ")";
        this.seen = new boolean[insns.size()];
        this.origIdx = new int[insns.size()];
        for (int i = 0; i < origIdx.length; i++) {
            origIdx[i] = i; // bpf_check(): env->insn_aux_data[i].orig_idx = i
        }
        this.finalizedCall = new boolean[insns.size()];
        this.mapPtrState = new MapPtrState[insns.size()];
    }

    ModuleTable modules() {
        return kernel.modules();
    }

    BtfRegistry btfs() {
        return kernel.btfs();
    }

    /** Models verbose(env, fmt, ...). */
    void verbose(String fmt, Object... args) {
        log.log(fmt, args);
    }

    /** Logs and returns the negative errno, the verifier's usual "verbose(); return -E..." pair. */
    int err(Errno e, String fmt, Object... args) {
        log.log(fmt, args);
        return e.negative();
    }

    int subprogCount() {
        return subprogStarts.size() - 1;
    }

    /** Models find_subprog(): the index of the subprogram starting at {@code off}, or -1. */
    int findSubprog(int off) {
        int i = java.util.Collections.binarySearch(subprogStarts.subList(0, subprogCount()), off);
        return i >= 0 ? i : -1;
    }

    /** The subprogram containing instruction {@code idx}. */
    int subprogOf(int idx) {
        int s = 0;
        for (int i = 0; i < subprogCount(); i++) {
            if (subprogStarts.get(i) <= idx) {
                s = i;
            }
        }
        return s;
    }

    public BpfVerifierLog log() {
        return log;
    }
}
