package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.CDeclCompiler;
import org.bpfosgi.btf.api.BtfKind;
import org.junit.jupiter.api.Test;

/**
 * ObjLoader.isFuncPtr(): libbpf 1.5 bpf_map__init_kern_struct_ops() takes a kernel member as a
 * program slot when skip_mods_and_typedefs() of it is a PTR and skip_mods_and_typedefs() of the
 * target is a FUNC_PROTO; a typedef'd function pointer is one.
 */
class StructOpsFuncPtrTest {
    private static final String C = """
            typedef int (*fn_t)(int);
            typedef int proto_t(int);
            typedef const fn_t cfn_t;
            struct ops {
                int (*plain)(int);
                fn_t typedefd;
                cfn_t typedef_of_const_typedef;
                proto_t *ptr_to_typedefd_proto;
                const fn_t const_typedefd;
                int x;
                int *ip;
                fn_t *pp;
            };
            """;

    private static boolean isFuncPtr(String member) {
        Btf b = CDeclCompiler.compile("ops.h", C, null).btf();
        return ObjLoader.isFuncPtr(b, b.memberPath(b.findByNameKind("ops", BtfKind.STRUCT), member).type());
    }

    @Test
    void typedefdFunctionPointersAreFunctionPointers() {
        assertTrue(isFuncPtr("plain"));
        assertTrue(isFuncPtr("typedefd"));
        assertTrue(isFuncPtr("typedef_of_const_typedef"));
        assertTrue(isFuncPtr("ptr_to_typedefd_proto"));
        assertTrue(isFuncPtr("const_typedefd"));
    }

    @Test
    void otherMembersAreNot() {
        assertFalse(isFuncPtr("x"));
        assertFalse(isFuncPtr("ip"));
        assertFalse(isFuncPtr("pp"));
    }
}
