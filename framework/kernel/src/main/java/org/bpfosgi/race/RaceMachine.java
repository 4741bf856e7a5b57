package org.bpfosgi.race;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.bpfosgi.btf.BtfModuleNotifier;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.LoaderException;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.prog.ProgTable;
import org.bpfosgi.obj.BpfObject;
import org.bpfosgi.obj.ObjLoader;
import org.bpfosgi.structops.BpfMap;
import org.bpfosgi.structops.StructOpsKernel;
import org.bpfosgi.structops.StructOpsMap;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.verifier.BpfProgLoadAttr;

/**
 * One fresh machine per schedule, without OSGi: a module table, the built-in vmlinux BTF (the
 * same types on every machine), the BTF registry with btf_module_notify, and the BPF side. A
 * module is inserted from a {@link RaceModules.ModuleDef} as the host inserts a bundle, minus the
 * bundle: its header becomes split BTF at COMING and its module_init registers its subsystem,
 * whose code is guarded against use after free ({@link ModuleCodeGuard}).
 */
final class RaceMachine {
    private final List<String> dmesg = Collections.synchronizedList(new ArrayList<>());
    final ModuleTable modules = new ModuleTable(dmesg::add);
    final BtfRegistry btf = new BtfRegistry(VmlinuxBtf.builtin(), modules);
    final ProgKernel bpf;
    /** The run-time side (maps, links, trampolines, BPF_PROG_TEST_RUN), as StructOpsCli wires it. */
    final StructOpsKernel structOps;
    /** Objects loaded by obj load, by name, in load order. */
    private final Map<String, BpfObject> objects = new LinkedHashMap<>();
    private final RaceModules sources;
    /** Every module instance this machine ever had, in load order (several per name after a re-insert). */
    private final List<Module> everLoaded = Collections.synchronizedList(new ArrayList<>());
    /** BTF object ids ever seen and the object each named: a re-inserted module must get new ids. */
    private final Map<Integer, BtfObject> btfIds = new HashMap<>();
    /** Set while this thread runs a module's load or unload: its calls into module code are not points. */
    private final ThreadLocal<Boolean> lifecycle = ThreadLocal.withInitial(() -> false);

    RaceMachine(RaceModules sources, KfuncPolicy policy) {
        this.sources = sources;
        modules.registerNotifier(new BtfModuleNotifier(btf, dmesg::add));
        bpf = new ProgKernel(modules, btf, dmesg::add);
        bpf.progs().setDefaultKfuncPolicy(policy);
        structOps = new StructOpsKernel(bpf, dmesg::add);
    }

    List<String> dmesg() {
        synchronized (dmesg) {
            return List.copyOf(dmesg);
        }
    }

    List<Module> everLoaded() {
        synchronized (everLoaded) {
            return List.copyOf(everLoaded);
        }
    }

    /** insmod NAME: "ok" or the errno finit_module returned. */
    String insmod(String name) {
        RaceModules.ModuleDef def = sources.find(name).orElseThrow(() ->
                new IllegalArgumentException("no module named " + name + " to insert"));
        ModuleImage image = new ModuleImage(name, false,
                Optional.of(new ModuleImage.BtfSource(def.headerFile(), def.headerText())), true, true,
                def.headerText().length());
        Module[] self = new Module[1];
        ModuleTable.ModuleCode code = new ModuleTable.ModuleCode() {
            @Override
            public int init() {
                return btf.moduleBtf(name)
                        .map(o -> bpf.registerSubsystem(self[0], o, ModuleCodeGuard.wrap(def.subsystem().get(), self[0], modules,
                                () -> !lifecycle.get())))
                        .orElse(Errno.ENOENT.negative());
            }

            @Override
            public void exit() {
                btf.moduleBtf(name).ifPresent(o -> bpf.unregisterSubsystem(self[0], o));
            }
        };
        lifecycle.set(true);
        try {
            self[0] = modules.prepareLoad(image, List.of(), code);
            everLoaded.add(self[0]);
            modules.initModule(self[0]);
            return "ok";
        } catch (KernelException e) {
            return e.errno().symbol();
        } finally {
            lifecycle.set(false);
        }
    }

    /** rmmod [-f] NAME: delete_module(name, O_NONBLOCK [| O_TRUNC]). */
    ModuleTable.DeleteResult rmmod(String name, boolean force) {
        lifecycle.set(true);
        try {
            return modules.deleteModule(name, ModuleTable.O_NONBLOCK | (force ? ModuleTable.O_TRUNC : 0));
        } finally {
            lifecycle.set(false);
        }
    }

    /**
     * {@code stop NAME}: what a stop of the module's bundle that did not come through rmmod (Gogo
     * {@code stop}, a jar removed) does to the model, in ModuleExtender's order, without Felix:
     * BundleEvent.STOPPING → {@link ModuleTable#beginForcedUnload} (taint R, GOING, holders left
     * dangling); SCR deactivates the component (module_exit: its registrations go); BundleEvent.STOPPED
     * → {@link ModuleTable#completeForcedUnload} (notifier GOING, free_module). Each event is a
     * named point ({@code bundle_stop:stopping}, {@code bundle_stop:deactivate},
     * {@code bundle_stop:stopped}). Not modelled: Felix's and SCR's own threads and locks (a race
     * machine does not boot Felix).
     */
    String stopBundle(String name) {
        Optional<Module> found = modules.find(name);
        if (found.isEmpty()) {
            return "not loaded";
        }
        Module mod = found.get();
        lifecycle.set(true);
        try {
            return stop(mod, name);
        } finally {
            lifecycle.set(false);
        }
    }

    private String stop(Module mod, String name) {
        modules.point("bundle_stop:stopping");
        if (!modules.beginForcedUnload(mod, "bundle stopped without rmmod")) {
            return "ok, bundle stopped (module already going)";
        }
        modules.point("bundle_stop:deactivate");
        btf.moduleBtf(name).ifPresent(o -> bpf.unregisterSubsystem(mod, o));
        modules.point("bundle_stop:stopped");
        modules.completeForcedUnload(mod);
        return "ok, forced (bundle stopped without rmmod)";
    }

    /** prog load of program text at log level 1, once (no libbpf retry: one load, one set of points). */
    ProgLoadResult progLoad(String text, String file, ProgTable.LoadOptions options) {
        BpfProgLoadAttr attr;
        try {
            attr = ProgLoader.toAttr(ProgLoader.parse(text, file), Optional.empty(), 1, bpf.services());
        } catch (LoaderException e) {
            return new ProgLoadResult(null, Errno.EINVAL.negative(), "loader: " + e.getMessage() + "\n");
        }
        return bpf.progs().load(attr, options);
    }

    /** prog free id N: 0 or -ENOENT. */
    int progFree(int id) {
        return bpf.progs().free(id);
    }

    /**
     * obj load: {@link ObjLoader#load} as {@code obj load FILE [autoattach MAP,...]} runs it
     * (StructOpsCli): "ok, " and what it created, or the errno and libbpf's last line. Calls
     * into module code on the way (check_member, init_member, validate, reg) go through the
     * module's guarded subsystem, so they are named points and checked for use after free.
     */
    String objLoad(Scenario.ObjLoad o) {
        synchronized (objects) {
            if (objects.containsKey(o.name())) {
                return "error: object '" + o.name() + "' is loaded already";
            }
        }
        BpfObject obj;
        try {
            obj = ObjLoader.load(o.text(), o.name(), o.autoattach(), structOps, o.options());
        } catch (ObjLoader.ObjLoadException e) {
            List<String> lines = e.lines();
            String why = "";
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i).strip();
                if (!l.isEmpty() && !l.startsWith("processed ") && !l.startsWith("verification time")
                        && !l.matches("\\d+: .*") && !l.startsWith("-- END")) {
                    why = " \"" + l + "\"";
                    break;
                }
            }
            return Execution.errnoText(e.err()) + why;
        } catch (LoaderException e) {
            return "error: " + e.getMessage();
        }
        synchronized (objects) {
            objects.put(o.name(), obj);
        }
        return "ok, " + obj.created().stream().map(BpfObject.Created::toString).collect(Collectors.joining(", "));
    }

    /** obj unload [NAME]: ObjLoader.unload (links destroyed, maps and programs closed). */
    String objUnload(Optional<String> name) {
        BpfObject o;
        synchronized (objects) {
            if (name.isEmpty()) {
                if (objects.size() != 1) {
                    return objects.isEmpty() ? "error: no object is loaded" : "error: several objects are loaded";
                }
                o = objects.values().iterator().next();
            } else {
                o = objects.get(name.get());
                if (o == null) {
                    return "error: no object '" + name.get() + "' is loaded";
                }
            }
            objects.remove(o.name());
        }
        ObjLoader.unload(o, structOps);
        return "ok";
    }

    /**
     * prog run id N [ctx_in HEX]: {@link StructOpsKernel#testRun} (repeat 0). Module code it
     * reaches (kfunc bodies, the struct_ops trampoline's program and its pro/epilogue calls)
     * runs through the guarded subsystem: named points, use after free reported.
     */
    String progRun(int id, byte[] ctxIn) {
        StructOpsKernel.TestRun r = structOps.testRun(id, ctxIn, 0);
        if (r.oops() != null) {
            return "oops: " + r.oops();
        }
        if (r.err() < 0) {
            return Execution.errnoText(r.err());
        }
        return "ok, retval " + r.retval();
    }

    /** struct_ops unregister id N: the map's delete_elem, as bpftool struct_ops unregister. */
    String structOpsUnregister(int id) {
        BpfMap m = structOps.maps().get(id).orElse(null);
        if (!(m instanceof StructOpsMap st)) {
            return m == null ? "-ENOENT" : "error: map " + id + " is not a struct_ops map";
        }
        int r = st.delete(0);
        return r < 0 ? Execution.errnoText(r) : "ok";
    }

    /** Records the BTF objects now registered; a second object under an id seen before is an alias. */
    Optional<String> recordBtfIds() {
        for (BtfObject o : btf.list()) {
            synchronized (btfIds) {
                BtfObject old = btfIds.putIfAbsent(o.id(), o);
                if (old != null && old != o) {
                    return Optional.of("BTF id " + o.id() + " names " + o.name() + " but named an earlier "
                            + old.name() + " object");
                }
            }
        }
        return Optional.empty();
    }

    /** The lsmod state of the modules named: "NAME State refcount N [holders]" or "NAME -". */
    List<String> lsmod(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            Optional<Module> m = modules.find(n);
            if (m.isEmpty()) {
                out.add(n + " -");
                continue;
            }
            Module mod = m.get();
            Map<String, Integer> holders = new TreeMap<>(mod.holders());
            out.add(n + " " + mod.state().procName() + " refcount " + mod.refcount()
                    + (holders.isEmpty() ? "" : " " + holders.keySet()));
        }
        return out;
    }

    /** Loaded programs by id (sorted). */
    List<Integer> progIds() {
        return bpf.progs().list().stream().map(BpfProg::id).sorted().toList();
    }

    /** Frees every loaded program (the end of a schedule: "once every object is freed"). */
    void freeAll() {
        List<BpfObject> objs;
        synchronized (objects) {
            objs = new ArrayList<>(objects.values());
            objects.clear();
        }
        for (int i = objs.size() - 1; i >= 0; i--) {
            ObjLoader.unload(objs.get(i), structOps);
        }
        for (int id : progIds()) {
            bpf.progs().free(id);
        }
    }

    /** Reference counts of the live BTF objects (vmlinux and each LIVE module's), name to count. */
    Map<String, Integer> btfRefcnts() {
        Map<String, Integer> out = new LinkedHashMap<>();
        BtfObject v = bpf.btfs().vmlinux();
        out.put("vmlinux", bpf.btfs().refcnt(v));
        for (Module m : modules.list()) {
            if (m.state() == ModuleState.LIVE) {
                btf.moduleBtf(m.name()).ifPresent(o -> out.put(m.name(), o.refcnt()));
            }
        }
        return out;
    }
}
