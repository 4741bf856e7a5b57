package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleImage.BtfSource;
import org.bpfosgi.module.ModuleTable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** btf_module_notify with a real ModuleTable: COMING, LIVE, GOING, btf_try_get_module. */
class BtfModuleNotifierTest {
    private final List<String> klog = new ArrayList<>();
    private ModuleTable table;
    private BtfRegistry registry;

    @BeforeEach
    void boot() {
        table = new ModuleTable(klog::add);
        registry = new BtfRegistry(VmlinuxBtf.builtin(), table);
        table.registerNotifier(new BtfModuleNotifier(registry, klog::add));
    }

    private static ModuleImage image(String name, String header) {
        return new ModuleImage(name, false, Optional.of(new BtfSource("bpf/" + name + ".h", header)), true, true, 1000);
    }

    private static ModuleImage testmod() {
        return image("bpf_testmod", TestBtfs.read(TestBtfs.root().resolve("testmod-bundle/src/main/bpf/bpf_testmod.h")));
    }

    private static ModuleTable.ModuleCode code(Runnable init, Runnable exit) {
        return new ModuleTable.ModuleCode() {
            @Override
            public int init() {
                init.run();
                return 0;
            }

            @Override
            public void exit() {
                exit.run();
            }
        };
    }

    @Test
    void comingRegistersLiveMarksGoingUnregisters() {
        AtomicReference<Optional<Module>> duringInit = new AtomicReference<>();
        AtomicReference<Optional<Module>> duringExit = new AtomicReference<>();
        AtomicReference<BtfObject> obj = new AtomicReference<>();
        Module mod = table.load(testmod(), List.of(), code(() -> {
            BtfObject o = registry.moduleBtf("bpf_testmod").orElseThrow();
            obj.set(o);
            assertFalse(registry.isLive("bpf_testmod"), "not LIVE while init runs");
            // btf_try_get_module refuses a COMING module
            duringInit.set(registry.btfTryGetModule(o, "struct_ops map"));
            // btf_get_module_btf works during init (kfunc registration runs there)
            BtfObject got = registry.btfGetModuleBtf(registryModule()).orElseThrow();
            assertEquals(2, got.refcnt());
            registry.btfPut(got);
        }, () -> duringExit.set(registry.btfTryGetModule(obj.get(), "late map"))));
        assertTrue(duringInit.get().isEmpty());
        BtfObject o = obj.get();
        assertEquals(2, o.id(), "vmlinux is 1, the first module BTF 2");
        assertTrue(registry.isLive("bpf_testmod"));
        assertEquals("1: name [vmlinux]  size " + VmlinuxBtf.builtin().rawSize() + "B\n2: name [bpf_testmod]  size "
                + o.btf().rawSize() + "B\n", registry.listText());
        assertEquals(VmlinuxBtf.builtin().nrTypes(), o.btf().startId(), "module BTF is split at vmlinux's end");

        Optional<Module> pinned = registry.btfTryGetModule(o, "struct_ops map");
        assertEquals(mod, pinned.orElseThrow());
        assertEquals(1, mod.refcount());
        assertEquals(Errno.EWOULDBLOCK.negative(), table.deleteModule("bpf_testmod", 0).ret());
        table.modulePut(mod, "struct_ops map");

        CompiledBtf ids = registry.compiledIds("bpf_testmod").orElseThrow();
        assertEquals(2, ids.idList("st_ops_epilogue_kfunc_list").orElseThrow().ids().length);

        // a program holds the BTF past the unload: the id goes, the object stays until the last put
        registry.btfGet(o);
        assertTrue(table.deleteModule("bpf_testmod", 0).ok());
        assertTrue(duringExit.get().isEmpty(), "btf_try_get_module refuses a GOING module");
        assertTrue(registry.peek(2).isEmpty(), "GOING removes the id");
        assertTrue(registry.moduleBtf("bpf_testmod").isEmpty());
        assertEquals(1, o.refcnt(), "the list's reference was dropped");
        assertFalse(o.isFreed());
        registry.btfPut(o);
        assertTrue(o.isFreed());
        assertThrows(BtfException.class, () -> registry.btfGet(o));
    }

    private Module registryModule() {
        return table.find("bpf_testmod").orElseThrow();
    }

    @Test
    void aHeaderThatDoesNotCompileFailsTheLoad() {
        KernelException e = assertThrows(KernelException.class, () -> table.load(image("broken",
                "struct a { unknown_t x; };\n"), List.of(), code(() -> { }, () -> { })));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("failed to validate module [broken] BTF: -22"), e.getMessage());
        assertTrue(klog.contains("failed to validate module [broken] BTF: -22"), klog.toString());
        assertTrue(klog.stream().anyMatch(l -> l.startsWith("bpf/broken.h:1:12: error: unknown type name 'unknown_t'")),
                klog.toString());
        assertTrue(table.find("broken").isEmpty());
        assertEquals(1, registry.list().size(), "nothing registered");
    }

    @Test
    void aFailedInitUnregistersThroughGoing() {
        assertThrows(KernelException.class, () -> table.load(testmod(), List.of(), new ModuleTable.ModuleCode() {
            @Override
            public int init() {
                return Errno.ENOMEM.negative();
            }

            @Override
            public void exit() {
            }
        }));
        assertTrue(registry.moduleBtf("bpf_testmod").isEmpty());
        assertEquals(1, registry.list().size());
    }

    @Test
    void idsAreAllocatedCyclicallyNotReused() {
        table.load(testmod(), List.of(), code(() -> { }, () -> { }));
        assertTrue(table.deleteModule("bpf_testmod", 0).ok());
        table.load(testmod(), List.of(), code(() -> { }, () -> { }));
        assertEquals(3, registry.moduleBtf("bpf_testmod").orElseThrow().id());
    }

    @Test
    void moduleWithoutBtfIsIgnoredAndVmlinuxRefcounts() {
        table.load(new ModuleImage("nobtf", false, Optional.empty(), true, true, 1), List.of(), code(() -> { }, () -> { }));
        assertEquals(1, registry.list().size());
        BtfObject v = registry.btfGetModuleBtf(null).orElseThrow();
        assertEquals(2, v.refcnt());
        registry.btfPut(v);
        assertEquals(1, v.refcnt());
        assertEquals(v, registry.getById(1).orElseThrow());
        registry.btfPut(v);
        assertTrue(registry.getById(99).isEmpty());
    }

    @Test
    void builtinModulesExtendVmlinuxBtf() {
        String qdisc = TestBtfs.read(TestBtfs.root().resolve("qdisc-bundle/src/main/bpf/bpf_qdisc.h"));
        int before = registry.vmlinuxBtf().nrTypes();
        table.load(new ModuleImage("bpf_qdisc", true, Optional.of(new BtfSource("bpf/bpf_qdisc.h", qdisc)), true, false, 1),
                List.of(), code(() -> { }, () -> { }));
        Btf v = registry.vmlinuxBtf();
        assertTrue(v.nrTypes() > before);
        assertTrue(v.base() == null, "folded into vmlinux, not split");
        int drop = v.findByNameKind("bpf_qdisc_skb_drop", BtfKind.FUNC);
        BtfIdSet set = registry.compiledIds("bpf_qdisc").orElseThrow().set("qdisc_kfunc_ids").orElseThrow();
        assertEquals(KfFlags.KF_RELEASE, set.flags(drop).getAsInt());
        assertTrue(registry.vmlinux().compiled().set("qdisc_kfunc_ids").isPresent());
        assertEquals(1, registry.list().size(), "no module BTF object for a built-in");
        // a module loaded afterwards is split on top of the extended vmlinux
        table.load(testmod(), List.of(), code(() -> { }, () -> { }));
        assertEquals(v.nrTypes(), registry.moduleBtf("bpf_testmod").orElseThrow().btf().startId());
        assertThrows(BtfException.class, () -> registry.extendVmlinux("late", new BtfSource("x.h", "struct late { int a; };")));
    }
}
