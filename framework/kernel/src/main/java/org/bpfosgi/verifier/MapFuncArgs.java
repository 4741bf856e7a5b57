package org.bpfosgi.verifier;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.HelperIds;
import org.bpfosgi.subsystem.BpfFuncProto.ArgType;

/**
 * Models the map arguments of kernel/bpf/verifier.c check_func_arg() (v6.12) and
 * record_func_map(): ARG_PTR_TO_MAP_KEY and ARG_PTR_TO_MAP_VALUE[_OR_NULL] need the map of the
 * preceding ARG_CONST_MAP_PTR (resolve_map_arg_type() first for values), a register of
 * {@code mem_types} (check_reg_type(); PTR_MAYBE_NULL stripped for the _OR_NULL form,
 * where a known NULL skips everything), then check_helper_mem_access() for key_size /
 * value_size bytes, read.
 */
final class MapFuncArgs {
    private MapFuncArgs() {
    }

    static int check(DoCheck dc, int regno, RegState reg, ArgType arg, VerifierMaps.UsedMap mapPtr) {
        return check(dc, regno, reg, arg, mapPtr, null);
    }

    /**
     * As {@link #check(DoCheck, int, RegState, ArgType, VerifierMaps.UsedMap)}, with
     * ARG_PTR_TO_UNINIT_MAP_VALUE ({@code ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE}, v6.12):
     * check_helper_mem_access() as a BPF_WRITE ("R%d cannot write into map_key", check_map_access_type()'s
     * "write into map forbidden" for a BPF_F_RDONLY_PROG value) in raw mode ({@code meta->raw_mode}).
     * A stack buffer at a constant offset is then only bounds-checked (check_stack_range_initialized():
     * no initialisation needed, nothing read); {@code raw} receives its register and size
     * ({@code meta->regno}, {@code meta->access_size}) for check_helper_call()'s byte-by-byte
     * BPF_WRITE afterwards. A variable offset drops raw mode (meta = NULL): the bytes must be
     * initialised and are clobbered as for any helper buffer.
     *
     * @param raw {regno, access_size}, set for a raw-mode stack buffer (may be null for other arguments)
     */
    static int check(DoCheck dc, int regno, RegState reg, ArgType arg, VerifierMaps.UsedMap mapPtr, int[] raw) {
        VerifierEnv env = dc.env;
        boolean orNull = arg == ArgType.ARG_PTR_TO_MAP_VALUE_OR_NULL;
        boolean value = arg != ArgType.ARG_PTR_TO_MAP_KEY;
        boolean uninit = arg == ArgType.ARG_PTR_TO_UNINIT_MAP_VALUE;
        if (value && mapPtr == null) {
            // resolve_map_arg_type()
            return env.err(Errno.EACCES, "invalid map_ptr to access map->type\n");
        }
        if (orNull && reg.isNull()) {
            // register_is_null() && type_may_be_null(arg_type): no type check, nothing to access
            return 0;
        }
        // check_reg_type() against mem_types (v6.12: keys and values take any readable memory)
        int flags = orNull ? reg.flags() & ~RegState.PTR_MAYBE_NULL : reg.flags();
        boolean trustedBtf = reg.type() == RegType.PTR_TO_BTF_ID && flags == RegState.PTR_TRUSTED;
        boolean ok = trustedBtf || (flags == 0 && (reg.type() == RegType.PTR_TO_STACK || reg.type() == RegType.PTR_TO_MAP_KEY
                || reg.type() == RegType.PTR_TO_MAP_VALUE || reg.type() == RegType.PTR_TO_MEM));
        if (!ok) {
            return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(), CheckHelperCall.MEM_TYPES);
        }
        if (trustedBtf) {
            // found: a PTR_TO_BTF_ID matched mem_types, and the argument is not MEM_RDONLY
            return env.err(Errno.EACCES, "%s() may write into memory pointed by R%d type=%s\n",
                    BaseFuncProtos.name(env.insns.get(dc.curInsnIdx).imm()), regno, reg.typeStr());
        }
        // check_func_arg_reg_off(): fixed and variable offsets are fine for these types
        if (mapPtr == null) {
            return env.err(Errno.EACCES, value ? "invalid map_ptr to access map->value\n" : "invalid map_ptr to access map->key\n");
        }
        int size = value ? mapPtr.valueSize() : mapPtr.keySize();
        if (uninit && reg.type() == RegType.PTR_TO_STACK) {
            // check_stack_range_initialized(.., ACCESS_HELPER, meta) with meta->raw_mode: the bounds
            // as a write, then (a constant offset keeps raw mode) only meta->access_size/regno
            if (size == 0) {
                return env.err(Errno.EACCES, "invalid zero-sized read\n");
            }
            FuncState f = dc.cur.frame[reg.frameno()];
            int r = dc.mem.checkStackAccessWithinBounds(regno, reg, f, reg.off(), size,
                    org.bpfosgi.subsystem.BpfAccessType.BPF_WRITE, " indirect access to");
            if (r < 0) {
                return r;
            }
            if (reg.var().isConst()) {
                raw[0] = regno;
                raw[1] = size;
                return 0;
            }
        }
        return helperMemAccess(dc, regno, reg, size, uninit);
    }

    /** check_helper_mem_access() of {@code size} bytes (a BPF_WRITE for {@code write}), zero size not allowed. */
    private static int helperMemAccess(DoCheck dc, int regno, RegState reg, int size, boolean write) {
        if (write && reg.type() == RegType.PTR_TO_STACK) {
            // a variable offset: check_stack_range_initialized() again from the start, meta = NULL
            return dc.mem.checkStackRangeInitialized(regno, reg, reg.off(), size, true, false);
        }
        return switch (reg.type()) {
            case PTR_TO_STACK -> dc.mem.checkStackRangeInitialized(regno, reg, reg.off(), size, true, false);
            case PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY -> dc.mapAccess.helperMemAccess(regno, reg, size, write, false);
            case PTR_TO_MEM -> dc.mem.checkMemRegionAccess(regno, reg, reg.off(), size, reg.memSize(), false);
            default -> throw new IllegalStateException("not a map key/value type: " + reg.type());
        };
    }

    /**
     * Models record_func_map() (v6.12) for the helpers the model has: bpf_tail_call and the map
     * lookup/update/delete/push/pop/peek/lookup_percpu helpers need a map ("kernel subsystem
     * misconfigured verifier", -EINVAL), and update/delete/push/pop may not change a
     * BPF_F_RDONLY_PROG map ("write into map forbidden", -EACCES). Then the call's map_ptr_state: the first map seen at {@code insnIdx}
     * is stored (unpriv when the map has no bypass_spec_v1); a different map later poisons it.
     */
    static int recordFuncMap(VerifierEnv env, VerifierMaps.UsedMap map, int funcId, int insnIdx) {
        if (funcId != HelperIds.BPF_FUNC_tail_call && funcId != HelperIds.BPF_FUNC_map_lookup_elem
                && funcId != HelperIds.BPF_FUNC_map_update_elem && funcId != HelperIds.BPF_FUNC_map_delete_elem
                && funcId != HelperIds.BPF_FUNC_map_push_elem && funcId != HelperIds.BPF_FUNC_map_pop_elem
                && funcId != HelperIds.BPF_FUNC_map_peek_elem && funcId != HelperIds.BPF_FUNC_map_lookup_percpu_elem) {
            return 0;
        }
        if (map == null) {
            return env.err(Errno.EINVAL, "kernel subsystem misconfigured verifier\n");
        }
        if ((map.mapFlags() & VerifierMaps.BPF_F_RDONLY_PROG) != 0
                && (funcId == HelperIds.BPF_FUNC_map_delete_elem || funcId == HelperIds.BPF_FUNC_map_update_elem
                    || funcId == HelperIds.BPF_FUNC_map_push_elem || funcId == HelperIds.BPF_FUNC_map_pop_elem)) {
            return env.err(Errno.EACCES, "write into map forbidden\n");
        }
        MapPtrState aux = env.mapPtrState[insnIdx];
        if (aux == null || aux.mapPtr() == null) {
            env.mapPtrState[insnIdx] = MapPtrState.store(aux, map, !map.bypassSpecV1(), false);
        } else if (aux.mapPtr() != map) {
            env.mapPtrState[insnIdx] = MapPtrState.store(aux, map, !map.bypassSpecV1(), true);
        }
        return 0;
    }
}
