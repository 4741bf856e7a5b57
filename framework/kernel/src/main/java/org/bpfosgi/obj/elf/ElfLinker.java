package org.bpfosgi.obj.elf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.Program;
import org.bpfosgi.isa.Reloc;
import org.bpfosgi.obj.ObjectText;
import org.bpfosgi.obj.OpenedObject;
import org.bpfosgi.obj.elf.ElfObject.Extern;
import org.bpfosgi.obj.elf.ElfObject.ExternKind;
import org.bpfosgi.obj.elf.ElfObject.MapDef;
import org.bpfosgi.obj.elf.ElfObject.MapKind;
import org.bpfosgi.obj.elf.ElfObject.Relo;
import org.bpfosgi.obj.elf.ElfObject.ReloType;
import org.bpfosgi.prog.LoaderException;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.verifier.BpfProgLoadAttr;
import org.bpfosgi.verifier.KernelServices;

/**
 * The load-time half of libbpf for an {@link ElfObject}: bpf_object__relocate_calls /
 * bpf_object__reloc_code (each program gets its own copy of every {@code .text} subprogram it
 * reaches, depth-first in first-call order, with call immediates patched),
 * bpf_object__relocate_data (map and global-data ld_imm64s, {@code .kconfig} and
 * {@code .ksyms} externs), and the results of bpf_object__resolve_externs (checked, in libbpf's
 * order, before the load creates anything: {@link ResolveExterns}) for kfuncs (vmlinux BTF, then each
 * module's own types; a weak kfunc that is nowhere becomes libbpf's poisoned call
 * {@code 2002000000 + ext_idx}) and typed ksym variables (bpf_object__resolve_ksym_var_btf_id():
 * ld_imm64 BPF_PSEUDO_BTF_ID with the module BTF's fd in insn[1].imm; typeless ksyms, which
 * libbpf takes from /proc/kallsyms, are refused). The program's BPF_PROG_LOAD is then built by
 * {@link ProgLoader#toAttr}, as for the object text, so struct_ops targets and the kfunc
 * {@code fd_array} come from one place.
 */
public final class ElfLinker {
    /** libbpf's POISON_CALL_KFUNC_BASE. */
    public static final int POISON_CALL_KFUNC_BASE = 2002000000;
    /** libbpf's POISON_LDIMM64_MAP_BASE. */
    public static final int POISON_LDIMM64_MAP_BASE = 2001000000;

    private ElfLinker() {
    }

    /** A program after call relocation: the main program with its subprograms appended, and all their relocations. */
    public record Linked(List<Insn> insns, List<Relo> relos, Map<String, Integer> subprogOffsets) {
    }

    private static LoaderException reloFail(String msg) {
        return new LoaderException(msg);
    }

    private static boolean isSubprogCall(Insn i) {
        return i.code() == (Bpf.BPF_JMP | Bpf.BPF_CALL) && i.src() == Bpf.BPF_PSEUDO_CALL && i.dst() == 0 && i.off() == 0;
    }

    /**
     * Models bpf_object__relocate_calls(main): a copy of main's instructions, then every
     * subprogram it reaches appended (bpf_object__append_subprog_code), call and
     * BPF_PSEUDO_FUNC immediates patched.
     */
    public static Linked relocateCalls(ElfObject o, ElfObject.Program main) {
        return relocateCalls(o, main, ElfObject.Program::insns);
    }

    /** As {@link #relocateCalls(ElfObject, ElfObject.Program)} with each program's instructions after CO-RE. */
    static Linked relocateCalls(ElfObject o, ElfObject.Program main,
                                java.util.function.Function<ElfObject.Program, List<Insn>> insnsOf) {
        List<Insn> insns = new ArrayList<>(insnsOf.apply(main));
        List<Relo> relos = new ArrayList<>(main.relos());
        Map<String, Integer> subOff = new LinkedHashMap<>();
        // bpf_object__relocate(): every RELO_SUBPROG_ADDR ld_imm64 becomes BPF_PSEUDO_FUNC first
        for (Relo r : main.relos()) {
            if (r.type() == ReloType.SUBPROG_ADDR) {
                insns.set(r.insnIdx(), insns.get(r.insnIdx()).withSrc(Bpf.BPF_PSEUDO_FUNC));
            }
        }
        relocCode(o, main, main, 0, insns, relos, subOff, 0, insnsOf);
        return new Linked(List.copyOf(insns), List.copyOf(relos), subOff);
    }

    private static void relocCode(ElfObject o, ElfObject.Program main, ElfObject.Program prog, int progSubOff, List<Insn> insns,
                                  List<Relo> relos, Map<String, Integer> subOff, int depth,
                                  java.util.function.Function<ElfObject.Program, List<Insn>> insnsOf) {
        if (depth > 256) {
            throw reloFail("prog '" + main.name() + "': subprogram calls nest deeper than 256");
        }
        for (int j = 0; j < prog.insns().size(); j++) {
            int idx = progSubOff + j;
            Insn insn = insns.get(idx);
            boolean pseudoFunc = insn.isLdImm64() && insn.src() == Bpf.BPF_PSEUDO_FUNC;
            if (!isSubprogCall(insn) && !pseudoFunc) {
                continue;
            }
            final int jj = j;
            Optional<Relo> relo = prog.relos().stream().filter(r -> r.insnIdx() == jj).findFirst();
            long subInsnIdx;
            if (relo.isPresent() && relo.get().type() == ReloType.EXTERN_CALL) {
                continue; // a kfunc call, resolved by the data relocation
            }
            if (relo.isPresent() && relo.get().type() != ReloType.CALL && relo.get().type() != ReloType.SUBPROG_ADDR) {
                throw reloFail("prog '" + prog.name() + "': unexpected relo for insn #" + j + ", type " + relo.get().type().ordinal());
            }
            if (relo.isPresent() && relo.get().type() == ReloType.CALL) {
                subInsnIdx = relo.get().symOff() / Insn.SIZE + insn.imm() + 1;
            } else if (relo.isPresent()) {
                subInsnIdx = (relo.get().symOff() + insn.imm()) / Insn.SIZE;
            } else if (pseudoFunc) {
                throw reloFail("prog '" + prog.name() + "': missing subprog addr relo for insn #" + j);
            } else {
                subInsnIdx = prog.secInsnOff() + j + insn.imm() + 1; // a same-section call without a relocation
            }
            Optional<ElfObject.Program> sub = o.textShndx() < 0 ? Optional.empty() : o.findProgBySecInsn(o.textShndx(), subInsnIdx);
            if (sub.isEmpty()) {
                throw reloFail("prog '" + prog.name() + "': no .text section found yet sub-program call exists (insn #" + j
                        + " calls .text insn " + subInsnIdx + ")");
            }
            ElfObject.Program callee = sub.get();
            Integer off = subOff.get(callee.name());
            if (off == null) {
                off = insns.size();
                subOff.put(callee.name(), off);
                insns.addAll(insnsOf.apply(callee));
                for (Relo r : callee.relos()) {
                    relos.add(new Relo(r.type(), r.insnIdx() + off, r.mapIdx(), r.extIdx(), r.symOff(), r.symName()));
                    if (r.type() == ReloType.SUBPROG_ADDR) {
                        insns.set(r.insnIdx() + off, insns.get(r.insnIdx() + off).withSrc(Bpf.BPF_PSEUDO_FUNC));
                    }
                }
                relocCode(o, main, callee, off, insns, relos, subOff, depth + 1, insnsOf);
            }
            insns.set(idx, insns.get(idx).withImm(off - idx - 1));
        }
    }

    // ------------------------------------------------------------------ the opened form

    /** The uapi names of enum bpf_map_type, by number (for messages and obj show). */
    static final List<String> MAP_TYPES = List.of("UNSPEC", "HASH", "ARRAY", "PROG_ARRAY", "PERF_EVENT_ARRAY", "PERCPU_HASH",
            "PERCPU_ARRAY", "STACK_TRACE", "CGROUP_ARRAY", "LRU_HASH", "LRU_PERCPU_HASH", "LPM_TRIE", "ARRAY_OF_MAPS",
            "HASH_OF_MAPS", "DEVMAP", "SOCKMAP", "CPUMAP", "XSKMAP", "SOCKHASH", "CGROUP_STORAGE", "REUSEPORT_SOCKARRAY",
            "PERCPU_CGROUP_STORAGE", "QUEUE", "STACK", "SK_STORAGE", "DEVMAP_HASH", "STRUCT_OPS", "RINGBUF", "INODE_STORAGE",
            "TASK_STORAGE", "BLOOM_FILTER", "USER_RINGBUF", "CGRP_STORAGE", "ARENA");

    /** "ARRAY", or the number when uapi has no such type. */
    public static String mapTypeName(int t) {
        return t >= 0 && t < MAP_TYPES.size() ? MAP_TYPES.get(t) : Integer.toString(t);
    }

    static OpenedObject toOpened(ElfObject o) {
        if (!o.nativeEndian()) {
            // bpf_object_load(): the first check after "load can't be attempted twice", before
            // any token, probe, BTF, map or program (only a light skeleton's gen_loader may go on)
            throw org.bpfosgi.obj.ObjLoader.loadFailure(-ObjOpenException.LIBBPF_ERRNO__ENDIAN,
                    "object '" + o.name() + "': loading non-native endianness is unsupported");
        }
        List<ObjectText.Function> functions = new ArrayList<>();
        for (ElfObject.Program p : o.programs) {
            // the section as the text form writes it: '?' for autoload off, ".text" for subprograms
            String sec = p.subprog() ? ".text" : (p.autoload() ? "" : "?") + p.secName();
            functions.add(new ObjectText.Function(sec, p.name(), List.of(), 0));
        }
        List<ObjectText.MapDef> maps = new ArrayList<>();
        List<OpenedObject.GlobalData> data = new ArrayList<>();
        List<ObjectText.StructOpsVar> stOps = new ArrayList<>();
        byte[] kconfig = KconfigValues.emptyImage(o); // filled at load: ResolveExterns
        Map<String, OpenedObject.MapBtf> mapBtf = new LinkedHashMap<>();
        for (MapDef m : o.maps) {
            if (m.kind() != MapKind.STRUCT_OPS) {
                mapBtf.put(m.name(), new OpenedObject.MapBtf(m.btfKeyTypeId(), m.btfValueTypeId()));
            }
            switch (m.kind()) {
                case USER -> {
                    Map<String, String> fields = new LinkedHashMap<>();
                    fields.put("type", "BPF_MAP_TYPE_" + mapTypeName(m.type()));
                    fields.put("key_size", Integer.toUnsignedString(m.keySize()));
                    fields.put("value_size", Integer.toUnsignedString(m.valueSize()));
                    fields.put("max_entries", Integer.toUnsignedString(m.maxEntries()));
                    fields.put("map_flags", Integer.toUnsignedString(m.flags()));
                    maps.add(new ObjectText.MapDef(m.name(), fields, false, m.slots(), 0));
                }
                case DATA, RODATA, BSS, KCONFIG -> data.add(new OpenedObject.GlobalData(m.name(), m.realName(), m.flags(),
                        m.kind() == MapKind.KCONFIG ? kconfig : m.initial(), m.kind() == MapKind.RODATA || m.kind() == MapKind.KCONFIG));
                case STRUCT_OPS -> stOps.add(structOpsVar(o, m));
            }
        }
        Core core = new Core(o);
        return new OpenedObject(o.file(), o.license(), functions, stOps, maps, data,
                (f, attach, k, mapFd) -> attr(o, core, f, attach, k, mapFd), o.kernBtf, mapBtf,
                k -> ResolveExterns.resolve(o, k));
    }

    /**
     * bpf_object__relocate_core() for one load: every program's own instructions patched once,
     * block by block and record by record in {@code .BTF.ext} order with one relocator (libbpf's
     * candidate cache for the pass), before any subprogram is appended to a caller.
     */
    private static final class Core {
        private final ElfObject o;
        private Map<String, List<Insn>> patched;

        Core(ElfObject o) {
            this.o = o;
        }

        synchronized List<Insn> insns(ElfObject.Program p, KernelServices k) {
            if (patched == null) {
                patched = relocate(k);
            }
            return patched.getOrDefault(p.name() + "@" + p.secIdx(), p.insns());
        }

        private Map<String, List<Insn>> relocate(KernelServices k) {
            Map<String, List<Insn>> out = new HashMap<>();
            org.bpfosgi.btf.BtfExt ext = o.btfExtParsed;
            if (ext == null || ext.coreReloBlocks().isEmpty()) {
                return out;
            }
            org.bpfosgi.obj.core.BpfCoreRelocator rel = new org.bpfosgi.obj.core.BpfCoreRelocator(o.btf,
                    org.bpfosgi.obj.core.CoreTargets.of(k.btfs()));
            for (org.bpfosgi.btf.BtfExt.Block<org.bpfosgi.btf.BtfExt.CoreRelo> b : ext.coreReloBlocks()) {
                int sec = -1;
                for (ElfObject.Section s : o.sections) {
                    if (s.name().equals(b.secName())) {
                        sec = s.index();
                        break;
                    }
                }
                for (int i = 0; i < b.records().size(); i++) {
                    org.bpfosgi.btf.BtfExt.CoreRelo r = b.records().get(i);
                    if (r.insnOff() % Insn.SIZE != 0) {
                        throw new LoaderException("CO-RE relocation #" + i + " of section " + b.secName() + ": insn_off "
                                + r.insnOff() + " is not a multiple of 8 (-EINVAL)");
                    }
                    Optional<ElfObject.Program> p = sec < 0 ? Optional.empty() : o.findProgBySecInsn(sec, r.insnOff() / Insn.SIZE);
                    if (p.isEmpty() || !p.get().autoload()) {
                        continue; // "skipping CO-RE relocation ... belonging to eliminated weak subprogram"
                    }
                    String key = p.get().name() + "@" + p.get().secIdx();
                    List<Insn> cur = out.getOrDefault(key, p.get().insns());
                    try {
                        out.put(key, rel.relocate(p.get().name(), cur, List.of(new org.bpfosgi.obj.core.BpfCoreRelocator.ProgRelo(i,
                                r.withInsnOff(r.insnOff() - p.get().secInsnOff() * Insn.SIZE)))).insns());
                    } catch (org.bpfosgi.obj.core.CoreReloException e) {
                        List<String> lines = new ArrayList<>();
                        e.lines().forEach(l -> lines.add(l.text()));
                        lines.add(org.bpfosgi.obj.core.BpfCoreRelocator.failedLine(e.err()));
                        throw new LoaderException(String.join("\n", lines));
                    }
                }
            }
            return out;
        }
    }

    /**
     * reloc_prog_func_and_line_info(): the records of the main program and of each appended
     * subprogram, their insn_off made relative to the linked program; empty when the main
     * program has none (libbpf then loads without them).
     */
    private static <T> List<T> btfInfo(ElfObject o, ElfObject.Program main, Linked l, String what,
                                       java.util.function.Function<String, List<T>> recordsOf,
                                       java.util.function.ToIntFunction<T> insnOff,
                                       java.util.function.BiFunction<T, Integer, T> withInsn) {
        List<T> out = new ArrayList<>();
        List<Map.Entry<ElfObject.Program, Integer>> parts = new ArrayList<>();
        parts.add(Map.entry(main, 0));
        for (Map.Entry<String, Integer> e : l.subprogOffsets().entrySet()) {
            o.programs.stream().filter(p -> p.subprog() && p.name().equals(e.getKey())).findFirst()
                    .ifPresent(p -> parts.add(Map.entry(p, e.getValue())));
        }
        parts.sort(Map.Entry.comparingByValue());
        for (Map.Entry<ElfObject.Program, Integer> part : parts) {
            ElfObject.Program p = part.getKey();
            List<T> recs = new ArrayList<>();
            for (T r : recordsOf.apply(o.sections.stream().filter(s -> s.index() == p.secIdx()).findFirst().orElseThrow().name())) {
                int idx = insnOff.applyAsInt(r) / Insn.SIZE;
                if (idx >= p.secInsnOff() && idx < p.secInsnOff() + p.insns().size()) {
                    recs.add(withInsn.apply(r, idx - p.secInsnOff() + part.getValue()));
                }
            }
            if (recs.isEmpty()) {
                if (p == main) {
                    return List.of(); // WARN "missing .BTF.ext <what> info for the main program, skipping all of .BTF.ext <what> info."
                }
                if (!out.isEmpty()) {
                    throw new LoaderException("missing .BTF.ext " + what + " info. (-ENOENT, subprogram '" + p.name() + "')");
                }
            }
            out.addAll(recs);
        }
        return out;
    }

    /**
     * A struct_ops variable as ObjLoader's bpf_map__init_kern_struct_ops() takes it: the
     * function-pointer members with their programs, and every other non-pointer member's bytes
     * with its local kind (pointer members without a program are skipped there too).
     */
    private static ObjectText.StructOpsVar structOpsVar(ElfObject o, MapDef m) {
        Btf b = o.btf;
        BtfType.Composite t = (BtfType.Composite) b.type(m.stOps().typeId());
        Map<String, String> members = new LinkedHashMap<>();
        Map<String, ObjectText.Datum> data = new LinkedHashMap<>();
        byte[] image = m.initial();
        for (int i = 0; i < t.members().size(); i++) {
            BtfType.Member mem = t.members().get(i);
            String mname = b.str(mem.nameOff());
            if (m.stOps().progs().containsKey(i)) {
                members.put(mname, m.stOps().progs().get(i));
                continue;
            }
            int mt = b.resolve(mem.type());
            if (b.kind(mt) == BtfKind.PTR) {
                continue;
            }
            int off = mem.bitOffset(t.kindFlag()) / 8;
            long size;
            try {
                size = b.resolveSize(mt);
            } catch (RuntimeException e) {
                throw new LoaderException("struct_ops init_kern " + m.name() + ": failed to resolve the size of member " + mname);
            }
            if (off < 0 || off + size > image.length) {
                throw new LoaderException("struct_ops init_kern " + m.name() + ": member " + mname + " at offset " + off
                        + " size " + size + " is outside the variable (" + image.length + " bytes)");
            }
            data.put(mname, new ObjectText.Bytes(java.util.Arrays.copyOfRange(image, off, (int) (off + size)), b.kind(mt),
                    mem.bitfieldSize(t.kindFlag()) != 0));
        }
        return new ObjectText.StructOpsVar(m.stOps().sectionName(), m.stOps().typeName(), m.name(), members, data, 0);
    }

    /** The BPF_PROG_LOAD of program {@code f}: linked, relocated, externs resolved. */
    private static BpfProgLoadAttr attr(ElfObject o, Core core, ObjectText.Function f, Optional<String> attach, KernelServices k,
                                        ToIntFunction<String> mapFd) {
        ElfObject.Program p = o.program(f.name()).orElseThrow(() -> new LoaderException("no program '" + f.name() + "'"));
        if (p.secDef().isEmpty()) {
            // bpf_object_load_prog()
            throw new LoaderException("missing BPF prog type, check ELF section name '" + p.secName() + "'");
        }
        SecDef def = p.secDef().get();
        BpfProgType type = switch (def.progType()) {
            case "STRUCT_OPS" -> BpfProgType.STRUCT_OPS;
            case "SYSCALL" -> BpfProgType.SYSCALL;
            default -> throw new LoaderException("program type " + def.progType() + " (SEC(\"" + p.secName()
                    + "\")) is not modelled: the model verifies struct_ops and syscall programs only");
        };
        Linked l = relocateCalls(o, p, prog -> core.insns(prog, k));
        List<Insn> insns = new ArrayList<>(l.insns());
        List<Reloc> relocs = new ArrayList<>();
        List<Integer> mapValue = new ArrayList<>();
        for (Relo r : l.relos()) {
            int i = r.insnIdx();
            switch (r.type()) {
                case LD64 -> relocs.add(new Reloc(i, Reloc.Kind.MAP, o.maps.get(r.mapIdx()).name()));
                case DATA -> {
                    // insn[1].imm = insn[0].imm + sym_off; src_reg = BPF_PSEUDO_MAP_VALUE, imm = the map's fd
                    Insn lo = insns.get(i);
                    insns.set(i + 1, insns.get(i + 1).withImm((int) (lo.imm() + r.symOff())));
                    relocs.add(new Reloc(i, Reloc.Kind.MAP, o.maps.get(r.mapIdx()).name()));
                    mapValue.add(i);
                }
                case EXTERN_LD64 -> externLd64(o, p, o.externs.get(r.extIdx()), i, insns, relocs, mapValue, k);
                case EXTERN_CALL -> {
                    Extern e = o.externs.get(r.extIdx());
                    if (resolveKfunc(o, k, e).isPresent()) {
                        relocs.add(new Reloc(i, Reloc.Kind.KFUNC, kname(e)));
                    } else if (e.weak()) {
                        // poison_kfunc_call(): a helper call no kernel has; dead code when guarded
                        insns.set(i, new Insn(Bpf.BPF_JMP | Bpf.BPF_CALL, 0, 0, 0, POISON_CALL_KFUNC_BASE + r.extIdx()));
                    } else {
                        throw new LoaderException("extern (func ksym) '" + e.name() + "': not found in kernel or module BTFs");
                    }
                }
                case CALL, SUBPROG_ADDR -> {
                }
            }
        }
        String name = p.name().length() < BpfProgLoadAttr.BPF_OBJ_NAME_LEN ? p.name()
                : p.name().substring(0, BpfProgLoadAttr.BPF_OBJ_NAME_LEN - 1);
        ProgLoader.ProgSource src = new ProgLoader.ProgSource(new Program(insns, Map.of(), relocs), o.license(), name,
                Optional.empty(), Optional.empty(), def.sleepable(), type);
        BpfProgLoadAttr a = ProgLoader.toAttr(src, attach, 0, k, mapFd);
        List<Insn> out = new ArrayList<>(a.insns());
        for (int i : mapValue) {
            out.set(i, out.get(i).withSrc(Bpf.BPF_PSEUDO_MAP_VALUE));
        }
        org.bpfosgi.verifier.BpfProgBtfInfo info = null;
        org.bpfosgi.btf.BtfExt ext = o.btfExtParsed;
        if (ext != null) {
            List<org.bpfosgi.btf.BtfExt.FuncInfo> fi = btfInfo(o, p, l, "function", ext::funcInfo,
                    org.bpfosgi.btf.BtfExt.FuncInfo::insnOff, (r, idx) -> new org.bpfosgi.btf.BtfExt.FuncInfo(idx, r.typeId()));
            List<org.bpfosgi.btf.BtfExt.LineInfo> li = btfInfo(o, p, l, "line", ext::lineInfo,
                    org.bpfosgi.btf.BtfExt.LineInfo::insnOff,
                    (r, idx) -> new org.bpfosgi.btf.BtfExt.LineInfo(idx, r.fileNameOff(), r.lineOff(), r.lineCol()));
            if (!fi.isEmpty() || !li.isEmpty()) {
                info = org.bpfosgi.verifier.BpfProgBtfInfo.of(o.btf, fi, li);
            }
        }
        return new BpfProgLoadAttr(a.progType(), out, a.license(), a.name(), a.attachBtf(), a.attachBtfId(),
                a.expectedAttachType(), a.fdArray(), a.logLevel(), a.progFlags(), a.capabilities(), info);
    }

    private static String kname(Extern e) {
        return e.essentName();
    }

    /**
     * bpf_object__resolve_ksym_func_btf_id()'s lookup (find_ksym_btf_id): the kfunc by its
     * essential name in vmlinux BTF, then in each module's own types.
     */
    private static Optional<Integer> findKfunc(KernelServices k, Extern e) {
        int id = k.btfs().vmlinux().btf().findByNameKind(kname(e), BtfKind.FUNC);
        if (id > 0) {
            return Optional.of(id);
        }
        for (BtfObject m : k.btfs().moduleBtfs()) {
            int mid = m.btf().findByNameKind(kname(e), BtfKind.FUNC);
            if (mid >= m.btf().startId()) {
                return Optional.of(mid);
            }
        }
        return Optional.empty();
    }

    /**
     * bpf_object__resolve_ksym_func_btf_id(): the kfunc found ({@link #findKfunc}), then its
     * FUNC_PROTO checked against the extern's own with bpf_core_types_are_compat(). A weak
     * extern that is missing or incompatible stays unresolved (empty); a strong one fails the
     * load, as libbpf fails it ("extern (func ksym) '%s': func_proto [%d] incompatible with %s
     * [%d]", returned as -EINVAL).
     */
    static Optional<Integer> resolveKfunc(ElfObject o, KernelServices k, Extern e) {
        Optional<Integer> id = findKfunc(k, e);
        if (id.isEmpty()) {
            return id;
        }
        // the BTF it was found in: vmlinux, else the module whose own types hold it
        BtfObject kern = k.btfs().vmlinux();
        if (kern.btf().findByNameKind(kname(e), BtfKind.FUNC) != id.get()) {
            for (BtfObject m : k.btfs().moduleBtfs()) {
                if (m.btf().findByNameKind(kname(e), BtfKind.FUNC) == id.get()) {
                    kern = m;
                    break;
                }
            }
        }
        String kernName = kern.name();
        int kernProto = ((org.bpfosgi.btf.BtfType.Func) kern.btf().type(id.get())).type();
        int compat = org.bpfosgi.obj.core.BpfCoreRelocator.typesAreCompat(o.btf, e.typeId(), kern.btf(), kernProto, w -> { });
        if (compat > 0) {
            return id;
        }
        if (e.weak()) {
            return Optional.empty();
        }
        throw new LoaderException("extern (func ksym) '" + e.name() + "': func_proto [" + e.typeId()
                + "] incompatible with " + kernName + " [" + kernProto + "]");
    }

    /** bpf_object__relocate_data() for RELO_EXTERN_LD64. */
    private static void externLd64(ElfObject o, ElfObject.Program p, Extern e, int i, List<Insn> insns, List<Reloc> relocs,
                                   List<Integer> mapValue, KernelServices k) {
        if (e.kind() == ExternKind.KCFG) {
            MapDef kc = o.maps.stream().filter(m -> m.kind() == MapKind.KCONFIG).findFirst().orElseThrow();
            insns.set(i + 1, insns.get(i + 1).withImm(e.kcfgDataOff()));
            relocs.add(new Reloc(i, Reloc.Kind.MAP, kc.name()));
            mapValue.add(i);
            return;
        }
        if (e.func()) {
            // the address of a kfunc (if (bpf_kfunc) ...): BPF_PSEUDO_BTF_ID when resolved, else 0
            Optional<Integer> id = resolveKfunc(o, k, e);
            if (id.isEmpty()) {
                if (!e.weak()) {
                    throw new LoaderException("extern (func ksym) '" + e.name() + "': not found in kernel or module BTFs");
                }
                insns.set(i, insns.get(i).withImm(0));
                insns.set(i + 1, insns.get(i + 1).withImm(0));
                return;
            }
            // a resolved typed ksym: ld_imm64 BPF_PSEUDO_BTF_ID of the FUNC, insn[1].imm = its BTF's fd
            ldBtfId(insns, i, id.get(), kfuncBtf(k, e, id.get()));
            return;
        }
        if (e.typeId() == 0) {
            // UNFINISHED: typeless ksyms (extern const void x __ksym) take their address from
            // /proc/kallsyms (bpf_object__read_kallsyms_file()), which the model's loader does not read
            throw new LoaderException("extern (ksym) '" + e.name() + "': typeless ksyms are resolved from /proc/kallsyms, "
                    + "which the model does not have");
        }
        Optional<KsymVar> v = resolveKsymVar(o, k, e);
        if (v.isEmpty()) {
            // a weak extern not found: RELO_EXTERN_LD64 of an unset typed ksym loads its address, 0
            insns.set(i, insns.get(i).withImm(0));
            insns.set(i + 1, insns.get(i + 1).withImm(0));
            return;
        }
        ldBtfId(insns, i, v.get().id(), v.get().btfFd());
    }

    /**
     * bpf_object__relocate_data(), RELO_EXTERN_LD64 of a typed, resolved ksym (libbpf 1.5):
     * {@code src_reg = BPF_PSEUDO_BTF_ID}, {@code imm = kernel_btf_id}, {@code insn[1].imm =
     * kernel_btf_obj_fd} (0 = vmlinux; a module's BTF fd — the model's BTF fds are BTF ids).
     */
    private static void ldBtfId(List<Insn> insns, int i, int btfId, int btfFd) {
        insns.set(i, insns.get(i).withSrc(Bpf.BPF_PSEUDO_BTF_ID).withImm(btfId));
        insns.set(i + 1, insns.get(i + 1).withImm(btfFd));
    }

    /** The fd (id) of the module BTF a resolved kfunc is in, 0 for vmlinux (kernel_btf_obj_fd). */
    private static int kfuncBtf(KernelServices k, Extern e, int id) {
        if (k.btfs().vmlinux().btf().findByNameKind(kname(e), BtfKind.FUNC) == id) {
            return 0;
        }
        for (BtfObject m : k.btfs().moduleBtfs()) {
            if (m.btf().findByNameKind(kname(e), BtfKind.FUNC) == id) {
                return m.id();
            }
        }
        return 0;
    }

    /** A typed ksym variable resolved: its VAR's id and the fd of the BTF it is in (0 = vmlinux). */
    record KsymVar(int id, int btfFd) {
    }

    /**
     * Models bpf_object__resolve_ksym_var_btf_id() (libbpf 1.5) with find_ksym_btf_id(): the VAR
     * by the extern's name in vmlinux BTF, else in each module BTF's own types; not found: a weak
     * extern stays unset (empty), a strong one fails ("extern (var ksym) '%s': not found in kernel
     * BTF", -ESRCH). The extern's type (modifiers and typedefs skipped) must be
     * bpf_core_types_are_compat() with the kernel VAR's ("extern (var ksym) '%s': incompatible
     * types, expected [%d] %s %s, but kernel has [%d] %s %s", -EINVAL).
     */
    static Optional<KsymVar> resolveKsymVar(ElfObject o, KernelServices k, Extern e) {
        BtfObject kern = k.btfs().vmlinux();
        int id = kern.btf().findByNameKind(e.name(), BtfKind.VAR);
        int fd = 0;
        if (id <= 0) {
            for (BtfObject m : k.btfs().moduleBtfs()) {
                int mid = m.btf().findByNameKind(e.name(), BtfKind.VAR);
                if (mid >= m.btf().startId()) { // btf__find_by_name_kind_own()
                    kern = m;
                    id = mid;
                    fd = m.id();
                    break;
                }
            }
        }
        if (id <= 0) {
            if (e.weak()) {
                return Optional.empty();
            }
            throw new LoaderException("extern (var ksym) '" + e.name() + "': not found in kernel BTF");
        }
        org.bpfosgi.btf.Btf kb = kern.btf();
        int targType = kb.resolve(((org.bpfosgi.btf.BtfType.Var) kb.type(id)).type());
        int compat = org.bpfosgi.obj.core.BpfCoreRelocator.typesAreCompat(o.btf, e.typeId(), kb, targType, w -> { });
        if (compat <= 0) {
            throw new LoaderException("extern (var ksym) '" + e.name() + "': incompatible types, expected [" + e.typeId()
                    + "] " + kindStr(o.btf, e.typeId()) + " " + o.btf.name(e.typeId()) + ", but kernel has [" + targType
                    + "] " + kindStr(kb, targType) + " " + kb.name(targType));
        }
        return Optional.of(new KsymVar(id, fd));
    }

    /** libbpf's btf_kind_str(). */
    private static String kindStr(org.bpfosgi.btf.Btf b, int id) {
        BtfKind kind = b.kind(id);
        return kind == BtfKind.UNKN ? "void" : kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Map name to index, for tests. */
    static Map<String, Integer> mapIndex(ElfObject o) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < o.maps.size(); i++) {
            m.put(o.maps.get(i).name(), i);
        }
        return m;
    }
}
