package org.bpfosgi.isa;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects instructions, labels and forward references while a source is parsed, then resolves
 * label references into offsets (the way an assembler's fixups do) and leaves calls to names it
 * does not define as {@link Reloc}s for a loader.
 */
final class ProgramBuilder {
    /** What a pending reference patches. */
    enum Fix { OFF, IMM, CALL, CALL_LOCAL }

    private record Pending(int insn, String label, Fix fix, int line, int col) {}

    private final String file;
    private final List<Insn> insns = new ArrayList<>();
    private final List<Integer> lines = new ArrayList<>();
    private final Map<String, Integer> labels = new LinkedHashMap<>();
    private final List<Pending> pending = new ArrayList<>();
    private final List<Reloc> relocs = new ArrayList<>();

    ProgramBuilder(String file) { this.file = file; }

    AsmException error(int line, int col, String msg) { return new AsmException(file, line, col, msg); }

    int size() { return insns.size(); }

    void label(String name, int line, int col) {
        if (labels.containsKey(name))
            throw error(line, col, "duplicate label '" + name + "' (first defined at instruction " + labels.get(name) + ")");
        labels.put(name, insns.size());
    }

    private final Map<String, Integer> defaults = new LinkedHashMap<>();

    /** A label used only if the source does not define it (the ubpf dialect's implicit "exit" label). */
    void defaultLabel(String name) { defaults.putIfAbsent(name, insns.size()); }

    int emit(Insn insn, int line) {
        insns.add(insn);
        lines.add(line);
        return insns.size() - 1;
    }

    Insn lastInsn() { return insns.get(insns.size() - 1); }

    void replaceLast(Insn insn) { insns.set(insns.size() - 1, insn); }

    void emitAll(List<Insn> list, int line) { for (Insn i : list) emit(i, line); }

    void refer(int insn, String label, Fix fix, int line, int col) { pending.add(new Pending(insn, label, fix, line, col)); }

    void reloc(int insn, Reloc.Kind kind, String name) { relocs.add(new Reloc(insn, kind, name)); }

    Program finish() {
        defaults.forEach(labels::putIfAbsent);
        for (Pending p : pending) {
            Integer target = labels.get(p.label());
            Insn i = insns.get(p.insn());
            if (target == null) {
                if (p.fix() == Fix.CALL) {
                    var helper = HelperIds.id(p.label());
                    if (p.label().startsWith("bpf_") && helper.isPresent()) {
                        insns.set(p.insn(), i.withImm(helper.getAsInt()));
                        relocs.add(new Reloc(p.insn(), Reloc.Kind.HELPER, p.label()));
                    } else {
                        insns.set(p.insn(), new Insn(i.code(), 0, Bpf.BPF_PSEUDO_KFUNC_CALL, 0, 0));
                        relocs.add(new Reloc(p.insn(), Reloc.Kind.KFUNC, p.label()));
                    }
                    continue;
                }
                throw error(p.line(), p.col(), "unknown label '" + p.label() + "'");
            }
            long disp = (long) target - p.insn() - 1;
            switch (p.fix()) {
                case OFF -> {
                    if (disp < Short.MIN_VALUE || disp > Short.MAX_VALUE)
                        throw error(p.line(), p.col(), "jump offset " + disp + " to '" + p.label() + "' does not fit in 16 bits (use gotol)");
                    insns.set(p.insn(), i.withOff((int) disp));
                }
                case IMM -> insns.set(p.insn(), i.withImm((int) disp));
                case CALL, CALL_LOCAL -> {
                    insns.set(p.insn(), new Insn(i.code(), 0, Bpf.BPF_PSEUDO_CALL, 0, (int) disp));
                    relocs.add(new Reloc(p.insn(), Reloc.Kind.SUBPROG, p.label()));
                }
            }
        }
        relocs.sort((a, b) -> Integer.compare(a.insn(), b.insn()));
        return new Program(insns, labels, relocs);
    }

    /** Source line of each emitted slot, for locating later errors. */
    List<Integer> lines() { return List.copyOf(lines); }
}
