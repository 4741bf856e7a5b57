package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.CDeclCompiler;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.MapTable;
import org.bpfosgi.structops.StructOpsKernel;
import org.junit.jupiter.api.Test;

/**
 * The model's BPF_MAP_CREATE answers for value BTF with kptr fields against the live kernel's,
 * recorded by {@code src/test/resources/kptr/map_create_golden.sh} (uname -r in the file). The
 * type with a kptr destructor is task_struct on the live kernel (no bpf_qdisc there) and sk_buff
 * in the model (bpf_kfree_skb_dtor, net/sched/bpf_qdisc.c v6.16); the type without one is Qdisc
 * on both.
 *
 * <p>A {@code __kptr} to a kernel type without a destructor fails already at BPF_BTF_LOAD
 * (btf_parse_struct_metas(), -ENOENT: {@link org.bpfosgi.verifier.BtfNewFd}); an unknown tag or
 * two tags are no kptr there, so the map is created with an ERR record (map_check_btf() ignores
 * btf_parse_fields() errors).
 */
class QdiscKptrMapCreateGoldenTest {
    private static final String NODTOR = "nodtor_kptr_fails_btf_load";

    private final QdiscMachine m = new QdiscMachine();
    private final StructOpsKernel k = new StructOpsKernel(m.pk, m.dmesg::add);

    private Map<String, String> golden() {
        Map<String, String> g = new LinkedHashMap<>();
        for (String line : QdiscMachine.resource("/kptr/map_create.golden").split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int sp = line.indexOf(' ');
                g.put(line.substring(0, sp), line.substring(sp + 1));
            }
        }
        return g;
    }

    /** The value struct of map_create_golden.c: {@code long a; struct T <tags> *p;}. */
    private String model(String name, String target, String tags, BpfMapType type, int keySize, int valueSize, int flags,
                         int keyKind, boolean valueType, boolean kernelBtf) {
        return model(name, "struct value { long a; struct " + target + " " + tags + " *p; };\n", type, keySize, valueSize,
                flags, keyKind, valueType, kernelBtf);
    }

    private String model(String name, String c, BpfMapType type, int keySize, int valueSize, int flags, int keyKind,
                         boolean valueType, boolean kernelBtf) {
        Btf b = CDeclCompiler.compile(name + ".c", c, m.btf.vmlinuxBtf()).btf();
        org.bpfosgi.verifier.BtfNewFd.Result lr = org.bpfosgi.verifier.BtfNewFd.load(m.pk.services(), name, b);
        if (!lr.ok()) {
            return "btf_load_failed " + -lr.err();
        }
        BtfObject prog = lr.btf();
        int intId = b.findByNameKind("int", BtfKind.INT);
        int valId = b.findByNameKind("value", BtfKind.STRUCT);
        MapTable.CreateResult r = k.maps().create(MapCreateAttr.of(type, "golden", keySize, valueSize, 2, flags)
                .withBtf(kernelBtf ? m.btf.vmlinux() : prog, keyKind == 1 ? intId : keyKind == 2 ? valId : 0,
                        valueType ? valId : 0));
        if (r.ok()) {
            k.maps().close(r.map().id());
        }
        return Integer.toString(-r.err());
    }

    @Test
    void theModelAnswersAsTheLiveKernel() {
        String kptr = "__attribute__((btf_type_tag(\"kptr\")))";
        String dtor = "sk_buff";
        Map<String, String> got = new LinkedHashMap<>();
        BpfMapType a = BpfMapType.ARRAY;
        got.put("dtor_kptr_array", model("c1", dtor, kptr, a, 4, 16, 0, 1, true, false));
        got.put("dtor_kptr_hash", model("c2", dtor, kptr, BpfMapType.HASH, 4, 16, 0, 1, true, false));
        got.put(NODTOR, model("c3", "Qdisc", kptr, a, 4, 16, 0, 1, true, false));
        got.put("bad_tag_created_err_record", model("c4", dtor, "__attribute__((btf_type_tag(\"kptr_foo\")))", a, 4, 16, 0,
                1, true, false));
        got.put("two_tags_created_err_record", model("c5", dtor, kptr + " " + kptr, a, 4, 16, 0, 1, true, false));
        got.put("untrusted_kptr", model("c6", dtor, "__attribute__((btf_type_tag(\"kptr_untrusted\")))", a, 4, 16, 0, 1,
                true, false));
        got.put("rdonly_prog_with_kptr", model("c7", dtor, kptr, a, 4, 16, MapCreateAttr.BPF_F_RDONLY_PROG, 1, true, false));
        got.put("wronly_prog_with_kptr", model("c8", dtor, kptr, a, 4, 16, MapCreateAttr.BPF_F_WRONLY_PROG, 1, true, false));
        got.put("value_size_mismatch", model("c9", dtor, kptr, a, 4, 24, 0, 1, true, false));
        got.put("key_size_mismatch", model("c10", dtor, kptr, a, 8, 16, 0, 1, true, false));
        got.put("array_key_not_int", model("c11", dtor, kptr, a, 16, 16, 0, 2, true, false));
        got.put("hash_without_key_type", model("c12", dtor, kptr, BpfMapType.HASH, 4, 16, 0, 0, true, false));
        got.put("array_without_key_type", model("c13", dtor, kptr, a, 4, 16, 0, 0, true, false));
        got.put("key_type_without_value_type", model("c14", dtor, kptr, a, 4, 16, 0, 1, false, false));
        got.put("kernel_btf_fd", model("c15", dtor, kptr, a, 4, 16, 0, 1, true, true));
        // map_check_btf()'s map types for kptr fields (v6.12): the per-cpu and LRU ones too
        String untrusted = "__attribute__((btf_type_tag(\"kptr_untrusted\")))";
        got.put("dtor_kptr_percpu_array", model("c16", dtor, kptr, BpfMapType.PERCPU_ARRAY, 4, 16, 0, 1, true, false));
        got.put("dtor_kptr_percpu_hash", model("c17", dtor, kptr, BpfMapType.PERCPU_HASH, 4, 16, 0, 1, true, false));
        got.put("dtor_kptr_lru_hash", model("c18", dtor, kptr, BpfMapType.LRU_HASH, 4, 16, 0, 1, true, false));
        got.put("dtor_kptr_lru_percpu_hash", model("c19", dtor, kptr, BpfMapType.LRU_PERCPU_HASH, 4, 16, 0, 1, true, false));
        got.put("dtor_kptr_lru_hash_no_common_lru", model("c20", dtor, kptr, BpfMapType.LRU_HASH, 4, 16,
                MapCreateAttr.BPF_F_NO_COMMON_LRU, 1, true, false));
        got.put("untrusted_kptr_percpu_array", model("c21", dtor, untrusted, BpfMapType.PERCPU_ARRAY, 4, 16, 0, 1, true,
                false));
        got.put("untrusted_kptr_lru_percpu_hash", model("c22", dtor, untrusted, BpfMapType.LRU_PERCPU_HASH, 4, 16, 0, 1,
                true, false));
        got.put("rdonly_prog_with_kptr_percpu_hash", model("c23", dtor, kptr, BpfMapType.PERCPU_HASH, 4, 16,
                MapCreateAttr.BPF_F_RDONLY_PROG, 1, true, false));
        got.put("percpu_array_key_not_int", model("c24", dtor, kptr, BpfMapType.PERCPU_ARRAY, 16, 16, 0, 2, true, false));
        got.put("prog_array_with_kptr_value", model("c25", dtor, kptr, BpfMapType.PROG_ARRAY, 4, 16, 0, 1, true, false));
        spellings(got);
        assertEquals(golden(), got);
        assertTrue(m.dmesg.stream().noneMatch(l -> l.contains("not modelled")), String.join("\n", m.dmesg));
    }

    private static final String KPTR = "__attribute__((btf_type_tag(\"kptr\")))";

    /**
     * The spellings of map_create_golden.c (btf_find_struct_field() / btf_find_field_one() /
     * btf_get_field_type() / btf_find_kptr(), kernel/bpf/btf.c v6.12): the tag's target through a
     * typedef or const is a kptr (btf_type_skip_modifiers() skips TYPEDEF too); a member whose type
     * is a typedef (of the tagged pointer, or of a struct holding one) is no field at map create,
     * though BPF_BTF_LOAD's btf_parse_struct_metas() still parses a struct whose member is the
     * tagged PTR itself. A kptr record shows as -EACCES with BPF_F_RDONLY_PROG; a kptr to a type
     * without destructor as BPF_BTF_LOAD's -ENOENT. Each C text is checked to give the BTF chain
     * the golden program builds with libbpf.
     */
    private void spellings(Map<String, String> got) {
        String[][] cases = {
            {"typedef_target", "typedef struct %s target_t;\nstruct value { long a; target_t " + KPTR + " *p; };\n",
                "PTR>TYPE_TAG>TYPEDEF>STRUCT"},
            {"const_target", "struct value { long a; const struct %s " + KPTR + " *p; };\n", "PTR>TYPE_TAG>CONST>STRUCT"},
            {"typedef_member", "typedef struct %s " + KPTR + " *tp;\nstruct value { long a; tp p; };\n",
                "TYPEDEF>PTR>TYPE_TAG>STRUCT"},
            {"volatile_ptr", "struct value { long a; struct %s " + KPTR + " * volatile p; };\n", "VOLATILE>PTR>TYPE_TAG>STRUCT"},
            {"nested_struct", "struct inner { struct %s " + KPTR + " *p; };\nstruct value { long a; struct inner in; };\n",
                "STRUCT"},
            {"typedef_nested_struct", "struct inner { struct %s " + KPTR + " *p; };\ntypedef struct inner inner_t;\n"
                + "struct value { long a; inner_t in; };\n", "TYPEDEF>STRUCT"},
        };
        int n = 0;
        for (String[] c : cases) {
            String dtorC = String.format(c[1], "sk_buff");
            assertEquals(c[2], chain(dtorC), c[0]);
            got.put(c[0] + "_rdonly_prog", model("s" + n++, dtorC, BpfMapType.ARRAY, 4, 16, MapCreateAttr.BPF_F_RDONLY_PROG, 1,
                    true, false));
            got.put(c[0] + "_nodtor", model("s" + n++, String.format(c[1], "Qdisc"), BpfMapType.ARRAY, 4, 16, 0, 1, true,
                    false));
        }
    }

    /** The kinds from struct value's second member's type down to the first struct. */
    private String chain(String c) {
        Btf b = CDeclCompiler.compile("chain.c", c, m.btf.vmlinuxBtf()).btf();
        org.bpfosgi.btf.BtfType.Composite v = (org.bpfosgi.btf.BtfType.Composite) b.type(b.findByNameKind("value",
                BtfKind.STRUCT));
        StringBuilder sb = new StringBuilder();
        int t = v.members().get(1).type();
        while (true) {
            BtfKind k = b.kind(t);
            sb.append(sb.length() == 0 ? "" : ">").append(k);
            if (k == BtfKind.STRUCT) {
                return sb.toString();
            }
            t = ((org.bpfosgi.btf.BtfType.Ref) b.type(t)).type();
        }
    }

    /**
     * Re-asks the live kernel (root, bpf() and cc with libbpf-dev needed; skipped otherwise) and
     * compares with the recording: the golden data still describes the kernel the build runs on.
     */
    @Test
    void theRecordingIsWhatTheLiveKernelSays() throws Exception {
        String out = LiveKptrProgram.run("/kptr/map_create_golden.c", o -> o.contains(" btf_load_failed 1\n"), "task_struct").out();
        String recorded = QdiscMachine.resource("/kptr/map_create.golden").replaceAll("(?m)^#.*\n", "");
        assertEquals(recorded, out);
    }
}
