package org.bpfosgi.obj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfExt;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.obj.ClangObjects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CO-RE relocator on the C objects of src/test/bpf/objects (a tcp-cc with field-exists,
 * type-exists and BPF_CORE_READ relocations, and the 1,730-relocation benchmark object) against
 * what libbpf did with them when record-golden.sh loaded them on the live kernel (OBJ.core-log).
 * Every build: libbpf's decisions (each relocation's patched instruction and value) against
 * vmlinux.min.btf, the part of that kernel's BTF bpftool gen min_core_btf cut for these objects.
 * On the kernel of the golden files: the whole log, line for line, against its vmlinux.
 */
class ClangObjectCoreTest {
    private static final Pattern PATCHED = Pattern.compile(
            "^prog '(\\w+)': relo #(\\d+): (?:patched insn #(\\d+) \\((?:ALU/ALU64|LDX/ST/STX|LDIMM64)\\) (?:imm|off|imm64) "
                    + "(\\d+) -> (\\d+)|substituting insn #(\\d+) w/ invalid insn)$");

    /** The golden lines without "libbpf: ". */
    static List<String> golden(String obj) {
        String t = ClangObjects.text(obj + ".core-log.txt")
                .orElseGet(() -> ClangObjects.text(obj + ".core-log.txt.gz").orElseThrow());
        List<String> out = new ArrayList<>();
        for (String l : t.split("\n")) {
            if (!l.isBlank()) {
                out.add(l.replaceFirst("^libbpf: ", ""));
            }
        }
        return out;
    }

    /** bpf_object__relocate_core's walk: .BTF.ext core_relo blocks in order, one relocator. */
    static List<String> relocate(String obj, Btf target) {
        ClangObjects.Elf elf = ClangObjects.elf(obj);
        Btf local = Btf.parse(elf.section(".BTF"));
        BtfExt ext = BtfExt.parse(elf.section(".BTF.ext"), local);
        BpfCoreRelocator r = new BpfCoreRelocator(local, CoreTargets.vmlinuxOnly(target));
        List<String> log = new ArrayList<>();
        for (BtfExt.Block<BtfExt.CoreRelo> b : ext.coreReloBlocks()) {
            // each program section of these objects holds one program, at offset 0
            List<ClangObjects.Sym> progs = elf.funcs(b.secName());
            assertEquals(1, progs.size(), b.secName());
            assertEquals(0, progs.get(0).value(), b.secName());
            List<Insn> code = Insn.decodeAll(elf.section(b.secName()));
            List<BpfCoreRelocator.ProgRelo> relos = new ArrayList<>();
            for (int i = 0; i < b.records().size(); i++) {
                relos.add(new BpfCoreRelocator.ProgRelo(i, b.records().get(i)));
            }
            try {
                r.relocate(progs.get(0).name(), code, relos).log().forEach(l -> log.add(l.text()));
            } catch (CoreReloException e) {
                e.lines().forEach(l -> log.add(l.text()));
                log.add(BpfCoreRelocator.failedLine(e.err()));
                break;
            }
        }
        return log;
    }

    /** "prog #relo insn N old -> new" or "... poison" of each patched relocation. */
    static List<String> decisions(List<String> log) {
        List<String> out = new ArrayList<>();
        for (String l : log) {
            Matcher m = PATCHED.matcher(l);
            if (m.matches()) {
                out.add(m.group(1) + " #" + m.group(2) + (m.group(6) != null ? " insn " + m.group(6) + " poison"
                        : " insn " + m.group(3) + " " + m.group(4) + " -> " + m.group(5)));
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp_cc", "big_core"})
    void minimalVmlinuxGivesLibbpfsDecisions(String obj) {
        Btf min = Btf.parse(ClangObjects.bytes("vmlinux.min.btf"));
        List<String> want = decisions(golden(obj));
        assertTrue(want.size() >= (obj.equals("big_core") ? 1730 : 11), want.size() + " decisions");
        assertEquals(want, decisions(relocate(obj, min)), obj);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp_cc", "big_core"})
    void liveVmlinuxGivesLibbpfsLogLineForLine(String obj) {
        assumeTrue(ClangObjects.sameKernel(), "needs /sys/kernel/btf/vmlinux of kernel " + ClangObjects.goldenKernel());
        assertEquals(golden(obj), relocate(obj, VmlinuxBtf.load("vmlinux")), obj);
    }
}
