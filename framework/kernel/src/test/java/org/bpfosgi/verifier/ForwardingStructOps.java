package org.bpfosgi.verifier;

import java.util.Optional;
import java.util.Set;

import org.bpfosgi.btf.api.BtfTypes;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.StructOpsMember;
import org.bpfosgi.subsystem.VerifierOps;

/** A StructOps that forwards every callback; tests override the one they vary. */
class ForwardingStructOps implements StructOps {
    private final StructOps delegate;

    ForwardingStructOps(StructOps delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public VerifierOps verifierOps() {
        return delegate.verifierOps();
    }

    @Override
    public Set<String> cfiStubs() {
        return delegate.cfiStubs();
    }

    @Override
    public void init(BtfTypes btf) {
        delegate.init(btf);
    }

    @Override
    public Optional<CheckMember> checkMember() {
        return delegate.checkMember();
    }

    @Override
    public boolean initMember(StructOpsMember member, KernelMemory mem, long kdata, long udata) {
        return delegate.initMember(member, mem, kdata, udata);
    }

    @Override
    public Optional<Validate> validate() {
        return delegate.validate();
    }

    @Override
    public void reg(KernelMemory mem, long kdata) {
        delegate.reg(mem, kdata);
    }

    @Override
    public void unreg(KernelMemory mem, long kdata) {
        delegate.unreg(mem, kdata);
    }

    @Override
    public Optional<Update> update() {
        return delegate.update();
    }
}
