package org.bpfosgi.prog;

import java.util.List;

import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.verifier.Kallsyms;

/**
 * {@code bpftool prog dump xlated}: the program's instructions after the verifier's rewrites
 * (bpf_insn_prepare_dump()), one line per instruction as the kernel's print_bpf_insn() prints
 * them, helper calls named through kallsyms, map loads by map id.
 */
public final class XlatedDump {
    private XlatedDump() {
    }

    public static List<String> lines(BpfProg prog, Kallsyms kallsyms, boolean opcodes) {
        Disassembler.Callbacks maps = Disassembler.bpftool(mapId -> mapId);
        Disassembler.Callbacks cbs = new Disassembler.Callbacks() {
            @Override
            public String imm(Insn insn, Insn next, long fullImm) {
                // print_imm(): after bpf_insn_prepare_dump() a map load's imm is the map id
                return maps.imm(insn, next, fullImm);
            }

            @Override
            public String call(Insn insn) {
                if (insn.isHelperCall()) {
                    return kallsyms.at(Kallsyms.callTarget(insn.imm())).map(Kallsyms.Symbol::name).orElse(null);
                }
                return null;
            }
        };
        return Disassembler.dump(prog.prepareDump(),
                opcodes ? Disassembler.Style.BPFTOOL_OPCODES : Disassembler.Style.BPFTOOL, cbs);
    }
}
