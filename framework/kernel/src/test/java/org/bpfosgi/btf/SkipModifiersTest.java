package org.bpfosgi.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfosgi.btf.api.BtfKind;
import org.junit.jupiter.api.Test;

/**
 * Btf.skipModifiers() is the kernel's btf_type_skip_modifiers(): btf_type_is_modifier()
 * (kernel/bpf/btf.c v6.12) is true for TYPEDEF, VOLATILE, CONST, RESTRICT and TYPE_TAG, so typedefs
 * are skipped. Btf.skipQualifiers() stops at a typedef, which is what printing C needs
 * (BtfCDump): a typedef name is printed, never looked through.
 */
class SkipModifiersTest {
    private static final String C = """
            typedef int arr_t[2];
            typedef const volatile arr_t cv_arr_t;
            typedef struct s s_t;
            struct s { int a; };
            struct u {
                const volatile s_t cvs;
                const arr_t ca;
                cv_arr_t cva;
            };
            """;

    private static Btf btf() {
        return CDeclCompiler.compile("t.h", C, null).btf();
    }

    private static int member(Btf b, String struct, String name) {
        return b.memberPath(b.findByNameKind(struct, BtfKind.STRUCT), name).type();
    }

    @Test
    void skipModifiersFollowsTypedefsAsTheKernelDoes() {
        Btf b = btf();
        int s = b.findByNameKind("s", BtfKind.STRUCT);
        int cvs = member(b, "u", "cvs");
        assertEquals(BtfKind.CONST, b.kind(cvs));
        assertEquals(s, b.skipModifiers(cvs), "const volatile s_t -> struct s");
        assertEquals(s, b.resolve(cvs));
        // a typedef of a qualified typedef: TYPEDEF -> CONST -> VOLATILE -> TYPEDEF -> ARRAY
        int cva = member(b, "u", "cva");
        assertEquals(BtfKind.TYPEDEF, b.kind(cva));
        assertEquals(BtfKind.ARRAY, b.kind(b.skipModifiers(cva)));
        assertEquals(b.skipModifiers(cva), b.skipModifiers(member(b, "u", "ca")));
    }

    @Test
    void skipQualifiersStopsAtATypedef() {
        Btf b = btf();
        int cvs = member(b, "u", "cvs");
        int q = b.skipQualifiers(cvs);
        assertEquals(BtfKind.TYPEDEF, b.kind(q));
        assertEquals("s_t", b.name(q));
        int cva = member(b, "u", "cva");
        assertEquals(cva, b.skipQualifiers(cva), "a typedef is where it stops");
    }

    /**
     * BtfCDump keeps the qualifiers of a typedef'd array (libbpf's btf_dump drops only the
     * qualifiers of an array type itself): were it to look through the typedef, {@code const}
     * would be lost.
     */
    @Test
    void cDumpKeepsTheQualifiersOfATypedefdArray() {
        String c = BtfCDump.dump(btf());
        assertTrue(c.contains("\tconst arr_t ca;\n"), c);
        assertTrue(c.contains("\tconst volatile s_t cvs;\n"), c);
        assertTrue(c.contains("typedef const volatile arr_t cv_arr_t;\n"), c);
    }
}
