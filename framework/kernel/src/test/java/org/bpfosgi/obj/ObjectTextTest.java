package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.bpfosgi.prog.LoaderException;
import org.junit.jupiter.api.Test;

/** The object text: functions, subprograms, struct_ops variables, prog arrays, and errors located by line. */
class ObjectTextTest {
    static final String TEXT = """
            /* a comment
               over two lines */
            .license "GPL"
            # an asm comment between functions

            SEC(".text")
            subprog:
                r0 = 1
                exit

            SEC("struct_ops/test_epilogue")
            test_epilogue_subprog:
                call subprog
                exit

            SEC("?struct_ops/test_epilogue")
            spare:
                r0 = 0
                exit

            SEC("syscall")
            syscall_x:
            l0_%=:
                r0 = 0          // a C comment
                exit

            struct {
                __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
                __uint(max_entries, 1);
                __uint(key_size, sizeof(__u32));
                __array(values, void (void));
            } epilogue_map SEC(".maps") = {
                .values = {
                    [0] = (void *)&test_epilogue_subprog,
                }
            };

            SEC(".struct_ops.link")
            struct bpf_testmod_st_ops epilogue_subprog = {
                .test_epilogue = (void *)test_epilogue_subprog,
            };

            SEC(".struct_ops")
            struct bpf_testmod_st_ops___v2 legacy = { .test_prologue = (void *)spare };
            """;

    @Test
    void readsFunctionsMapsAndStructOpsVariables() {
        ObjectText o = ObjectText.parse(TEXT, "t.bpf");
        assertEquals("GPL", o.license());
        assertEquals(List.of("subprog", "test_epilogue_subprog", "spare", "syscall_x"),
                o.functions().stream().map(ObjectText.Function::name).toList());
        ObjectText.Function sub = o.functions().get(0);
        assertTrue(sub.isSubprog());
        assertEquals(7, sub.firstLine());
        ObjectText.Function spare = o.functions().get(2);
        assertFalse(spare.autoload());
        assertEquals("struct_ops/test_epilogue", spare.sec());
        assertEquals(List.of(sub), o.subprogsOf(o.functions().get(1)));
        assertEquals(List.of(), o.subprogsOf(o.functions().get(3)));

        assertEquals(1, o.maps().size());
        ObjectText.MapDef m = o.maps().get(0);
        assertEquals("epilogue_map", m.name());
        assertEquals("BPF_MAP_TYPE_PROG_ARRAY", m.fields().get("type"));
        assertEquals("sizeof(__u32)", m.fields().get("key_size"));
        assertTrue(m.hasValuesArray());
        assertEquals(Map.of(0, "test_epilogue_subprog"), m.slots());

        assertEquals(2, o.structOpsVars().size());
        ObjectText.StructOpsVar v = o.structOpsVars().get(0);
        assertEquals("bpf_testmod_st_ops", v.type());
        assertEquals("epilogue_subprog", v.name());
        assertTrue(v.link());
        assertEquals(Map.of("test_epilogue", "test_epilogue_subprog"), v.members());
        ObjectText.StructOpsVar legacy = o.structOpsVars().get(1);
        assertFalse(legacy.link());
        assertEquals("bpf_testmod_st_ops___v2", legacy.type());
    }

    /** Data members: a string and integers next to the function pointers (bpf_map__init_kern_struct_ops copies them). */
    @Test
    void structOpsDataMembersAreStringsAndIntegers() {
        ObjectText o = ObjectText.parse(String.join("\n",
                "SEC(\"struct_ops\")",
                "reno_ssthresh:",
                "    r0 = 2",
                "    exit",
                "SEC(\".struct_ops.link\")",
                "struct tcp_congestion_ops reno = {",
                "    .ssthresh = (void *)reno_ssthresh,",
                "    .name = \"bpf_reno\",   /* a comment */",
                "    .flags = 0x1,",
                "    .key = -1,",
                "};"), "t.bpf");
        ObjectText.StructOpsVar v = o.structOpsVars().get(0);
        assertEquals(Map.of("ssthresh", "reno_ssthresh"), v.members());
        assertEquals(List.of("name", "flags", "key"), List.copyOf(v.data().keySet()));
        assertEquals(new ObjectText.Str("bpf_reno"), v.data().get("name"));
        assertEquals(new ObjectText.Int(1), v.data().get("flags"));
        assertEquals(new ObjectText.Int(-1), v.data().get("key"));

        LoaderException twice = assertThrows(LoaderException.class, () -> ObjectText.parse(String.join("\n",
                "SEC(\".struct_ops.link\")",
                "struct tcp_congestion_ops reno = { .name = \"a\", .name = \"b\", };"), "t.bpf"));
        assertEquals("t.bpf:2: member 'name' is initialised twice", twice.getMessage());
    }

    @Test
    void theProgramTextKeepsLineNumbers() {
        ObjectText o = ObjectText.parse(TEXT, "t.bpf");
        String[] lines = ObjLoader.programText(o, o.functions().get(1)).split("\n", -1);
        assertEquals("test_epilogue_subprog:", lines[11].trim(), "line 12 of the file is line 12 of the program text");
        assertTrue(String.join("\n", lines).contains("subprog:\n    r0 = 1"), "the called subprogram is appended");
    }

    @Test
    void errorsNameTheLine() {
        LoaderException e = assertThrows(LoaderException.class, () -> ObjectText.parse("r0 = 0\nexit\n", "x.bpf"));
        assertEquals("x.bpf:1: code outside a function: put SEC(\"...\") and a label before it", e.getMessage());
        e = assertThrows(LoaderException.class, () -> ObjectText.parse("SEC(\"syscall\")\n  r0 = 0\n", "x.bpf"));
        assertTrue(e.getMessage().startsWith("x.bpf:2: a function starts with its name as a label"), e.getMessage());
        e = assertThrows(LoaderException.class, () -> ObjectText.parse("SEC(\".maps\")\nstruct { __uint(type, 3);\n", "x.bpf"));
        assertEquals("x.bpf:2: declaration does not end (with ';' after its braces)", e.getMessage());
        e = assertThrows(LoaderException.class, () -> ObjectText.parse("""
                SEC("syscall")
                f:
                  exit
                SEC("syscall")
                f:
                  exit
                """, "x.bpf"));
        assertEquals("x.bpf:5: function 'f' is defined twice", e.getMessage());
        e = assertThrows(LoaderException.class, () -> ObjectText.parse("struct foo bar = { .a = b };\n", "x.bpf"));
        assertTrue(e.getMessage().contains("is not in SEC(\".struct_ops\")"), e.getMessage());
    }
}
