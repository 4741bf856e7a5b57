package org.bpfosgi.obj.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bpfosgi.btf.BtfExt;
import org.bpfosgi.btf.ExtObjects;
import org.bpfosgi.isa.Insn;

/**
 * Runs the relocator over a test object's sections the way bpf_object__relocate_core() walks
 * them: core_relo blocks in file order, one shared relocator (candidate cache) for the object.
 * Each code section of the test objects holds exactly one program starting at offset 0.
 */
final class CoreObjects {
    private CoreObjects() {
    }

    /** The log lines (all levels) and the relocated instructions of each section. */
    record Run(List<String> log, Map<String, List<Insn>> insns, Map<String, List<BpfCoreRelocator.Applied>> applied) {
    }

    static Run run(String obj, Map<String, String> progOfSection, CoreTargets targets) {
        BtfExt ext = ExtObjects.ext(obj);
        BpfCoreRelocator r = new BpfCoreRelocator(ext.btf(), targets);
        List<String> log = new ArrayList<>();
        Map<String, List<Insn>> insns = new LinkedHashMap<>();
        Map<String, List<BpfCoreRelocator.Applied>> applied = new LinkedHashMap<>();
        for (BtfExt.Block<BtfExt.CoreRelo> b : ext.coreReloBlocks()) {
            String sec = b.secName();
            List<Insn> code = insns.computeIfAbsent(sec, s -> ExtObjects.insns(obj, s));
            List<BpfCoreRelocator.ProgRelo> relos = new ArrayList<>();
            for (int i = 0; i < b.records().size(); i++) {
                relos.add(new BpfCoreRelocator.ProgRelo(i, b.records().get(i)));
            }
            try {
                BpfCoreRelocator.Result res = r.relocate(progOfSection.get(sec), code, relos);
                res.log().forEach(l -> log.add(l.text()));
                insns.put(sec, res.insns());
                applied.put(sec, res.relocations());
            } catch (CoreReloException e) {
                e.lines().forEach(l -> log.add(l.text()));
                log.add(BpfCoreRelocator.failedLine(e.err()));
                break;
            }
        }
        return new Run(log, insns, applied);
    }

    /** The golden libbpf lines (the "libbpf: " prefix removed). */
    static List<String> golden(String obj) {
        List<String> out = new ArrayList<>();
        for (String l : ExtObjects.text("golden/" + obj + ".core-log.txt").split("\n")) {
            if (!l.isBlank()) {
                out.add(l.replaceFirst("^libbpf: ", ""));
            }
        }
        return out;
    }
}
