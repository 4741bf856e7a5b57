package org.example.hello;

import java.util.Set;

import org.bpfosgi.btf.api.BtfTypes;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.StructOpsMember;
import org.bpfosgi.subsystem.VerifierOps;

/** The struct_ops type {@code hello_ops}: one registration at a time. */
final class HelloStructOps implements StructOps {
    private final VerifierOps verifierOps = new HelloVerifierOps();
    private long registered;

    @Override
    public String name() {
        return "hello_ops";
    }

    @Override
    public VerifierOps verifierOps() {
        return verifierOps;
    }

    @Override
    public Set<String> cfiStubs() {
        return Set.of("greet");
    }

    @Override
    public void init(BtfTypes btf) {
    }

    @Override
    public boolean initMember(StructOpsMember member, KernelMemory mem, long kdata, long udata) {
        return false;
    }

    @Override
    public synchronized void reg(KernelMemory mem, long kdata) {
        if (registered != 0) {
            throw new KernelException(Errno.EEXIST, "hello_ops has already been registered");
        }
        registered = kdata;
    }

    @Override
    public synchronized void unreg(KernelMemory mem, long kdata) {
        registered = 0;
    }
}
