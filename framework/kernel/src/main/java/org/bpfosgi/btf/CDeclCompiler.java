package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The C-declaration compiler: what pahole (DWARF to BTF) and resolve_btfids do for a kernel
 * module, applied directly to the module's header. Compiles struct, union (nested, anonymous),
 * enum, typedef, pointer, array, function-pointer and bitfield declarations and function
 * declarations (FUNC + FUNC_PROTO, global linkage; {@code __bpf_kfunc} adds the
 * {@code bpf_kfunc} DECL_TAG pahole emits for kfuncs) into BTF, laid out by the x86-64 SysV ABI
 * as clang lays them out ({@link SysVLayout}), then resolves the {@code .BTF_ids} macros of
 * include/linux/btf_ids.h ({@code BTF_ID_LIST}, {@code BTF_ID}, {@code BTF_ID_UNUSED},
 * {@code BTF_ID_LIST_SINGLE}, {@code BTF_SET_START/END}, {@code BTF_SET8_START/END},
 * {@code BTF_KFUNCS_START/END}, {@code BTF_ID_FLAGS}) as tools/bpf/resolve_btfids does
 * ({@link ResolveBtfids}). This class is the C parser and BTF emitter between the two.
 *
 * <p>Decisions (where the kernel build has a choice or a C compiler would guess):
 * <ul>
 * <li>Types named in the header that the base already has (same name and kind) are taken from
 *     the base and not emitted again, as BTF dedup does for a module's copy of a vmlinux type.
 *     A definition in the header of such a type must be the base's (same size, members,
 *     offsets and member types), else it is a redefinition error, as in C; built-in code's
 *     header ({@link #compileBuiltin}) is the exception: vmlinux's definition wins.</li>
 * <li>{@code struct X} used but never defined resolves to the base's struct X, else a FWD.</li>
 * <li>An unresolvable {@code BTF_ID} name is an error naming the symbol with file:line:col.
 *     resolve_btfids only warns and writes 0, which turns a typo into a kfunc set that silently
 *     lacks a function; the model prefers to fail the module load.</li>
 * <li>Duplicate names resolve to the lowest id (base first), as btf_find_by_name_kind() does.</li>
 * <li>{@code extern} variable declarations are kernel variables: a VAR each, and with
 *     {@code __percpu} (DEFINE_PER_CPU) an entry in the ".data..percpu" DATASEC.</li>
 * <li>Anything outside the supported subset (storage classes other than extern, variable
 *     definitions, function bodies, unknown attributes, #include, #if) is an error, never guessed at.</li>
 * </ul>
 */
public final class CDeclCompiler {
    private static final Set<String> BTF_MACROS = Set.of("BTF_ID_LIST", "BTF_ID_LIST_SINGLE", "BTF_ID",
            "BTF_ID_UNUSED", "BTF_ID_FLAGS", "BTF_SET_START", "BTF_SET_END", "BTF_SET8_START", "BTF_SET8_END",
            "BTF_KFUNCS_START", "BTF_KFUNCS_END");
    /** Fixed-width typedefs of include/uapi/asm-generic/int-ll64.h and include/linux/types.h. */
    private static final Map<String, String> IMPLICIT_TYPEDEFS = new LinkedHashMap<>();

    static {
        String[][] t = {{"__s8", "signed char"}, {"__u8", "unsigned char"}, {"__s16", "short int"},
            {"__u16", "short unsigned int"}, {"__s32", "int"}, {"__u32", "unsigned int"},
            {"__s64", "long long int"}, {"__u64", "long long unsigned int"}, {"s8", "__s8"}, {"u8", "__u8"},
            {"s16", "__s16"}, {"u16", "__u16"}, {"s32", "__s32"}, {"u32", "__u32"}, {"s64", "__s64"},
            {"u64", "__u64"}, {"bool", "_Bool"}, {"size_t", "long unsigned int"}};
        for (String[] e : t) {
            IMPLICIT_TYPEDEFS.put(e[0], e[1]);
        }
    }

    private final List<CToken> toks;
    private int p;
    private final Btf base;
    /** Built-in code's header: a definition of a type the base has is skipped (see compileBuiltin). */
    private final boolean baseDefinitionsWin;
    private final BtfBuilder b;
    private final int startId;
    private final Map<String, Integer> typedefs = new HashMap<>();
    private final Map<String, Integer> structTags = new HashMap<>();
    private final Map<String, Integer> unionTags = new HashMap<>();
    private final Map<String, Integer> enumTags = new HashMap<>();
    private final Map<Integer, String> incomplete = new LinkedHashMap<>();
    private final Map<Integer, Integer> ownAlign = new HashMap<>();
    private final Map<Integer, Integer> baseAlign = new HashMap<>();
    private final Map<String, Long> enumConsts = new HashMap<>();
    private final Map<String, Integer> derived = new HashMap<>();
    private final Map<String, Integer> ints = new HashMap<>();
    private final Map<String, Integer> funcs = new HashMap<>();
    /** The .BTF_ids containers the header declares (resolve_btfids). */
    private final ResolveBtfids btfids = new ResolveBtfids();
    /** The field types as the record layout sees them. */
    private final SysVLayout.Types types = new SysVLayout.Types() {
        @Override
        public BtfKind kindOf(int id) {
            return CDeclCompiler.this.kindOf(id);
        }

        @Override
        public int resolve(int id) {
            return CDeclCompiler.this.resolve(id);
        }

        @Override
        public int resolveArrays(int id) {
            return CDeclCompiler.this.resolveArrays(id);
        }

        @Override
        public boolean isIncomplete(int id) {
            return CDeclCompiler.this.isIncomplete(id);
        }

        @Override
        public long sizeOf(int id, CToken at) {
            return CDeclCompiler.this.sizeOf(id, at);
        }

        @Override
        public int alignOf(int id, CToken at) {
            return CDeclCompiler.this.alignOf(id, at);
        }
    };
    /** Nesting of declarators, expressions and struct bodies: bounded so no input overflows the stack. */
    private int depth;
    private static final int MAX_DEPTH = 64;

    private void enter(CToken at) {
        if (++depth > MAX_DEPTH) {
            throw err(at, "nesting too deep (more than " + MAX_DEPTH + " levels)");
        }
    }

    private CDeclCompiler(String file, String text, Btf base, boolean baseDefinitionsWin) {
        this.toks = CLexer.tokenize(file, text);
        this.base = base;
        this.baseDefinitionsWin = baseDefinitionsWin;
        this.b = new BtfBuilder(base);
        this.startId = b.nextId();
    }

    /**
     * Compiles {@code text} (named {@code file} in messages) into BTF split on top of
     * {@code base}, or stand-alone when {@code base} is null.
     *
     * @throws BtfException with {@code file:line:col: error: ...} for anything it rejects
     */
    public static CompiledBtf compile(String file, String text, Btf base) {
        return new CDeclCompiler(file, text, base, false).run();
    }

    /**
     * Compiles built-in code's header onto vmlinux BTF: the header stands for the kernel's own
     * headers, so where vmlinux already has a type (same name and kind), vmlinux's definition is
     * the real one and the header's is skipped unchecked (the real vmlinux has the complete
     * types a built-in header only sketches). A module's header gets {@link #compile}: its
     * definition of a base type must be the base's.
     */
    public static CompiledBtf compileBuiltin(String file, String text, Btf vmlinux) {
        return new CDeclCompiler(file, text, vmlinux, true).run();
    }

    // ------------------------------------------------------------------ tokens

    private CToken peek() {
        return toks.get(p);
    }

    private CToken peek(int ahead) {
        return toks.get(Math.min(p + ahead, toks.size() - 1));
    }

    private CToken next() {
        CToken t = toks.get(p);
        if (t.type() != CToken.Type.EOF) {
            p++;
        }
        return t;
    }

    private boolean accept(String s) {
        if (peek().is(s)) {
            p++;
            return true;
        }
        return false;
    }

    private CToken expect(String s) {
        CToken t = next();
        if (!t.is(s)) {
            throw err(t, "expected '" + s + "' but found " + t);
        }
        return t;
    }

    private CToken ident(String what) {
        CToken t = next();
        if (t.type() != CToken.Type.IDENT) {
            throw err(t, "expected " + what + " but found " + t);
        }
        return t;
    }

    static BtfException err(CToken t, String msg) {
        return new BtfException(t.where() + ": error: " + msg);
    }

    // ------------------------------------------------------------------ top level

    private CompiledBtf run() {
        while (peek().type() != CToken.Type.EOF) {
            CToken t = peek();
            if (accept(";")) {
                continue;
            }
            if (t.type() == CToken.Type.IDENT && BTF_MACROS.contains(t.text())) {
                btfIdMacro();
                continue;
            }
            btfids.closeList();
            if (t.is("__bpf_kfunc_start_defs") || t.is("__bpf_kfunc_end_defs")) {
                next();
                expect("(");
                expect(")");
                continue;
            }
            if (accept("typedef")) {
                typedef();
            } else {
                declaration();
            }
        }
        btfids.closeList();
        btfids.checkClosed();
        if (!percpuVars.isEmpty()) {
            b.add(new BtfType.DataSec(b.str(".data..percpu"), (int) percpuOff, List.copyOf(percpuVars)));
        }
        for (Map.Entry<Integer, String> e : incomplete.entrySet()) {
            boolean union = unionTags.get(e.getValue()) != null && unionTags.get(e.getValue()).equals(e.getKey());
            b.set(e.getKey(), new BtfType.Fwd(b.str(e.getValue()), union));
        }
        Map<Integer, Integer> hints = b.dropUnreferencedAnonymous(ownAlign);
        Btf btf = b.build().withAlignHints(hints);
        return btfids.resolve(btf);
    }

    private void typedef() {
        CToken start = peek();
        DeclSpec spec = declSpecs();
        if (spec.kfunc || spec.isExtern) {
            throw err(start, "storage class in a typedef");
        }
        do {
            Declarator d = declarator(false);
            CToken nameTok = d.nameTok();
            if (nameTok == null) {
                throw err(peek(), "typedef requires a name");
            }
            int type = d.apply(this, spec.type, false);
            String name = nameTok.text();
            Integer prev = typedefs.get(name);
            if (prev != null) {
                if (((BtfType.Ref) typeOf(prev)).type() != type) {
                    throw err(nameTok, "typedef redefinition with different types for '" + name + "'");
                }
                continue;
            }
            int baseId = base == null ? -1 : base.findByNameKind(name, BtfKind.TYPEDEF);
            if (baseId > 0 && !baseDefinitionsWin && !sameType(type, ((BtfType.Ref) base.type(baseId)).type(), 0)) {
                throw err(nameTok, "typedef redefinition with different types for '" + name + "' (the base BTF has "
                        + base.describe(baseId) + ")");
            }
            typedefs.put(name, baseId > 0 ? baseId : b.add(new BtfType.Ref(BtfKind.TYPEDEF, b.str(name), false, type)));
        } while (accept(","));
        expect(";");
    }

    private void declaration() {
        CToken start = peek();
        DeclSpec spec = declSpecs();
        if (peek().type() == CToken.Type.EOF) {
            throw err(peek(), "expected ';' after the declaration");
        }
        if (accept(";")) {
            if (spec.kfunc || spec.isExtern) {
                throw err(start, "declaration does not declare anything");
            }
            return;
        }
        do {
            Declarator d = declarator(false);
            CToken nameTok = d.nameTok();
            if (nameTok == null) {
                throw err(peek(), "expected a declarator name");
            }
            if (!d.isFunction()) {
                if (!spec.isExtern) {
                    throw err(nameTok, "variable declarations must be extern (a kernel variable, no definition): '"
                            + nameTok.text() + "'");
                }
                attributes(null);
                variable(nameTok, d.apply(this, spec.type, false), spec.percpu);
                continue;
            }
            if (spec.percpu) {
                throw err(nameTok, "'__percpu' on the function '" + nameTok.text() + "'");
            }
            if (peek().is("{")) {
                throw err(peek(), "function bodies are not supported: declare '" + nameTok.text() + "' only");
            }
            attributes(null);
            int proto = d.apply(this, spec.type, true);
            if (kindOf(proto) != BtfKind.FUNC_PROTO) {
                throw err(nameTok, "'" + nameTok.text() + "' is not a function");
            }
            function(nameTok, proto, spec.kfunc);
        } while (accept(","));
        expect(";");
    }

    /**
     * An {@code extern} variable of the kernel: a VAR (BTF_VAR_GLOBAL_ALLOCATED, as pahole emits
     * a kernel variable); a {@code __percpu} one also gets a ".data..percpu" DATASEC entry (only
     * per-cpu variables are in vmlinux BTF by default: pahole's encoder keeps that section's).
     */
    private void variable(CToken nameTok, int type, boolean percpu) {
        String name = nameTok.text();
        if (vars.containsKey(name)) {
            if (vars.get(name) != type) {
                throw err(nameTok, "conflicting types for '" + name + "'");
            }
            return;
        }
        long size = sizeOf(type, nameTok);
        int id = b.add(new BtfType.Var(b.str(name), type, BtfType.VAR_GLOBAL_ALLOCATED));
        vars.put(name, type);
        if (percpu) {
            int align = alignOf(type, nameTok);
            percpuOff = (percpuOff + align - 1) / align * align;
            percpuVars.add(new BtfType.VarSecInfo(id, (int) percpuOff, (int) size));
            percpuOff += size;
        }
    }

    private final Map<String, Integer> vars = new HashMap<>();
    private final List<BtfType.VarSecInfo> percpuVars = new java.util.ArrayList<>();
    private long percpuOff;

    private void function(CToken nameTok, int proto, boolean kfunc) {
        String name = nameTok.text();
        Integer prev = funcs.get(name);
        if (prev != null) {
            if (prev >= startId && ((BtfType.Func) b.get(prev)).type() != proto) {
                throw err(nameTok, "conflicting types for '" + name + "'");
            }
            return;
        }
        int baseId = base == null ? -1 : base.findByNameKind(name, BtfKind.FUNC);
        if (baseId > 0) {
            funcs.put(name, baseId);
            return;
        }
        int id = b.add(new BtfType.Func(b.str(name), proto, BtfType.FUNC_GLOBAL));
        funcs.put(name, id);
        if (kfunc) {
            // pahole tags kfuncs (functions in a BTF_KFUNCS set) with decl_tag "bpf_kfunc"
            b.add(new BtfType.DeclTag(b.str("bpf_kfunc"), false, id, -1));
        }
    }

    // ------------------------------------------------------------------ declaration specifiers

    private static final class DeclSpec {
        int type = -1;
        boolean kfunc;
        boolean isExtern;
        /** {@code __percpu}: a DEFINE_PER_CPU variable (pahole puts it in the ".data..percpu" DATASEC). */
        boolean percpu;
        boolean anonComposite;
    }

    private DeclSpec declSpecs() {
        DeclSpec s = new DeclSpec();
        boolean isConst = false;
        boolean isVolatile = false;
        List<String> typeTags = new ArrayList<>();
        Map<String, Integer> words = new LinkedHashMap<>();
        CToken first = peek();
        while (true) {
            CToken t = peek();
            if (t.type() != CToken.Type.IDENT) {
                break;
            }
            String w = t.text();
            switch (w) {
                case "const":
                    next();
                    isConst = true;
                    continue;
                case "volatile":
                    next();
                    isVolatile = true;
                    continue;
                case "extern":
                    next();
                    s.isExtern = true;
                    continue;
                case "__bpf_kfunc":
                    next();
                    s.kfunc = true;
                    continue;
                case "__percpu":
                    next();
                    s.percpu = true;
                    continue;
                case "static": case "inline": case "register": case "auto": case "_Thread_local":
                case "__inline": case "__inline__":
                    throw err(t, "storage class '" + w + "' is not supported");
                case "signed": case "unsigned": case "short": case "long": case "int": case "char": case "_Bool":
                case "void": case "float": case "double":
                    if (s.type >= 0) {
                        throw err(t, "cannot combine '" + w + "' with a previous type");
                    }
                    next();
                    words.merge(w, 1, Integer::sum);
                    continue;
                case "struct": case "union":
                    checkNoType(s, words, t);
                    next();
                    s.type = composite(w.equals("union") ? BtfKind.UNION : BtfKind.STRUCT, s);
                    continue;
                case "enum":
                    checkNoType(s, words, t);
                    next();
                    s.type = enumeration();
                    continue;
                case "__attribute__":
                    if (peek(1).is("(") && peek(2).is("(") && peek(3).is("btf_type_tag")) {
                        typeTags.add(btfTypeTag());
                        continue;
                    }
                    throw err(t, "attribute not allowed here");
                case "__packed": case "__aligned":
                    throw err(t, "attribute not allowed here");
                default:
                    if (s.type < 0 && words.isEmpty() && !BTF_MACROS.contains(w)) {
                        next();
                        s.type = typedefName(t);
                        continue;
                    }
            }
            break;
        }
        if (s.type < 0) {
            if (words.isEmpty()) {
                throw err(first, "expected a type but found " + first);
            }
            s.type = baseType(words, first);
        }
        if (isVolatile) {
            s.type = derive(BtfKind.VOLATILE, s.type);
        }
        if (isConst) {
            s.type = derive(BtfKind.CONST, s.type);
        }
        // clang: a btf_type_tag in the specifiers tags the declared type; BTF puts the tags
        // before the modifiers (PTR -> TYPE_TAG -> CONST -> T), the order the kernel's
        // btf_check_type_tags() requires ("Type tags don't precede modifiers" otherwise)
        for (String tag : typeTags) {
            s.type = typeTag(tag, s.type);
        }
        return s;
    }

    /**
     * {@code __attribute__((btf_type_tag("value")))} (clang 14+; bpf_helpers.h's {@code __kptr},
     * {@code __kptr_untrusted}, {@code __percpu_kptr} and the kernel's {@code __user},
     * {@code __rcu}): the tag's value. Other attributes in the same list are not supported.
     */
    private String btfTypeTag() {
        next(); // __attribute__
        expect("(");
        expect("(");
        next(); // btf_type_tag
        expect("(");
        CToken v = next();
        if (v.type() != CToken.Type.STRING || !v.text().startsWith("\"") || v.text().length() < 2
                || !v.text().endsWith("\"")) {
            throw err(v, "btf_type_tag expects a string literal but found " + v);
        }
        String value = v.text().substring(1, v.text().length() - 1);
        if (value.isEmpty() || value.contains("\\")) {
            throw err(v, "btf_type_tag value must be a non-empty string without escapes");
        }
        expect(")");
        if (peek().is(",")) {
            throw err(peek(), "btf_type_tag together with other attributes in one __attribute__ is not supported");
        }
        expect(")");
        expect(")");
        return value;
    }

    /** BTF_KIND_TYPE_TAG named {@code value} on {@code target}, deduplicated. */
    private int typeTag(String value, int target) {
        String key = "TAG:" + value + ":" + target;
        Integer id = derived.get(key);
        if (id == null) {
            id = b.add(new BtfType.Ref(BtfKind.TYPE_TAG, b.str(value), false, target));
            derived.put(key, id);
        }
        return id;
    }

    private static void checkNoType(DeclSpec s, Map<String, Integer> words, CToken t) {
        if (s.type >= 0 || !words.isEmpty()) {
            throw err(t, "cannot combine '" + t.text() + "' with a previous type");
        }
    }

    private int typedefName(CToken t) {
        String name = t.text();
        Integer own = typedefs.get(name);
        if (own != null) {
            return own;
        }
        if (base != null) {
            int id = base.findByNameKind(name, BtfKind.TYPEDEF);
            if (id > 0) {
                typedefs.put(name, id);
                return id;
            }
        }
        String target = IMPLICIT_TYPEDEFS.get(name);
        if (target == null) {
            throw err(t, "unknown type name '" + name + "'");
        }
        int tt = IMPLICIT_TYPEDEFS.containsKey(target) ? typedefName(new CToken(t.type(), target, t.file(),
                t.line(), t.col())) : intType(target);
        int id = b.add(new BtfType.Ref(BtfKind.TYPEDEF, b.str(name), false, tt));
        typedefs.put(name, id);
        return id;
    }

    private int baseType(Map<String, Integer> w, CToken at) {
        int longs = w.getOrDefault("long", 0);
        boolean uns = w.containsKey("unsigned");
        boolean sig = w.containsKey("signed");
        if (uns && sig || longs > 2 || w.values().stream().anyMatch(n -> n > 1) && longs < 2
                || w.getOrDefault("long", 0) == 2 && w.values().stream().filter(n -> n > 1).count() > 1) {
            throw err(at, "invalid combination of type specifiers " + w.keySet());
        }
        if (w.containsKey("void")) {
            if (w.size() != 1) {
                throw err(at, "invalid combination of type specifiers " + w.keySet());
            }
            return 0;
        }
        if (w.containsKey("float") || w.containsKey("double")) {
            if (w.size() != 1) {
                throw err(at, "'long double' and other floating combinations are not supported");
            }
            String n = w.containsKey("float") ? "float" : "double";
            return floatType(n, n.equals("float") ? 4 : 8);
        }
        if (w.containsKey("_Bool")) {
            if (w.size() != 1) {
                throw err(at, "invalid combination of type specifiers " + w.keySet());
            }
            return intType("_Bool");
        }
        if (w.containsKey("char")) {
            if (longs > 0 || w.containsKey("short") || w.containsKey("int")) {
                throw err(at, "invalid combination of type specifiers " + w.keySet());
            }
            return intType(uns ? "unsigned char" : sig ? "signed char" : "char");
        }
        if (w.containsKey("short")) {
            if (longs > 0) {
                throw err(at, "invalid combination of type specifiers " + w.keySet());
            }
            return intType(uns ? "short unsigned int" : "short int");
        }
        if (longs == 2) {
            return intType(uns ? "long long unsigned int" : "long long int");
        }
        if (longs == 1) {
            return intType(uns ? "long unsigned int" : "long int");
        }
        return intType(uns ? "unsigned int" : "int");
    }

    /** clang's spelling of gcc's base type names, for finding them in a clang-built base. */
    private static final Map<String, String> CLANG_NAMES = Map.of("short int", "short", "short unsigned int",
            "unsigned short", "long int", "long", "long unsigned int", "unsigned long", "long long int", "long long",
            "long long unsigned int", "unsigned long long");

    /** The INT with gcc's name (as in vmlinux BTF): from the base if it has one, else added. */
    private int intType(String name) {
        Integer id = ints.get(name);
        if (id != null) {
            return id;
        }
        if (base != null) {
            int bid = base.findByNameKind(name, BtfKind.INT);
            if (bid < 0 && CLANG_NAMES.containsKey(name)) {
                bid = base.findByNameKind(CLANG_NAMES.get(name), BtfKind.INT);
            }
            if (bid > 0) {
                ints.put(name, bid);
                return bid;
            }
        }
        int size;
        int enc;
        switch (name) {
            case "_Bool": size = 1; enc = BtfType.INT_BOOL; break;
            // the kernel builds with -funsigned-char: vmlinux's 'char' has no encoding
            case "char": size = 1; enc = 0; break;
            case "signed char": size = 1; enc = BtfType.INT_SIGNED; break;
            case "unsigned char": size = 1; enc = 0; break;
            case "short int": size = 2; enc = BtfType.INT_SIGNED; break;
            case "short unsigned int": size = 2; enc = 0; break;
            case "int": size = 4; enc = BtfType.INT_SIGNED; break;
            case "unsigned int": size = 4; enc = 0; break;
            case "long int": case "long long int": size = 8; enc = BtfType.INT_SIGNED; break;
            default: size = 8; enc = 0; break;
        }
        int nid = b.add(new BtfType.Int(b.str(name), size, enc, 0, size * 8));
        ints.put(name, nid);
        return nid;
    }

    private int floatType(String name, int size) {
        Integer id = ints.get(name);
        if (id != null) {
            return id;
        }
        int bid = base == null ? -1 : base.findByNameKind(name, BtfKind.FLOAT);
        int nid = bid > 0 ? bid : b.add(new BtfType.Float(b.str(name), size));
        ints.put(name, nid);
        return nid;
    }

    /** PTR, CONST, VOLATILE, RESTRICT of a type, deduplicated. */
    int derive(BtfKind kind, int target) {
        String key = kind.name() + ":" + target;
        Integer id = derived.get(key);
        if (id == null) {
            id = b.add(new BtfType.Ref(kind, 0, false, target));
            derived.put(key, id);
        }
        return id;
    }

    int array(int elem, long n, CToken at) {
        if (elem == 0) {
            throw err(at, "array of void");
        }
        if (kindOf(elem) == BtfKind.FUNC_PROTO) {
            throw err(at, "array of functions");
        }
        if (n < 0 || n > 0xffffffffL) {
            throw err(at, "array size " + n + " is out of range");
        }
        if (!isIncomplete(resolveArrays(elem)) && kindOf(resolve(elem)) != BtfKind.FUNC_PROTO
                && n * sizeOf(elem, at) > 0xffffffffL) {
            throw err(at, "array is too large (more than U32_MAX bytes)");
        }
        String key = "A:" + elem + ":" + n;
        Integer id = derived.get(key);
        if (id == null) {
            // pahole uses 'int' as the index type; so do we
            id = b.add(new BtfType.Array(0, elem, intType("int"), (int) n));
            derived.put(key, id);
        }
        return id;
    }

    int proto(int ret, List<int[]> params, List<String> names, boolean vararg, boolean named) {
        StringBuilder key = new StringBuilder("F:").append(ret);
        List<BtfType.Param> ps = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            String n = named && names.get(i) != null ? names.get(i) : "";
            key.append(',').append(params.get(i)[0]).append(' ').append(n);
            ps.add(new BtfType.Param(n.isEmpty() ? 0 : b.str(n), params.get(i)[0]));
        }
        if (vararg) {
            key.append(",...");
            ps.add(new BtfType.Param(0, 0));
        }
        return derived.computeIfAbsent(key.toString(), k -> b.add(new BtfType.FuncProto(0, ret, ps)));
    }

    // ------------------------------------------------------------------ declarators

    private Declarator declarator(boolean abstractOk) {
        enter(peek());
        try {
            return declarator0(abstractOk);
        } finally {
            depth--;
        }
    }

    private Declarator declarator0(boolean abstractOk) {
        Declarator d = new Declarator();
        while (peek().is("*")) {
            next();
            boolean c = false;
            boolean v = false;
            boolean r = false;
            while (true) {
                if (accept("const")) {
                    c = true;
                } else if (accept("volatile")) {
                    v = true;
                } else if (accept("restrict") || accept("__restrict") || accept("__restrict__")) {
                    r = true;
                } else {
                    break;
                }
            }
            d.ptrs.add(new boolean[] {c, v, r});
        }
        if (peek().is("(") && (peek(1).is("*") || peek(1).is("("))) {
            next();
            d.inner = declarator(abstractOk);
            expect(")");
        } else if (peek().type() == CToken.Type.IDENT && !isAttribute(peek())) {
            d.name = next();
        } else if (!abstractOk) {
            throw err(peek(), "expected an identifier but found " + peek());
        }
        while (true) {
            if (peek().is("[")) {
                CToken at = next();
                long n = peek().is("]") ? 0 : constExpr();
                expect("]");
                d.suffixes.add(new Suffix(at, n, null));
            } else if (peek().is("(")) {
                d.suffixes.add(new Suffix(peek(), 0, params()));
            } else {
                break;
            }
        }
        return d;
    }

    private Params params() {
        expect("(");
        Params ps = new Params();
        if (accept(")")) {
            return ps;
        }
        if (peek().is("void") && peek(1).is(")")) {
            next();
            next();
            return ps;
        }
        do {
            if (accept("...")) {
                ps.vararg = true;
                break;
            }
            DeclSpec s = declSpecs();
            Declarator d = declarator(true);
            int t = d.apply(this, s.type, false);
            // parameters of array or function type decay to pointers
            BtfKind k = kindOf(t);
            if (k == BtfKind.ARRAY) {
                t = derive(BtfKind.PTR, ((BtfType.Array) typeOf(t)).type());
            } else if (k == BtfKind.FUNC_PROTO) {
                t = derive(BtfKind.PTR, t);
            }
            if (t == 0) {
                throw err(peek(), "parameter of type void");
            }
            ps.types.add(new int[] {t});
            ps.names.add(d.name == null ? null : d.name.text());
        } while (accept(","));
        expect(")");
        return ps;
    }

    static final class Params {
        final List<int[]> types = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        boolean vararg;
    }

    record Suffix(CToken at, long n, Params params) {
    }

    static final class Declarator {
        CToken name;
        final List<boolean[]> ptrs = new ArrayList<>();
        final List<Suffix> suffixes = new ArrayList<>();
        Declarator inner;

        /** Whether the declared entity is a function (its outermost derivation is a parameter list). */
        boolean isFunction() {
            if (inner != null && (!inner.ptrs.isEmpty() || !inner.suffixes.isEmpty() || inner.inner != null)) {
                return inner.isFunction();
            }
            return !suffixes.isEmpty() && suffixes.get(0).params() != null;
        }

        CToken nameTok() {
            return name != null ? name : inner != null ? inner.nameTok() : null;
        }

        int apply(CDeclCompiler c, int t, boolean named) {
            for (boolean[] q : ptrs) {
                t = c.derive(BtfKind.PTR, t);
                if (q[1]) {
                    t = c.derive(BtfKind.VOLATILE, t);
                }
                if (q[0]) {
                    t = c.derive(BtfKind.CONST, t);
                }
                if (q[2]) {
                    t = c.derive(BtfKind.RESTRICT, t);
                }
            }
            for (int i = suffixes.size() - 1; i >= 0; i--) {
                Suffix s = suffixes.get(i);
                if (s.params() == null) {
                    t = c.array(t, s.n(), s.at());
                } else {
                    if (c.kindOf(t) == BtfKind.FUNC_PROTO || c.kindOf(t) == BtfKind.ARRAY) {
                        throw err(s.at(), "function cannot return a function or an array");
                    }
                    boolean withNames = named && i == 0 && inner == null;
                    t = c.proto(t, s.params().types, s.params().names, s.params().vararg, withNames);
                }
            }
            if (inner != null) {
                if (name == null && inner.name != null && ptrs.isEmpty() && suffixes.isEmpty()) {
                    return inner.apply(c, t, named);
                }
                t = inner.apply(c, t, false);
                if (name == null) {
                    name = inner.nameTok();
                }
            }
            return t;
        }
    }

    // ------------------------------------------------------------------ struct, union, enum

    private int composite(BtfKind kind, DeclSpec spec) {
        enter(peek());
        try {
            return composite0(kind, spec);
        } finally {
            depth--;
        }
    }

    private int composite0(BtfKind kind, DeclSpec spec) {
        Attrs pre = attributes(null);
        String name = null;
        CToken nameTok = peek();
        if (peek().type() == CToken.Type.IDENT) {
            name = next().text();
        }
        Map<String, Integer> tags = kind == BtfKind.UNION ? unionTags : structTags;
        if (!peek().is("{")) {
            if (name == null) {
                throw err(nameTok, "expected a " + kind.name().toLowerCase() + " name or '{'");
            }
            Integer id = tags.get(name);
            if (id != null) {
                return id;
            }
            int bid = base == null ? -1 : base.findByNameKind(name, kind);
            if (bid > 0) {
                tags.put(name, bid);
                return bid;
            }
            int nid = b.reserve();
            tags.put(name, nid);
            incomplete.put(nid, name);
            return nid;
        }
        if (name != null) {
            Integer id = tags.get(name);
            if (id == null && base != null) {
                int bid = base.findByNameKind(name, kind);
                if (bid > 0) {
                    tags.put(name, bid);
                    id = bid;
                }
            }
            if (id != null && id < startId) {
                // the base's type: the header's definition must be the same one (C's one
                // definition; BTF dedup merges only identical types), unless the base's
                // definitions are the real ones (built-in code's header against vmlinux)
                if (baseDefinitionsWin) {
                    skipBalanced();
                    attributes(null);
                    return id;
                }
                expect("{");
                List<MemberDecl> members = new ArrayList<>();
                while (!accept("}")) {
                    memberDecl(members);
                }
                Attrs post = attributes(null);
                SysVLayout.Layout mine = layoutOf(kind, nameTok, name, members, pre.merge(post));
                String diff = differenceFromBase(mine, (BtfType.Composite) base.type(id));
                if (diff != null) {
                    throw err(nameTok, "redefinition of '" + kind.name().toLowerCase() + " " + name
                            + "' different from the base BTF's: " + diff);
                }
                return id;
            }
            if (id != null && !incomplete.containsKey(id)) {
                throw err(nameTok, "redefinition of '" + kind.name().toLowerCase() + " " + name + "'");
            }
        }
        int id = name != null && tags.containsKey(name) ? tags.get(name) : b.reserve();
        if (name != null) {
            tags.put(name, id);
        }
        expect("{");
        // C: a struct is an incomplete type until the '}' of its definition, so it cannot
        // contain itself (sizeof and members of its own type are errors)
        incomplete.put(id, name == null ? "" : name);
        List<MemberDecl> members = new ArrayList<>();
        while (!accept("}")) {
            memberDecl(members);
        }
        Attrs post = attributes(null);
        layout(id, kind, nameTok, name, members, pre.merge(post));
        incomplete.remove(id);
        spec.anonComposite = name == null;
        return id;
    }

    /** Whether a base ENUM or ENUM64 has exactly these enumerators, in this order. */
    private boolean sameEnumerators(BtfType t, List<String> names, List<Long> vals) {
        List<String> theirNames = new ArrayList<>();
        List<Long> theirVals = new ArrayList<>();
        if (t instanceof BtfType.Enum e) {
            for (BtfType.EnumValue v : e.values()) {
                theirNames.add(base.str(v.nameOff()));
                theirVals.add(e.kindFlag() ? (long) v.val() : Integer.toUnsignedLong(v.val()));
            }
        } else if (t instanceof BtfType.Enum64 e) {
            for (BtfType.Enum64Value v : e.values()) {
                theirNames.add(base.str(v.nameOff()));
                theirVals.add(v.val());
            }
        }
        return theirNames.equals(names) && theirVals.equals(vals);
    }

    /** How a header's layout of a struct or union differs from the base's; null when it is the same. */
    private String differenceFromBase(SysVLayout.Layout mine, BtfType.Composite theirs) {
        if (mine.size() != Integer.toUnsignedLong(theirs.size())) {
            return "size " + mine.size() + ", the base's is " + Integer.toUnsignedLong(theirs.size());
        }
        if (mine.members().size() != theirs.members().size()) {
            return mine.members().size() + " members, the base's has " + theirs.members().size();
        }
        for (int i = 0; i < mine.members().size(); i++) {
            SysVLayout.Placed m = mine.members().get(i);
            BtfType.Member t = theirs.members().get(i);
            String tn = base.str(t.nameOff());
            String mn = m.name() == null ? "" : m.name();
            if (!mn.equals(tn)) {
                return "member " + i + " is '" + mn + "', the base's is '" + tn + "'";
            }
            if (m.bitOffset() != t.bitOffset(theirs.kindFlag()) || Math.max(m.width(), 0) != t.bitfieldSize(theirs.kindFlag())) {
                return "member '" + mn + "' is at bit " + m.bitOffset() + ", the base's at bit " + t.bitOffset(theirs.kindFlag());
            }
            if (!sameType(m.type(), t.type(), 0)) {
                return "member '" + mn + "' has another type than the base's (" + base.describe(t.type()) + ")";
            }
        }
        return null;
    }

    /** Structural type equality between a header's type id and a base id (named types: same kind and name). */
    private boolean sameType(int mine, int theirs, int depth) {
        if (mine == theirs) {
            return true;
        }
        if (depth > 32 || theirs >= startId) {
            return false;
        }
        BtfKind k = kindOf(mine);
        if (k != base.kind(theirs)) {
            return false;
        }
        BtfType a = typeOf(mine);
        BtfType t = base.type(theirs);
        if (a == null || t == null) {
            return false;
        }
        String an = mine < startId ? base.str(a.nameOff()) : b.strAt(a.nameOff());
        if (!an.equals(base.str(t.nameOff()))) {
            return false;
        }
        if (a instanceof BtfType.Ref ra && t instanceof BtfType.Ref rt) {
            // a typedef of the same name is the same type in C; pointers and modifiers: their targets
            return k == BtfKind.TYPEDEF || sameType(ra.type(), rt.type(), depth + 1);
        }
        if (a instanceof BtfType.Array aa && t instanceof BtfType.Array at) {
            return aa.nelems() == at.nelems() && sameType(aa.type(), at.type(), depth + 1);
        }
        if (a instanceof BtfType.FuncProto pa && t instanceof BtfType.FuncProto pt) {
            if (pa.params().size() != pt.params().size() || !sameType(pa.returnType(), pt.returnType(), depth + 1)) {
                return false;
            }
            for (int i = 0; i < pa.params().size(); i++) {
                if (!sameType(pa.params().get(i).type(), pt.params().get(i).type(), depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        // named INT, FLOAT, ENUM, STRUCT, UNION of the same name: the same type for C
        return !an.isEmpty() && a.getClass() == t.getClass() && (k != BtfKind.INT || sizeOf(mine, null) == base.resolveSize(theirs));
    }

    private void skipBalanced() {
        int depth = 0;
        do {
            CToken t = next();
            if (t.type() == CToken.Type.EOF) {
                throw err(t, "unbalanced braces");
            }
            if (t.is("{")) {
                depth++;
            } else if (t.is("}")) {
                depth--;
            }
        } while (depth > 0);
    }

    private record MemberDecl(CToken at, String name, int type, int width, int align) {
    }

    private void memberDecl(List<MemberDecl> out) {
        CToken start = peek();
        DeclSpec spec = declSpecs();
        if (spec.kfunc || spec.isExtern) {
            throw err(start, "storage class on a struct member");
        }
        if (accept(";")) {
            BtfKind k = kindOf(spec.type);
            if (!spec.anonComposite || !(k == BtfKind.STRUCT || k == BtfKind.UNION)) {
                throw err(start, "declaration does not declare anything");
            }
            out.add(new MemberDecl(start, null, spec.type, -1, 0));
            return;
        }
        do {
            CToken at = peek();
            if (accept(":")) {
                long w = constExpr();
                out.add(new MemberDecl(at, null, spec.type, checkWidth(at, spec.type, w), 0));
                continue;
            }
            Declarator d = declarator(false);
            int t = d.apply(this, spec.type, false);
            int width = -1;
            if (accept(":")) {
                width = checkWidth(at, t, constExpr());
            }
            Attrs a = attributes(null);
            if (a.packed) {
                throw err(at, "'packed' on a member is not supported");
            }
            out.add(new MemberDecl(d.nameTok(), d.nameTok().text(), t, width, a.aligned));
        } while (accept(","));
        expect(";");
    }

    private int checkWidth(CToken at, int type, long w) {
        BtfKind k = kindOf(resolve(type));
        if (k != BtfKind.INT && k != BtfKind.ENUM && k != BtfKind.ENUM64) {
            throw err(at, "bit-field has non-integral type");
        }
        if (w < 0 || w > sizeOf(type, at) * 8) {
            throw err(at, "width of bit-field (" + w + " bits) exceeds the width of its type");
        }
        return (int) w;
    }

    /** BTF_MAX_VLEN: vlen is the low 16 bits of btf_type.info. */
    static final int BTF_MAX_VLEN = 0xffff;

    private SysVLayout.Layout layoutOf(BtfKind kind, CToken nameTok, String name, List<MemberDecl> members, Attrs attrs) {
        List<SysVLayout.Field> fields = new ArrayList<>(members.size());
        for (MemberDecl m : members) {
            fields.add(new SysVLayout.Field(m.at(), m.name(), m.type(), m.width(), m.align()));
        }
        SysVLayout.Layout l = SysVLayout.layout(types, kind, fields, attrs.packed, attrs.aligned);
        String what = name == null ? "anonymous " + kind.name().toLowerCase() : kind.name().toLowerCase() + " " + name;
        if (l.members().size() > BTF_MAX_VLEN) {
            throw err(nameTok, "too many members in '" + what + "' (" + l.members().size()
                    + "; BTF's vlen holds at most " + BTF_MAX_VLEN + ")");
        }
        if (l.size() > 0xffffffffL) {
            throw err(nameTok, "'" + what + "' is too large: its size overflows U32_MAX");
        }
        return l;
    }

    private void layout(int id, BtfKind kind, CToken nameTok, String name, List<MemberDecl> members, Attrs attrs) {
        SysVLayout.Layout l = layoutOf(kind, nameTok, name, members, attrs);
        List<BtfType.Member> out = new ArrayList<>(l.members().size());
        for (SysVLayout.Placed m : l.members()) {
            int nameOff = m.name() == null ? 0 : b.str(m.name());
            int off = m.width() >= 0 ? (int) (((long) m.width() << 24) | m.bitOffset()) : (int) m.bitOffset();
            out.add(new BtfType.Member(nameOff, m.type(), off));
        }
        ownAlign.put(id, l.align());
        b.set(id, new BtfType.Composite(kind, name == null ? 0 : b.str(name), l.kindFlag(), (int) l.size(), out));
    }

    private int enumeration() {
        String name = null;
        CToken nameTok = peek();
        if (peek().type() == CToken.Type.IDENT) {
            name = next().text();
        }
        if (!accept("{")) {
            if (name == null) {
                throw err(nameTok, "expected an enum name or '{'");
            }
            Integer id = enumTags.get(name);
            if (id == null && base != null) {
                int bid = base.findByNameKind(name, BtfKind.ENUM);
                id = bid > 0 ? bid : base.findByNameKind(name, BtfKind.ENUM64);
            }
            if (id == null || id < 0) {
                throw err(nameTok, "forward references to 'enum " + name + "' are not supported");
            }
            return id;
        }
        List<String> names = new ArrayList<>();
        List<Long> vals = new ArrayList<>();
        long next = 0;
        while (!accept("}")) {
            CToken n = ident("an enumerator name");
            long v = accept("=") ? constExpr() : next;
            if (enumConsts.containsKey(n.text())) {
                throw err(n, "redefinition of enumerator '" + n.text() + "'");
            }
            enumConsts.put(n.text(), v);
            names.add(n.text());
            vals.add(v);
            next = v + 1;
            if (!accept(",")) {
                expect("}");
                break;
            }
        }
        if (names.isEmpty()) {
            throw err(nameTok, "use of empty enum");
        }
        if (names.size() > BTF_MAX_VLEN) {
            throw err(nameTok, "too many enumerators in '" + (name == null ? "anonymous enum" : "enum " + name) + "' ("
                    + names.size() + "; BTF's vlen holds at most " + BTF_MAX_VLEN + ")");
        }
        if (name != null) {
            if (enumTags.containsKey(name)) {
                throw err(nameTok, "redefinition of 'enum " + name + "'");
            }
            if (base != null) {
                int bid = base.findByNameKind(name, BtfKind.ENUM);
                bid = bid > 0 ? bid : base.findByNameKind(name, BtfKind.ENUM64);
                if (bid > 0) {
                    if (!baseDefinitionsWin && !sameEnumerators(base.type(bid), names, vals)) {
                        throw err(nameTok, "redefinition of 'enum " + name + "' different from the base BTF's ("
                                + base.describe(bid) + ")");
                    }
                    enumTags.put(name, bid);
                    return bid;
                }
            }
        }
        boolean neg = vals.stream().anyMatch(v -> v < 0);
        boolean fits32 = vals.stream().allMatch(v -> neg ? v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE
                : v <= 0xffffffffL);
        int nameOff = name == null ? 0 : b.str(name);
        int id;
        if (fits32) {
            List<BtfType.EnumValue> ev = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                ev.add(new BtfType.EnumValue(b.str(names.get(i)), (int) (long) vals.get(i)));
            }
            id = b.add(new BtfType.Enum(nameOff, neg, 4, ev));
            ownAlign.put(id, 4);
        } else {
            List<BtfType.Enum64Value> ev = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                ev.add(new BtfType.Enum64Value(b.str(names.get(i)), vals.get(i)));
            }
            id = b.add(new BtfType.Enum64(nameOff, neg, 8, ev));
            ownAlign.put(id, 8);
        }
        if (name != null) {
            enumTags.put(name, id);
        }
        return id;
    }

    // ------------------------------------------------------------------ attributes

    private static final class Attrs {
        boolean packed;
        int aligned;

        Attrs merge(Attrs o) {
            Attrs a = new Attrs();
            a.packed = packed || o.packed;
            a.aligned = Math.max(aligned, o.aligned);
            return a;
        }
    }

    private static boolean isAttribute(CToken t) {
        return t.is("__attribute__") || t.is("__packed") || t.is("__aligned");
    }

    private Attrs attributes(Attrs into) {
        Attrs a = into == null ? new Attrs() : into;
        while (isAttribute(peek())) {
            CToken t = next();
            if (t.is("__packed")) {
                a.packed = true;
            } else if (t.is("__aligned")) {
                expect("(");
                a.aligned = Math.max(a.aligned, alignment(t, constExpr()));
                expect(")");
            } else {
                expect("(");
                expect("(");
                do {
                    CToken n = ident("an attribute name");
                    switch (n.text()) {
                        case "packed": case "__packed__":
                            a.packed = true;
                            break;
                        case "aligned": case "__aligned__":
                            expect("(");
                            a.aligned = Math.max(a.aligned, alignment(n, constExpr()));
                            expect(")");
                            break;
                        default:
                            throw err(n, "unsupported attribute '" + n.text() + "'");
                    }
                } while (accept(","));
                expect(")");
                expect(")");
            }
        }
        return a;
    }

    private static int alignment(CToken at, long v) {
        if (v <= 0 || v > (1 << 29) || Long.bitCount(v) != 1) {
            throw err(at, "requested alignment " + v + " is not a positive power of 2");
        }
        return (int) v;
    }

    // ------------------------------------------------------------------ constant expressions

    private long constExpr() {
        return binary(0);
    }

    private static final String[][] LEVELS = {{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"}};

    private long binary(int level) {
        if (level == LEVELS.length) {
            return unary();
        }
        long v = binary(level + 1);
        while (true) {
            String op = null;
            for (String o : LEVELS[level]) {
                if (peek().is(o)) {
                    op = o;
                }
            }
            if (op == null) {
                return v;
            }
            CToken at = next();
            long r = binary(level + 1);
            switch (op) {
                case "|": v |= r; break;
                case "^": v ^= r; break;
                case "&": v &= r; break;
                case "<<": v <<= r; break;
                case ">>": v >>= r; break;
                case "+": v += r; break;
                case "-": v -= r; break;
                case "*": v *= r; break;
                default:
                    if (r == 0) {
                        throw err(at, "division by zero in a constant expression");
                    }
                    v = op.equals("/") ? v / r : v % r;
            }
        }
    }

    private long unary() {
        enter(peek());
        try {
            return unary0();
        } finally {
            depth--;
        }
    }

    private long unary0() {
        CToken t = next();
        if (t.is("-")) {
            return -unary();
        }
        if (t.is("+")) {
            return unary();
        }
        if (t.is("~")) {
            return ~unary();
        }
        if (t.is("!")) {
            return unary() == 0 ? 1 : 0;
        }
        if (t.is("(")) {
            long v = constExpr();
            expect(")");
            return v;
        }
        if (t.is("sizeof")) {
            expect("(");
            DeclSpec s = declSpecs();
            Declarator d = declarator(true);
            int type = d.apply(this, s.type, false);
            expect(")");
            return sizeOf(type, t);
        }
        if (t.type() == CToken.Type.NUMBER) {
            return number(t);
        }
        if (t.type() == CToken.Type.IDENT) {
            Long v = enumConsts.get(t.text());
            if (v == null && KfFlags.valueOf(t.text()) != null) {
                v = (long) KfFlags.valueOf(t.text());
            }
            if (v == null) {
                throw err(t, "use of undeclared identifier '" + t.text() + "' in a constant expression");
            }
            return v;
        }
        throw err(t, "expected a constant expression but found " + t);
    }

    private static long number(CToken t) {
        String s = t.text().toLowerCase();
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == 'u' || s.charAt(end - 1) == 'l')) {
            end--;
        }
        String digits = s.substring(0, end);
        try {
            if (digits.startsWith("0x")) {
                return Long.parseUnsignedLong(digits.substring(2), 16);
            }
            if (digits.startsWith("0b")) {
                return Long.parseUnsignedLong(digits.substring(2), 2);
            }
            if (digits.length() > 1 && digits.startsWith("0")) {
                return Long.parseUnsignedLong(digits.substring(1), 8);
            }
            return Long.parseUnsignedLong(digits);
        } catch (NumberFormatException e) {
            throw err(t, "invalid integer constant " + t);
        }
    }

    // ------------------------------------------------------------------ sizes and alignment

    BtfKind kindOf(int id) {
        if (id == 0) {
            return BtfKind.UNKN;
        }
        if (id < startId) {
            return base.kind(id);
        }
        BtfType t = b.get(id);
        return t == null ? BtfKind.STRUCT : t.kind();
    }

    BtfType typeOf(int id) {
        return id < startId ? base.type(id) : b.get(id);
    }

    private boolean isIncomplete(int id) {
        return incomplete.containsKey(id) || kindOf(id) == BtfKind.FWD;
    }

    private int resolve(int id) {
        for (int n = 0; n < 64 && id != 0; n++) {
            BtfKind k = kindOf(id);
            if (!(k.isModifier() || k == BtfKind.TYPEDEF) || (id >= startId && b.get(id) == null)) {
                return id;
            }
            id = ((BtfType.Ref) typeOf(id)).type();
        }
        return id;
    }

    private int resolveArrays(int id) {
        id = resolve(id);
        for (int n = 0; n < 64 && kindOf(id) == BtfKind.ARRAY; n++) {
            id = resolve(((BtfType.Array) typeOf(id)).type());
        }
        return id;
    }

    private long sizeOf(int id, CToken at) {
        int r = resolve(id);
        if (r == 0) {
            throw err(at, "void has no size");
        }
        if (isIncomplete(r)) {
            throw err(at, "incomplete type has no size");
        }
        if (r < startId) {
            return base.resolveSize(r);
        }
        BtfType t = b.get(r);
        if (t instanceof BtfType.Array a) {
            return Integer.toUnsignedLong(a.nelems()) * sizeOf(a.type(), at);
        }
        if (t instanceof BtfType.Composite c) {
            return Integer.toUnsignedLong(c.size());
        }
        if (t instanceof BtfType.Int i) {
            return i.size();
        }
        if (t instanceof BtfType.Enum e) {
            return e.size();
        }
        if (t instanceof BtfType.Enum64 e) {
            return e.size();
        }
        if (t instanceof BtfType.Float f) {
            return f.size();
        }
        if (t.kind() == BtfKind.PTR) {
            return 8;
        }
        throw err(at, "type has no size");
    }

    private int alignOf(int id, CToken at) {
        int r = resolveArrays(id);
        if (r >= startId) {
            BtfType t = b.get(r);
            if (ownAlign.containsKey(r)) {
                return ownAlign.get(r);
            }
            if (t instanceof BtfType.Int || t instanceof BtfType.Float) {
                return (int) Math.min(sizeOf(r, at), 16);
            }
            return 8; // PTR
        }
        return baseAlign(r, 0);
    }

    /** Alignment of a base type: BTF does not record it, so infer it as the ABI would have it. */
    private int baseAlign(int id, int depth) {
        if (depth > 256) {
            throw new BtfException("base BTF: " + base.describe(id) + " is nested more than 256 deep");
        }
        id = base.resolve(id);
        while (base.kind(id) == BtfKind.ARRAY) {
            id = base.resolve(((BtfType.Array) base.type(id)).type());
        }
        Integer cached = baseAlign.get(id);
        if (cached != null) {
            return cached;
        }
        if (base.alignHint(id).isPresent()) {
            return base.alignHint(id).getAsInt();
        }
        int a;
        BtfType t = base.type(id);
        if (t instanceof BtfType.Composite c) {
            a = 1;
            for (BtfType.Member m : c.members()) {
                a = Math.max(a, baseAlign(m.type(), depth + 1));
            }
            boolean misaligned = c.size() % a != 0;
            for (BtfType.Member m : c.members()) {
                if (m.bitfieldSize(c.kindFlag()) == 0 && m.bitOffset(c.kindFlag()) % (baseAlign(m.type(), depth + 1) * 8) != 0) {
                    misaligned = true;
                }
            }
            if (misaligned) {
                a = 1; // laid out with __attribute__((packed))
            }
        } else if (t.kind() == BtfKind.PTR) {
            a = 8;
        } else {
            a = (int) Math.max(1, Math.min(16, base.resolveSize(id)));
        }
        baseAlign.put(id, a);
        return a;
    }

    // ------------------------------------------------------------------ BTF_ID macros

    /** Parses one btf_ids.h macro; {@link ResolveBtfids} keeps the containers and resolves them. */
    private void btfIdMacro() {
        CToken m = next();
        String macro = m.text();
        switch (macro) {
            case "BTF_ID_UNUSED":
                btfids.unused(m);
                return;
            case "BTF_ID_LIST": case "BTF_SET_START": case "BTF_SET8_START": case "BTF_KFUNCS_START": {
                expect("(");
                String name = ident("a list name").text();
                expect(")");
                btfids.start(macro, m, name);
                return;
            }
            case "BTF_SET_END": case "BTF_SET8_END": case "BTF_KFUNCS_END": {
                expect("(");
                CToken n = ident("a set name");
                expect(")");
                btfids.end(macro, m, n.text());
                return;
            }
            case "BTF_ID_LIST_SINGLE": {
                expect("(");
                String name = ident("a list name").text();
                expect(",");
                CToken kind = ident("a BTF_ID kind");
                expect(",");
                CToken sym = ident("a symbol name");
                expect(")");
                btfids.single(m, name, kind, sym);
                return;
            }
            case "BTF_ID": {
                expect("(");
                CToken kind = ident("a BTF_ID kind");
                expect(",");
                CToken sym = ident("a symbol name");
                expect(")");
                btfids.id(m, kind, sym, 0, false);
                return;
            }
            case "BTF_ID_FLAGS": {
                expect("(");
                CToken kind = ident("a BTF_ID kind");
                expect(",");
                CToken sym = ident("a symbol name");
                long flags = 0;
                while (accept(",")) {
                    flags |= constExpr();
                }
                expect(")");
                btfids.id(m, kind, sym, (int) flags, true);
                return;
            }
            default:
                throw err(m, "unsupported macro " + macro);
        }
    }
}
