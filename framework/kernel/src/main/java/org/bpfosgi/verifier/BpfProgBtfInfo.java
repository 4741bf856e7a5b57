package org.bpfosgi.verifier;

import java.util.List;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfExt.FuncInfo;
import org.bpfosgi.btf.BtfExt.LineInfo;

/**
 * The BTF part of {@code BPF_PROG_LOAD} (include/uapi/linux/bpf.h): {@code prog_btf_fd},
 * {@code func_info} / {@code func_info_rec_size} / {@code func_info_cnt} and {@code line_info} /
 * {@code line_info_rec_size} / {@code line_info_cnt}, as libbpf passes them after
 * reloc_prog_func_and_line_info() (spec libbpf-object-loading.md §9.2). Unlike in
 * {@code .BTF.ext}, every {@code insn_off} here counts instructions of the loaded (linked)
 * program, not bytes of an ELF section.
 *
 * <p>The fd is replaced by what it names: {@code progBtf} is the program's BTF as BPF_BTF_LOAD
 * loaded it (the object's {@code .BTF}); null models a {@code prog_btf_fd} that is not a BTF
 * ({@code btf_get_by_fd()} fails, -EBADF); {@code progBtfIsKernel} a fd naming vmlinux or a
 * module's BTF (refused with -EACCES). Records carry the fields of {@code struct bpf_func_info}
 * and {@code struct bpf_line_info}; a record size above those is taken to have a zero tail
 * (what bpf_check_uarg_tail_zero() accepts).
 */
public record BpfProgBtfInfo(Btf progBtf, boolean progBtfIsKernel, int funcInfoRecSize, List<FuncInfo> funcInfo,
                             int lineInfoRecSize, List<LineInfo> lineInfo) {
    /** sizeof(struct bpf_func_info). */
    public static final int FUNC_INFO_SIZE = 8;
    /** sizeof(struct bpf_line_info). */
    public static final int LINE_INFO_SIZE = 16;

    public BpfProgBtfInfo {
        funcInfo = funcInfo == null ? List.of() : List.copyOf(funcInfo);
        lineInfo = lineInfo == null ? List.of() : List.copyOf(lineInfo);
    }

    /** What libbpf passes: the object's BTF, record sizes as in {@code .BTF.ext} (clang: 8 and 16). */
    public static BpfProgBtfInfo of(Btf progBtf, List<FuncInfo> funcInfo, List<LineInfo> lineInfo) {
        return new BpfProgBtfInfo(progBtf, false, FUNC_INFO_SIZE, funcInfo, LINE_INFO_SIZE, lineInfo);
    }
}
