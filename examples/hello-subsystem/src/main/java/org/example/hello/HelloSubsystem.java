package org.example.hello;

import java.util.List;
import java.util.Map;

import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.Kfunc;
import org.bpfosgi.subsystem.KfuncSet;
import org.bpfosgi.subsystem.StructOps;
import org.osgi.service.component.annotations.Component;

/**
 * The module hello_ops. Publishing this service is its module_init: the framework registers
 * the struct_ops type {@code hello_ops}, the kfunc set {@code hello_kfunc_ids} for struct_ops
 * programs, and the kfunc body {@code bpf_hello_double}.
 */
@Component(service = BpfSubsystem.class, immediate = true)
public class HelloSubsystem implements BpfSubsystem {
    private final HelloStructOps helloOps = new HelloStructOps();

    @Override
    public List<StructOps> structOps() {
        return List.of(helloOps);
    }

    @Override
    public List<KfuncSet> kfuncSets() {
        return List.of(new KfuncSet("hello_kfunc_ids", List.of(BpfProgType.STRUCT_OPS)));
    }

    @Override
    public Map<String, Kfunc> functions() {
        return Map.of("bpf_hello_double", HelloSubsystem::bpfHelloDouble);
    }

    /** {@code int bpf_hello_double(struct hello_args *args)}: {@code args->n *= 2; return args->n;}. */
    static long bpfHelloDouble(org.bpfosgi.subsystem.KernelMemory mem, long[] args) {
        long n = mem.readU64(args[0]) * 2;
        mem.writeU64(args[0], n);
        return (int) n;
    }
}
