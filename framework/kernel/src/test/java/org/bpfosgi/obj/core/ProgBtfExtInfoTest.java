package org.bpfosgi.obj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.BtfExt;
import org.bpfosgi.btf.ExtObjects;
import org.junit.jupiter.api.Test;

/** libbpf's reloc_prog_func_and_line_info() on core_direct.o: main program, then its subprogram. */
class ProgBtfExtInfoTest {
    private static final ProgBtfExtInfo.Prog MAIN = new ProgBtfExtInfo.Prog("core_direct", "tp_btf/sched_switch", 0,
            23, 0);
    private static final ProgBtfExtInfo.Prog SUB = new ProgBtfExtInfo.Prog("parent_tgid", ".text", 0, 5, 23);

    private static List<String> text(List<CoreLogLine> l) {
        return l.stream().map(CoreLogLine::text).toList();
    }

    @Test
    void recordsAreAppendedInInstructionsOfTheLinkedProgram() {
        BtfExt ext = ExtObjects.ext("core_direct");
        ProgBtfExtInfo p = new ProgBtfExtInfo(ext);
        List<CoreLogLine> log = new ArrayList<>();
        assertEquals(0, p.add(MAIN, MAIN, log));
        assertEquals(0, p.add(MAIN, SUB, log));
        assertEquals(List.of(), log);
        assertEquals(List.of(0, 23), p.funcInfo().stream().map(BtfExt.FuncInfo::insnOff).toList());
        List<BtfExt.LineInfo> li = p.lineInfo();
        assertEquals(ext.lineInfo("tp_btf/sched_switch").size() + ext.lineInfo(".text").size(), li.size());
        assertEquals(23, li.get(ext.lineInfo("tp_btf/sched_switch").size()).insnOff());
        assertEquals(8, p.toLoadInfo().funcInfoRecSize());
        assertEquals(16, p.toLoadInfo().lineInfoRecSize());
    }

    @Test
    void mainWithoutRecordsSkipsAllSubprogramWithoutRecordsFails() {
        BtfExt ext = ExtObjects.ext("core_direct");
        ProgBtfExtInfo p = new ProgBtfExtInfo(ext);
        List<CoreLogLine> log = new ArrayList<>();
        ProgBtfExtInfo.Prog stray = new ProgBtfExtInfo.Prog("m", "no_such_sec", 0, 4, 0);
        assertEquals(0, p.add(stray, stray, log));
        assertEquals(0, p.add(stray, SUB, log));
        assertEquals(List.of("prog 'm': missing .BTF.ext function info for the main program, skipping all of .BTF.ext "
                + "func info.", "prog 'm': missing .BTF.ext line info for the main program, skipping all of .BTF.ext "
                + "line info."), text(log));
        assertNull(p.toLoadInfo());
        ProgBtfExtInfo q = new ProgBtfExtInfo(ext);
        log.clear();
        assertEquals(0, q.add(MAIN, MAIN, log));
        ProgBtfExtInfo.Prog past = new ProgBtfExtInfo.Prog("ghost", ".text", 5, 3, 23);
        assertEquals(-2, q.add(MAIN, past, log));
        assertEquals(List.of("prog 'ghost': missing .BTF.ext function info."), text(log));
    }
}
