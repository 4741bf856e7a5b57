package org.bpfosgi.subsystem;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.isa.Insn;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Models {@code env->insn_buf} / {@code env->epilogue_buf} ({@code INSN_BUF_SIZE} entries) as a
 * generator writes into it, plus the dropped v2 6/8 out-parameter {@code struct module **module}.
 */
@ProviderType
public final class InsnBuf {
    private final int capacity;
    private final List<Insn> insns = new ArrayList<>();
    private boolean thisModule;

    public InsnBuf(int capacity) {
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    /** Writes the next instruction; writing past the buffer is a generator bug the load reports. */
    public InsnBuf add(Insn insn) {
        if (insns.size() >= capacity) {
            throw new IllegalStateException("generator wrote past insn_buf[" + capacity + "]");
        }
        insns.add(insn);
        return this;
    }

    /** What the generator wrote, in order. */
    public List<Insn> written() {
        return List.copyOf(insns);
    }

    /** {@code *module = THIS_MODULE}: the generated kfunc calls are the generating module's. */
    public void setThisModule() {
        thisModule = true;
    }

    /** Whether {@link #setThisModule()} was called (else {@code *module} stays NULL: vmlinux). */
    public boolean thisModule() {
        return thisModule;
    }
}
