package org.bpfosgi.prog;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.verifier.BpfProgAux;

/**
 * Models a loaded {@code struct bpf_prog}: its id, name, the translated (xlated) instructions
 * bpf_check() left, and its aux with the references it holds (attach BTF, kfunc_btf_tab).
 * Its {@code refcnt} counts the user's reference (the fd {@code prog load} returned) and the
 * kernel's (a struct_ops map's link, a prog array slot); the last {@code bpf_prog_put()} frees it.
 */
public final class BpfProg {
    private final int id;
    private final String name;
    private final List<Insn> insns;
    private final BpfProgAux aux;
    private final String attach;
    private final String license;
    private final BpfProgType type;
    private final int attachBtfId;
    private final int expectedAttachType;
    private final java.util.concurrent.atomic.AtomicInteger refcnt = new java.util.concurrent.atomic.AtomicInteger(1);
    private volatile boolean userRef = true;
    private volatile boolean freed;

    BpfProg(int id, String name, List<Insn> insns, BpfProgAux aux, String attach, String license, BpfProgType type,
            int attachBtfId, int expectedAttachType) {
        this.type = type;
        this.attachBtfId = attachBtfId;
        this.expectedAttachType = expectedAttachType;
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

    /** {@code prog->type}. */
    public BpfProgType type() {
        return type;
    }

    /** {@code prog->aux->attach_btf_id}: for struct_ops, the struct type's id. */
    public int attachBtfId() {
        return attachBtfId;
    }

    /** {@code prog->expected_attach_type}: for struct_ops, the member index. */
    public int expectedAttachType() {
        return expectedAttachType;
    }

    /** {@code prog->aux->refcnt}. */
    public int refcnt() {
        return refcnt.get();
    }

    /** Whether the user still holds the reference the load returned. */
    public boolean userRef() {
        return userRef;
    }

    boolean dropUserRef() {
        synchronized (refcnt) {
            if (!userRef) {
                return false;
            }
            userRef = false;
            return true;
        }
    }

    /** bpf_prog_inc(): the caller holds a reference already. */
    void inc() {
        refcnt.incrementAndGet();
    }

    /** The decrement of bpf_prog_put(): true when it was the last reference. */
    boolean dec() {
        return refcnt.decrementAndGet() == 0;
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
        for (int k = 0; k < insns.size(); k++) {
            Insn i = insns.get(k);
            if (i.code() == (Bpf.BPF_JMP | 0xf0)) {
                // BPF_JMP | BPF_TAIL_CALL is shown as the helper call it was
                out.add(new Insn(Bpf.BPF_JMP | Bpf.BPF_CALL, 0, 0, 0, org.bpfosgi.isa.HelperIds.BPF_FUNC_tail_call));
            } else if (i.isLdImm64() && i.src() == Bpf.BPF_PSEUDO_MAP_FD && k + 1 < insns.size()) {
                // the map's address becomes its id
                long addr = Insn.imm64(i, insns.get(k + 1));
                int mapId = aux.usedMaps().stream().filter(m -> m.address() == addr)
                        .mapToInt(org.bpfosgi.verifier.VerifierMaps.UsedMap::id).findFirst().orElse(0);
                out.add(i.withImm(mapId));
                out.add(insns.get(k + 1).withImm(0));
                k++;
            } else if (i.isLdImm64() && i.src() == Bpf.BPF_PSEUDO_MAP_VALUE && k + 1 < insns.size()) {
                // bpf_map_from_imm(): the map whose value holds the address, and the offset into it
                long addr = Insn.imm64(i, insns.get(k + 1));
                int mapId = 0;
                long off = 0;
                for (org.bpfosgi.verifier.VerifierMaps.UsedMap m : aux.usedMaps()) {
                    long base = m.directValueBase();
                    if (m.hasDirectValueAddr() && base != 0 && Long.compareUnsigned(addr - base, Integer.toUnsignedLong(m.valueSize())) < 0) {
                        mapId = m.id();
                        off = addr - base;
                    }
                }
                out.add(i.withImm(mapId));
                out.add(insns.get(k + 1).withImm((int) off));
                k++;
            } else if (i.cls() == Bpf.BPF_LDX && i.mode() == 0x20) {
                out.add(new Insn(Bpf.BPF_LDX | i.size() | Bpf.BPF_MEM, i.dst(), i.src(), i.off(), i.imm()));
            } else {
                out.add(i);
            }
        }
        return out;
    }
}
