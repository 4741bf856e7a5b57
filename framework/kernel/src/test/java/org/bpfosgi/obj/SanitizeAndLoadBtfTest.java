package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.CDeclCompiler;
import org.junit.jupiter.api.Test;

/**
 * libbpf 1.5 bpf_object__sanitize_and_load_btf() when BPF_BTF_LOAD refuses the object's BTF (a
 * {@code __kptr} to sk_buff, which has no destructor in the model's v6.12 vmlinux:
 * btf_parse_struct_metas() -ENOENT): "BTF loading error: -2", then an object without struct_ops
 * goes on without BTF ("BTF is optional, ignoring.") and one with struct_ops fails ("BTF is
 * mandatory, can't proceed."). An object without BTF (the object text) loads none.
 */
class SanitizeAndLoadBtfTest {
    private static final String NO_DTOR = "struct value { long a; struct sk_buff __attribute__((btf_type_tag(\"kptr\"))) *p; };";

    private static OpenedObject opened(Btf btf, boolean structOps) {
        List<ObjectText.StructOpsVar> st = structOps
                ? List.of(new ObjectText.StructOpsVar(".struct_ops.link", "bpf_testmod_st_ops", "st_ops", Map.of(), Map.of(), 0))
                : List.of();
        return new OpenedObject("x.o", "GPL", List.of(), st, List.of(), List.of(), (f, a, k, m) -> null, btf, Map.of(),
                k -> Map.of());
    }

    @Test
    void refusedAndOptional() {
        ObjKernel k = new ObjKernel();
        Btf b = CDeclCompiler.compile("x.c", NO_DTOR, ObjKernel.VMLINUX.btf()).btf();
        List<String> log = new ArrayList<>();
        assertNull(SanitizeAndLoadBtf.load(opened(b, false), "x", k.sk, log));
        assertEquals(List.of("BTF loading error: -2", "Error loading .BTF into kernel: -2. BTF is optional, ignoring."), log);
    }

    @Test
    void refusedAndMandatoryWithStructOps() {
        ObjKernel k = new ObjKernel();
        Btf b = CDeclCompiler.compile("x.c", NO_DTOR, ObjKernel.VMLINUX.btf()).btf();
        List<String> log = new ArrayList<>();
        ObjLoader.ObjLoadException e = assertThrows(ObjLoader.ObjLoadException.class,
                () -> SanitizeAndLoadBtf.load(opened(b, true), "x", k.sk, log));
        assertEquals(-2, e.err());
        assertEquals(List.of("Error loading .BTF into kernel: -2. BTF is mandatory, can't proceed."), e.lines());
        assertEquals(List.of("BTF loading error: -2"), log);
    }

    @Test
    void loadedWhenTheKernelTakesIt() {
        ObjKernel k = new ObjKernel();
        Btf b = CDeclCompiler.compile("x.c", "struct value { long a; };", ObjKernel.VMLINUX.btf()).btf();
        List<String> log = new ArrayList<>();
        assertNotNull(SanitizeAndLoadBtf.load(opened(b, true), "x", k.sk, log));
        assertEquals(List.of(), log);
        assertNull(SanitizeAndLoadBtf.load(opened(null, true), "x", k.sk, log), "no BTF: nothing to load");
    }
}
