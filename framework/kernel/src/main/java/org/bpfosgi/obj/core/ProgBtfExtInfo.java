package org.bpfosgi.obj.core;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.BtfExt;
import org.bpfosgi.btf.BtfExt.FuncInfo;
import org.bpfosgi.btf.BtfExt.LineInfo;
import org.bpfosgi.obj.core.CoreLogLine.Level;
import org.bpfosgi.verifier.BpfProgBtfInfo;

/**
 * A main program's func_info and line_info as libbpf builds them while linking
 * (reloc_prog_func_and_line_info() → adjust_prog_btf_ext_info(), src/libbpf.c v1.5; spec §9.2):
 * for the main program and then each subprogram appended to it, the records of its ELF section
 * that fall inside it (a contiguous run, records assumed sorted) are appended, their
 * {@code insn_off} turned from section bytes into instructions of the linked program.
 *
 * <p>One instance per main program. The ELF loader calls {@link #add} with the main program
 * first, then with each subprogram in the order bpf_object__reloc_code() appends them, and
 * passes {@link #toLoadInfo} to BPF_PROG_LOAD.
 */
public final class ProgBtfExtInfo {
    /**
     * Where a (sub)program is: its name, ELF section, first instruction and length within the
     * section ({@code sec_insn_off}, {@code sec_insn_cnt}), and where it starts in the linked main
     * program ({@code sub_insn_off}; 0 for the main program itself).
     */
    public record Prog(String name, String secName, int secInsnOff, int secInsnCnt, int subInsnOff) {
    }

    private static final int ENOENT = -2;

    private final BtfExt ext;
    private List<FuncInfo> funcInfo;
    private List<LineInfo> lineInfo;
    private int funcInfoRecSize;
    private int lineInfoRecSize;

    /** @param ext the object's {@code .BTF.ext}; null when it has none (or libbpf dropped it) */
    public ProgBtfExtInfo(BtfExt ext) {
        this.ext = ext;
    }

    /**
     * Models reloc_prog_func_and_line_info(main, prog).
     *
     * @return 0, or -ENOENT when a subprogram lacks records the main program has (libbpf then
     *         fails the relocation: "prog '%s': missing .BTF.ext function info.")
     */
    public int add(Prog main, Prog prog, List<CoreLogLine> log) {
        if (ext == null) {
            return 0;
        }
        boolean isMain = main.equals(prog);
        // only attempt func info relocation if main program's func_info relocation was successful
        if (isMain || funcInfo != null) {
            List<FuncInfo> got = adjust(ext.funcInfoBlocks(), prog, FuncInfo::insnOff,
                    (f, off) -> new FuncInfo(off, f.typeId()));
            if (got == null) {
                if (funcInfo != null) {
                    log.add(new CoreLogLine(Level.WARN, "prog '" + prog.name() + "': missing .BTF.ext function info."));
                    return ENOENT;
                }
                log.add(new CoreLogLine(Level.WARN, "prog '" + prog.name() + "': missing .BTF.ext function info for the "
                        + "main program, skipping all of .BTF.ext func info."));
            } else {
                funcInfo = funcInfo == null ? new ArrayList<>() : funcInfo;
                funcInfo.addAll(got);
                funcInfoRecSize = ext.funcInfoRecSize();
            }
        }
        // don't relocate line info if main program's relocation failed
        if (!isMain && lineInfo == null) {
            return 0;
        }
        List<LineInfo> got = adjust(ext.lineInfoBlocks(), prog, LineInfo::insnOff,
                (l, off) -> new LineInfo(off, l.fileNameOff(), l.lineOff(), l.lineCol()));
        if (got == null) {
            if (lineInfo != null) {
                log.add(new CoreLogLine(Level.WARN, "prog '" + prog.name() + "': missing .BTF.ext line info."));
                return ENOENT;
            }
            log.add(new CoreLogLine(Level.WARN, "prog '" + prog.name() + "': missing .BTF.ext line info for the main "
                    + "program, skipping all of .BTF.ext line info."));
            return 0;
        }
        lineInfo = lineInfo == null ? new ArrayList<>() : lineInfo;
        lineInfo.addAll(got);
        lineInfoRecSize = ext.lineInfoRecSize();
        return 0;
    }

    /** Models adjust_prog_btf_ext_info(): the program's run of records, or null (-ENOENT). */
    private static <T> List<T> adjust(List<BtfExt.Block<T>> blocks, Prog prog, java.util.function.ToIntFunction<T> off,
                                      java.util.function.BiFunction<T, Integer, T> withOff) {
        for (BtfExt.Block<T> b : blocks) {
            if (b.secName().isEmpty() || !b.secName().equals(prog.secName())) {
                continue;
            }
            int first = -1;
            int end = -1;
            List<T> recs = b.records();
            for (int i = 0; i < recs.size(); i++) {
                long insnOff = Integer.toUnsignedLong(off.applyAsInt(recs.get(i))) / 8;
                if (insnOff < prog.secInsnOff()) {
                    continue;
                }
                if (insnOff >= (long) prog.secInsnOff() + prog.secInsnCnt()) {
                    break;
                }
                if (first < 0) {
                    first = i;
                }
                end = i + 1;
            }
            if (first < 0) {
                return null;
            }
            // convert bytes in the section into instructions of the linked program
            int offAdj = prog.subInsnOff() - prog.secInsnOff();
            List<T> out = new ArrayList<>(end - first);
            for (T r : recs.subList(first, end)) {
                out.add(withOff.apply(r, (int) (Integer.toUnsignedLong(off.applyAsInt(r)) / 8) + offAdj));
            }
            return out;
        }
        return null;
    }

    /** The main program's func_info (empty when libbpf skipped it). */
    public List<FuncInfo> funcInfo() {
        return funcInfo == null ? List.of() : List.copyOf(funcInfo);
    }

    /** The main program's line_info (empty when libbpf skipped it). */
    public List<LineInfo> lineInfo() {
        return lineInfo == null ? List.of() : List.copyOf(lineInfo);
    }

    /**
     * The BPF_PROG_LOAD attributes libbpf sets (bpf_object_load_prog(), when the object's BTF
     * was loaded): prog_btf_fd, func_info, line_info with their record sizes; null without
     * either array.
     */
    public BpfProgBtfInfo toLoadInfo() {
        if (ext == null || (funcInfo == null && lineInfo == null)) {
            return null;
        }
        return new BpfProgBtfInfo(ext.btf(), false, funcInfo == null ? 0 : funcInfoRecSize, funcInfo(),
                lineInfo == null ? 0 : lineInfoRecSize, lineInfo());
    }
}
