package org.bpfosgi.subsystem.qdisc;

import java.util.List;
import java.util.Optional;

import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.prog.ProgTable;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.testsupport.SubsystemTestMachine;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;

/**
 * A machine without OSGi with bpf_qdisc built in (its default): its header folded into the
 * built-in vmlinux BTF, then bpf_qdisc_kfunc_init()'s registrations against vmlinux BTF. The
 * machine itself is the kernel model's {@link SubsystemTestMachine}; this class adds what is
 * bpf_qdisc's own (its ops, types and the Qdisc_ops program loads).
 */
final class QdiscMachine {
    final SubsystemTestMachine machine = new SubsystemTestMachine(VmlinuxBtf.builtin());
    final List<String> dmesg = machine.dmesg;
    final ModuleTable modules = machine.modules;
    final BtfRegistry btf = machine.btf;
    final ProgKernel pk = machine.pk;
    final BpfQdisc qdisc = new BpfQdisc();
    final Memory memory = machine.memory;

    /** bpf_qdisc as a module (--modular bpf_qdisc), else null. */
    final Module module;

    /** Built in, as the kernel has it. */
    QdiscMachine() {
        this(false);
    }

    /**
     * {@code modular}: bpf_qdisc inserted as a module, as the host does for {@code --modular
     * bpf_qdisc}: its header compiled into split BTF at COMING, then module_init registers it
     * against the module's BTF.
     */
    QdiscMachine(boolean modular) {
        String header = resource("/bpf/bpf_qdisc.h");
        if (modular) {
            module = machine.insertModule("bpf_qdisc", "bpf_qdisc.h", header, qdisc);
        } else {
            machine.registerBuiltin("bpf_qdisc", "bpf_qdisc.h", header, qdisc, "bpf_qdisc_kfunc_init");
            module = null;
        }
    }

    static String resource(String path) {
        return SubsystemTestMachine.resource(QdiscMachine.class, path);
    }

    QdiscOps ops() {
        return (QdiscOps) qdisc.structOps().get(0);
    }

    QdiscTypes types() {
        return ops().types();
    }

    ProgLoadResult load(String member, String body) {
        return load(member, body, KfuncPolicy.SEED, false);
    }

    /** prog load under {@code policy} (with unsafe-module-calls when asked). */
    ProgLoadResult load(String member, String body, KfuncPolicy policy, boolean unsafeModuleCalls) {
        String text = ".license \"GPL\"\n.struct_ops Qdisc_ops." + member + "\nprog:\n" + body;
        return pk.progs().load(ProgLoader.toAttr(ProgLoader.parse(text, "test.s"), Optional.empty(), 1, pk.services()),
                new ProgTable.LoadOptions(Optional.of(policy), unsafeModuleCalls, 0));
    }

    /** A loaded program, ready for the interpreter (calls bound through kallsyms). */
    LoadedProgram prepare(BpfProg prog) {
        return machine.prepare(prog);
    }

    /** Runs {@code p} with R1 = {@code ctx} (the u64 argument array). */
    Outcome run(LoadedProgram p, long ctx) {
        return machine.run(p, ctx);
    }

    Region allocate(String name, int size) {
        return machine.allocate(name, size);
    }

    KernelMemory kernelMemory() {
        return machine.kernelMemory();
    }
}
