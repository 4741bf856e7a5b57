package org.bpfosgi.structops;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.module.Module;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.StructOpsMember;
import org.bpfosgi.verifier.StructOpsDesc;
import org.bpfosgi.vm.Region;

/**
 * Models {@code struct bpf_struct_ops_map} (kernel/bpf/bpf_struct_ops.c, v6.12): a
 * {@code BPF_MAP_TYPE_STRUCT_OPS} map whose one value is a {@code struct bpf_struct_ops_<name>}
 * ({@code common} + {@code data}). {@code kvalue} lives in kernel memory (what the subsystem's
 * {@code reg} receives as {@code kdata}, with every program member pointing at its trampoline);
 * {@code uvalue} is the user's copy with program ids. Owning a module type, the map holds a
 * reference on the module for its whole life (taken with btf_try_get_module() at alloc, put at
 * free), named {@code struct_ops map ID (NAME)}.
 */
public final class StructOpsMap extends BpfMap {
    /** {@code enum bpf_struct_ops_state}. */
    public enum State { INIT, INUSE, TOBEFREE, READY }

    /** BPF_MODULE_OWNER: {@code (void *)((0xeB9FUL << 2) + POISON_POINTER_DELTA)}, POISON_POINTER_DELTA 0xdead000000000000 on x86-64. */
    static final long BPF_MODULE_OWNER = (0xeB9FL << 2) + 0xdead000000000000L;
    /** EINPROGRESS (115), not in the model's Errno. */
    static final int EINPROGRESS = 115;
    /** sizeof(struct bpf_struct_ops_common_value): refcnt, state. */
    static final int COMMON_SIZE = 8;

    /** A member of the struct_ops type: its name, index, byte offset, size, and what it is. */
    record Member(String name, int index, int offset, int size, boolean funcPtr, boolean moduleOwner) {
    }

    private final StructOpsKernel kernel;
    private final StructOpsDesc desc;
    private final Module module;
    private final String holder;
    private final List<Member> members;
    private final int dataOff;
    private final Region kvalue;
    private final Region uvalueRegion;
    private final byte[] uvalue;
    private final BpfProg[] links;
    private final long[] trampolines;
    private State state = State.INIT;

    private StructOpsMap(int id, MapCreateAttr attr, StructOpsKernel kernel, StructOpsDesc desc, Module module,
                         String holder, List<Member> members, int dataOff) {
        super(id, attr);
        this.kernel = kernel;
        this.desc = desc;
        this.module = module;
        this.holder = holder;
        this.members = members;
        this.dataOff = dataOff;
        this.uvalueRegion = kernel.memory().allocate("struct_ops map " + id + " (" + attr.name() + ") uvalue",
                attr.valueSize(), Region.Access.READ_WRITE);
        this.uvalue = uvalueRegion.bytes();
        this.kvalue = kernel.memory().allocate("struct_ops map " + id + " (" + attr.name() + ") kvalue", attr.valueSize(),
                Region.Access.READ_WRITE);
        this.links = new BpfProg[members.size()];
        this.trampolines = new long[members.size()];
    }

    /** The holder name of the module reference a map of this id and name takes. */
    static String holderName(int id, String name) {
        return "struct_ops map " + id + " (" + name + ")";
    }

    /** Models bpf_struct_ops_map_alloc_check(). */
    static int allocCheck(MapCreateAttr attr) {
        if (attr.keySize() != 4 || attr.maxEntries() != 1
                || (attr.flags() & ~(MapCreateAttr.BPF_F_LINK | MapCreateAttr.BPF_F_VTYPE_BTF_OBJ_FD)) != 0
                || attr.btfVmlinuxValueTypeId() == 0) {
            return Errno.EINVAL.negative();
        }
        return 0;
    }

    /**
     * Models bpf_struct_ops_map_alloc() (v6.12): with BPF_F_VTYPE_BTF_OBJ_FD the value
     * type's BTF must be a module's ({@code btf_is_module()}, -EINVAL) whose module is LIVE
     * ({@code btf_try_get_module()}, -EINVAL; the temporary BTF reference is dropped, the module
     * reference keeps the BTF alive); without it vmlinux BTF. Then the descriptor by value type
     * id ({@code bpf_struct_ops_find_value()}, -ENOTSUPP) and {@code value_size} against the
     * value type's size (-EINVAL); any failure after the module reference puts it.
     */
    static StructOpsMap alloc(int id, MapCreateAttr attr, StructOpsKernel kernel, int[] err) {
        org.bpfosgi.btf.BtfObject btf;
        Module mod = null;
        String holder = holderName(id, attr.name());
        if ((attr.flags() & MapCreateAttr.BPF_F_VTYPE_BTF_OBJ_FD) != 0) {
            btf = attr.valueTypeBtf();
            if (btf == null) {
                err[0] = Errno.EBADF.negative(); // btf_get_by_fd() of a bad fd
                return null;
            }
            if (!btf.isModule()) {
                err[0] = Errno.EINVAL.negative();
                return null;
            }
            Optional<Module> m = kernel.progs().btfs().btfTryGetModule(btf, holder);
            if (m.isEmpty()) {
                err[0] = Errno.EINVAL.negative();
                return null;
            }
            mod = m.get();
        } else {
            btf = kernel.progs().btfs().vmlinux();
        }
        StructOpsDesc desc = null;
        for (StructOpsDesc d : kernel.progs().structOps().structOps(btf)) {
            if (d.valueId() == attr.btfVmlinuxValueTypeId()) {
                desc = d;
            }
        }
        if (desc == null) {
            kernel.modules().modulePut(mod, holder);
            err[0] = Errno.ENOTSUPP.negative();
            return null;
        }
        Btf b = btf.btf();
        BtfType.Composite vt = (BtfType.Composite) b.type(desc.valueId());
        if (attr.valueSize() != vt.size()) {
            kernel.modules().modulePut(mod, holder);
            err[0] = Errno.EINVAL.negative();
            return null;
        }
        int dataOff = -1;
        for (BtfType.Member m : vt.members()) {
            if (b.resolve(m.type()) == desc.typeId()) {
                dataOff = m.bitOffset(vt.kindFlag()) / 8;
            }
        }
        if (dataOff < 0) {
            kernel.modules().modulePut(mod, holder);
            err[0] = Errno.EINVAL.negative();
            return null;
        }
        return new StructOpsMap(id, attr, kernel, desc, mod, holder, members(b, desc.typeId()), dataOff);
    }

    /**
     * The members of struct_ops type {@code typeId} as bpf_struct_ops_map_update_elem() (v6.12)
     * classifies them with btf_type_resolve_ptr(): btf_type_skip_modifiers() of the member's
     * type, a PTR, then btf_type_skip_modifiers() of its target. The kernel's
     * btf_type_is_modifier() counts TYPEDEF as a modifier, so both steps skip typedefs
     * ({@link Btf#resolve}): a member {@code typedef int (*fn_t)(...); fn_t f;} is a function
     * pointer, and a {@code typedef struct module *} member the owner.
     */
    static List<Member> members(Btf b, int typeId) {
        BtfType.Composite t = (BtfType.Composite) b.type(typeId);
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < t.members().size(); i++) {
            BtfType.Member m = t.members().get(i);
            int mt = b.resolve(m.type());
            boolean funcPtr = false;
            boolean moduleOwner = false;
            if (b.kind(mt) == BtfKind.PTR) {
                int pointee = b.resolve(((BtfType.Ref) b.type(mt)).type());
                funcPtr = b.kind(pointee) == BtfKind.FUNC_PROTO;
                moduleOwner = b.kind(pointee) == BtfKind.STRUCT && "module".equals(b.name(pointee));
            }
            out.add(new Member(b.str(m.nameOff()), i, m.bitOffset(t.kindFlag()) / 8, (int) b.resolveSize(m.type()),
                    funcPtr, moduleOwner));
        }
        return List.copyOf(out);
    }

    public StructOpsDesc desc() {
        return desc;
    }

    /** The module whose reference the map holds (null for a vmlinux type). */
    public Module module() {
        return module;
    }

    /** The holder name of that reference. */
    public String holder() {
        return holder;
    }

    public synchronized State state() {
        return state;
    }

    /** {@code kvalue.data}: what reg/unreg receive. */
    public long kdata() {
        return kvalue.start() + dataOff;
    }

    /** Byte offset of {@code data} in the value. */
    public int dataOffset() {
        return dataOff;
    }

    /** The struct's members, in order. */
    List<Member> members() {
        return members;
    }

    /** The programs of the members ({@code st_map->links}), null where none. */
    public synchronized List<BpfProg> progs() {
        return Arrays.asList(links.clone());
    }

    /** The member names, in order. */
    public List<String> memberNames() {
        return members.stream().map(Member::name).toList();
    }

    /**
     * Models bpf_struct_ops_map_update_elem() (v6.12): flags must be 0 (-EINVAL), key 0 (-E2BIG);
     * the user value's {@code common} must be zero (-EINVAL); the map must still be INIT (-EBUSY).
     * Per member in order: the {@code struct module *} member must be NULL and becomes
     * BPF_MODULE_OWNER; {@code init_member}; a non-function member must be zero (-EINVAL); a
     * function member's program id (0: none) must name a program (-EBADF) of type STRUCT_OPS
     * whose attach_btf_id is the type and expected_attach_type the member index (-EINVAL); its
     * trampoline's address goes into kdata, its id stays in uvalue. Then {@code validate}; a
     * BPF_F_LINK map becomes READY (the link registers it), any other is registered with
     * {@code reg} and INUSE (holding a map reference). Any failure puts the programs and zeroes
     * both copies (reset_unlock).
     *
     * <p>Not modelled: check_zero_holes() (the types the model has have no holes) and the
     * trampoline image size limit (-E2BIG).
     */
    public int update(int key, byte[] value, long flags) {
        if (flags != 0) {
            return Errno.EINVAL.negative();
        }
        if (key != 0) {
            return Errno.E2BIG.negative();
        }
        if (value.length != uvalue.length) {
            return Errno.EINVAL.negative();
        }
        ByteBuffer u = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        if (u.getInt(0) != 0 || u.getInt(4) != 0) {
            return Errno.EINVAL.negative();
        }
        synchronized (kernel.lock()) {
            synchronized (this) {
                if (state != State.INIT) {
                    return Errno.EBUSY.negative();
                }
                System.arraycopy(value, 0, uvalue, 0, value.length);
                int err = fill(u);
                if (err == 0) {
                    err = validateAndRegister();
                }
                if (err != 0) {
                    resetUnlock();
                }
                return err;
            }
        }
    }

    private int fill(ByteBuffer u) {
        long kdata = kdata();
        StructOps st = desc.stOps();
        for (Member m : members) {
            int moff = dataOff + m.offset();
            if (m.moduleOwner()) {
                if (u.getLong(moff) != 0) {
                    return Errno.EINVAL.negative();
                }
                kernel.memory().st64(kdata + m.offset(), BPF_MODULE_OWNER);
                continue;
            }
            int[] handled = {0};
            int r = kernel.callModule(desc, "st_ops->init_member", () -> handled[0] =
                    st.initMember(new StructOpsMember(m.name(), m.index(), m.offset(), m.funcPtr()), kernel.kernelMemory(),
                            kdata, uvalueRegion.start() + dataOff) ? 1 : 0);
            if (r < 0) {
                return r;
            }
            if (handled[0] > 0) {
                continue;
            }
            if (!m.funcPtr()) {
                for (int b = 0; b < m.size(); b++) {
                    if (uvalue[moff + b] != 0) {
                        return Errno.EINVAL.negative();
                    }
                }
                continue;
            }
            // prog_fd = (int)(*(unsigned long *)(udata + moff)); 0: no program
            int progFd = (int) u.getLong(moff);
            if (progFd == 0) {
                continue;
            }
            BpfProg p = kernel.progs().progs().get(progFd).orElse(null);
            if (p == null) {
                return Errno.EBADF.negative();
            }
            if (p.type() != BpfProgType.STRUCT_OPS || p.attachBtfId() != desc.typeId() || p.expectedAttachType() != m.index()) {
                return Errno.EINVAL.negative();
            }
            kernel.progs().progs().inc(p);
            links[m.index()] = p;
            long tramp = kernel.trampolines().prepare(this, m.name(), p);
            trampolines[m.index()] = tramp;
            kernel.memory().st64(kdata + m.offset(), tramp);
            ByteBuffer.wrap(uvalue).order(ByteOrder.LITTLE_ENDIAN).putLong(moff, p.id());
        }
        return 0;
    }

    private int validateAndRegister() {
        StructOps st = desc.stOps();
        long kdata = kdata();
        if (st.validate().isPresent()) {
            int r = kernel.callModule(desc, "st_ops->validate", () -> st.validate().get().validate(kernel.kernelMemory(), kdata));
            if (r < 0) {
                return r;
            }
        }
        if ((attr().flags() & MapCreateAttr.BPF_F_LINK) != 0) {
            setState(State.READY);
            return 0;
        }
        int r = kernel.callModule(desc, "st_ops->reg", () -> st.reg(kernel.kernelMemory(), kdata));
        if (r < 0) {
            return r;
        }
        inc();
        setState(State.INUSE);
        return 0;
    }

    private void setState(State s) {
        state = s;
        kernel.memory().st32(kvalue.start() + 4, s.ordinal());
    }

    /** reset_unlock: bpf_struct_ops_map_put_progs(), the image freed, uvalue and kvalue zeroed. */
    private void resetUnlock() {
        putProgs();
        Arrays.fill(uvalue, (byte) 0);
        Arrays.fill(kvalue.bytes(), (byte) 0);
        state = State.INIT;
    }

    private void putProgs() {
        for (int i = 0; i < links.length; i++) {
            if (trampolines[i] != 0) {
                kernel.trampolines().release(trampolines[i]);
                trampolines[i] = 0;
            }
            if (links[i] != null) {
                BpfProg p = links[i];
                links[i] = null;
                kernel.progs().progs().put(p);
            }
        }
    }

    /**
     * Models bpf_struct_ops_map_delete_elem(): -EOPNOTSUPP for a BPF_F_LINK map; INUSE →
     * TOBEFREE, {@code unreg}, the registration's map reference put (0); TOBEFREE: -EINPROGRESS;
     * INIT (or READY, which the kernel WARNs about): -ENOENT.
     */
    public int delete(int key) {
        if ((attr().flags() & MapCreateAttr.BPF_F_LINK) != 0) {
            return Errno.EOPNOTSUPP.negative();
        }
        State prev;
        synchronized (kernel.lock()) {
            synchronized (this) {
                prev = state;
                if (prev == State.INUSE) {
                    setState(State.TOBEFREE);
                }
            }
            switch (prev) {
                case INUSE -> {
                    kernel.callModule(desc, "st_ops->unreg", () -> desc.stOps().unreg(kernel.kernelMemory(), kdata()));
                    kernel.maps().put(this);
                    return 0;
                }
                case TOBEFREE -> {
                    return -EINPROGRESS;
                }
                default -> {
                    return Errno.ENOENT.negative();
                }
            }
        }
    }

    /** A link registers the map: {@code st_ops->reg(kdata)}. */
    int linkReg() {
        return kernel.callModule(desc, "st_ops->reg", () -> desc.stOps().reg(kernel.kernelMemory(), kdata()));
    }

    /** A link goes: {@code st_ops->unreg(kdata)}. */
    void linkUnreg() {
        kernel.callModule(desc, "st_ops->unreg", () -> desc.stOps().unreg(kernel.kernelMemory(), kdata()));
    }

    /** Models bpf_struct_ops_valid_to_reg(): a BPF_F_LINK map in state READY. */
    synchronized boolean validToReg() {
        return (attr().flags() & MapCreateAttr.BPF_F_LINK) != 0 && state == State.READY;
    }

    /**
     * Models bpf_struct_ops_map_sys_lookup_elem(): zeros while INIT, else uvalue (program ids)
     * with the state and an estimate of the users ({@code refcnt - 2 - usercnt}, at least 0).
     */
    @Override
    public synchronized byte[] lookupUser(int key) {
        if (key != 0) {
            return null;
        }
        byte[] out = new byte[uvalue.length];
        if (state == State.INIT) {
            return out;
        }
        System.arraycopy(uvalue, 0, out, 0, out.length);
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, Math.max(0, refcnt() - 2 - (userRef() ? 1 : 0)));
        b.putInt(4, state.ordinal());
        return out;
    }

    /**
     * Models bpf_struct_ops_map_free(): module_put() of the owner first (for a module's type),
     * then __bpf_struct_ops_map_free(): the programs are put, the trampoline image and the
     * value freed.
     */
    @Override
    void mapFree() {
        kernel.modules().modulePut(module, holder);
        synchronized (kernel.lock()) {
            synchronized (this) {
                putProgs();
                kernel.memory().free(kvalue);
                kernel.memory().free(uvalueRegion);
            }
        }
    }
}
