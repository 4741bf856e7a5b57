package org.bpfosgi.subsystem.tcpcc;

import java.util.List;
import java.util.Optional;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.testsupport.SubsystemTestMachine;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;

/**
 * A machine without OSGi with bpf_tcp_ca built in, as the host boots it: its header folded into
 * vmlinux BTF, then its initcall's registrations (owner NULL, vmlinux BTF). vmlinux BTF is the
 * built-in base or, with {@link #real()}, the machine's /sys/kernel/btf/vmlinux. The machine
 * itself is the kernel model's {@link SubsystemTestMachine}; this class adds bpf_tcp_ca's types
 * and program loads.
 */
final class TcpCaMachine {
    final SubsystemTestMachine machine;
    final List<String> dmesg;
    final ModuleTable modules;
    final BtfRegistry btf;
    final ProgKernel pk;
    final BpfTcpCa tcpCa = new BpfTcpCa();
    final Memory memory;

    private TcpCaMachine(Btf vmlinux) {
        machine = new SubsystemTestMachine(vmlinux);
        dmesg = machine.dmesg;
        modules = machine.modules;
        btf = machine.btf;
        pk = machine.pk;
        memory = machine.memory;
        machine.registerBuiltin("bpf_tcp_ca", "bpf_tcp_ca.h", resource("/bpf/bpf_tcp_ca.h"), tcpCa, "bpf_tcp_ca_kfunc_init");
    }

    /** With the built-in vmlinux BTF (every machine). */
    static TcpCaMachine builtin() {
        return new TcpCaMachine(VmlinuxBtf.builtin());
    }

    /** With /sys/kernel/btf/vmlinux (callers check {@link VmlinuxBtf#realAvailable()}). */
    static TcpCaMachine real() {
        return new TcpCaMachine(VmlinuxBtf.load("vmlinux"));
    }

    static String resource(String path) {
        return SubsystemTestMachine.resource(TcpCaMachine.class, path);
    }

    TcpCaTypes types() {
        return ((TcpCongestionOps) tcpCa.structOps().get(0)).types();
    }

    ProgLoadResult load(String text) {
        ProgLoader.ProgSource s = ProgLoader.parse(text, "test.s");
        return pk.progs().load(ProgLoader.toAttr(s, Optional.empty(), 1, pk.services()));
    }

    /** A loaded program, ready for the interpreter. */
    LoadedProgram prepare(BpfProg prog) {
        return machine.prepare(prog);
    }

    /** Runs {@code p} with R1 = {@code ctx} (the u64 argument array). */
    Outcome run(LoadedProgram p, long ctx) {
        return machine.run(p, ctx);
    }

    /** A zeroed kernel object. */
    Region allocate(String name, int size) {
        return machine.allocate(name, size);
    }

    /** The interpreter's memory as subsystem callbacks see it. */
    KernelMemory kernelMemory() {
        return machine.kernelMemory();
    }
}
