package org.bpfosgi.isa;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An assembled program: the instruction slots, the labels, and the symbolic references
 * ({@link Reloc}) a loader still has to resolve. Helper calls carry their helper id already
 * (a name from {@link HelperIds}) and bpf-to-bpf calls their displacement, but both keep a reloc
 * so that a loader can rebind them; kfunc calls and map loads carry 0 until {@link #resolve}.
 *
 * @param insns  the instruction slots (ld_imm64 takes two)
 * @param labels label name to slot index, in source order
 * @param relocs symbolic references, in slot order
 */
@ProviderType
public record Program(List<Insn> insns, Map<String, Integer> labels, List<Reloc> relocs) {

    public Program {
        insns = List.copyOf(insns);
        labels = Map.copyOf(labels);
        relocs = List.copyOf(relocs);
    }

    /** A program with no labels and nothing left to resolve. */
    public static Program of(List<Insn> insns) {
        return new Program(insns, Map.of(), List.of());
    }

    public int size() { return insns.size(); }

    public Insn get(int i) { return insns.get(i); }

    public byte[] encode() { return Insn.encodeAll(insns); }

    public static Program decode(byte[] bytes) { return of(Insn.decodeAll(bytes)); }

    /** True when no kfunc or map reference is left unresolved. */
    public boolean isResolved() {
        return relocs.stream().noneMatch(r -> r.kind() == Reloc.Kind.KFUNC || r.kind() == Reloc.Kind.MAP
                || r.kind() == Reloc.Kind.MAP_VALUE);
    }

    /** Where a loader finds what the symbolic names stand for. */
    public interface Resolver {
        /** The kfunc's BTF id and fd_array offset (0 = vmlinux BTF); throw if unknown. */
        KfuncRef kfunc(String name);

        /** The map's fd (the imm of a BPF_PSEUDO_MAP_FD load); throw if unknown. */
        default int mapFd(String name) {
            throw new IllegalArgumentException("unknown map " + name);
        }

        /** A helper's id; by default from {@link HelperIds}. */
        default int helper(String name) {
            return HelperIds.id(name).orElseThrow(() -> new IllegalArgumentException("unknown helper " + name));
        }
    }

    /** A resolved kfunc: what {@code BPF_CALL_KFUNC(off, imm)} takes. */
    public record KfuncRef(int btfId, int off) {}

    /**
     * Fills kfunc calls ({@code imm} = BTF id, {@code off} = fd_array offset), map loads
     * ({@code imm} = fd) and helper ids from the resolver, as a loader (libbpf) does. The result
     * keeps only the SUBPROG relocs, which need nothing; the names stay in this program's relocs.
     */
    public Program resolve(Resolver resolver) {
        List<Insn> out = new ArrayList<>(insns);
        List<Reloc> left = new ArrayList<>();
        for (Reloc r : relocs) {
            Insn i = out.get(r.insn());
            switch (r.kind()) {
                case HELPER -> out.set(r.insn(), i.withImm(resolver.helper(r.name())));
                case KFUNC -> {
                    KfuncRef k = resolver.kfunc(r.name());
                    out.set(r.insn(), new Insn(i.code(), i.dst(), Bpf.BPF_PSEUDO_KFUNC_CALL, k.off(), k.btfId()));
                }
                case MAP -> out.set(r.insn(), i.withImm(resolver.mapFd(r.name())).withSrc(Bpf.BPF_PSEUDO_MAP_FD));
                case MAP_VALUE -> out.set(r.insn(), i.withImm(resolver.mapFd(r.name())).withSrc(Bpf.BPF_PSEUDO_MAP_VALUE));
                case SUBPROG -> left.add(r); // the displacement is already final
            }
        }
        return new Program(out, labels, left);
    }

    /** Labels ordered by position, for printing. */
    public Map<Integer, String> labelsByIndex() {
        Map<Integer, String> m = new LinkedHashMap<>();
        labels.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> m.putIfAbsent(e.getValue(), e.getKey()));
        return m;
    }
}
