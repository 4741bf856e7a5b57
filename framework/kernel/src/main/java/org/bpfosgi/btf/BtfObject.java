package org.bpfosgi.btf;

import java.util.concurrent.atomic.AtomicInteger;

import org.bpfosgi.module.Module;

/**
 * A registered BTF object (kernel/bpf/btf.c {@code struct btf} as an IDR entry): its id, name
 * ("vmlinux" or the module's), the parsed types, and {@code refcnt}. The kernel frees a btf when
 * its last reference is put; here the object is then marked freed and its id released.
 */
public final class BtfObject {
    private final int id;
    private final String name;
    private volatile Btf btf;
    private volatile CompiledBtf compiled;
    private final Module module;
    private final AtomicInteger refcnt = new AtomicInteger(1);
    private volatile boolean freed;

    /** What btf_free() releases besides the object (a program BTF's struct_meta_tab), or null. */
    volatile Runnable onFree;

    /** btf_is_kernel(): vmlinux's and modules' BTF, not a program's (BPF_BTF_LOAD). */
    private final boolean kernel;

    BtfObject(int id, String name, Btf btf, CompiledBtf compiled, Module module) {
        this(id, name, btf, compiled, module, true);
    }

    BtfObject(int id, String name, Btf btf, CompiledBtf compiled, Module module, boolean kernel) {
        this.kernel = kernel;
        this.id = id;
        this.name = name;
        this.btf = btf;
        this.compiled = compiled;
        this.module = module;
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Btf btf() {
        return btf;
    }

    /** The resolved {@code .BTF_ids} lists and sets (vmlinux: of built-in subsystems folded in). */
    public CompiledBtf compiled() {
        return compiled;
    }

    void replace(Btf newBtf, CompiledBtf newCompiled) {
        this.btf = newBtf;
        this.compiled = newCompiled;
    }

    /** The owning module; null for vmlinux. */
    public Module module() {
        return module;
    }

    /** Models btf_is_kernel(): false for a program's BTF loaded with BPF_BTF_LOAD. */
    public boolean isKernel() {
        return kernel;
    }

    /** Models btf_is_module(): true for a module's BTF. */
    public boolean isModule() {
        return module != null;
    }

    public int refcnt() {
        return refcnt.get();
    }

    public boolean isFreed() {
        return freed;
    }

    /** refcount_inc(): a BtfException on a freed object (a use-after-free in the kernel). */
    void get() {
        while (true) {
            int c = refcnt.get();
            if (c <= 0) {
                throw new BtfException("btf_get on freed BTF " + this);
            }
            if (refcnt.compareAndSet(c, c + 1)) {
                return;
            }
        }
    }

    /** refcount_inc_not_zero(). */
    boolean tryGet() {
        while (true) {
            int c = refcnt.get();
            if (c <= 0) {
                return false;
            }
            if (refcnt.compareAndSet(c, c + 1)) {
                return true;
            }
        }
    }

    /** refcount_dec_and_test(): true when this put dropped the last reference. */
    boolean put() {
        while (true) {
            int c = refcnt.get();
            if (c <= 0) {
                throw new BtfException("btf_put on freed BTF " + this);
            }
            if (refcnt.compareAndSet(c, c - 1)) {
                if (c == 1) {
                    freed = true;
                    return true;
                }
                return false;
            }
        }
    }

    @Override
    public String toString() {
        return id + ": name [" + name + "] refcnt " + refcnt.get();
    }
}
