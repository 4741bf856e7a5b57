package org.bpfosgi.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scenario tests for kernel/module/main.c semantics: every delete_module branch and refcount edge. */
class ModuleTableTest {
    private final List<String> klog = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private ModuleTable table;

    @BeforeEach
    void setUp() {
        table = new ModuleTable(klog::add);
        table.registerNotifier((m, e) -> events.add(m.name() + ":" + e));
    }

    private static ModuleImage image(String name) {
        return new ModuleImage(name, false, Optional.empty(), true, true, 100);
    }

    private Module load(String name, String... uses) {
        return table.load(image(name), List.of(uses), new Code());
    }

    /** Records init/exit; init returns {@code initRet}. */
    private final class Code implements ModuleTable.ModuleCode {
        int initRet;
        int exits;

        @Override
        public int init() {
            events.add("init");
            return initRet;
        }

        @Override
        public void exit() {
            events.add("exit");
            exits++;
        }
    }

    @Test
    void loadGoesComingThenInitThenLiveAndDropsTheInitHold() {
        Module m = load("bpf_testmod");
        assertEquals(List.of("bpf_testmod:COMING", "init", "bpf_testmod:LIVE"), events);
        assertEquals(ModuleState.LIVE, m.state());
        assertEquals(Module.MODULE_REF_BASE, m.rawRefcnt());
        assertEquals(0, m.refcount());
        assertTrue(m.holders().isEmpty());
    }

    @Test
    void stateValuesAreTheKernels() {
        assertEquals(0, ModuleState.LIVE.value());
        assertEquals(1, ModuleState.COMING.value());
        assertEquals(2, ModuleState.GOING.value());
        assertEquals(3, ModuleState.UNFORMED.value());
    }

    @Test
    void duplicateNameIsEexist() {
        load("m");
        KernelException e = assertThrows(KernelException.class, () -> load("m"));
        assertEquals(Errno.EEXIST, e.errno());
    }

    @Test
    void loadingANameThatIsStillComingIsEbusy() {
        table.prepareLoad(image("m"), List.of(), new Code());
        KernelException e = assertThrows(KernelException.class, () -> load("m"));
        assertEquals(Errno.EBUSY, e.errno());
    }

    @Test
    void deleteUnknownModuleIsEnoent() {
        assertEquals(-2, table.deleteModule("nope", 0).ret());
    }

    @Test
    void deleteModuleUsedByAnotherIsEwouldblockEvenWhenForced() {
        load("base");
        load("user", "base");
        assertEquals(List.of("user"), table.find("base").orElseThrow().usedBy());
        assertEquals(-11, table.deleteModule("base", 0).ret());
        assertEquals(-11, table.deleteModule("base", ModuleTable.O_TRUNC).ret());
        assertTrue(table.deleteModule("user", 0).ok());
        assertTrue(table.find("base").orElseThrow().usedBy().isEmpty());
        assertEquals(0, table.find("base").orElseThrow().refcount());
        assertTrue(table.deleteModule("base", 0).ok());
    }

    @Test
    void deleteModuleWhileComingIsEbusy() {
        Code code = new Code();
        Module m = table.prepareLoad(image("m"), List.of(), code);
        assertEquals(ModuleState.COMING, m.state());
        assertEquals(-16, table.deleteModule("m", 0).ret());
        assertEquals(-16, table.deleteModule("m", ModuleTable.O_TRUNC).ret());
        table.initModule(m);
        assertTrue(table.deleteModule("m", 0).ok());
    }

    @Test
    void initWithoutExitCannotBeUnloadedUnlessForced() {
        table.load(new ModuleImage("perm", false, Optional.empty(), true, false, 1), List.of(), new Code());
        assertEquals(-16, table.deleteModule("perm", 0).ret());
        assertTrue(table.taints().isEmpty());
        var r = table.deleteModule("perm", ModuleTable.O_TRUNC);
        assertTrue(r.ok());
        assertTrue(r.forced());
        assertEquals(java.util.Set.of('R'), table.taints());
    }

    @Test
    void referencedModuleIsEwouldblockAndForcedUnloadTaintsAndLeavesHoldersDangling() {
        Module m = load("bpf_testmod");
        assertTrue(table.tryModuleGet(m, "prog 1 kfunc_btf_tab[1]"));
        assertEquals(1, m.refcount());
        var r = table.deleteModule("bpf_testmod", 0);
        assertEquals(-11, r.ret());
        assertEquals(Map.of("prog 1 kfunc_btf_tab[1]", 1), r.holdersLeft());
        // the refusal restored the base: still LIVE, still gettable
        assertEquals(ModuleState.LIVE, m.state());
        assertEquals(1, m.refcount());
        r = table.deleteModule("bpf_testmod", ModuleTable.O_TRUNC);
        assertTrue(r.ok());
        assertTrue(r.forced());
        assertTrue(table.taints().contains('R'));
        assertTrue(m.isFreed());
        // the log names the holders as words, not as a Java map ({prog 1 ...=1})
        assertTrue(klog.contains("Forced unload of bpf_testmod: references left dangling: prog 1 kfunc_btf_tab[1]"),
                klog.toString());
        // the dangling holder's put is a use after free, reported, never a negative count
        table.modulePut(m, "prog 1 kfunc_btf_tab[1]");
        assertFalse(m.useAfterFreeReports().isEmpty());
    }

    @Test
    void releasedReferenceAllowsUnload() {
        Module m = load("bpf_testmod");
        assertTrue(table.tryModuleGet(m, "holder"));
        assertEquals(-11, table.deleteModule("bpf_testmod", 0).ret());
        table.modulePut(m, "holder");
        var r = table.deleteModule("bpf_testmod", 0);
        assertTrue(r.ok());
        assertFalse(r.forced());
        assertTrue(table.taints().isEmpty());
        assertEquals(List.of("bpf_testmod:COMING", "init", "bpf_testmod:LIVE", "exit", "bpf_testmod:GOING"), events);
        assertTrue(table.find("bpf_testmod").isEmpty());
        assertEquals(Optional.of("bpf_testmod"), table.lastUnloaded());
    }

    @Test
    void tryModuleGetOfNullSucceeds() {
        assertTrue(table.tryModuleGet(null, "x"));
        table.modulePut(null, "x");
    }

    @Test
    void tryModuleGetFailsOnGoingAndSucceedsOnComing() {
        Module m = table.prepareLoad(image("m"), List.of(), new Code());
        assertTrue(table.tryModuleGet(m, "during init"), "COMING counts as live");
        table.modulePut(m, "during init");
        table.initModule(m);
        assertTrue(table.beginForcedUnload(m, "test"));
        assertEquals(ModuleState.GOING, m.state());
        assertFalse(table.tryModuleGet(m, "too late"));
        table.completeForcedUnload(m);
        assertTrue(m.isFreed());
    }

    @Test
    void modulePutNeverGoesBelowZeroAndWarns() {
        Module m = load("m");
        assertTrue(table.deleteModule("m", 0).ok());
        // after a clean unload refcnt is 0; a stray put must not make it negative
        Module n = load("n");
        table.modulePut(n, "stranger");
        table.modulePut(n, "stranger");
        assertTrue(n.rawRefcnt() >= 0);
        assertTrue(klog.stream().anyMatch(l -> l.contains("would go negative")), klog.toString());
        assertTrue(m.isFreed());
    }

    @Test
    void initFailureTakesTheFailurePathAndLeavesNothing() {
        Code code = new Code();
        code.initRet = -12;
        KernelException e = assertThrows(KernelException.class, () -> table.load(image("bad"), List.of(), code));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(List.of("bad:COMING", "init", "bad:GOING"), events);
        assertTrue(table.find("bad").isEmpty());
        assertTrue(table.list().isEmpty());
        // the name is free again
        load("bad");
    }

    @Test
    void initThatThrowsIsAFailedInit() {
        ModuleTable.ModuleCode throwing = new ModuleTable.ModuleCode() {
            @Override
            public int init() {
                throw new IllegalStateException("boom");
            }

            @Override
            public void exit() {
            }
        };
        load("base");
        KernelException e = assertThrows(KernelException.class,
                () -> table.load(image("bad"), List.of("base"), throwing));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(table.find("bad").isEmpty());
        // its use of base was dropped with it
        Module base = table.find("base").orElseThrow();
        assertTrue(base.usedBy().isEmpty());
        assertEquals(0, base.refcount());
    }

    @Test
    void initReturningEexistIsReportedAsEbusy() {
        Code code = new Code();
        code.initRet = -17;
        KernelException e = assertThrows(KernelException.class, () -> table.load(image("x"), List.of(), code));
        assertEquals(Errno.EBUSY, e.errno());
    }

    @Test
    void positiveInitReturnWarnsAndLoads() {
        Code code = new Code();
        code.initRet = 3;
        Module m = table.load(image("x"), List.of(), code);
        assertEquals(ModuleState.LIVE, m.state());
        assertTrue(klog.stream().anyMatch(l -> l.contains("init suspiciously returned 3")));
    }

    @Test
    void failingComingNotifierFailsTheLoadAndTellsTheOthersGoing() {
        List<String> second = new ArrayList<>();
        table.registerNotifier((m, e) -> {
            if (e == ModuleState.COMING) {
                throw new KernelException(Errno.EINVAL, "failed to validate module [" + m.name() + "] BTF: -22");
            }
        });
        table.registerNotifier((m, e) -> second.add(e.toString()));
        KernelException e = assertThrows(KernelException.class, () -> load("badbtf"));
        assertEquals(Errno.EINVAL, e.errno());
        // the first notifier was told COMING, then GOING; the third never heard of it; init never ran
        assertEquals(List.of("badbtf:COMING", "badbtf:GOING"), events);
        assertTrue(second.isEmpty());
        assertTrue(table.find("badbtf").isEmpty());
    }

    @Test
    void usingAModuleThatIsNotLoadedIsEnoent() {
        KernelException e = assertThrows(KernelException.class, () -> load("user", "missing"));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(table.list().isEmpty());
    }

    @Test
    void usingAComingModuleIsEbusy() {
        table.prepareLoad(image("base"), List.of(), new Code());
        KernelException e = assertThrows(KernelException.class, () -> load("user", "base"));
        assertEquals(Errno.EBUSY, e.errno());
    }

    @Test
    void longNamesAreTruncatedLikeStrncpyFromUser() {
        String n = "m".repeat(55);
        load(n);
        assertTrue(table.deleteModule(n + "extra", 0).ok());
    }

    @Test
    void listIsNewestFirst() {
        load("a");
        load("b");
        assertEquals(List.of("b", "a"), table.list().stream().map(Module::name).toList());
    }
}
