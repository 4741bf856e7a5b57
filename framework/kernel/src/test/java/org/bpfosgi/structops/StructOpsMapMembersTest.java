package org.bpfosgi.structops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.btf.CDeclCompiler;
import org.junit.jupiter.api.Test;

/**
 * StructOpsMap.members(): which members of a struct_ops type bpf_struct_ops_map_update_elem()
 * (v6.12) takes a program for, by btf_type_resolve_ptr(). The kernel's btf_type_skip_modifiers()
 * skips typedefs (btf_type_is_modifier() includes BTF_KIND_TYPEDEF), so a function pointer or the
 * module owner behind a typedef, or a const typedef, is recognised as such.
 */
class StructOpsMapMembersTest {
    private static final String HEADER = """
            struct module { int refcnt; };
            typedef int (*tdo_fn_t)(int a);
            typedef const tdo_fn_t tdo_cfn_t;
            typedef int tdo_proto_t(int a);
            typedef struct module *tdo_owner_t;
            typedef int tdo_int_t;
            struct tdo_ops {
                tdo_fn_t f;
                int (*g)(int a);
                tdo_cfn_t h;
                tdo_proto_t *p;
                tdo_int_t n;
                long *lp;
                char name[16];
                tdo_owner_t owner;
            };
            """;

    @Test
    void typedefedFunctionPointersAndOwnerAreRecognised() {
        Btf b = CDeclCompiler.compile("tdo.h", HEADER, null).btf();
        int id = b.findByNameKind("tdo_ops", BtfKind.STRUCT);
        List<StructOpsMap.Member> m = StructOpsMap.members(b, id);
        assertEquals(List.of("f", "g", "h", "p", "n", "lp", "name", "owner"), m.stream().map(StructOpsMap.Member::name).toList());
        assertEquals(List.of(true, true, true, true, false, false, false, false),
                m.stream().map(StructOpsMap.Member::funcPtr).toList(), m.toString());
        assertEquals(List.of(false, false, false, false, false, false, false, true),
                m.stream().map(StructOpsMap.Member::moduleOwner).toList(), m.toString());
        assertEquals(List.of(0, 8, 16, 24, 32, 40, 48, 64), m.stream().map(StructOpsMap.Member::offset).toList());
        assertEquals(List.of(8, 8, 8, 8, 4, 8, 16, 8), m.stream().map(StructOpsMap.Member::size).toList());
    }
}
