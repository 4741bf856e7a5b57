package org.bpfosgi.subsystem;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.isa.Insn;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The buffer a generator writes into: the kernel's {@code env->insn_buf} /
 * {@code env->epilogue_buf} of {@code INSN_BUF_SIZE} entries (v5 1/9 "bpf: Move insn_buf[16] to
 * bpf_verifier_env"), plus the dropped v2 6/8 {@code struct module **module} out-parameter.
 *
 * <p>Writing past the capacity is a generator bug (in the kernel: memory corruption of the
 * verifier env); here {@link #add} refuses it, remembers it, and the load reports it cleanly
 * whatever the generator does with the exception.
 */
@ProviderType
public final class InsnBuf {
    private final int capacity;
    private final List<Insn> insns = new ArrayList<>();
    private boolean thisModule;
    private boolean overflowed;

    /** A buffer of {@code capacity} entries (INSN_BUF_SIZE). */
    public InsnBuf(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * {@code *insn++ = insn}: the next entry. Past the capacity: IllegalStateException, and the
     * verifier fails the load.
     */
    public InsnBuf add(Insn insn) {
        if (insns.size() >= capacity) {
            overflowed = true;
            throw new IllegalStateException("insn_buf overflow: more than " + capacity + " instructions written");
        }
        insns.add(insn);
        return this;
    }

    /** How many entries were written. */
    public int written() {
        return insns.size();
    }

    /** INSN_BUF_SIZE. */
    public int capacity() {
        return capacity;
    }

    /** Whether an {@link #add} went past the capacity. */
    public boolean overflowed() {
        return overflowed;
    }

    /** The entries written, in order. */
    public List<Insn> insns() {
        return java.util.Collections.unmodifiableList(new ArrayList<>(insns));
    }

    /**
     * {@code *module = THIS_MODULE} (dropped v2 6/8): the kfuncs this sequence calls belong to the
     * module that owns the struct_ops type (the generating bundle's module; a built-in subsystem's
     * THIS_MODULE is NULL, i.e. vmlinux).
     */
    public void setThisModule() {
        thisModule = true;
    }

    /** Whether {@link #setThisModule()} was called. */
    public boolean thisModule() {
        return thisModule;
    }
}
