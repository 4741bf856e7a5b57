package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.structops.BpfMap;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.MapTable;
import org.bpfosgi.structops.StructOpsMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * struct_ops maps and the references they hold: the module reference of a map
 * of a module type, the programs a registered map holds, bpf_testmod's one registration at a
 * time, the map update's checks, rmmod while a map exists, and a forced unload under a
 * registered map.
 */
class StructOpsMapTest {
    private ObjKernel k;

    @BeforeEach
    void boot() {
        k = new ObjKernel().withTestmod();
    }

    /** test_prologue under upstream: the prologue's a += 1000, then the body's a += 10 (inc10), a += 1 (subprog), return a. */
    private long prologueRetval() {
        return 1011;
    }

    @Test
    void loadCreatesTheMapRegistersItAndTheMapHoldsTheModule() throws Exception {
        ObjKernel.Out r = k.run("obj", "load", ObjKernel.PROGS.resolve("pro_epilogue.bpf").toString());
        assertTrue(r.ok(), r.toString());
        assertEquals("""
                map 1 pro_epilogue
                prog 1 test_prologue
                prog 2 test_epilogue
                prog 3 test_pro_epilogue
                prog 4 syscall_prologue
                prog 5 syscall_epilogue
                prog 6 syscall_pro_epilogue
                link 1 pro_epilogue
                """, r.out());
        StructOpsMap m = (StructOpsMap) k.sk.maps().get(1).orElseThrow();
        assertEquals(StructOpsMap.State.READY, m.state());
        assertEquals(MapCreateAttr.BPF_F_LINK | MapCreateAttr.BPF_F_VTYPE_BTF_OBJ_FD, m.attr().flags());
        assertEquals(40, m.attr().valueSize(), "sizeof(struct bpf_struct_ops_bpf_testmod_st_ops)");
        assertEquals(1, k.testmod.holders().get("struct_ops map 1 (pro_epilogue)"));
        assertEquals(7, k.testmod.refcount(), "the map and the six programs' kfunc_btf_tab");
        assertEquals("1: struct_ops  map_id 1\n", k.run("link", "show").out());
        assertEquals("1: pro_epilogue    bpf_testmod_st_ops              \n", k.run("struct_ops", "show").out());
        // bpf_struct_ops_map_sys_lookup_elem(): common (refcnt 0, state READY = 3), then the program ids
        assertEquals("""
                key: 00 00 00 00  value:
                00 00 00 00 03 00 00 00 01 00 00 00 00 00 00 00
                02 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00
                00 00 00 00 00 00 00 00
                Found 1 element
                """, k.run("map", "dump", "id", "1").out());

        assertEquals(prologueRetval(), k.retval(4));

        ModuleTable.DeleteResult rm = k.modules.deleteModule("bpf_testmod", 0);
        assertEquals(Errno.EWOULDBLOCK.negative(), rm.ret());
        assertTrue(k.run("obj", "unload").ok());
        assertTrue(k.sk.maps().list().isEmpty());
        assertTrue(k.pk.progs().list().isEmpty());
        assertTrue(k.sk.links().list().isEmpty());
        assertEquals(0, k.testmod.refcount(), k.testmod.holders().toString());
        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
    }

    @Test
    void aRegisteredMapHoldsItsProgramsAndTheModuleAfterTheUserFreedEveryProgram() throws Exception {
        BpfObject o = k.loadObject("pro_epilogue", ObjKernel.example("pro_epilogue.bpf"), null);
        for (BpfProg p : o.progs().values()) {
            assertTrue(k.run("prog", "free", "id", Integer.toString(p.id())).ok());
        }
        // the syscall programs are gone; the three struct_ops programs live on in the map's links
        assertEquals(List.of(1, 2, 3), k.pk.progs().list().stream().map(BpfProg::id).toList());
        assertEquals(Errno.EBADF.negative(), k.pk.progs().free(1), "the user's reference is gone");
        assertEquals(Map.of("struct_ops map 1 (pro_epilogue)", 1, "prog 1 (test_prologue) kfunc_btf_tab off 1", 1,
                "prog 2 (test_epilogue) kfunc_btf_tab off 1", 1, "prog 3 (test_pro_epilog) kfunc_btf_tab off 1", 1),
                k.testmod.holders());
        assertEquals(Errno.EWOULDBLOCK.negative(), k.modules.deleteModule("bpf_testmod", 0).ret());

        // the link goes: unregistered, but the user's map reference still holds everything
        assertTrue(k.run("link", "free", "id", "1").ok());
        assertEquals(StructOpsMap.State.READY, ((StructOpsMap) k.sk.maps().get(1).orElseThrow()).state());
        assertEquals(4, k.testmod.refcount());
        // the map goes: module_put, then its programs
        assertTrue(k.run("map", "free", "id", "1").ok());
        assertTrue(k.pk.progs().list().isEmpty());
        assertEquals(0, k.testmod.refcount(), k.testmod.holders().toString());
        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
    }

    @Test
    void aSecondRegistrationIsEexistAndLeavesNothingBehind() throws Exception {
        String text = ObjKernel.example("pro_epilogue.bpf");
        assertTrue(k.load("first", text).ok());
        int maps = k.sk.maps().list().size();
        int progs = k.pk.progs().list().size();
        Map<String, Integer> holders = k.testmod.holders();
        int dmesg = k.dmesg.size();

        ObjKernel.Out second = k.load("second", text);
        assertEquals(1, second.status());
        assertTrue(second.err().contains("libbpf: map 'pro_epilogue': failed to auto-attach: -17"), second.err());
        assertTrue(second.err().contains("Error: failed to load object file: -EEXIST (File exists)"), second.err());
        assertEquals("st_ops has already been registered", k.dmesg.get(dmesg), "bpf_testmod's pr_err()");
        assertEquals(maps, k.sk.maps().list().size());
        assertEquals(progs, k.pk.progs().list().size());
        assertEquals(holders, k.testmod.holders());
        assertEquals(1, k.sk.links().list().size());
        assertEquals("first: map 1 pro_epilogue, prog 1 test_prologue, prog 2 test_epilogue, prog 3 test_pro_epilogue, "
                + "prog 4 syscall_prologue, prog 5 syscall_epilogue, prog 6 syscall_pro_epilogue, link 1 pro_epilogue\n",
                k.run("obj", "show").out());
        // the first registration is intact
        assertEquals(prologueRetval(), k.retval(4));
    }

    @Test
    void theTestKfuncsReturnMinusOneWithoutARegistration() throws Exception {
        ObjKernel.Out r = k.load("pro_epilogue", ObjKernel.example("pro_epilogue.bpf"), "autoattach", "none");
        assertTrue(r.ok(), r.toString());
        assertFalse(r.out().contains("link"), "nothing attached");
        assertEquals(StructOpsMap.State.INIT, ((StructOpsMap) k.sk.maps().get(1).orElseThrow()).state());
        for (String p : List.of("syscall_prologue", "syscall_epilogue", "syscall_pro_epilogue")) {
            assertEquals(0xffffffffL, k.retval(ObjKernel.id(r, "prog", p)), p + ": (u32)-1");
        }
    }

    @Test
    void creatingAMapWhileTheModuleIsGoingIsEinvalAndLeavesNothing() {
        int valueId = k.testmodBtf.btf().findByNameKind("bpf_struct_ops_bpf_testmod_st_ops", org.bpfosgi.btf.api.BtfKind.STRUCT);
        MapCreateAttr attr = new MapCreateAttr(org.bpfosgi.structops.BpfMapType.STRUCT_OPS, "m", 4, 40, 1,
                MapCreateAttr.BPF_F_VTYPE_BTF_OBJ_FD, k.testmodBtf, valueId);
        assertTrue(k.modules.beginForcedUnload(k.testmod, "test: the module is GOING"));
        assertEquals(ModuleState.GOING, k.testmod.state());
        MapTable.CreateResult r = k.sk.maps().create(attr);
        assertEquals(Errno.EINVAL.negative(), r.err(), "btf_try_get_module() fails");
        assertTrue(k.sk.maps().list().isEmpty());
        assertTrue(k.testmod.holders().isEmpty(), k.testmod.holders().toString());
        k.modules.completeForcedUnload(k.testmod);
    }

    @Test
    void mapCreateChecks() {
        int valueId = k.testmodBtf.btf().findByNameKind("bpf_struct_ops_bpf_testmod_st_ops", org.bpfosgi.btf.api.BtfKind.STRUCT);
        int typeId = k.testmodBtf.btf().findByNameKind("bpf_testmod_st_ops", org.bpfosgi.btf.api.BtfKind.STRUCT);
        record Case(MapCreateAttr attr, Errno errno) {
        }
        var so = org.bpfosgi.structops.BpfMapType.STRUCT_OPS;
        int fd = MapCreateAttr.BPF_F_VTYPE_BTF_OBJ_FD;
        for (Case c : List.of(
                new Case(new MapCreateAttr(so, "m", 8, 40, 1, fd, k.testmodBtf, valueId), Errno.EINVAL),     // key_size
                new Case(new MapCreateAttr(so, "m", 4, 40, 2, fd, k.testmodBtf, valueId), Errno.EINVAL),     // max_entries
                new Case(new MapCreateAttr(so, "m", 4, 40, 1, fd | 1, k.testmodBtf, valueId), Errno.EINVAL), // flags
                new Case(new MapCreateAttr(so, "m", 4, 40, 1, fd, k.testmodBtf, 0), Errno.EINVAL),           // no value type
                new Case(new MapCreateAttr(so, "m", 4, 40, 1, fd, k.pk.btfs().vmlinux(), valueId), Errno.EINVAL), // not a module BTF
                new Case(new MapCreateAttr(so, "m", 4, 40, 1, 0, null, valueId), Errno.ENOTSUPP),            // not in vmlinux
                new Case(new MapCreateAttr(so, "m", 4, 40, 1, fd, k.testmodBtf, typeId), Errno.ENOTSUPP),    // not a value type
                new Case(new MapCreateAttr(so, "m", 4, 48, 1, fd, k.testmodBtf, valueId), Errno.EINVAL),     // value_size
                new Case(new MapCreateAttr(so, "m-1", 4, 40, 1, fd, k.testmodBtf, valueId), Errno.EINVAL))) { // name
            MapTable.CreateResult r = k.sk.maps().create(c.attr());
            assertEquals(c.errno().negative(), r.err(), c.toString());
            assertTrue(k.testmod.holders().isEmpty(), c + ": " + k.testmod.holders());
        }
        MapTable.CreateResult ok = k.sk.maps().create(new MapCreateAttr(so, "m", 4, 40, 1, fd, k.testmodBtf, valueId));
        assertEquals(1, ok.map().id(), "failed creates give their ids back");
    }

    @Test
    void mapUpdateChecksEachProgramAgainstItsMember() throws Exception {
        BpfObject o = k.loadObject("pro_epilogue", ObjKernel.example("pro_epilogue.bpf"), Set.of());
        StructOpsMap m = (StructOpsMap) o.map("pro_epilogue");
        int syscall = o.prog("syscall_prologue").id();
        int prologue = o.prog("test_prologue").id();
        int epilogue = o.prog("test_epilogue").id();
        java.util.function.BiFunction<Integer, Long, byte[]> value = (off, v) -> {
            byte[] b = new byte[40];
            java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(8 + off, v);
            return b;
        };
        assertEquals(Errno.EINVAL.negative(), m.update(0, value.apply(0, (long) syscall), 0), "not a struct_ops program");
        assertEquals(Errno.EINVAL.negative(), m.update(0, value.apply(0, (long) epilogue), 0), "expected_attach_type is member 1");
        assertEquals(Errno.EBADF.negative(), m.update(0, value.apply(0, 99L), 0), "no such program");
        assertEquals(Errno.EINVAL.negative(), m.update(0, value.apply(24, 1L), 0), "owner must be NULL");
        assertEquals(Errno.EINVAL.negative(), m.update(0, value.apply(-8, 1L), 0), "common.refcnt must be 0");
        assertEquals(Errno.E2BIG.negative(), m.update(1, value.apply(0, (long) prologue), 0));
        assertEquals(Errno.EINVAL.negative(), m.update(0, value.apply(0, (long) prologue), 1));
        assertEquals(StructOpsMap.State.INIT, m.state());
        assertEquals(List.of(1, 2, 3, 4, 5, 6).size(), k.pk.progs().list().size());
        assertTrue(k.pk.progs().list().stream().allMatch(p -> p.refcnt() == 1), "failed updates put their programs");

        assertEquals(0, m.update(0, value.apply(0, (long) prologue), 0));
        assertEquals(StructOpsMap.State.READY, m.state());
        assertEquals(2, o.prog("test_prologue").refcnt());
        assertEquals(Errno.EBUSY.negative(), m.update(0, value.apply(0, (long) prologue), 0), "once only");
        assertEquals(Errno.EOPNOTSUPP.negative(), m.delete(0), "a link map is unregistered by its link");
        assertTrue(k.run("struct_ops", "unregister", "id", "1").err()
                .contains("Error: can't unload bpf_testmod_st_ops pro_epilogue id 1: Operation not supported"));
    }

    static final String LEGACY = """
            .license "GPL"
            SEC("struct_ops/test_prologue")
            legacy_prologue:
                r0 = 7
                exit
            SEC(".struct_ops")
            struct bpf_testmod_st_ops legacy = {
                .test_prologue = (void *)legacy_prologue,
            };
            SEC("syscall")
            run_it:
                r1 = 0
                *(u64 *)(r10 -8) = r1
                r1 = r10
                r1 += -8
                call bpf_kfunc_st_ops_test_prologue
                exit
            """;

    @Test
    void aLegacyStructOpsMapIsRegisteredByItsUpdateAndUnregisteredByDelete() throws Exception {
        ObjKernel.Out r = k.load("legacy", LEGACY);
        assertTrue(r.ok(), r.toString());
        assertFalse(r.out().contains("link"));
        StructOpsMap m = (StructOpsMap) k.sk.maps().get(1).orElseThrow();
        assertEquals(StructOpsMap.State.INUSE, m.state());
        assertEquals(2, m.refcnt(), "the user's and the registration's");
        int run = ObjKernel.id(r, "prog", "run_it");
        assertEquals(7, k.retval(run), "legacy_prologue returns 7 (a prologue's a += 1000 would not change r0)");
        assertEquals("Unregistered bpf_testmod_st_ops legacy id 1\n", k.run("struct_ops", "unregister", "id", "1").out());
        assertEquals(0xffffffffL, k.retval(run));
        assertEquals(StructOpsMap.State.TOBEFREE, m.state());
        ObjKernel.Out again = k.run("struct_ops", "unregister", "id", "1");
        assertEquals("Error: can't unload bpf_testmod_st_ops legacy id 1: Operation now in progress\n", again.err(), "-EINPROGRESS");
        assertTrue(k.run("obj", "unload").ok());
        assertEquals(0, k.testmod.refcount(), k.testmod.holders().toString());
        assertTrue(m.isFreed());
    }

    @Test
    void aForcedUnloadUnderARegisteredMapIsADetectedUseAfterFree() throws Exception {
        ObjKernel.Out r = k.load("pro_epilogue", ObjKernel.example("pro_epilogue.bpf"));
        assertTrue(r.ok(), r.toString());
        ModuleTable.DeleteResult rm = k.modules.deleteModule("bpf_testmod", ModuleTable.O_TRUNC);
        assertTrue(rm.ok() && rm.forced(), rm.toString());
        assertTrue(k.testmod.isFreed());

        ObjKernel.Out run = k.run("prog", "run", "id", Integer.toString(ObjKernel.id(r, "prog", "syscall_prologue")));
        assertEquals(1, run.status());
        assertTrue(run.err().contains("the kernel oopsed"), run.err());
        assertTrue(run.err().contains("use after free: bpf_kfunc_st_ops_test_prologue of module bpf_testmod was unloaded"), run.err());
        assertTrue(k.dmesg.stream().anyMatch(l -> l.startsWith("BUG: function failed in prog 4 (syscall_prologu)")), k.dmesg.toString());
        assertTrue(k.dmesg.stream().anyMatch(l -> l.equals("Modules linked in: [last unloaded: bpf_testmod]")), k.dmesg.toString());

        // the machine keeps running: the views work, and the unload's unreg is the next use after free
        assertTrue(k.run("struct_ops", "show").ok());
        assertTrue(k.testmod.useAfterFreeReports().isEmpty());
        assertTrue(k.run("obj", "unload").ok());
        List<String> uaf = k.testmod.useAfterFreeReports();
        assertEquals("st_ops->unreg (bpf_testmod_st_ops) after the module was freed", uaf.get(0), uaf.toString());
        assertTrue(uaf.contains("module_put by struct_ops map 1 (pro_epilogue) after the module was freed"), uaf.toString());
        assertTrue(k.sk.maps().list().isEmpty());
        assertTrue(k.pk.progs().list().isEmpty());
    }

    @Test
    void runChecks() throws Exception {
        ObjKernel.Out r = k.load("pro_epilogue", ObjKernel.example("pro_epilogue.bpf"));
        String sys = Integer.toString(ObjKernel.id(r, "prog", "syscall_prologue"));
        assertEquals("Error: failed to run program: Invalid argument\n", k.run("prog", "run", "id", sys, "repeat", "1").err(),
                "bpf_prog_test_run_syscall() refuses repeat (bpftool always passes 1)");
        assertEquals("Error: failed to run program: Operation not supported\n", k.run("prog", "run", "id", "1").err(),
                "bpf_struct_ops_test_run() runs bpf_dummy_ops programs only");
        assertEquals("Error: get by id (99): No such file or directory\n", k.run("prog", "run", "id", "99").err());
        assertNotEquals(0, k.run("prog", "run", "id", sys, "ctx_in", "zz").status());
        ObjKernel.Out ok = k.run("prog", "run", "id", sys, "ctx_in", "0102");
        assertEquals("ctx_out: 01 02\nReturn value: " + prologueRetval() + ", duration: 0ns\n", ok.out(),
                "a program that does not read its ctx takes any ctx_size_in");
    }

    @Test
    void structOpsRegisterPrintsBpftoolsLines() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("reg");
        java.nio.file.Path link = dir.resolve("pro_epilogue.bpf");
        java.nio.file.Files.writeString(link, ObjKernel.example("pro_epilogue.bpf"));
        assertEquals("Registered bpf_testmod_st_ops pro_epilogue map id 1 link id 1\n",
                k.run("struct_ops", "register", link.toString()).out());
        assertTrue(k.run("obj", "unload", "pro_epilogue").ok());
        java.nio.file.Path legacy = dir.resolve("legacy.bpf");
        java.nio.file.Files.writeString(legacy, LEGACY);
        assertEquals("Registered bpf_testmod_st_ops legacy id 2\n", k.run("struct_ops", "register", legacy.toString()).out());
    }

    @Test
    void theTestKfuncsAreForSleepableProgramsOnly() throws Exception {
        ObjKernel.Out r = k.load("bad", """
                .license "GPL"
                SEC("struct_ops/test_prologue")
                nested:
                    r1 = *(u64 *)(r1 +0)
                    call bpf_kfunc_st_ops_test_prologue
                    exit
                SEC(".struct_ops.link")
                struct bpf_testmod_st_ops bad = { .test_prologue = (void *)nested };
                """);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("program must be sleepable to call sleepable kfunc bpf_kfunc_st_ops_test_prologue"), r.err());
        assertTrue(r.err().contains("libbpf: prog 'nested': failed to load: -13"), r.err());
        assertTrue(k.sk.maps().list().isEmpty(), "the failed load closed the map it created");
        assertTrue(k.testmod.holders().isEmpty(), k.testmod.holders().toString());
    }

    @Test
    void withoutTheModuleItsTypeIsNotFound() throws Exception {
        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
        ObjKernel.Out r = k.load("pro_epilogue", ObjKernel.example("pro_epilogue.bpf"));
        assertEquals("libbpf: struct_ops init_kern: struct bpf_testmod_st_ops is not found in kernel BTF\n"
                + "Error: failed to load object file: -ESRCH (No such process)\n", r.err());
    }

    @Test
    void mapsAreListedAsBpftoolShowsThem() throws Exception {
        assertTrue(k.load("pro_epilogue", ObjKernel.example("pro_epilogue.bpf")).ok());
        String show = k.run("map", "show").out();
        assertTrue(show.startsWith("1: struct_ops  name pro_epilogue  flags 0xa000\n\tkey 4B  value 40B  max_entries 1\n"), show);
        BpfMap m = k.sk.maps().get(1).orElseThrow();
        assertEquals("pro_epilogue", m.name());
    }
}
