package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.obj.elf.ElfObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * libbpf 1.5 bpf_object__resolve_externs(): which of several unresolvable externs an object load
 * reports, and with which errno, compared with the live kernel's libbpf for the same objects
 * (src/test/bpf/elf-loader/extern_order*.c; live/OBJ.live.txt by record-live.sh): a strong
 * missing kfunc (step 4, -EINVAL) before a strong CONFIG_ no Kconfig sets (step 5, -ESRCH),
 * whatever their declaration order; an unknown strong LINUX_ virtual extern before both (step 1);
 * the CONFIG_ when the kfunc is weak. Nothing is created before the externs are resolved.
 */
class ResolveExternsTest {
    private static List<String> golden(String n) {
        try (InputStream in = ResolveExternsTest.class.getResourceAsStream("/org/bpfosgi/obj/elf/live/" + n + ".live.txt")) {
            List<String> out = new ArrayList<>();
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!l.startsWith("#")) {
                    out.add(l);
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"extern_order", "extern_order_virtual", "extern_order_config"})
    void theFirstExternLibbpfReportsAndItsErrno(String n) {
        ObjKernel k = new ObjKernel();
        ElfObject e = ElfObject.open(ElfObjLoadTest.obj(n + ".o"));
        ObjLoader.ObjLoadException x = assertThrows(ObjLoader.ObjLoadException.class,
                () -> ObjLoader.load(e.toOpened(), e.name(), null, k.sk));
        List<String> g = golden(n);
        String load = g.stream().filter(l -> l.startsWith("load: ")).findFirst().orElseThrow();
        assertEquals(load, "load: " + x.err());
        // libbpf's lines before its summary "failed to load object '%s'" (which obj load words itself)
        List<String> want = g.stream().filter(l -> l.startsWith("libbpf: ") && !l.startsWith("libbpf: failed to load object"))
                .map(l -> l.substring("libbpf: ".length())).toList();
        assertEquals(want, x.lines());
        assertEquals(List.of(), k.sk.maps().list(), "no map is created before the externs are resolved");
        assertEquals(List.of(), k.pk.progs().list(), "no program either");
    }
}
