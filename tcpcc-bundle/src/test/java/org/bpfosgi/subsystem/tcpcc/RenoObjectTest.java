package org.bpfosgi.subsystem.tcpcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.obj.BpfObject;
import org.bpfosgi.obj.ObjLoader;
import org.bpfosgi.obj.ObjectText;
import org.bpfosgi.structops.StructOpsKernel;
import org.junit.jupiter.api.Test;

/**
 * examples/tcp-cc/reno.bpf loaded as an object with its {@code .struct_ops.link} map: the
 * {@code .name} and {@code .flags} data members reach bpf_tcp_ca_init_member() through the map
 * value, the link registers "bpf_reno" on tcp_cong_list (tcp_register_congestion_control), and
 * the kernel's answers to an empty name (bpf_obj_name_cpy() == 0: -EINVAL) and to a second
 * registration of the same name (-EEXIST). The live 6.18 kernel gives the same answers for the
 * same object in C: src/test/live/reno_object.sh (registered; a second one EEXIST with "TCP:
 * bpf_reno2x already registered or non-unique key"; "" EINVAL; a 16-character name EINVAL).
 */
class RenoObjectTest {
    private static final Path RENO = Path.of("..", "examples", "tcp-cc", "reno.bpf");
    private final TcpCaMachine m = TcpCaMachine.builtin();
    private final StructOpsKernel k = new StructOpsKernel(m.pk, m.dmesg::add);

    private static String text() throws IOException {
        return Files.readString(RENO);
    }

    private BpfObject load(String text, String name) {
        return ObjLoader.load(ObjectText.parse(text, name + ".bpf"), name, null, k);
    }

    @Test
    void renoRegistersUnderItsNameAndUnregistersOnUnload() throws IOException {
        BpfObject o = load(text(), "reno");
        assertEquals(1, o.links().size());
        assertEquals(3, o.progs().size());
        assertTrue(m.tcpCa.availableCongestionControl().contains("bpf_reno"), m.tcpCa.availableCongestionControl().toString());
        ObjLoader.unload(o, k);
        assertFalse(m.tcpCa.availableCongestionControl().contains("bpf_reno"));
        assertTrue(k.maps().list().isEmpty(), "the map is freed");
    }

    @Test
    void anEmptyNameIsEinval() throws IOException {
        String text = text().replace(".name = \"bpf_reno\"", ".name = \"\"");
        ObjLoader.ObjLoadException e = assertThrows(ObjLoader.ObjLoadException.class, () -> load(text, "noname"));
        assertEquals(Errno.EINVAL.negative(), e.err(), e.lines().toString());
        assertTrue(k.maps().list().isEmpty(), "the failed load leaves nothing behind");
        assertFalse(m.tcpCa.availableCongestionControl().contains(""));
    }

    @Test
    void aNameThatFillsTheArrayHasNoNulAndIsEinval() throws IOException {
        String text = text().replace(".name = \"bpf_reno\"", ".name = \"bpf_reno_0123456\"");
        ObjLoader.ObjLoadException e = assertThrows(ObjLoader.ObjLoadException.class, () -> load(text, "full"));
        assertEquals(Errno.EINVAL.negative(), e.err(), e.lines().toString());
    }

    @Test
    void flagsOutsideTcpCongMaskAreEinval() throws IOException {
        String text = text().replace(".flags = 0", ".flags = 4");
        ObjLoader.ObjLoadException e = assertThrows(ObjLoader.ObjLoadException.class, () -> load(text, "flags"));
        assertEquals(Errno.EINVAL.negative(), e.err(), e.lines().toString());
    }

    @Test
    void aSecondMapWithTheSameNameIsEexist() throws IOException {
        BpfObject first = load(text(), "reno");
        ObjLoader.ObjLoadException e = assertThrows(ObjLoader.ObjLoadException.class, () -> load(text(), "reno2"));
        assertEquals(Errno.EEXIST.negative(), e.err(), e.lines().toString());
        assertEquals(List.of("map 'reno': failed to auto-attach: -17"), e.lines());
        assertTrue(m.dmesg.contains("bpf_reno already registered or non-unique key"), m.dmesg.toString());
        assertEquals(1, m.tcpCa.availableCongestionControl().stream().filter("bpf_reno"::equals).count());
        ObjLoader.unload(first, k);
    }

    @Test
    void aStringForAnIntegerMemberIsRefused() throws IOException {
        String text = text().replace(".flags = 0", ".flags = \"0\"");
        ObjLoader.ObjLoadException e = assertThrows(ObjLoader.ObjLoadException.class, () -> load(text, "bad"));
        assertEquals(List.of("struct_ops init_kern reno: member flags is not a char array: a string cannot initialise it"), e.lines());
    }
}
