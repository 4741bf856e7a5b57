package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Array and hash maps in the verifier (v6.12): bpf_map_lookup_elem()'s map_value_or_null, the
 * null check, check_map_access() with constant and variable offsets, pointer arithmetic on map
 * values, update/delete arguments, BPF_F_RDONLY_PROG; and the same programs run in the
 * interpreter against the maps' storage. Expected lines are the kernel's (verifier.c), several
 * of them recorded on the live kernel (differential corpus).
 */
class MapValueTest {
    private TestKernel k;
    private int array;
    private int hash;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
        array = k.createMap(MapCreateAttr.of(BpfMapType.ARRAY, "arr", 4, 48, 4, 0));
        hash = k.createMap(MapCreateAttr.of(BpfMapType.HASH, "h", 8, 16, 2, 0));
    }

    @AfterEach
    void noLeaks() {
        k.freeProgsAndAssertNoReferencesLeft();
    }

    private ProgLoadResult load(String body) {
        return k.load(RejectionTest.prog(body), Map.of("arr", array, "h", hash, "ro", ro()));
    }

    private int ro = -1;

    private int ro() {
        if (ro < 0) {
            ro = k.createMap(MapCreateAttr.of(BpfMapType.ARRAY, "ro", 4, 8, 1, MapCreateAttr.BPF_F_RDONLY_PROG));
        }
        return ro;
    }

    private void rejected(String body, Errno e, String line) {
        ProgLoadResult r = load(body);
        assertFalse(r.ok(), r.log());
        assertEquals(e, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains(line), "log lacks [" + line + "]:\n" + r.log());
    }

    /** r0 = lookup(arr, &(u32)0) */
    private static final String LOOKUP0 = """
            *(u32 *)(r10 -4) = 0
            r2 = r10
            r2 += -4
            r1 = arr ll
            call bpf_map_lookup_elem
            """;

    @Test
    void aLookupResultMustBeNullChecked() {
        rejected(LOOKUP0 + "r0 = *(u64 *)(r0 +0)\nexit", Errno.EACCES, "R0 invalid mem access 'map_value_or_null'");
        rejected(LOOKUP0 + "r0 += 8\nr0 = 0\nexit", Errno.EACCES,
                "R0 pointer arithmetic on map_value_or_null prohibited, null-check it first");
        ProgLoadResult r = load(LOOKUP0 + "if r0 == 0 goto out\nr0 = *(u64 *)(r0 +40)\nout:\nr0 = 0\nexit");
        assertTrue(r.ok(), r.log());
    }

    @Test
    void constantOffsetsOutsideTheValue() {
        rejected(LOOKUP0 + "if r0 == 0 goto out\nr1 = *(u64 *)(r0 +44)\nout:\nr0 = 0\nexit", Errno.EACCES,
                "invalid access to map value, value_size=48 off=44 size=8");
        rejected(LOOKUP0 + "if r0 == 0 goto out\nr0 += -8\nr1 = *(u64 *)(r0 +0)\nout:\nr0 = 0\nexit", Errno.EACCES,
                "invalid access to map value, value_size=48 off=-8 size=8");
        rejected(LOOKUP0 + "if r0 == 0 goto out\n*(u32 *)(r0 +48) = 1\nout:\nr0 = 0\nexit", Errno.EACCES,
                "invalid access to map value, value_size=48 off=48 size=4");
    }

    @Test
    void variableOffsetsAreCheckedAtBothEnds() {
        String idx = LOOKUP0 + "if r0 == 0 goto out\nr3 = *(u64 *)(r0 +0)\n";
        rejected(idx + "r3 &= 31\nr0 += r3\nr1 = *(u64 *)(r0 +16)\nout:\nr0 = 0\nexit", Errno.EACCES,
                "R0 max value is outside of the allowed memory range");
        ProgLoadResult r = load(idx + "r3 &= 31\nr0 += r3\nr1 = *(u64 *)(r0 +8)\nout:\nr0 = 0\nexit");
        assertTrue(r.ok(), r.log());
        rejected(idx + "w3 = w3\nr0 += r3\nr1 = *(u8 *)(r0 +0)\nout:\nr0 = 0\nexit", Errno.EACCES,
                "R0 unbounded memory access, make sure to bounds check any such access");
        rejected(idx + "r3 <<= 32\nr3 s>>= 32\nr0 += r3\nr1 = *(u8 *)(r0 +0)\nout:\nr0 = 0\nexit", Errno.EINVAL,
                "value -2147483648 makes map_value pointer be out of bounds");
        rejected(idx + "r3 &= 7\nr3 -= 4\nr0 += r3\nr1 = *(u8 *)(r0 +0)\nout:\nr0 = 0\nexit", Errno.EACCES,
                "R0 min value is negative, either use unsigned index or do a if (index >=0) check.");
    }

    @Test
    void mapArgumentsOfTheHelpers() {
        // the key must be key_size initialised bytes: a ctx pointer is not a key
        rejected("r2 = r1\nr1 = arr ll\ncall bpf_map_lookup_elem\nr0 = 0\nexit", Errno.EACCES,
                "R2 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_");
        // the hash key is 8 bytes: fp-4 gives only 4
        rejected("*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr1 = h ll\ncall bpf_map_lookup_elem\nr0 = 0\nexit",
                Errno.EINVAL, "invalid indirect access to stack R2 off=-4 size=8");
        // a map value can be the key (and the value) of another map
        ProgLoadResult r = load(LOOKUP0 + """
                if r0 == 0 goto out
                r2 = r0
                r3 = r0
                r1 = h ll
                r4 = 0
                call bpf_map_update_elem
                out:
                r0 = 0
                exit""");
        assertTrue(r.ok(), r.log());
        rejected("r1 = arr ll\nr2 = 0\ncall bpf_map_delete_elem\nr0 = 0\nexit", Errno.EACCES,
                "R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_");
        rejected("r1 = 0\nr2 = r10\ncall bpf_map_delete_elem\nr0 = 0\nexit", Errno.EACCES,
                "R1 type=scalar expected=map_ptr");
    }

    @Test
    void readOnlyProgMaps() {
        rejected("*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -16\n*(u64 *)(r10 -16) = 0\n"
                + "r1 = ro ll\nr4 = 0\ncall bpf_map_update_elem\nr0 = 0\nexit", Errno.EACCES, "write into map forbidden");
        rejected("*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr1 = ro ll\ncall bpf_map_lookup_elem\n"
                + "if r0 == 0 goto out\n*(u32 *)(r0 +0) = 1\nout:\nr0 = 0\nexit", Errno.EACCES,
                "write into map forbidden, value_size=8 off=0 size=4");
    }

    @Test
    void theInterpreterSeesTheMapsStorage() {
        // update h[7] = {5, 0}, look it up, add 1 through the pointer, look it up again, return the field
        ProgLoadResult r = load("""
                *(u64 *)(r10 -8) = 7
                *(u64 *)(r10 -24) = 5
                *(u64 *)(r10 -16) = 0
                r1 = h ll
                r2 = r10
                r2 += -8
                r3 = r10
                r3 += -24
                r4 = 0
                call bpf_map_update_elem
                r1 = h ll
                r2 = r10
                r2 += -8
                call bpf_map_lookup_elem
                if r0 == 0 goto miss
                r1 = *(u64 *)(r0 +0)
                r1 += 1
                *(u64 *)(r0 +0) = r1
                r1 = h ll
                r2 = r10
                r2 += -8
                call bpf_map_lookup_elem
                if r0 == 0 goto miss
                r0 = *(u64 *)(r0 +0)
                exit
                miss:
                r0 = 99
                exit""");
        assertTrue(r.ok(), r.log());
        Outcome o = k.runOnRuntime(r.prog());
        assertEquals(6, ((Exit) o).r0(), o.toString());
        // the value is there for user space too
        byte[] key = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(7).array();
        var h = (org.bpfosgi.structops.HtabMap) k.runtime().maps().get(hash).orElseThrow();
        assertEquals(6, java.nio.ByteBuffer.wrap(h.lookupUser(key)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
        // an array lookup past max_entries is NULL; a delete of an array element -EINVAL
        ProgLoadResult past = load("""
                *(u32 *)(r10 -4) = 4
                r2 = r10
                r2 += -4
                r1 = arr ll
                call bpf_map_lookup_elem
                if r0 == 0 goto null
                r0 = 1
                exit
                null:
                r1 = arr ll
                r2 = r10
                r2 += -4
                call bpf_map_delete_elem
                exit""");
        assertTrue(past.ok(), past.log());
        assertEquals(-22, ((Exit) k.runOnRuntime(past.prog())).r0());
    }

    /** The program with its first ld_imm64 turned into BPF_PSEUDO_MAP_VALUE at {@code off} (libbpf's global data relocation). */
    private ProgLoadResult loadValue(String body, int off) {
        BpfProgLoadAttr a = k.attr(RejectionTest.prog(body), Map.of("arr", array, "h", hash, "ro", ro()));
        java.util.List<org.bpfosgi.isa.Insn> insns = new java.util.ArrayList<>(a.insns());
        for (int i = 0; i < insns.size(); i++) {
            if (insns.get(i).isLdImm64() && insns.get(i).src() == org.bpfosgi.isa.Bpf.BPF_PSEUDO_MAP_FD) {
                insns.set(i, insns.get(i).withSrc(org.bpfosgi.isa.Bpf.BPF_PSEUDO_MAP_VALUE));
                insns.set(i + 1, insns.get(i + 1).withImm(off));
                break;
            }
        }
        return k.progs.load(a.withInsns(insns).withLogLevel(2));
    }

    @Test
    void directValueAccess() {
        ProgLoadResult r = loadValue("r1 = ro ll\nr0 = *(u32 *)(r1 +0)\nexit", 4);
        assertTrue(r.ok(), r.log());
        // the assembler's NAME + OFF form is the same load
        ProgLoadResult t = load("r1 = ro + 4 ll\nr0 = *(u32 *)(r1 +0)\nexit");
        assertTrue(t.ok(), t.log());
        assertEquals(r.prog().insns(), t.prog().insns());
        // bpf_insn_prepare_dump(): the value's address becomes the map id and the offset, as bpftool prints them
        java.util.List<org.bpfosgi.isa.Insn> dump = t.prog().prepareDump();
        assertEquals(ro(), dump.get(0).imm());
        assertEquals(4, dump.get(1).imm());
        assertEquals("r1 = map[id:" + ro() + "][0]+4", org.bpfosgi.isa.Disassembler.xlated(dump.get(0), dump.get(1),
                org.bpfosgi.isa.Disassembler.bpftool(id -> id)).replaceFirst("^\\(18\\) ", ""));
        assertTrue(r.log().contains("R1=map_value(map=ro,ks=4,vs=8,off=4)"), r.log());
        r = loadValue("r1 = ro ll\nr0 = *(u64 *)(r1 +0)\nexit", 4);
        assertEquals(Errno.EACCES, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("invalid access to map value, value_size=8 off=4 size=8"), r.log());
        // only single-element arrays have map_direct_value_addr() succeed
        r = loadValue("r1 = arr ll\nr0 = 0\nexit", 0);
        assertEquals(Errno.ENOTSUPP, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("invalid access to map value pointer, value_size=48 off=0"), r.log());
        r = loadValue("r1 = ro ll\nr0 = 0\nexit", 8);
        assertEquals(Errno.EINVAL, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("invalid access to map value pointer, value_size=8 off=8"), r.log());
        r = loadValue("r1 = ro ll\nr0 = 0\nexit", 1 << 29);
        assertTrue(r.log().contains("direct value offset of 536870912 is not allowed"), r.log());
        r = loadValue("r1 = h ll\nr0 = 0\nexit", 0);
        assertTrue(r.log().contains("no direct value access support for this map type"), r.log());
    }

    /** .rodata holding the u32 7 at offset 4, created as libbpf does, frozen or not. */
    private int rodata(boolean freeze) {
        byte[] v = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(4, 7).array();
        var c = k.runtime().maps().createGlobalData("t.rodata", 8, v,
                MapCreateAttr.BPF_F_RDONLY_PROG | MapCreateAttr.BPF_F_MMAPABLE, freeze);
        assertTrue(c.ok(), String.valueOf(c.err()));
        return c.map().id();
    }

    /** A read of .rodata+4 that must be 7, or an uninitialised R2 is read. */
    private ProgLoadResult loadRodataRead(int fd) {
        BpfProgLoadAttr a = k.attr(RejectionTest.prog("r1 = rodata ll\nr0 = *(u32 *)(r1 +0)\nif r0 == 7 goto ok\nr0 = r2\nok:\nexit"),
                Map.of("rodata", fd));
        java.util.List<org.bpfosgi.isa.Insn> insns = new java.util.ArrayList<>(a.insns());
        insns.set(0, insns.get(0).withSrc(org.bpfosgi.isa.Bpf.BPF_PSEUDO_MAP_VALUE));
        insns.set(1, insns.get(1).withImm(4));
        return k.progs.load(a.withInsns(insns).withLogLevel(2));
    }

    @Test
    void frozenReadOnlyGlobalDataIsReadAsConstants() {
        ProgLoadResult r = loadRodataRead(rodata(true));
        assertTrue(r.ok(), r.log());
        assertTrue(r.log().contains("R0=7"), r.log());
        // not frozen: the value may still change, so it is an unknown scalar and the other branch is explored
        r = loadRodataRead(rodata(false));
        assertEquals(Errno.EACCES, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("R2 !read_ok"), r.log());
        // writes into a read-only program map are refused
        int fd = rodata(true);
        BpfProgLoadAttr a = k.attr(RejectionTest.prog("r1 = rodata ll\n*(u32 *)(r1 +0) = 1\nr0 = 0\nexit"), Map.of("rodata", fd));
        java.util.List<org.bpfosgi.isa.Insn> insns = new java.util.ArrayList<>(a.insns());
        insns.set(0, insns.get(0).withSrc(org.bpfosgi.isa.Bpf.BPF_PSEUDO_MAP_VALUE));
        r = k.progs.load(a.withInsns(insns));
        assertEquals(Errno.EACCES, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("write into map forbidden, value_size=8 off=0 size=4"), r.log());
        // user space cannot write a frozen map, nor freeze it twice
        assertEquals(Errno.EPERM.negative(), k.runtime().maps().update(fd, new byte[4], new byte[8], 0));
        assertEquals(Errno.EPERM.negative(), k.runtime().maps().freeze(fd));
    }
}
