package org.bpfosgi.obj;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpfosgi.prog.LoaderException;

/**
 * The project's object text: what {@code clang -target bpf} puts into an ELF object, written as
 * close to the selftests' C as the model can read it (libbpf's bpf_object__open: one program per
 * function, its type from the section name; BTF-defined maps; struct_ops variables).
 *
 * <pre>
 *   .license "GPL"                          the object's license
 *
 *   SEC(".text")                            a shared subprogram (one per SEC(".text") line):
 *   subprog:                                appended to each program that calls it, as libbpf's
 *       r2 = *(u64 *)(r1 +0)                bpf_object__relocate_calls() does
 *       ...
 *
 *   SEC("struct_ops/test_prologue")         a program: the section, then its name as a label,
 *   test_prologue:                          then LLVM BPF assembly (the selftests' inline asm:
 *       r1 = *(u64 *)(r1 +0)                {@code %[kfunc]} operands, {@code l0_%=} labels)
 *       call %[bpf_kfunc_st_ops_inc10]      up to the next SEC or declaration; sections
 *       ...                                 "struct_ops/NAME", "struct_ops.s/NAME", "syscall";
 *                                           a leading '?' is autoload off
 *
 *   SEC(".struct_ops.link")                 a struct_ops map (".struct_ops": registered by the
 *   struct bpf_testmod_st_ops pro_epilogue = {     map update instead of a link): the variable's
 *       .test_prologue = (void *)test_prologue,    type names the kernel struct, a function
 *   };                                             pointer member names a program
 *
 *   SEC(".struct_ops.link")                 data members: a string ("..." without escapes)
 *   struct tcp_congestion_ops reno = {      for a char array, an integer (decimal, 0x, a
 *       .ssthresh = (void *)reno_ssthresh,  leading '-') for an integer member; ObjLoader
 *       .name = "bpf_reno",                 copies them into the map value at the kernel
 *       .flags = 0,                         member's offset (bpf_map__init_kern_struct_ops)
 *   };
 *
 *   struct {                                a BTF-defined prog array, with initial slots
 *       __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
 *       __uint(max_entries, 1);
 *       __uint(key_size, sizeof(__u32));
 *       __array(values, void (void));
 *   } epilogue_map SEC(".maps") = {
 *       .values = { [0] = (void *)&amp;test_epilogue_subprog, },
 *   };
 * </pre>
 * C comments ({@code //}, {@code /* *}{@code /}) are allowed everywhere; a declaration ends at
 * the line that closes its braces with {@code ;}.
 */
public final class ObjectText {
    private static final Pattern SEC = Pattern.compile("^\\s*SEC\\(\"([^\"]*)\"\\)\\s*$");
    private static final Pattern LABEL = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*:\\s*(.*)$");
    private static final Pattern LICENSE = Pattern.compile("^\\s*\\.license\\s+\"([^\"]*)\"\\s*$");
    private static final Pattern CALL = Pattern.compile("\\bcall\\s+([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern ST_OPS_VAR = Pattern.compile(
            "^\\s*struct\\s+(\\w+)\\s+(\\w+)\\s*(?:SEC\\(\"([^\"]*)\"\\))?\\s*=\\s*\\{(.*)\\}\\s*;\\s*$", Pattern.DOTALL);
    private static final Pattern MAP_DEF = Pattern.compile(
            "^\\s*struct\\s*\\{(.*?)\\}\\s*(\\w+)\\s*(?:SEC\\(\"([^\"]*)\"\\))?\\s*(?:=\\s*\\{(.*)\\})?\\s*;\\s*$", Pattern.DOTALL);
    /** {@code .m = "string"}, {@code .m = 123} / {@code -1} / {@code 0x10}, or {@code .m = (void *)prog}. */
    private static final Pattern MEMBER_INIT = Pattern.compile(
            "\\.(\\w+)\\s*=\\s*(?:\"([^\"\\\\]*)\"|(-?(?:0[xX][0-9a-fA-F]+|[0-9]+))(?![\\w.])"
            + "|(?:\\(\\s*void\\s*\\*\\s*\\))?\\s*&?\\s*([A-Za-z_]\\w*))");
    private static final Pattern SLOT_INIT = Pattern.compile(
            "\\[\\s*(\\d+)\\s*\\]\\s*=\\s*(?:\\(\\s*void\\s*\\*\\s*\\))?\\s*&?\\s*(\\w+)");
    private static final Pattern UINT = Pattern.compile("__uint\\(\\s*(\\w+)\\s*,\\s*([^)]*?(?:\\([^)]*\\))?)\\s*\\)");
    private static final Pattern TYPE = Pattern.compile("__type\\(\\s*(\\w+)\\s*,\\s*([^)]*?)\\s*\\)");

    /** A function: its section, name, source lines (the label first) and first line number (1-based). */
    public record Function(String section, String name, List<String> lines, int firstLine) {
        /** "struct_ops", "syscall" or ".text". */
        public boolean isSubprog() {
            return section.equals(".text");
        }

        /** A leading '?' in the section: autoload off. */
        public boolean autoload() {
            return !section.startsWith("?");
        }

        /** The section without '?'. */
        public String sec() {
            return section.startsWith("?") ? section.substring(1) : section;
        }

        /** Names this function calls with {@code call NAME}. */
        public List<String> calls() {
            List<String> out = new ArrayList<>();
            for (String l : lines) {
                Matcher m = CALL.matcher(stripComment(l));
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
            return out;
        }
    }

    /**
     * A data member's initializer in a struct_ops variable: a C string ({@code .name = "bpf_reno"})
     * or an integer ({@code .flags = 0}); what the compiler puts into the variable's data.
     */
    public sealed interface Datum permits Str, Int, Bytes {
    }

    /**
     * What a compiled (ELF) object holds for a data member: its bytes, the local member's BTF
     * kind after modifiers and typedefs, and whether it is a bitfield. ObjLoader checks them
     * against the kernel member as bpf_map__init_kern_struct_ops() does (kind, size, bitfield).
     */
    public record Bytes(byte[] data, org.bpfosgi.btf.api.BtfKind kind, boolean bitfield) implements Datum {
        public Bytes {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** libbpf_is_mem_zeroed(). */
        public boolean zero() {
            for (byte x : data) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return java.util.HexFormat.of().formatHex(data);
        }
    }

    /** A string initializer (no escapes: the text between the quotes). */
    public record Str(String text) implements Datum {
        @Override
        public String toString() {
            return "\"" + text + "\"";
        }
    }

    /** An integer initializer. */
    public record Int(long value) implements Datum {
        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /**
     * A struct_ops variable: its section, the local struct's name, the variable's name, member →
     * program (the function pointer members) and member → {@link Datum} (the data members).
     */
    public record StructOpsVar(String section, String type, String name, Map<String, String> members,
                               Map<String, Datum> data, int line) {
        public StructOpsVar {
            members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
            data = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
        }

        /** Whether the section is {@code .struct_ops.link} (BPF_F_LINK). */
        public boolean link() {
            return section.replaceFirst("^\\?", "").equals(".struct_ops.link");
        }
    }

    /** A BTF-defined map: its name, the {@code __uint}/{@code __type} fields, the {@code values} slots. */
    public record MapDef(String name, Map<String, String> fields, boolean hasValuesArray, Map<Integer, String> slots, int line) {
    }

    private final String file;
    private String license = "";
    private final List<Function> functions = new ArrayList<>();
    private final List<StructOpsVar> structOps = new ArrayList<>();
    private final List<MapDef> maps = new ArrayList<>();

    private ObjectText(String file) {
        this.file = file;
    }

    public String file() {
        return file;
    }

    public String license() {
        return license;
    }

    public List<Function> functions() {
        return List.copyOf(functions);
    }

    public List<StructOpsVar> structOpsVars() {
        return List.copyOf(structOps);
    }

    public List<MapDef> maps() {
        return List.copyOf(maps);
    }

    /**
     * This object in the form {@link ObjLoader} loads: each program is assembled with the
     * subprograms it calls ({@link ObjLoader#programText}) when it is loaded.
     */
    public OpenedObject toOpened() {
        return new OpenedObject(file, license, functions, structOps, maps, List.of(), (f, attach, k, mapFd) ->
                org.bpfosgi.prog.ProgLoader.toAttr(org.bpfosgi.prog.ProgLoader.parse(ObjLoader.programText(this, f), file),
                        attach, 0, k, mapFd));
    }

    /** Parses an object text; a {@link LoaderException} as {@code file:line: message} on errors. */
    public static ObjectText parse(String text, String file) {
        ObjectText o = new ObjectText(file);
        String[] lines = text.split("\r?\n", -1);
        String pendingSec = null;
        int pendingSecLine = 0;
        Function cur = null;
        List<String> curLines = null;
        boolean inBlockComment = false;
        for (int i = 0; i < lines.length; i++) {
            String raw = lines[i];
            int lineNo = i + 1;
            String code = stripComments(raw, inBlockComment);
            inBlockComment = endsInBlockComment(raw, inBlockComment);
            Matcher lic = LICENSE.matcher(code);
            if (lic.matches()) {
                o.license = lic.group(1);
                continue;
            }
            Matcher sec = SEC.matcher(code);
            if (sec.matches()) {
                if (cur != null) {
                    o.functions.add(new Function(cur.section(), cur.name(), List.copyOf(curLines), cur.firstLine()));
                    cur = null;
                }
                pendingSec = sec.group(1);
                pendingSecLine = lineNo;
                continue;
            }
            if (code.matches("^struct\\b.*") || (pendingSec != null && isDataSection(pendingSec) && code.trim().startsWith("struct"))) {
                if (cur != null) {
                    o.functions.add(new Function(cur.section(), cur.name(), List.copyOf(curLines), cur.firstLine()));
                    cur = null;
                }
                StringBuilder decl = new StringBuilder();
                int start = lineNo;
                int j = i;
                boolean ib = false;
                int depth = 0;
                for (; j < lines.length; j++) {
                    String c = stripComments(lines[j], ib);
                    ib = endsInBlockComment(lines[j], ib);
                    decl.append(c).append('\n');
                    for (char ch : c.toCharArray()) {
                        depth += ch == '{' ? 1 : ch == '}' ? -1 : 0;
                    }
                    if (depth == 0 && c.trim().endsWith(";")) {
                        break;
                    }
                }
                if (j == lines.length) {
                    throw new LoaderException(file + ":" + start + ": declaration does not end (with ';' after its braces)");
                }
                o.declaration(decl.toString(), pendingSec, start);
                pendingSec = null;
                i = j;
                continue;
            }
            if (cur == null) {
                if (code.isBlank() || code.trim().startsWith("#")) {
                    continue;
                }
                if (pendingSec == null) {
                    throw new LoaderException(file + ":" + lineNo + ": code outside a function: put SEC(\"...\") and a label before it");
                }
                if (isDataSection(pendingSec)) {
                    throw new LoaderException(file + ":" + pendingSecLine + ": SEC(\"" + pendingSec + "\") must be followed by a declaration");
                }
                Matcher l = LABEL.matcher(code);
                if (!l.matches()) {
                    throw new LoaderException(file + ":" + lineNo + ": a function starts with its name as a label, e.g. 'test_prologue:'");
                }
                cur = new Function(pendingSec, l.group(1), List.of(), lineNo);
                curLines = new ArrayList<>();
                curLines.add(raw);
                pendingSec = null;
                continue;
            }
            curLines.add(raw);
        }
        if (cur != null) {
            o.functions.add(new Function(cur.section(), cur.name(), List.copyOf(curLines), cur.firstLine()));
        }
        o.check();
        return o;
    }

    private static boolean isDataSection(String sec) {
        String s = sec.startsWith("?") ? sec.substring(1) : sec;
        return s.equals(".maps") || s.equals(".struct_ops") || s.equals(".struct_ops.link");
    }

    private void declaration(String decl, String sec, int line) {
        Matcher st = ST_OPS_VAR.matcher(decl);
        if (st.matches()) {
            String section = st.group(3) != null ? st.group(3) : sec;
            if (section == null || !(section.replaceFirst("^\\?", "").equals(".struct_ops")
                    || section.replaceFirst("^\\?", "").equals(".struct_ops.link"))) {
                throw new LoaderException(file + ":" + line + ": variable '" + st.group(2)
                        + "' is not in SEC(\".struct_ops\") or SEC(\".struct_ops.link\") (global data is not modelled)");
            }
            Map<String, String> members = new LinkedHashMap<>();
            Map<String, Datum> data = new LinkedHashMap<>();
            Matcher m = MEMBER_INIT.matcher(st.group(4));
            while (m.find()) {
                String member = m.group(1);
                if (members.containsKey(member) || data.containsKey(member)) {
                    throw new LoaderException(file + ":" + line + ": member '" + member + "' is initialised twice");
                }
                if (m.group(2) != null) {
                    data.put(member, new Str(m.group(2)));
                } else if (m.group(3) != null) {
                    data.put(member, new Int(parseInt(m.group(3), member, line)));
                } else {
                    members.put(member, m.group(4));
                }
            }
            structOps.add(new StructOpsVar(section, st.group(1), st.group(2), members, data, line));
            return;
        }
        Matcher md = MAP_DEF.matcher(decl);
        if (md.matches()) {
            String section = md.group(3) != null ? md.group(3) : sec;
            if (!".maps".equals(section)) {
                throw new LoaderException(file + ":" + line + ": map '" + md.group(2) + "' is not in SEC(\".maps\")");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher u = UINT.matcher(md.group(1));
            while (u.find()) {
                fields.put(u.group(1), u.group(2).trim());
            }
            Matcher t = TYPE.matcher(md.group(1));
            while (t.find()) {
                fields.put(t.group(1), "sizeof(" + t.group(2).trim() + ")");
            }
            boolean values = md.group(1).contains("__array(values");
            Map<Integer, String> slots = new LinkedHashMap<>();
            if (md.group(4) != null) {
                Matcher s = SLOT_INIT.matcher(md.group(4));
                while (s.find()) {
                    slots.put(Integer.parseInt(s.group(1)), s.group(2));
                }
            }
            maps.add(new MapDef(md.group(2), fields, values, slots, line));
            return;
        }
        throw new LoaderException(file + ":" + line + ": cannot read this declaration: a struct_ops variable "
                + "('struct TYPE NAME = { .member = (void *)prog, };') or a map ('struct { __uint(...); } NAME SEC(\".maps\");')");
    }

    private long parseInt(String text, String member, int line) {
        try {
            boolean neg = text.startsWith("-");
            String t = neg ? text.substring(1) : text;
            long v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            throw new LoaderException(file + ":" + line + ": member '" + member + "': cannot read the number " + text);
        }
    }

    private void check() {
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (Function f : functions) {
            if (seen.put(f.name(), f.firstLine()) != null) {
                throw new LoaderException(file + ":" + f.firstLine() + ": function '" + f.name() + "' is defined twice");
            }
        }
    }

    /** The functions {@code f} reaches through calls, in file order (what libbpf appends to it). */
    public List<Function> subprogsOf(Function f) {
        Map<String, Function> byName = new LinkedHashMap<>();
        for (Function g : functions) {
            if (g.isSubprog()) {
                byName.put(g.name(), g);
            }
        }
        java.util.Set<String> reached = new java.util.LinkedHashSet<>();
        java.util.ArrayDeque<Function> work = new java.util.ArrayDeque<>(List.of(f));
        while (!work.isEmpty()) {
            for (String c : work.pop().calls()) {
                Function g = byName.get(c);
                if (g != null && reached.add(c)) {
                    work.add(g);
                }
            }
        }
        List<Function> out = new ArrayList<>();
        for (Function g : functions) {
            if (reached.contains(g.name()) && g != f) {
                out.add(g);
            }
        }
        return out;
    }

    private static String stripComment(String l) {
        int i = l.indexOf("//");
        return i >= 0 ? l.substring(0, i) : l;
    }

    /** The line without C comments ({@code //} and block comments, also one that started before). */
    private static String stripComments(String raw, boolean inBlock) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        boolean block = inBlock;
        while (i < raw.length()) {
            if (block) {
                int e = raw.indexOf("*/", i);
                if (e < 0) {
                    return sb.toString();
                }
                block = false;
                i = e + 2;
                sb.append(' ');
                continue;
            }
            if (raw.startsWith("//", i)) {
                break;
            }
            if (raw.startsWith("/*", i)) {
                block = true;
                i += 2;
                continue;
            }
            sb.append(raw.charAt(i++));
        }
        return sb.toString();
    }

    private static boolean endsInBlockComment(String raw, boolean inBlock) {
        int i = 0;
        boolean block = inBlock;
        while (i < raw.length()) {
            if (block) {
                int e = raw.indexOf("*/", i);
                if (e < 0) {
                    return true;
                }
                block = false;
                i = e + 2;
                continue;
            }
            if (raw.startsWith("//", i)) {
                return false;
            }
            if (raw.startsWith("/*", i)) {
                block = true;
                i += 2;
                continue;
            }
            i++;
        }
        return block;
    }
}
