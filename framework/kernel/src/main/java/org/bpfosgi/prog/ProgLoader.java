package org.bpfosgi.prog;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.isa.AsmException;
import org.bpfosgi.isa.Assembler;
import org.bpfosgi.isa.Program;
import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.verifier.BpfProgLoadAttr;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.verifier.KernelServices;
import org.bpfosgi.verifier.StructOpsDesc;

/**
 * Loads a struct_ops program from text the way libbpf loads one from an object file.
 *
 * <p><b>The text.</b> LLVM BPF assembly as the kernel selftests write it in inline asm
 * ({@link Assembler.Dialect#LLVM}), with labels for subprograms ({@code call subprog} becomes a
 * BPF_PSEUDO_CALL) and these directives:
 * <pre>
 *   .license "GPL"                               the license (default: none, i.e. not GPL)
 *   SEC("struct_ops/test_prologue")              the member this program implements, as libbpf's
 *                                                section name; the struct_ops type is the one
 *                                                registered type with that member, or:
 *   .struct_ops bpf_testmod_st_ops.test_prologue the struct_ops type and member, explicitly
 *   .name test_prologue                          the program name (default: the first label,
 *                                                else the file name), at most 15 characters
 *   .sleepable                                   BPF_F_SLEEPABLE
 *   SEC("syscall")                               a BPF_PROG_TYPE_SYSCALL program (sleepable, as
 *                                                libbpf's SEC_SLEEPABLE makes it), run with
 *                                                {@code prog run}
 * </pre>
 * {@code prog load FILE attach TYPE.MEMBER} overrides the text's choice of member.
 *
 * <p><b>kfuncs</b> are resolved as libbpf resolves extern ksyms
 * (bpf_object__resolve_ksym_func_btf_id): first in vmlinux BTF ({@code off} 0), then in each
 * loaded module's BTF; a module BTF is put in {@code fd_array} at the next free index (index 0 is
 * never used) and the call's {@code off} is that index.
 */
public final class ProgLoader {
    private static final Pattern SEC = Pattern.compile("^(\\s*)SEC\\(\"([^\"]*)\"\\)\\s*$");

    private ProgLoader() {
    }

    /** What the text says, before any kernel lookup. */
    public record ProgSource(Program program, String license, String name, Optional<String> type,
                             Optional<String> member, boolean sleepable, BpfProgType progType) {
    }

    /** Parses and assembles; a {@link LoaderException} located as file:line:col on errors. */
    public static ProgSource parse(String text, String file) {
        String[] license = {""};
        String[] name = {null};
        String[] type = {null};
        String[] member = {null};
        boolean[] sleepable = {false};
        // where each directive was first given: a second one is an error, never a silent replacement
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        BpfProgType[] progType = {BpfProgType.STRUCT_OPS};
        StringBuilder src = new StringBuilder();
        String[] lines = text.split("\r?\n", -1);
        for (int ln = 0; ln < lines.length; ln++) {
            String line = lines[ln];
            Matcher m = SEC.matcher(line);
            if (m.matches()) {
                String sec = m.group(2);
                once(seen, "SEC", file, ln + 1, m.group(1).length() + 1);
                if (sec.equals("syscall")) {
                    // libbpf: SEC_DEF("syscall", SYSCALL, 0, SEC_SLEEPABLE)
                    progType[0] = BpfProgType.SYSCALL;
                    sleepable[0] = true;
                    src.append('\n');
                    continue;
                }
                if (!sec.startsWith("struct_ops/") && !sec.startsWith("struct_ops.s/")) {
                    throw new LoaderException(file + ": section '" + sec + "': only struct_ops and syscall programs can be loaded");
                }
                member[0] = sec.substring(sec.indexOf('/') + 1);
                sleepable[0] |= sec.startsWith("struct_ops.s/");
                src.append('\n');
            } else {
                src.append(line).append('\n');
            }
        }
        Assembler.DirectiveHandler handler = (d, line, col, insn) -> {
            String[] w = d.trim().split("\\s+", 2);
            String arg = w.length > 1 ? w[1].trim() : "";
            if (List.of(".license", ".name", ".sleepable").contains(w[0])) {
                once(seen, w[0], file, line, col);
            } else if (w[0].equals(".struct_ops")) {
                // SEC() and .struct_ops both name the member: one of them, once
                once(seen, seen.containsKey("SEC") ? "SEC" : ".struct_ops", file, line, col);
            }
            switch (w[0]) {
                case ".license" -> license[0] = unquote(arg, file, line, col);
                case ".name" -> {
                    String v = unquote(arg, file, line, col);
                    if (v.isEmpty() || v.length() >= BpfProgLoadAttr.BPF_OBJ_NAME_LEN
                            || !v.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 0x80 || c == '_' || c == '.')) {
                        // bpf_obj_name_cpy(): letters, digits, '_' and '.', shorter than BPF_OBJ_NAME_LEN
                        throw new AsmException(file, line, col, ".name \"" + v + "\": a program name is 1 to "
                                + (BpfProgLoadAttr.BPF_OBJ_NAME_LEN - 1) + " letters, digits, '_' or '.' (bpf_obj_name_cpy: -EINVAL)");
                    }
                    name[0] = v;
                }
                case ".sleepable" -> sleepable[0] = true;
                case ".struct_ops" -> {
                    int dot = arg.indexOf('.');
                    if (dot <= 0 || dot == arg.length() - 1) {
                        throw new AsmException(file, line, col, ".struct_ops wants TYPE.MEMBER, e.g. bpf_testmod_st_ops.test_prologue");
                    }
                    type[0] = arg.substring(0, dot);
                    member[0] = arg.substring(dot + 1);
                }
                default -> Assembler.STANDARD_DIRECTIVES.directive(d, line, col, insn);
            }
        };
        Program p;
        try {
            p = Assembler.assembleWithLines(src.toString(), file, Assembler.Dialect.LLVM, 1, handler).program();
        } catch (AsmException e) {
            throw new LoaderException(e.getMessage());
        }
        if (p.size() == 0) {
            throw new LoaderException(file + ": no instructions");
        }
        String n = name[0];
        if (n == null) {
            n = p.labelsByIndex().getOrDefault(0, baseName(file));
        }
        n = n.replaceAll("[^A-Za-z0-9_.]", "_");
        if (n.length() > BpfProgLoadAttr.BPF_OBJ_NAME_LEN - 1) {
            n = n.substring(0, BpfProgLoadAttr.BPF_OBJ_NAME_LEN - 1); // libbpf truncates
        }
        return new ProgSource(p, license[0], n, Optional.ofNullable(type[0]), Optional.ofNullable(member[0]), sleepable[0],
                progType[0]);
    }

    /** A directive's argument: a "string" (no '"' inside), or one unquoted word. */
    private static String unquote(String s, String file, int line, int col) {
        if (s.startsWith("\"")) {
            if (s.length() < 2 || !s.endsWith("\"") || s.substring(1, s.length() - 1).contains("\"")) {
                throw new AsmException(file, line, col, "expected one \"string\", got " + s);
            }
            return s.substring(1, s.length() - 1);
        }
        if (s.isEmpty() || s.contains("\"") || s.chars().anyMatch(Character::isWhitespace)) {
            throw new AsmException(file, line, col, "expected a \"string\" or one word, got '" + s + "'");
        }
        return s;
    }

    /** A directive that may appear once: the second is an error naming the first. */
    private static void once(java.util.Map<String, Integer> seen, String what, String file, int line, int col) {
        Integer first = seen.putIfAbsent(what, line);
        if (first != null) {
            throw new AsmException(file, line, col, "second " + what + " (the first is at line " + first
                    + "): a program has one");
        }
    }

    private static String baseName(String file) {
        String f = file.replace('\\', '/');
        f = f.substring(f.lastIndexOf('/') + 1);
        int dot = f.indexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }

    /**
     * Builds the BPF_PROG_LOAD attributes: resolves the struct_ops member ({@code attach}, if
     * given, overrides the text) and the kfunc names.
     */
    public static BpfProgLoadAttr toAttr(ProgSource s, Optional<String> attach, int logLevel, KernelServices k) {
        return toAttr(s, attach, logLevel, k, name -> {
            throw new LoaderException("map '" + name + "' is not defined (maps come with an object: obj load)");
        });
    }

    /**
     * As {@link #toAttr(ProgSource, Optional, int, KernelServices)}, with the fds of the maps
     * the program's ld_imm64s name (libbpf's map relocations; the model's fds are map ids).
     */
    public static BpfProgLoadAttr toAttr(ProgSource s, Optional<String> attach, int logLevel, KernelServices k,
                                         java.util.function.ToIntFunction<String> mapFd) {
        if (s.progType() == BpfProgType.SYSCALL) {
            if (attach.isPresent()) {
                throw new LoaderException("a SEC(\"syscall\") program attaches to nothing");
            }
            List<BtfObject> fdArray = new ArrayList<>();
            fdArray.add(null);
            Program resolved;
            try {
                resolved = s.program().resolve(resolver(k, fdArray, mapFd));
            } catch (IllegalArgumentException e) {
                throw new LoaderException(e.getMessage());
            }
            return new BpfProgLoadAttr(BpfProgType.SYSCALL, resolved.insns(), s.license(), s.name(), null, 0, 0,
                    fdArray.size() > 1 ? fdArray : null, logLevel, BpfProgLoadAttr.BPF_F_SLEEPABLE, BpfProgLoadAttr.CAPS_ROOT);
        }
        String type = s.type().orElse(null);
        String member = s.member().orElse(null);
        if (attach.isPresent()) {
            String a = attach.get();
            int dot = a.indexOf('.');
            if (dot <= 0 || dot == a.length() - 1) {
                throw new LoaderException("attach wants TYPE.MEMBER, e.g. bpf_testmod_st_ops.test_prologue");
            }
            type = a.substring(0, dot);
            member = a.substring(dot + 1);
        }
        if (member == null) {
            throw new LoaderException("no struct_ops member to attach to: add SEC(\"struct_ops/MEMBER\") or "
                    + ".struct_ops TYPE.MEMBER, or give attach TYPE.MEMBER");
        }
        Target t = findTarget(k, type, member);
        List<BtfObject> fdArray = new ArrayList<>();
        fdArray.add(null); // index 0 is reserved: kfunc off 0 means vmlinux
        Program resolved;
        try {
            resolved = s.program().resolve(resolver(k, fdArray, mapFd));
        } catch (IllegalArgumentException e) {
            throw new LoaderException(e.getMessage());
        }
        return new BpfProgLoadAttr(BpfProgType.STRUCT_OPS, resolved.insns(), s.license(), s.name(),
                t.btf().isModule() ? t.btf() : null, t.typeId(), t.memberIdx(), fdArray.size() > 1 ? fdArray : null,
                logLevel, s.sleepable() ? BpfProgLoadAttr.BPF_F_SLEEPABLE : 0, BpfProgLoadAttr.CAPS_ROOT);
    }

    private record Target(BtfObject btf, int typeId, int memberIdx) {
    }

    /**
     * The struct_ops type and member a program attaches to. A type name is looked up as libbpf's
     * find_struct_ops_kern_types() does (find_ksym_btf_id: vmlinux BTF first, then the module
     * BTFs in load order): the first BTF that has it wins, so a second module registering a type
     * of the same name (the kernel allows it: btf_add_struct_ops only refuses the same st_ops
     * twice in one BTF) does not make the name ambiguous.
     */
    private static Target findTarget(KernelServices k, String type, String member) {
        List<BtfObject> btfs = new ArrayList<>();
        btfs.add(k.btfs().vmlinux());
        btfs.addAll(k.btfs().moduleBtfs());
        List<Target> hits = new ArrayList<>();
        List<String> names = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (BtfObject b : btfs) {
            for (StructOpsDesc d : k.registry().structOps(b)) {
                if (type != null && !d.name().equals(type)) {
                    continue;
                }
                if (!seen.add(d.name())) {
                    continue;
                }
                BtfType.Composite c = (BtfType.Composite) b.btf().type(d.typeId());
                for (int i = 0; i < c.members().size(); i++) {
                    if (b.btf().str(c.members().get(i).nameOff()).equals(member)) {
                        hits.add(new Target(b, d.typeId(), i));
                        names.add(d.name());
                    }
                }
                if (type != null && hits.isEmpty()) {
                    throw new LoaderException("struct_ops type " + type + " has no member " + member);
                }
            }
        }
        if (hits.isEmpty()) {
            throw new LoaderException(type != null ? "struct_ops type " + type + " is not registered"
                    : "no registered struct_ops type has a member " + member);
        }
        if (hits.size() > 1) {
            throw new LoaderException("member " + member + " is in several struct_ops types (" + String.join(", ", names)
                    + "): name one with .struct_ops TYPE.MEMBER or attach TYPE.MEMBER");
        }
        return hits.get(0);
    }

    private static Program.Resolver resolver(KernelServices k, List<BtfObject> fdArray,
                                             java.util.function.ToIntFunction<String> mapFd) {
        return new Program.Resolver() {
            @Override
            public Program.KfuncRef kfunc(String name) {
                return resolveKfunc(k, name, fdArray);
            }

            @Override
            public int mapFd(String name) {
                return mapFd.applyAsInt(name);
            }
        };
    }

    /** Models bpf_object__resolve_ksym_func_btf_id(): vmlinux first, then module BTFs. */
    private static Program.KfuncRef resolveKfunc(KernelServices k, String name, List<BtfObject> fdArray) {
        BtfObject vmlinux = k.btfs().vmlinux();
        int id = vmlinux.btf().findByNameKind(name, BtfKind.FUNC);
        if (id > 0) {
            return new Program.KfuncRef(id, 0);
        }
        for (BtfObject m : k.btfs().moduleBtfs()) {
            int mid = m.btf().findByNameKind(name, BtfKind.FUNC);
            if (mid >= m.btf().startId()) {
                int idx = fdArray.indexOf(m);
                if (idx < 0) {
                    fdArray.add(m);
                    idx = fdArray.size() - 1;
                }
                return new Program.KfuncRef(mid, idx);
            }
        }
        throw new LoaderException("extern (func ksym) '" + name + "': not found in kernel or module BTFs");
    }
}
