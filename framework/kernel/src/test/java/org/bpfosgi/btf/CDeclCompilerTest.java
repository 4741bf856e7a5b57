package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class CDeclCompilerTest {

    private static Btf compile(String text) {
        return CDeclCompiler.compile("t.h", text, null).btf();
    }

    private static void rejects(String text, String where, String what) {
        BtfException e = assertThrows(BtfException.class, () -> CDeclCompiler.compile("t.h", text, null));
        assertTrue(e.getMessage().startsWith("t.h:" + where) && e.getMessage().contains(": error: "), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
    }

    @Test
    void layoutOfScalarsPaddingAndArrays() {
        Btf b = compile("struct s { char c; long l; short sh[3]; int i; char tail; };");
        int s = b.findByNameKind("s", BtfKind.STRUCT);
        assertEquals(0, b.offsetOf(s, "c"));
        assertEquals(8, b.offsetOf(s, "l"));
        assertEquals(16, b.offsetOf(s, "sh"));
        assertEquals(24, b.offsetOf(s, "i"));
        assertEquals(28, b.offsetOf(s, "tail"));
        assertEquals(32, b.resolveSize(s));
    }

    @Test
    void bitfieldsFollowTheSysVRules() {
        Btf b = compile("struct b { unsigned char a:3; unsigned char b:6; unsigned int c:30; unsigned int d:4;"
                + " int :0; char e; long long f:40; };");
        int s = b.findByNameKind("b", BtfKind.STRUCT);
        assertTrue(((BtfType.Composite) b.type(s)).kindFlag());
        assertEquals(0, b.memberPath(s, "a").bitOffset());
        assertEquals(8, b.memberPath(s, "b").bitOffset(), "does not straddle its char unit");
        assertEquals(32, b.memberPath(s, "c").bitOffset());
        assertEquals(64, b.memberPath(s, "d").bitOffset());
        assertEquals(96, b.memberPath(s, "e").bitOffset(), "int :0 aligns to the next int");
        assertEquals(128, b.memberPath(s, "f").bitOffset(), "40 bits from bit 104 would straddle a long long unit");
        assertEquals(40, b.memberPath(s, "f").bitfieldSize());
        assertEquals(24, b.resolveSize(s));
    }

    @Test
    void unionsAnonymousMembersNestedDefinitionsAndPointersToFunctions() {
        Btf b = compile("typedef unsigned int u32;\n"
                + "struct outer { union { struct { void *x; void *y; }; struct inner { u32 v; } in; }; "
                + "int (*fn)(struct outer *, const char *, ...); struct outer *self; int m[2][3]; };\n"
                + "union u { char c; long l; };\n"
                + "typedef struct { int a; } anon_t;\n"
                + "struct inner2 { struct inner i; anon_t t; union u un; };");
        int o = b.findByNameKind("outer", BtfKind.STRUCT);
        assertEquals(8, b.offsetOf(o, "y"));
        assertEquals(0, b.offsetOf(o, "in.v"));
        assertEquals(16, b.offsetOf(o, "fn"));
        BtfType.FuncProto fp = b.funcProto(b.memberPath(o, "fn").type());
        assertEquals(3, fp.params().size());
        assertEquals(0, fp.params().get(2).type(), "... is a last parameter of type void");
        assertEquals(o, b.pointedStruct(b.memberPath(o, "self").type()).getAsInt());
        assertEquals(24, b.resolveSize(b.memberPath(o, "m").type()));
        assertEquals(56, b.resolveSize(o));
        assertTrue(b.findByNameKind("inner", BtfKind.STRUCT) > 0, "nested definitions are global in C");
        assertEquals(8, b.resolveSize(b.findByNameKind("u", BtfKind.UNION)));
        assertEquals(16, b.resolveSize(b.findByNameKind("inner2", BtfKind.STRUCT)));
    }

    @Test
    void enumsPickSizeAndSignedness() {
        Btf b = compile("enum small { A, B = 5, C };\nenum neg { N = -1, M = 1 << 3 };\n"
                + "enum big { X = 0x100000000ULL };\nenum sbig { Y = -0x100000000LL };\n"
                + "struct e { enum small s; char arr[C + 1]; };");
        BtfType.Enum small = (BtfType.Enum) b.type(b.findByNameKind("small", BtfKind.ENUM));
        assertEquals(6, small.values().get(2).val());
        assertTrue(!small.kindFlag());
        assertTrue(((BtfType.Enum) b.type(b.findByNameKind("neg", BtfKind.ENUM))).kindFlag());
        assertEquals(8, ((BtfType.Enum64) b.type(b.findByNameKind("big", BtfKind.ENUM64))).size());
        assertTrue(((BtfType.Enum64) b.type(b.findByNameKind("sbig", BtfKind.ENUM64))).kindFlag());
        assertEquals(12, b.resolveSize(b.findByNameKind("e", BtfKind.STRUCT)));
    }

    @Test
    void functionDeclarationsAndKfuncTags() {
        Btf b = compile("struct sk_buff;\n__bpf_kfunc int k(struct sk_buff *skb, unsigned long flags);\n"
                + "extern void plain(void);\n");
        int k = b.findByNameKind("k", BtfKind.FUNC);
        assertEquals(BtfType.FUNC_GLOBAL, ((BtfType.Func) b.type(k)).linkage());
        BtfType.FuncProto p = b.funcProto(k);
        assertEquals("skb", b.str(p.params().get(0).nameOff()));
        assertEquals("flags", b.str(p.params().get(1).nameOff()));
        assertEquals(BtfKind.FWD, b.kind(((BtfType.Ref) b.type(p.params().get(0).type())).type()),
                "an undefined struct with no base is a FWD");
        String raw = BtfRawDump.dump(b);
        assertTrue(raw.contains("DECL_TAG 'bpf_kfunc' type_id=" + k + " component_idx=-1"), raw);
        assertTrue(b.funcProto(b.findByNameKind("plain", BtfKind.FUNC)).params().isEmpty());
        assertEquals(1, raw.split("DECL_TAG").length - 1, "only __bpf_kfunc functions are tagged");
    }

    @Test
    void baseTypesAndImplicitKernelTypedefs() {
        Btf b = compile("struct t { u8 a; s16 b; __u32 c; u64 d; bool e; unsigned f; signed char g; long long h;"
                + " unsigned long long i; short unsigned j; _Bool k; size_t l; long unsigned int m; };");
        int t = b.findByNameKind("t", BtfKind.STRUCT);
        assertEquals(72, b.resolveSize(t));
        assertTrue(b.findByNameKind("long long unsigned int", BtfKind.INT) > 0, "gcc's names, as in vmlinux");
        int u8 = b.findByNameKind("u8", BtfKind.TYPEDEF);
        assertEquals(b.findByNameKind("__u8", BtfKind.TYPEDEF), ((BtfType.Ref) b.type(u8)).type(), "u8 -> __u8 as in the kernel");
    }

    @Test
    void splitCompileReusesBaseTypesByNameAndKind() {
        Btf base = VmlinuxBtf.builtin();
        CompiledBtf c = CDeclCompiler.compile("m.h", "struct sk_buff;\n"
                + "struct mine { struct sk_buff *skb; struct Qdisc q; u32 x; };\n"
                + "__bpf_kfunc void bpf_cgroup_release(struct cgroup *cgrp);\n"
                + "BTF_ID_LIST(l)\nBTF_ID(struct, sk_buff)\nBTF_ID(struct, mine)\nBTF_ID_UNUSED\n"
                + "BTF_ID(func, bpf_cgroup_release)\n", base);
        Btf m = c.btf();
        assertEquals(base.findByNameKind("sk_buff", BtfKind.STRUCT), m.findByNameKind("sk_buff", BtfKind.STRUCT));
        assertEquals(1, m.findAllByName("sk_buff").size(), "not duplicated");
        int mine = m.findByNameKind("mine", BtfKind.STRUCT);
        assertTrue(mine >= m.startId());
        assertEquals(base.resolveSize(base.findByNameKind("Qdisc", BtfKind.STRUCT)) + 16, m.resolveSize(mine));
        int[] ids = c.idList("l").orElseThrow().ids();
        assertEquals(List.of(base.findByNameKind("sk_buff", BtfKind.STRUCT), mine, 0,
                base.findByNameKind("bpf_cgroup_release", BtfKind.FUNC)),
                java.util.Arrays.stream(ids).boxed().toList());
        assertEquals(0, m.findAllByName("bpf_cgroup_release").stream().filter(id -> id >= m.startId()).count());
    }

    @Test
    void setsAreSortedAndKfuncFlagsKept() {
        CompiledBtf c = CDeclCompiler.compile("t.h", "void zz(void);\nvoid aa(void);\nvoid mm(void);\n"
                + "BTF_SET_START(s)\nBTF_ID(func, zz)\nBTF_ID(func, aa)\nBTF_ID(func, mm)\nBTF_SET_END(s)\n"
                + "BTF_KFUNCS_START(k)\nBTF_ID_FLAGS(func, mm, KF_ACQUIRE | KF_RET_NULL)\n"
                + "BTF_ID_FLAGS(func, zz)\nBTF_ID_FLAGS(func, aa, KF_RELEASE)\nBTF_KFUNCS_END(k)\n"
                + "BTF_ID_LIST_SINGLE(one, func, mm)\n", null);
        int zz = c.btf().findByNameKind("zz", BtfKind.FUNC);
        int aa = c.btf().findByNameKind("aa", BtfKind.FUNC);
        int mm = c.btf().findByNameKind("mm", BtfKind.FUNC);
        BtfIdSet s = c.set("s").orElseThrow();
        assertTrue(!s.set8());
        assertEquals(List.of(zz, aa, mm).stream().sorted().toList(), java.util.Arrays.stream(s.ids()).boxed().toList());
        BtfIdSet k = c.set("k").orElseThrow();
        assertTrue(k.kfuncs());
        assertEquals(KfFlags.KF_ACQUIRE | KfFlags.KF_RET_NULL, k.flags(mm).getAsInt());
        assertEquals(KfFlags.KF_RELEASE, k.flags(aa).getAsInt());
        assertEquals(0, k.flags(zz).getAsInt());
        assertTrue(k.flags(12345).isEmpty());
        assertEquals(mm, c.idList("one").orElseThrow().id(0));
    }

    /** Kernel variables: a VAR each (global, as pahole emits them); per-cpu ones also in ".data..percpu". */
    @Test
    void externVariablesAreVarsAndPercpuOnesAreInTheirDatasec() {
        Btf b = CDeclCompiler.compile("v.h", "struct s { long a; int b; };\nextern int plain;\n"
                + "extern __percpu struct s pcpu_s;\nextern __percpu const char pcpu_c;\n", null).btf();
        int plain = b.findByNameKind("plain", org.bpfosgi.btf.api.BtfKind.VAR);
        int ps = b.findByNameKind("pcpu_s", org.bpfosgi.btf.api.BtfKind.VAR);
        int pc = b.findByNameKind("pcpu_c", org.bpfosgi.btf.api.BtfKind.VAR);
        assertEquals(BtfType.VAR_GLOBAL_ALLOCATED, ((BtfType.Var) b.type(plain)).linkage());
        assertEquals("int", b.name(((BtfType.Var) b.type(plain)).type()));
        int sec = b.findByNameKind(".data..percpu", org.bpfosgi.btf.api.BtfKind.DATASEC);
        BtfType.DataSec ds = (BtfType.DataSec) b.type(sec);
        // pcpu_s at 0 (16 bytes), pcpu_c at 16 (1 byte); plain is in no section
        assertEquals(java.util.List.of(new BtfType.VarSecInfo(ps, 0, 16), new BtfType.VarSecInfo(pc, 16, 1)), ds.vars());
        assertEquals(17, ds.size());
    }

    @Test
    void errorsCarryFileLineAndColumn() {
        rejects("struct a { int x; };\nstruct a { int y; };", "2:8", "redefinition of 'struct a'");
        rejects("struct a {\n  foo_t x;\n};", "2:3", "unknown type name 'foo_t'");
        rejects("int x;", "1:5", "variable declarations must be extern");
        rejects("extern __percpu int f(void);", "1:21", "'__percpu' on the function 'f'");
        rejects("static int f(void);", "1:1", "storage class 'static'");
        rejects("int f(void) { return 0; }", "1:13", "function bodies are not supported");
        rejects("#include <linux/types.h>\n", "1:2", "#include is not supported");
        rejects("#define F(x) x\n", "1:9", "function-like macro");
        rejects("struct a { struct b inner; };", "1:21", "incomplete type");
        rejects("struct a { int x __attribute__((deprecated)); };", "1:33", "unsupported attribute 'deprecated'");
        rejects("void f(void);\nBTF_ID_LIST(l)\nBTF_ID(func, g)\n", "3:14", "unresolved symbol 'g'");
        rejects("BTF_ID(func, g)\n", "1:1", "outside a BTF_ID_LIST");
        rejects("void f(void);\nBTF_SET_START(s)\nBTF_ID_FLAGS(func, f)\nBTF_SET_END(s)", "3:1", "only valid in a BTF_SET8");
        rejects("BTF_KFUNCS_START(k)\n", "1:1", "without its _END");
        rejects("struct a { int x : 33; };", "1:16", "exceeds the width of its type");
        rejects("struct a { int x; }", "1:20", "expected ';'");
        rejects("enum e { A = B };", "1:14", "undeclared identifier 'B'");
        rejects("struct a { char c[-1]; };", "1:18", "out of range");
        rejects("/* unterminated", "1:1", "unterminated /* comment");
        rejects("struct a { char x[0x10000][0x10000][2]; };", "1:18", "array is too large");
        rejects("enum e { A = " + "(".repeat(5000) + "1" + ")".repeat(5000) + " };", "1:", "nesting too deep");
        rejects("int " + "(".repeat(5000) + "*f" + ")".repeat(5000) + "(void);", "1:", "nesting too deep");
        rejects("struct a { " + "struct { ".repeat(500) + "int x; " + "}; ".repeat(500) + "};", "1:", "nesting too deep");
    }

    /** Mangled headers give a located BtfException, never another exception, never a hang. */
    @Test
    void mangledHeadersOnlyEverGiveBtfException() {
        String text = VmlinuxBtf.builtinHeader() + TestBtfs.read(TestBtfs.root().resolve("testmod-bundle/src/main/bpf/bpf_testmod.h"));
        String alphabet = "{}()[];,*:=|&+-~!/%^?<>#.\n \"'0x9aZ_";
        java.util.Random r = new java.util.Random(7);
        int[] compiledRejected = new int[2];
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
            for (int n = 0; n < 300; n++) {
                StringBuilder sb = new StringBuilder(text);
                for (int k = 0; k < 1 + r.nextInt(3); k++) {
                    int at = r.nextInt(sb.length());
                    switch (r.nextInt(3)) {
                        case 0: sb.deleteCharAt(at); break;
                        case 1: sb.insert(at, alphabet.charAt(r.nextInt(alphabet.length()))); break;
                        default: sb.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
                    }
                }
                try {
                    CDeclCompiler.compile("m.h", sb.toString(), null);
                    compiledRejected[0]++;
                } catch (BtfException e) {
                    compiledRejected[1]++;
                    assertTrue(e.getMessage().startsWith("m.h:") || e.getMessage().startsWith("BTF"), e.getMessage());
                }
            }
        });
        System.out.println("mangled headers: " + compiledRejected[0] + " compiled, " + compiledRejected[1] + " rejected");
        // both paths taken: the mangling neither always breaks the header nor never does
        assertTrue(compiledRejected[0] > 0 && compiledRejected[1] > 0,
                compiledRejected[0] + " compiled, " + compiledRejected[1] + " rejected");
    }

    /** Hostile headers: each a file:line error, never a Java exception (issue items 5, 8, 9). */
    @Test
    void hostileHeadersAreCErrors() {
        rejects("struct zzqq { struct zzqq inner; };", "1:27", "field 'inner' has incomplete type");
        rejects("union zu { int a; union zu inner[2]; };", "1:28", "incomplete type");
        rejects("struct a;\nstruct b { char c[sizeof(struct a)]; };", "2:19", "incomplete type");
        rejects("struct b { char c[sizeof(struct nowhere)]; };", "1:19", "incomplete type");
        rejects("struct s { char c[sizeof(struct s)]; };", "1:19", "incomplete type");
        StringBuilder many = new StringBuilder("struct big {\n");
        for (int i = 0; i < 70_000; i++) {
            many.append("int m").append(i).append(";\n");
        }
        rejects(many.append("};\n").toString(), "1:8", "too many members in 'struct big' (70000; BTF's vlen holds at most 65535)");
        StringBuilder en = new StringBuilder("enum big {\n");
        for (int i = 0; i < 70_000; i++) {
            en.append("E").append(i).append(",\n");
        }
        rejects(en.append("};\n").toString(), "1:6", "too many enumerators in 'enum big' (70000; BTF's vlen holds at most 65535)");
    }

    /** A header's definition of a type its base has must be the base's, as in C (one definition). */
    @Test
    void redefiningABaseTypeDifferentlyIsAnError() {
        Btf base = compile("struct list_head { struct list_head *next, *prev; };\ntypedef int base_t;\n"
                + "enum base_e { BA, BB };\nunion base_u { int i; long l; };");
        BtfException e = assertThrows(BtfException.class, () -> CDeclCompiler.compile("m.h",
                "struct list_head { int only; };\nstruct lh_user { struct list_head h; };", base));
        assertTrue(e.getMessage().startsWith("m.h:1:8: error: redefinition of 'struct list_head'"), e.getMessage());
        assertThrows(BtfException.class, () -> CDeclCompiler.compile("m.h", "union base_u { int i; };", base));
        assertThrows(BtfException.class, () -> CDeclCompiler.compile("m.h", "struct list_head { long next, prev; };", base));
        assertThrows(BtfException.class, () -> CDeclCompiler.compile("m.h", "typedef long base_t;", base));
        assertThrows(BtfException.class, () -> CDeclCompiler.compile("m.h", "enum base_e { BA, BC };", base));
        // the same definition again is the base's type (BTF dedup), not a new one
        Btf same = CDeclCompiler.compile("m.h", "struct list_head { struct list_head *next, *prev; };\n"
                + "typedef int base_t;\nenum base_e { BA, BB };\nstruct u { struct list_head h; base_t t; };", base).btf();
        int u = same.findByNameKind("u", BtfKind.STRUCT);
        assertEquals(16 + 8, same.resolveSize(u));
        assertEquals(base.findByNameKind("list_head", BtfKind.STRUCT), same.findByNameKind("list_head", BtfKind.STRUCT));
    }

    @Test
    void preprocessorDefinesAndGuards() {
        Btf b = compile("#ifndef GUARD\n#define GUARD\n#define N 4\n#define NAME_MAX (N * 4)\n"
                + "struct x { char name[NAME_MAX]; };\n#ifdef GUARD\nstruct y { int a; };\n#else\nstruct z;\n#endif\n"
                + "#endif\n");
        assertEquals(16, b.resolveSize(b.findByNameKind("x", BtfKind.STRUCT)));
        assertTrue(b.findByNameKind("y", BtfKind.STRUCT) > 0);
        assertTrue(b.findByNameKind("z", BtfKind.FWD) < 0);
    }

    @Test
    void attributesPackedAndAligned() {
        Btf b = compile("struct p { char c; int i; } __attribute__((packed));\n"
                + "struct __attribute__((aligned(16))) a { char c; };\n"
                + "struct m { char c; int i __aligned(8); struct p p; struct a a; };");
        assertEquals(5, b.resolveSize(b.findByNameKind("p", BtfKind.STRUCT)));
        assertEquals(16, b.resolveSize(b.findByNameKind("a", BtfKind.STRUCT)));
        int m = b.findByNameKind("m", BtfKind.STRUCT);
        assertEquals(8, b.offsetOf(m, "i"));
        assertEquals(12, b.offsetOf(m, "p"));
        assertEquals(32, b.offsetOf(m, "a"));
        assertEquals(48, b.resolveSize(m));
    }

    /**
     * btf_type_tag in the declaration specifiers, as bpf_helpers.h defines __kptr: PTR ->
     * TYPE_TAG("kptr") -> the struct; with a qualifier the tag comes first (PTR -> TYPE_TAG ->
     * CONST -> T: clang 14 here emits that chain for {@code const struct foo __kptr *}, and the
     * kernel's btf_check_type_tags() requires tags before modifiers).
     */
    @Test
    void btfTypeTagsTagThePointee() {
        Btf b = compile("""
                #define __kptr __attribute__((btf_type_tag("kptr")))
                #define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
                struct foo { int x; };
                struct v { struct foo __kptr *p; const struct foo __kptr *q; struct foo __kptr_untrusted *u; struct foo *plain; };
                """);
        int v = b.findByNameKind("v", BtfKind.STRUCT);
        int foo = b.findByNameKind("foo", BtfKind.STRUCT);
        BtfType.Composite c = (BtfType.Composite) b.type(v);
        int p = c.members().get(0).type();
        assertEquals(BtfKind.PTR, b.kind(p));
        int tag = ((BtfType.Ref) b.type(p)).type();
        assertEquals(BtfKind.TYPE_TAG, b.kind(tag));
        assertEquals("kptr", b.name(tag));
        assertEquals(foo, ((BtfType.Ref) b.type(tag)).type());
        int qtag = ((BtfType.Ref) b.type(c.members().get(1).type())).type();
        assertEquals(BtfKind.TYPE_TAG, b.kind(qtag));
        int qconst = ((BtfType.Ref) b.type(qtag)).type();
        assertEquals(BtfKind.CONST, b.kind(qconst));
        assertEquals(foo, ((BtfType.Ref) b.type(qconst)).type());
        assertEquals("kptr_untrusted", b.name(((BtfType.Ref) b.type(c.members().get(2).type())).type()));
        assertEquals(foo, ((BtfType.Ref) b.type(c.members().get(3).type())).type(), "no tag, no TYPE_TAG");
        assertEquals(32, b.resolveSize(v), "a tag changes no layout");
    }

    @Test
    void btfTypeTagNeedsAStringLiteral() {
        rejects("struct foo; struct v { struct foo __attribute__((btf_type_tag(kptr))) *p; };", "1:",
                "btf_type_tag expects a string literal but found 'kptr'");
    }
}
