package org.bpfosgi.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpfosgi.btf.BtfExt.CoreRelo;
import org.bpfosgi.btf.BtfExt.CoreReloKind;
import org.bpfosgi.btf.BtfExt.FuncInfo;
import org.bpfosgi.btf.BtfExt.LineInfo;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.junit.jupiter.api.Test;

/**
 * BtfExt against clang 14 objects, cross-checked with what libbpf itself read from the same
 * objects (the golden "relo #N: <kind> [id] ... (access @ offset)" debug lines) and what the live
 * kernel reports for the loaded program's line info (bpftool prog dump xlated linum); and every
 * check of btf_ext_parse()/btf_ext_parse_sec_info() on a corrupted copy.
 */
class BtfExtTest {
    private static final Pattern RELO = Pattern.compile(
            "prog '(\\w+)': relo #(\\d+): <(\\w+)> \\[(\\d+)\\] [^(]*?(?:\\((\\S+) @ offset \\d+(?:\\.\\d+)?\\))?$");
    private static final Pattern PATCHED = Pattern.compile(
            "prog '(\\w+)': relo #(\\d+): (?:patched|substituting) insn #(\\d+)");

    /** One relocation as libbpf's debug log describes it. */
    record Seen(int typeId, String kind, String access, int insn) {
    }

    static List<Seen> libbpfView(String obj, String prog) {
        List<Seen> out = new ArrayList<>();
        List<String[]> heads = new ArrayList<>();
        for (String line : ExtObjects.text("golden/" + obj + ".core-log.txt").split("\n")) {
            Matcher m = RELO.matcher(line);
            if (m.find() && m.group(1).equals(prog) && !line.contains("candidate #")) {
                heads.add(new String[] {m.group(2), m.group(3), m.group(4), m.group(5)});
            }
            Matcher p = PATCHED.matcher(line);
            if (p.find() && p.group(1).equals(prog)) {
                String[] h = heads.get(Integer.parseInt(p.group(2)));
                out.add(new Seen(Integer.parseInt(h[2]), h[1], h[3], Integer.parseInt(p.group(3))));
            }
        }
        return out;
    }

    @Test
    void coreRelosAreTheOnesLibbpfRead() {
        BtfExt ext = ExtObjects.ext("core_task");
        List<CoreRelo> relos = ext.coreRelos("kprobe/do_nanosleep");
        List<Seen> seen = libbpfView("core_task", "core_task");
        assertEquals(21, seen.size(), "golden file: libbpf found 21 CO-RE relocations");
        assertEquals(seen.size(), relos.size());
        for (int i = 0; i < relos.size(); i++) {
            CoreRelo r = relos.get(i);
            Seen s = seen.get(i);
            String where = "relo #" + i;
            assertEquals(s.insn() * 8, r.insnOff(), where);
            assertEquals(s.typeId(), r.typeId(), where);
            assertEquals(s.kind(), r.kind().shortName(), where);
            if (s.access() != null) {
                assertEquals(s.access(), r.accessStr(), where);
            } else {
                // type- and enum-based relocations: libbpf prints no raw spec; clang writes "0" / "k"
                assertTrue(r.accessStr().matches("\\d+"), where + ": " + r.accessStr());
            }
        }
        assertEquals(List.of(), ext.coreRelos(".text"));
        assertEquals(16, ext.coreReloRecSize());
    }

    @Test
    void relocationsOfTwoSectionsAndEnumAndTypeKinds() {
        BtfExt ext = ExtObjects.ext("core_direct");
        assertEquals(libbpfView("core_direct", "parent_tgid").size(), ext.coreRelos(".text").size());
        List<CoreRelo> main = ext.coreRelos("tp_btf/sched_switch");
        List<Seen> seen = libbpfView("core_direct", "core_direct");
        assertEquals(seen.size(), main.size());
        for (int i = 0; i < main.size(); i++) {
            assertEquals(seen.get(i).insn() * 8, main.get(i).insnOff());
            assertEquals(seen.get(i).access(), main.get(i).accessStr());
        }
        // core_task's enum relocations: "k" = the enumerator index in the local enum
        List<CoreRelo> t = ExtObjects.ext("core_task").coreRelos("kprobe/do_nanosleep");
        assertEquals(CoreReloKind.BPF_CORE_ENUMVAL_EXISTS, t.get(13).kind());
        assertEquals("2", t.get(13).accessStr());
        assertEquals(CoreReloKind.BPF_CORE_TYPE_ID_LOCAL, t.get(17).kind());
        assertEquals("0", t.get(17).accessStr());
    }

    @Test
    void funcInfoNamesTheFuncs() {
        BtfExt ext = ExtObjects.ext("core_direct");
        Btf btf = ext.btf();
        assertEquals(List.of(new FuncInfo(0, btf.findByNameKind("parent_tgid", BtfKind.FUNC))), ext.funcInfo(".text"));
        assertEquals(List.of(new FuncInfo(0, btf.findByNameKind("core_direct", BtfKind.FUNC))),
                ext.funcInfo("tp_btf/sched_switch"));
        assertEquals(8, ext.funcInfoRecSize());
        assertEquals(List.of(), ext.funcInfo("nope"));
        assertEquals(List.of(), ext.funcInfo(""));
        assertEquals(List.of("tp_btf/sched_switch", ".text"), ext.sectionNames());
    }

    /**
     * The kernel's own view of the loaded core_direct (bpftool prog dump xlated linum): the main
     * program's records, then the subprogram's. The kernel removed the dead branch the CO-RE
     * field-exists check made (insns 18..20 became one), so the indices agree up to insn 17 and
     * the rest must be the same records in the same order with the removed ones missing.
     */
    @Test
    void lineInfoIsWhatTheKernelPrintedForTheLoadedProgram() {
        BtfExt ext = ExtObjects.ext("core_direct");
        List<String> ours = new ArrayList<>();
        for (String sec : List.of("tp_btf/sched_switch", ".text")) {
            for (LineInfo li : ext.lineInfo(sec)) {
                ours.add(ext.fileName(li) + ":" + li.line() + ":" + li.column() + " " + ext.lineText(li).strip());
            }
        }
        List<String> kernel = new ArrayList<>();
        List<Integer> kernelInsn = new ArrayList<>();
        Pattern lin = Pattern.compile("^; (.*) \\[file:(\\S+) line_num:(\\d+) line_col:(\\d+)\\]$");
        Pattern insn = Pattern.compile("^ *(\\d+): ");
        String pending = null;
        for (String line : ExtObjects.text("golden/core_direct.core_direct.xlated-linum.txt").split("\n")) {
            Matcher m = lin.matcher(line);
            if (m.matches()) {
                pending = m.group(2) + ":" + m.group(3) + ":" + m.group(4) + " " + m.group(1);
                continue;
            }
            Matcher i = insn.matcher(line);
            if (i.find() && pending != null) {
                kernel.add(pending);
                kernelInsn.add(Integer.parseInt(i.group(1)));
                pending = null;
            }
        }
        List<LineInfo> main = ext.lineInfo("tp_btf/sched_switch");
        int k = 0;
        for (int i = 0; i < main.size() && main.get(i).insnOff() / 8 <= 17; i++, k++) {
            assertEquals(main.get(i).insnOff() / 8, kernelInsn.get(k));
            assertEquals(ours.get(i), kernel.get(k));
        }
        assertTrue(k >= 7, "records before the removed branch: " + k);
        // the rest: a subsequence of ours, in order, ending with the subprogram's last record
        int j = k;
        for (String s : kernel.subList(k, kernel.size())) {
            while (j < ours.size() && !ours.get(j).equals(s)) {
                j++;
            }
            assertTrue(j < ours.size(), "the kernel's record " + s + " is not among ours (in order): " + ours);
            j++;
        }
        assertEquals(ours.get(ours.size() - 1), kernel.get(kernel.size() - 1));
        assertEquals(16, ext.lineInfoRecSize());
        LineInfo first = main.get(0);
        assertEquals(33, first.line());
        assertEquals(51, first.column());
    }

    // ------------------------------------------------------------------ malformed

    private static byte[] real() {
        return ExtObjects.bytes("core_task.BTF.ext");
    }

    private static ByteBuffer le(byte[] d) {
        return ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void refused(byte[] d, Errno errno, String text) {
        BtfExt.ParseError e = assertThrows(BtfExt.ParseError.class,
                () -> BtfExt.parse(d, ExtObjects.btf("core_task")));
        assertEquals(errno.negative(), e.err(), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @Test
    void headerChecksInLibbpfOrder() {
        refused(new byte[7], Errno.EINVAL, "BTF.ext header too short");
        byte[] d = real();
        d[0] = 0x12;
        refused(d, Errno.EINVAL, "Invalid BTF.ext magic:eb12");
        d = real();
        d[2] = 2;
        d[0] = 0x12; // the magic is checked first
        refused(d, Errno.EINVAL, "Invalid BTF.ext magic");
        d = real();
        d[2] = 2;
        refused(d, Errno.EOPNOTSUPP, "Unsupported BTF.ext version:2");
        d = real();
        d[3] = 1;
        refused(d, Errno.EOPNOTSUPP, "Unsupported BTF.ext flags:1");
        d = real();
        le(d).putInt(4, d.length + 1);
        refused(d, Errno.EINVAL, "BTF.ext header not found");
        d = real();
        le(d).putInt(4, d.length);
        refused(d, Errno.EINVAL, "BTF.ext has no data");
        d = real();
        le(d).putInt(4, 20);
        refused(d, Errno.EINVAL, "BTF.ext header missing func_info, line_info");
    }

    @Test
    void subSectionChecks() {
        byte[] d = real();
        int hdr = le(d).getInt(4);
        int lineOff = le(d).getInt(16);
        int coreOff = le(d).getInt(24);
        le(d).putInt(8, 2);
        refused(d, Errno.EINVAL, ".BTF.ext func_info section is not aligned to 4 bytes");
        d = real();
        le(d).putInt(20, d.length);
        refused(d, Errno.EINVAL, "line_info section (off:" + lineOff + " len:" + d.length + ") is beyond the end");
        d = real();
        le(d).putInt(12, 3);
        refused(d, Errno.EINVAL, ".BTF.ext func_info record size not found");
        d = real();
        le(d).putInt(hdr + lineOff, 12);
        refused(d, Errno.EINVAL, "line_info section in .BTF.ext has invalid record size 12");
        d = real();
        le(d).putInt(hdr + coreOff, 18);
        refused(d, Errno.EINVAL, "core_relo section in .BTF.ext has invalid record size 18");
        d = real();
        le(d).putInt(12, 4);
        refused(d, Errno.EINVAL, "func_info section in .BTF.ext has no records");
        d = real();
        le(d).putInt(12, 4 + 4);
        refused(d, Errno.EINVAL, "func_info section header is not found in .BTF.ext");
        d = real();
        le(d).putInt(hdr + le(d).getInt(8) + 8, 0);
        refused(d, Errno.EINVAL, "func_info section has incorrect num_records in .BTF.ext (0");
        d = real();
        le(d).putInt(hdr + coreOff + 8, 0x10000000);
        refused(d, Errno.EINVAL, "core_relo section has incorrect num_records in .BTF.ext (268435456 records");
    }

    @Test
    void oldHeaderWithoutCoreReloIsAcceptedWithoutRelocations() {
        byte[] d = real();
        le(d).putInt(4, 24);
        // the sub-section offsets count from the end of the header: move the data 8 bytes down
        byte[] s = new byte[d.length - 8];
        System.arraycopy(d, 0, s, 0, 24);
        System.arraycopy(d, 32, s, 24, d.length - 32);
        BtfExt ext = BtfExt.parse(s, ExtObjects.btf("core_task"));
        assertEquals(List.of(), ext.coreRelos("kprobe/do_nanosleep"));
        assertEquals(ExtObjects.ext("core_task").lineInfo("kprobe/do_nanosleep"), ext.lineInfo("kprobe/do_nanosleep"));
    }

    @Test
    void byteSwappedIsReadInItsOrder() {
        byte[] d = real();
        byte[] s = d.clone();
        s[0] = d[1];
        s[1] = d[0];
        for (int i = 4; i + 4 <= d.length; i += 4) {
            for (int k = 0; k < 4; k++) {
                s[i + k] = d[i + 3 - k];
            }
        }
        BtfExt a = ExtObjects.ext("core_task");
        BtfExt b = BtfExt.parse(s, ExtObjects.btf("core_task"));
        assertTrue(b.swappedEndian());
        assertEquals(a.coreRelos("kprobe/do_nanosleep"), b.coreRelos("kprobe/do_nanosleep"));
        assertEquals(a.lineInfo("kprobe/do_nanosleep"), b.lineInfo("kprobe/do_nanosleep"));
        // swapped data must use exactly the minimum record size
        ByteBuffer.wrap(s).order(ByteOrder.BIG_ENDIAN).putInt(32 + ByteBuffer.wrap(s).order(ByteOrder.BIG_ENDIAN)
                .getInt(8), 12);
        BtfExt.ParseError e = assertThrows(BtfExt.ParseError.class, () -> BtfExt.parse(s, ExtObjects.btf("core_task")));
        assertTrue(e.getMessage().contains("func_info section in .BTF.ext has invalid record size 12"), e.getMessage());
    }

    @Test
    void aBlockNamedByABadStringNamesNoSection() {
        byte[] d = real();
        int hdr = le(d).getInt(4);
        le(d).putInt(hdr + le(d).getInt(8) + 4, 0x7fffff00);
        BtfExt ext = BtfExt.parse(d, ExtObjects.btf("core_task"));
        assertEquals("", ext.funcInfoBlocks().get(0).secName());
        assertEquals(List.of(), ext.funcInfo("kprobe/do_nanosleep"));
        assertEquals(21, ext.coreRelos("kprobe/do_nanosleep").size());
    }

    @Test
    void everyTruncationIsRefusedOrParsedNeverAnIndexError() {
        byte[] d = real();
        for (int n = 0; n < d.length; n++) {
            byte[] t = java.util.Arrays.copyOf(d, n);
            try {
                BtfExt.parse(t, ExtObjects.btf("core_task"));
            } catch (BtfExt.ParseError e) {
                assertTrue(e.err() < 0);
            }
        }
    }
}
