package org.bpfosgi.prog;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.verifier.BpfProgAux;

/**
 * Models a loaded {@code struct bpf_prog}: its id, name, the translated (xlated) instructions
 * bpf_check() left, and its aux with the references it holds (attach BTF, kfunc_btf_tab).
 */
public final class BpfProg {
    private final int id;
    private final String name;
    private final List<Insn> insns;
    private final BpfProgAux aux;
    private final String attach;
    private final String license;
    private volatile boolean freed;

    BpfProg(int id, String name, List<Insn> insns, BpfProgAux aux, String attach, String license) {
        this.id = id;
        this.name = name;
        this.insns = List.copyOf(insns);
        this.aux = aux;
        this.attach = attach;
        this.license = license;
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** {@code prog->insnsi} after bpf_check(): what runs. */
    public List<Insn> insns() {
        return insns;
    }

    public BpfProgAux aux() {
        return aux;
    }

    /** "bpf_testmod_st_ops.test_prologue". */
    public String attach() {
        return attach;
    }

    public String license() {
        return license;
    }

    public boolean isFreed() {
        return freed;
    }

    void markFreed() {
        freed = true;
    }

    /**
     * Models kernel/bpf/syscall.c bpf_insn_prepare_dump() for a privileged reader: what
     * {@code bpftool prog dump xlated} receives (BPF_PROBE_MEM loads shown as plain loads).
     */
    public List<Insn> prepareDump() {
        List<Insn> out = new ArrayList<>(insns.size());
        for (Insn i : insns) {
            if (i.cls() == Bpf.BPF_LDX && i.mode() == 0x20) {
                out.add(new Insn(Bpf.BPF_LDX | i.size() | Bpf.BPF_MEM, i.dst(), i.src(), i.off(), i.imm()));
            } else {
                out.add(i);
            }
        }
        return out;
    }
}
