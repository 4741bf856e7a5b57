package org.bpfosgi.verifier;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.InsnValidator;

/**
 * Models kernel/bpf/verifier.c check_subprogs(): jumps stay inside their subprogram, and each
 * subprogram ends with an exit or a jump. Also runs the per-instruction reserved-field and
 * opcode checks the kernel makes in resolve_pseudo_ldimm64() and do_check_insn()
 * ({@link InsnValidator}, the kernel's messages). The model makes them for every instruction up
 * front rather than when do_check reaches each one: only which error is reported first differs.
 */
final class CheckSubprogs {
    private CheckSubprogs() {
    }

    static int run(VerifierEnv env) {
        if (env.log.level() >= BpfVerifierLog.BPF_LOG_LEVEL2) {
            for (int i = 0; i < env.subprogCount(); i++) {
                env.verbose("func#%d @%d\n", i, env.subprogStarts.get(i));
            }
        }
        int n = env.insns.size();
        int cur = 0;
        int subStart = env.subprogStarts.get(0);
        int subEnd = env.subprogStarts.get(1);
        for (int i = subStart; i < n; i++) {
            Insn insn = env.insns.get(i);
            int cls = insn.cls();
            // BPF_OP() alone decides what is no jump (a JMP32 call or exit is refused later, as an unknown opcode)
            if ((cls == Bpf.BPF_JMP || cls == Bpf.BPF_JMP32) && insn.op() != Bpf.BPF_CALL && insn.op() != Bpf.BPF_EXIT) {
                long off = insn.isGotol() ? insn.imm() : insn.off();
                long target = i + off + 1;
                if (target < subStart || target >= subEnd) {
                    return env.err(Errno.EINVAL, "jump out of range from insn %d to %d\n", i, target);
                }
            }
            if (i == subEnd - 1) {
                // the last insn of a subprog must be an exit or an unconditional jump
                int code = insn.code();
                boolean ok = code == (Bpf.BPF_JMP | Bpf.BPF_EXIT) || code == (Bpf.BPF_JMP32 | Bpf.BPF_JA)
                        || code == (Bpf.BPF_JMP | Bpf.BPF_JA);
                if (!ok) {
                    return env.err(Errno.EINVAL, "last insn is not an exit or jmp\n");
                }
                cur++;
                if (cur < env.subprogCount()) {
                    subStart = subEnd;
                    subEnd = env.subprogStarts.get(cur + 1);
                }
            }
        }
        return 0;
    }

    /**
     * resolve_pseudo_ldimm64() for the map loads (v6.12): BPF_PSEUDO_MAP_FD / MAP_IDX need a zero
     * second imm ("unrecognized bpf_ld_imm64 insn"); the _IDX forms read the fd from fd_array
     * ("fd_idx without fd_array is invalid", -EPROTO); the map by fd (bpf_map_get(); "fd %d is
     * not pointing to valid bpf_map", -EBADF); check_map_prog_compatibility(); for the _VALUE
     * forms the offset in the second imm (below BPF_MAX_VAR_OFF: "direct value offset of %u is
     * not allowed", -EINVAL), map_direct_value_addr ("no direct value access support for this
     * map type", -EINVAL; "invalid access to map value pointer, value_size=%u off=%u" with its
     * errno); the map added once to {@code used_maps} with a reference, and the address (of the
     * map, or of the value plus the offset) written into the instruction pair. Not modelled:
     * the MAX_USED_MAPS limit and the checks of check_map_prog_compatibility() about map features
     * the model has no maps with (spin locks, timers, list heads, offload, cgroup storage). The
     * _IDX forms read a map fd from fd_array (an Integer entry; a BTF object there is a file that
     * is not a map, -EINVAL; a null entry a bad fd, -EBADF), then go on as BPF_PSEUDO_MAP_FD.
     */
    private static int addUsedMap(VerifierEnv env, int i, Insn insn) {
        int src = insn.src();
        Insn next = env.insns.get(i + 1);
        boolean value = src == Bpf.BPF_PSEUDO_MAP_VALUE || src == Bpf.BPF_PSEUDO_MAP_IDX_VALUE;
        if (!value && next.imm() != 0) {
            return env.err(Errno.EINVAL, "unrecognized bpf_ld_imm64 insn\n");
        }
        int fd = insn.imm();
        if (src == Bpf.BPF_PSEUDO_MAP_IDX || src == Bpf.BPF_PSEUDO_MAP_IDX_VALUE) {
            if (env.attr.fdArray() == null) {
                return env.err(Errno.EPROTO, "fd_idx without fd_array is invalid\n");
            }
            if (Integer.toUnsignedLong(fd) >= env.attr.fdArray().size()) {
                // copy_from_bpfptr_offset() past the caller's array
                return Errno.EFAULT.negative();
            }
            // fd = fd_array[imm]; fdget() + __bpf_map_get(): no file -EBADF, a file that is not a
            // map (a BTF fd: the model's BTF fds are BTF ids) -EINVAL
            Object entry = env.attr.fdArray().get(fd);
            if (!(entry instanceof Integer mapFd)) {
                int badFd = entry instanceof org.bpfosgi.btf.BtfObject b ? b.id() : -1;
                return env.err(entry == null ? Errno.EBADF : Errno.EINVAL, "fd %d is not pointing to valid bpf_map\n", badFd);
            }
            fd = mapFd;
        }
        VerifierMaps.UsedMap m = null;
        for (VerifierMaps.UsedMap u : env.aux.usedMaps) {
            if (u.id() == fd) {
                m = u;
            }
        }
        boolean fresh = m == null;
        if (fresh) {
            m = env.kernel.maps().get(fd);
            if (m == null) {
                return env.err(Errno.EBADF, "fd %d is not pointing to valid bpf_map\n", fd);
            }
        }
        int r = checkMapProgCompatibility(env, m);
        long addr = m.address();
        if (r >= 0 && value) {
            long off = Integer.toUnsignedLong(next.imm());
            if (off >= CheckAluOp.BPF_MAX_VAR_OFF) {
                r = env.err(Errno.EINVAL, "direct value offset of %d is not allowed\n", off);
            } else if (!m.hasDirectValueAddr()) {
                r = env.err(Errno.EINVAL, "no direct value access support for this map type\n");
            } else {
                r = m.directValueAddr((int) off);
                if (r < 0) {
                    env.verbose("invalid access to map value pointer, value_size=%d off=%d\n",
                            Integer.toUnsignedLong(m.valueSize()), off);
                } else {
                    addr = m.directValueBase() + off;
                }
            }
        }
        if (r < 0) {
            if (fresh) {
                m.put(); // fdput(): the reference bpf_map_get() took
            }
            return r;
        }
        if (fresh) {
            env.aux.usedMaps.add(m);
        }
        env.insns.set(i, insn.withImm((int) addr));
        env.insns.set(i + 1, next.withImm((int) (addr >>> 32)));
        return 0;
    }

    /** The map types a sleepable program may use (check_map_prog_compatibility(), v6.12). */
    private static final java.util.Set<Integer> SLEEPABLE_MAP_TYPES = java.util.Set.of(
            1, 9, 2, 5, 6, 10, 12, 13, // HASH, LRU_HASH, ARRAY, PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH, *_OF_MAPS
            27, 31, 28, 24, 29, 32,    // RINGBUF, USER_RINGBUF, INODE/SK/TASK/CGRP_STORAGE
            22, 23, 33);               // QUEUE, STACK, ARENA

    /**
     * Models the parts of check_map_prog_compatibility() (v6.12) that concern the model's maps: a
     * struct_ops map is never a program's map ("bpf_struct_ops map cannot be used in prog"), and
     * a sleepable program (every syscall program) may not use a prog array ("Sleepable programs
     * can only use array, hash, ringbuf and local storage maps"; the 6.18 machine says the same
     * for a syscall program with a prog array; later kernels allow prog arrays), both -EINVAL.
     */
    private static int checkMapProgCompatibility(VerifierEnv env, VerifierMaps.UsedMap m) {
        if (m.mapType() == VerifierMaps.BPF_MAP_TYPE_STRUCT_OPS) {
            return env.err(Errno.EINVAL, "bpf_struct_ops map cannot be used in prog\n");
        }
        if (env.aux.sleepable && !SLEEPABLE_MAP_TYPES.contains(m.mapType())) {
            return env.err(Errno.EINVAL, "Sleepable programs can only use array, hash, ringbuf and local storage maps\n");
        }
        return 0;
    }

    /**
     * The per-instruction checks of resolve_pseudo_ldimm64()'s loop (v6.12), in its order: an
     * LDX of another mode or with an immediate ("BPF_LDX uses reserved fields"), an ld_imm64
     * whose second half is missing or not zero ("invalid bpf_ld_imm64 insn"; its second half is
     * then skipped), and any other code that bpf_opcode_in_insntable() does not know ("unknown
     * opcode %02x"), all -EINVAL, before do_check() runs (so before any reserved-field check
     * of do_check()). Not modelled: a map fd of an earlier ld_imm64 is resolved (and may fail)
     * before a later unknown opcode is found; the model reports the opcode first.
     */
    private static int resolvePseudoLdimm64Opcodes(VerifierEnv env) {
        int n = env.insns.size();
        for (int i = 0; i < n; i++) {
            Insn insn = env.insns.get(i);
            if (insn.cls() == Bpf.BPF_LDX && ((insn.mode() != Bpf.BPF_MEM && insn.mode() != Bpf.BPF_MEMSX) || insn.imm() != 0)) {
                return env.err(Errno.EINVAL, "BPF_LDX uses reserved fields\n");
            }
            if (insn.isLdImm64()) {
                Insn hi = i + 1 < n ? env.insns.get(i + 1) : null;
                if (hi == null || hi.code() != 0 || hi.dst() != 0 || hi.src() != 0 || hi.off() != 0) {
                    return env.err(Errno.EINVAL, "invalid bpf_ld_imm64 insn\n");
                }
                i++;
                continue;
            }
            if (!BpfOpcodeInInsntable.test(insn.code())) {
                return env.err(Errno.EINVAL, "unknown opcode %02x\n", insn.code());
            }
        }
        return 0;
    }

    private static java.util.List<Insn> mayGotoAsJa(java.util.List<Insn> insns) {
        java.util.List<Insn> out = new java.util.ArrayList<>(insns.size());
        for (Insn insn : insns) {
            out.add(insn.code() == (Bpf.BPF_JMP | Bpf.BPF_JCOND) ? new Insn(Bpf.BPF_JMP | Bpf.BPF_JA, 0, 0, insn.off(), 0) : insn);
        }
        return out;
    }

    /** The reserved-field and opcode checks (resolve_pseudo_ldimm64() and do_check_insn()). */
    static int checkInsnFields(VerifierEnv env) {
        int u = resolvePseudoLdimm64Opcodes(env);
        if (u < 0) {
            return u;
        }
        // may_goto's fields are checked by check_cond_jmp_op() when do_check() reaches it (with
        // v6.12's message): here it only counts as the jump it is
        var v = InsnValidator.validate(mayGotoAsJa(env.insns), false);
        if (v.isPresent()) {
            String msg = v.get().message();
            if (msg.startsWith("empty program")) {
                return Errno.EINVAL.negative();
            }
            if (msg.startsWith("jump out of range") || msg.startsWith("last insn")) {
                return env.err(Errno.EINVAL, msg + "\n");
            }
            Errno e = msg.startsWith("frame pointer is read only") ? Errno.EACCES : Errno.EINVAL;
            return env.err(e, msg + "\n");
        }
        for (int i = 0; i < env.insns.size(); i++) {
            Insn insn = env.insns.get(i);
            if (insn.isLdImm64()) {
                int src = insn.src();
                if (src == Bpf.BPF_PSEUDO_MAP_FD || src == Bpf.BPF_PSEUDO_MAP_VALUE || src == Bpf.BPF_PSEUDO_MAP_IDX
                        || src == Bpf.BPF_PSEUDO_MAP_IDX_VALUE) {
                    int r = addUsedMap(env, i, insn);
                    if (r < 0) {
                        return r;
                    }
                    i++;
                    continue;
                }
                if (src == Bpf.BPF_PSEUDO_BTF_ID) {
                    int r = CheckPseudoBtfId.run(env, i);
                    if (r < 0) {
                        return r;
                    }
                    i++;
                    continue;
                }
                if (src == Bpf.BPF_PSEUDO_FUNC) {
                    // UNFINISHED: callbacks (BPF_PSEUDO_FUNC, aux->ptr_type = PTR_TO_FUNC) are not modelled yet
                    return env.err(Errno.EINVAL, "unrecognized bpf_ld_imm64 insn\n");
                }
                i++;
            }
        }
        return 0;
    }
}
