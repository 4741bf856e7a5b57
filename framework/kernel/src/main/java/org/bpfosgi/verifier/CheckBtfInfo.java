package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfExt;
import org.bpfosgi.btf.BtfExt.FuncInfo;
import org.bpfosgi.btf.BtfExt.LineInfo;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;

/**
 * The program's BTF func_info and line_info (kernel/bpf/verifier.c, v6.12):
 * {@link #early} models check_btf_info_early() → check_btf_func_early() (run right after
 * check_subprogs()), {@link #run} models check_btf_info() → check_btf_func() and
 * check_btf_line() (run right after check_cfg()). Texts and errnos are the kernel's; several of
 * its func_info messages end without a newline, as in the kernel. What passes is kept in the
 * env ({@code prog->aux->btf}, {@code func_info}, {@code linfo}) for the log's source lines
 * (verbose_linfo()).
 *
 * <p>Not modelled: check_abnormal_return() and the LD_ABS / tail-call return checks of
 * check_btf_func(): the model tracks neither LD_ABS nor tail calls in subprograms (it refuses
 * LD_ABS for the program types it verifies, and has no tail calls). check_core_relo() has
 * nothing to do: libbpf passes no core_relos.
 */
final class CheckBtfInfo {
    /** MIN_BPF_FUNCINFO_SIZE. */
    static final int MIN_BPF_FUNCINFO_SIZE = 8;
    /** MAX_FUNCINFO_REC_SIZE. */
    static final int MAX_FUNCINFO_REC_SIZE = 252;
    /** MIN_BPF_LINEINFO_SIZE: offsetofend(struct bpf_line_info, line_col). */
    static final int MIN_BPF_LINEINFO_SIZE = 16;
    /** MAX_LINEINFO_REC_SIZE. */
    static final int MAX_LINEINFO_REC_SIZE = MAX_FUNCINFO_REC_SIZE;

    private CheckBtfInfo() {
    }

    private static boolean none(BpfProgBtfInfo info) {
        return info == null || (info.funcInfo().isEmpty() && info.lineInfo().isEmpty());
    }

    /** Models check_btf_info_early(). */
    static int early(VerifierEnv env) {
        BpfProgBtfInfo info = env.attr.btfInfo();
        if (none(info)) {
            return 0; // check_abnormal_return(): not modelled (see the class comment)
        }
        // btf_get_by_fd(attr->prog_btf_fd)
        if (info.progBtf() == null) {
            return Errno.EBADF.negative();
        }
        if (info.progBtfIsKernel()) {
            return Errno.EACCES.negative();
        }
        env.progBtf = info.progBtf();
        return checkBtfFuncEarly(env, info);
    }

    /** Models check_btf_func_early(): record size, order, FUNC types; keeps prog->aux->func_info. */
    private static int checkBtfFuncEarly(VerifierEnv env, BpfProgBtfInfo info) {
        List<FuncInfo> recs = info.funcInfo();
        int nfuncs = recs.size();
        if (nfuncs == 0) {
            return 0;
        }
        int urecSize = info.funcInfoRecSize();
        if (Integer.compareUnsigned(urecSize, MIN_BPF_FUNCINFO_SIZE) < 0
                || Integer.compareUnsigned(urecSize, MAX_FUNCINFO_REC_SIZE) > 0 || urecSize % 4 != 0) {
            return env.err(Errno.EINVAL, "invalid func info rec size %u\n", urecSize);
        }
        Btf btf = env.progBtf;
        int prevOffset = 0;
        for (int i = 0; i < nfuncs; i++) {
            FuncInfo r = recs.get(i);
            if (i == 0) {
                if (r.insnOff() != 0) {
                    return env.err(Errno.EINVAL, "nonzero insn_off %u for the first func info record", r.insnOff());
                }
            } else if (Integer.compareUnsigned(r.insnOff(), prevOffset) <= 0) {
                return env.err(Errno.EINVAL, "same or smaller insn offset (%u) than previous func info record (%u)",
                        r.insnOff(), prevOffset);
            }
            // check type_id
            if (!isFunc(btf, r.typeId())) {
                return env.err(Errno.EINVAL, "invalid type id %d in func info", r.typeId());
            }
            int proto = ((BtfType.Func) btf.type(r.typeId())).type();
            if (!(proto > 0 && proto < btf.nrTypes() && btf.kind(proto) == BtfKind.FUNC_PROTO)) {
                // btf_func_check() already verified it during BTF load
                return Errno.EINVAL.negative();
            }
            prevOffset = r.insnOff();
        }
        env.funcInfo = recs;
        return 0;
    }

    private static boolean isFunc(Btf btf, int id) {
        return id > 0 && id < btf.nrTypes() && btf.kind(id) == BtfKind.FUNC;
    }

    /** Models check_btf_info(): check_btf_func() then check_btf_line(). */
    static int run(VerifierEnv env) {
        BpfProgBtfInfo info = env.attr.btfInfo();
        if (none(info)) {
            return 0;
        }
        int err = checkBtfFunc(env, info);
        if (err != 0) {
            return err;
        }
        return checkBtfLine(env, info);
    }

    /** Models check_btf_func(): one record per subprogram, each at its start. */
    private static int checkBtfFunc(VerifierEnv env, BpfProgBtfInfo info) {
        int nfuncs = info.funcInfo().size();
        if (nfuncs == 0) {
            return 0;
        }
        if (nfuncs != env.subprogCount()) {
            return env.err(Errno.EINVAL, "number of funcs in func_info doesn't match number of subprogs\n");
        }
        for (int i = 0; i < nfuncs; i++) {
            if (env.subprogStarts.get(i) != env.funcInfo.get(i).insnOff()) {
                return env.err(Errno.EINVAL, "func_info BTF section doesn't match subprog layout in BPF program\n");
            }
        }
        return 0;
    }

    /** Models check_btf_line(). */
    private static int checkBtfLine(VerifierEnv env, BpfProgBtfInfo info) {
        List<LineInfo> recs = info.lineInfo();
        int nrLinfo = recs.size();
        if (nrLinfo == 0) {
            return 0;
        }
        int recSize = info.lineInfoRecSize();
        if (Integer.compareUnsigned(recSize, MIN_BPF_LINEINFO_SIZE) < 0
                || Integer.compareUnsigned(recSize, MAX_LINEINFO_REC_SIZE) > 0 || (recSize & 3) != 0) {
            return Errno.EINVAL.negative();
        }
        Btf btf = env.progBtf;
        int progLen = env.insns.size();
        int subprogCnt = env.subprogCount();
        int s = 0;
        int prevOffset = 0;
        for (int i = 0; i < nrLinfo; i++) {
            LineInfo l = recs.get(i);
            // strictly increasing and bounded by prog->len
            if ((i != 0 && Integer.compareUnsigned(l.insnOff(), prevOffset) <= 0)
                    || Integer.compareUnsigned(l.insnOff(), progLen) >= 0) {
                return env.err(Errno.EINVAL, "Invalid line_info[%u].insn_off:%u (prev_offset:%u prog->len:%u)\n", i,
                        l.insnOff(), prevOffset, progLen);
            }
            if (env.insns.get(l.insnOff()).code() == 0) {
                return env.err(Errno.EINVAL, "Invalid insn code at line_info[%u].insn_off\n", i);
            }
            if (BtfExt.strOrNull(btf, l.lineOff()) == null || BtfExt.strOrNull(btf, l.fileNameOff()) == null) {
                return env.err(Errno.EINVAL, "Invalid line_info[%u].line_off or .file_name_off\n", i);
            }
            if (s != subprogCnt) {
                if (l.insnOff() == env.subprogStarts.get(s)) {
                    s++;
                } else if (env.subprogStarts.get(s) < l.insnOff()) {
                    return env.err(Errno.EINVAL, "missing bpf_line_info for func#%u\n", s);
                }
            }
            prevOffset = l.insnOff();
        }
        if (s != subprogCnt) {
            return env.err(Errno.EINVAL, "missing bpf_line_info for %u funcs starting from func#%u\n",
                    subprogCnt - s, s);
        }
        env.linfo = new ArrayList<>(recs);
        env.linfoInsnOff.clear();
        for (LineInfo l : recs) {
            env.linfoInsnOff.add(l.insnOff());
        }
        return 0;
    }

}
