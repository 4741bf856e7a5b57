package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfExt;
import org.bpfosgi.btf.BtfExt.FuncInfo;
import org.bpfosgi.btf.BtfExt.LineInfo;
import org.bpfosgi.btf.ExtObjects;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.BpfProgType;
import org.junit.jupiter.api.Test;

/**
 * func_info and line_info in BPF_PROG_LOAD: check_btf_func_early / check_btf_func /
 * check_btf_line (v6.12 order, errno and texts), and the source lines verbose_linfo() puts in the
 * level-2 log, compared with the live kernel's log of the same clang object
 * (golden/lines_syscall.verifier-log.txt, recorded by src/test/bpf/core/record-golden.sh).
 */
class LineInfoTest {
    /** The main program's length in lines_syscall.o (section "syscall"). */
    private static final int MAIN = ExtObjects.insns("lines_syscall", "syscall").size();

    /**
     * What libbpf hands the kernel for lines_syscall.o: the main program with the .text
     * subprogram appended (bpf_object__reloc_code), the call's imm pointing at it, and func/line
     * info relocated as reloc_prog_func_and_line_info() does (insn_off / 8 + sub_insn_off).
     */
    static BpfProgLoadAttr libbpfAttr() {
        List<Insn> insns = new ArrayList<>(ExtObjects.insns("lines_syscall", "syscall"));
        List<Insn> sub = ExtObjects.insns("lines_syscall", ".text");
        Insn call = insns.get(2);
        assertTrue(call.isPseudoCall(), "insn 2 is the call to clamp_diff: " + call);
        insns.set(2, call.withImm(MAIN - 3)); // R_BPF_64_32 against .text, target at offset 0
        insns.addAll(sub);
        BtfExt ext = ExtObjects.ext("lines_syscall");
        List<FuncInfo> fi = new ArrayList<>();
        List<LineInfo> li = new ArrayList<>();
        for (FuncInfo f : ext.funcInfo("syscall")) {
            fi.add(new FuncInfo(f.insnOff() / 8, f.typeId()));
        }
        for (FuncInfo f : ext.funcInfo(".text")) {
            fi.add(new FuncInfo(f.insnOff() / 8 + MAIN, f.typeId()));
        }
        for (LineInfo l : ext.lineInfo("syscall")) {
            li.add(new LineInfo(l.insnOff() / 8, l.fileNameOff(), l.lineOff(), l.lineCol()));
        }
        for (LineInfo l : ext.lineInfo(".text")) {
            li.add(new LineInfo(l.insnOff() / 8 + MAIN, l.fileNameOff(), l.lineOff(), l.lineCol()));
        }
        // what ProgBtfExtInfo (libbpf's reloc_prog_func_and_line_info) builds must be the same
        org.bpfosgi.obj.core.ProgBtfExtInfo rel = new org.bpfosgi.obj.core.ProgBtfExtInfo(ext);
        var main = new org.bpfosgi.obj.core.ProgBtfExtInfo.Prog("lines", "syscall", 0, MAIN, 0);
        List<org.bpfosgi.obj.core.CoreLogLine> log = new ArrayList<>();
        assertEquals(0, rel.add(main, main, log));
        assertEquals(0, rel.add(main, new org.bpfosgi.obj.core.ProgBtfExtInfo.Prog("clamp_diff", ".text", 0,
                sub.size(), MAIN), log));
        assertEquals(List.of(), log);
        assertEquals(fi, rel.funcInfo());
        assertEquals(li, rel.lineInfo());
        return new BpfProgLoadAttr(BpfProgType.SYSCALL, insns, "GPL", "lines", null, 0, 0, null, 2,
                BpfProgLoadAttr.BPF_F_SLEEPABLE, BpfProgLoadAttr.CAPS_ROOT, rel.toLoadInfo());
    }

    /** The "; source @ file:line" lines and the instruction each precedes. */
    static List<String> sourceLines(String log) {
        List<String> out = new ArrayList<>();
        String[] lines = log.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("; ")) {
                String next = lines[i + 1];
                out.add(lines[i] + "  <before>  " + next.substring(0, next.indexOf(':') + 1));
            }
        }
        return out;
    }

    @Test
    void sourceLinesAreWhereTheKernelPrintsThem() {
        ProgLoadResult r = new TestKernel().progs.load(libbpfAttr());
        assertTrue(r.ok(), r.log());
        List<String> kernel = sourceLines(ExtObjects.text("golden/lines_syscall.verifier-log.txt"));
        assertEquals(5, kernel.size(), "golden: five source lines");
        // The branch 8 -> 11 is pruned ("from 8 to 11: safe") by the kernel and, with read marks
        // and precision tracked across the bpf-to-bpf call (v6.12), by the model: every source
        // line the kernel printed is printed the same way before the same instruction, and no other.
        List<String> ours = sourceLines(r.log());
        assertEquals(kernel, ours, r.log());
        assertTrue(r.log().contains("from 8 to 11: safe"), r.log());
        assertTrue(r.log().contains("; int d = clamp_diff(ctx->a, ctx->b); @ lines_syscall.c:21\n0: (61) r2 = "),
                r.log());
    }

    @Test
    void levelOneAlsoPrintsThemAndLevelZeroNothing() {
        ProgLoadResult r1 = new TestKernel().progs.load(libbpfAttr().withLogLevel(1));
        assertTrue(r1.log().contains("; if (x > y) @ lines_syscall.c:13\n"), r1.log());
        ProgLoadResult r0 = new TestKernel().progs.load(libbpfAttr().withLogLevel(0));
        assertTrue(r0.ok());
        assertEquals("", r0.log());
    }

    private static BpfProgLoadAttr with(BpfProgLoadAttr a, List<FuncInfo> fi, List<LineInfo> li) {
        BpfProgBtfInfo b = a.btfInfo();
        return a.withBtfInfo(new BpfProgBtfInfo(b.progBtf(), false, b.funcInfoRecSize(), fi, b.lineInfoRecSize(), li));
    }

    private static void refused(BpfProgLoadAttr a, int errno, String text) {
        ProgLoadResult r = new TestKernel().progs.load(a.withLogLevel(1));
        assertEquals(errno, r.err(), r.log());
        if (text != null) {
            assertTrue(r.log().contains(text), "want '" + text + "' in:\n" + r.log());
        }
    }

    @Test
    void funcInfoChecks() {
        BpfProgLoadAttr a = libbpfAttr();
        BpfProgBtfInfo b = a.btfInfo();
        List<FuncInfo> fi = b.funcInfo();
        List<LineInfo> li = b.lineInfo();
        refused(a.withBtfInfo(new BpfProgBtfInfo(b.progBtf(), false, 6, fi, 16, li)), -22,
                "invalid func info rec size 6\n");
        refused(a.withBtfInfo(new BpfProgBtfInfo(b.progBtf(), false, 256, fi, 16, li)), -22,
                "invalid func info rec size 256\n");
        refused(with(a, List.of(new FuncInfo(1, fi.get(0).typeId()), fi.get(1)), li), -22,
                "nonzero insn_off 1 for the first func info record");
        refused(with(a, List.of(fi.get(0), new FuncInfo(0, fi.get(1).typeId())), li), -22,
                "same or smaller insn offset (0) than previous func info record (0)");
        int notFunc = b.progBtf().findByNameKind("int", BtfKind.INT);
        refused(with(a, List.of(fi.get(0), new FuncInfo(MAIN, notFunc)), li), -22,
                "invalid type id " + notFunc + " in func info");
        refused(with(a, List.of(fi.get(0), new FuncInfo(MAIN, 100000)), li), -22, "invalid type id 100000 in func info");
        refused(with(a, List.of(fi.get(0)), li), -22, "number of funcs in func_info doesn't match number of subprogs\n");
        refused(with(a, List.of(fi.get(0), new FuncInfo(MAIN - 1, fi.get(1).typeId())), li), -22,
                "func_info BTF section doesn't match subprog layout in BPF program\n");
        // func_info errors come before check_attach_btf_id(), line_info ones after check_cfg()
        refused(a.withBtfInfo(new BpfProgBtfInfo(null, false, 8, fi, 16, li)), -9, null);
        refused(a.withBtfInfo(new BpfProgBtfInfo(b.progBtf(), true, 8, fi, 16, li)), -13, null);
    }

    @Test
    void lineInfoChecks() {
        BpfProgLoadAttr a = libbpfAttr();
        BpfProgBtfInfo b = a.btfInfo();
        List<FuncInfo> fi = b.funcInfo();
        List<LineInfo> li = b.lineInfo();
        refused(a.withBtfInfo(new BpfProgBtfInfo(b.progBtf(), false, 8, fi, 12, li)), -22, null);
        LineInfo l0 = li.get(0);
        List<LineInfo> swapped = new ArrayList<>(li);
        swapped.set(1, new LineInfo(0, l0.fileNameOff(), l0.lineOff(), l0.lineCol()));
        refused(with(a, fi, swapped), -22, "Invalid line_info[1].insn_off:0 (prev_offset:0 prog->len:" + (MAIN + 6)
                + ")\n");
        List<LineInfo> beyond = new ArrayList<>(li);
        beyond.add(new LineInfo(MAIN + 6, l0.fileNameOff(), l0.lineOff(), l0.lineCol()));
        refused(with(a, fi, beyond), -22, "Invalid line_info[" + li.size() + "].insn_off:" + (MAIN + 6));
        List<LineInfo> badStr = new ArrayList<>(li);
        badStr.set(1, new LineInfo(li.get(1).insnOff(), l0.fileNameOff(), 0x7fffff, l0.lineCol()));
        refused(with(a, fi, badStr), -22, "Invalid line_info[1].line_off or .file_name_off\n");
        // no record at the subprogram's start: the next record is past it
        List<LineInfo> noSubStart = new ArrayList<>(li);
        int subFirst = 0;
        while (noSubStart.get(subFirst).insnOff() != MAIN) {
            subFirst++;
        }
        LineInfo s = noSubStart.get(subFirst);
        noSubStart.set(subFirst, new LineInfo(MAIN + 1 == noSubStart.get(subFirst + 1).insnOff() ? MAIN : MAIN + 1,
                s.fileNameOff(), s.lineOff(), s.lineCol()));
        if (noSubStart.get(subFirst).insnOff() == MAIN) {
            noSubStart.remove(subFirst);
        }
        refused(with(a, fi, noSubStart), -22, "missing bpf_line_info for func#1\n");
        refused(with(a, fi, li.subList(0, subFirst)), -22, "missing bpf_line_info for 1 funcs starting from func#1\n");
    }

    @Test
    void lineInfoOnTheSecondHalfOfAnLdImm64IsRefused() {
        Btf btf = ExtObjects.btf("lines_syscall");
        int lines = btf.findByNameKind("lines", BtfKind.FUNC);
        BtfExt ext = ExtObjects.ext("lines_syscall");
        LineInfo l0 = ext.lineInfo("syscall").get(0);
        List<Insn> insns = List.of(new Insn(0x18, 0, 0, 0, 1), new Insn(0, 0, 0, 0, 0), new Insn(0x95, 0, 0, 0, 0));
        BpfProgLoadAttr a = new BpfProgLoadAttr(BpfProgType.SYSCALL, insns, "GPL", "p", null, 0, 0, null, 1,
                BpfProgLoadAttr.BPF_F_SLEEPABLE, BpfProgLoadAttr.CAPS_ROOT, BpfProgBtfInfo.of(btf,
                        List.of(new FuncInfo(0, lines)), List.of(new LineInfo(0, l0.fileNameOff(), l0.lineOff(),
                                l0.lineCol()), new LineInfo(1, l0.fileNameOff(), l0.lineOff(), l0.lineCol()))));
        refused(a, -22, "Invalid insn code at line_info[1].insn_off\n");
        // line info alone (no func_info) is accepted
        BpfProgLoadAttr onlyLines = a.withBtfInfo(BpfProgBtfInfo.of(btf, List.of(),
                List.of(new LineInfo(0, l0.fileNameOff(), l0.lineOff(), l0.lineCol()))));
        ProgLoadResult r = new TestKernel().progs.load(onlyLines.withLogLevel(2));
        assertTrue(r.ok(), r.log());
        assertTrue(r.log().contains("; int d = clamp_diff(ctx->a, ctx->b); @ lines_syscall.c:21\n0: (18) r0 = 0x1"),
                r.log());
    }
}
