package org.bpfosgi.subsystem;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Models {@code struct bpf_func_proto} (include/linux/bpf.h): a helper's name, GPL-only flag,
 * return type and argument types, as {@code get_func_proto} returns it, and for each
 * {@link ArgType#ARG_PTR_TO_BTF_ID} argument the vmlinux BTF id of the struct it must point to
 * ({@code argN_btf_id}; 0 for every other argument).
 */
@ProviderType
public record BpfFuncProto(String name, boolean gplOnly, RetType retType, List<ArgType> argTypes,
                           List<Integer> argBtfIds) {
    /** Models {@code enum bpf_return_type} (the subset the model's helpers use). */
    public enum RetType {
        RET_INTEGER,
        RET_VOID,
        /** {@code RET_PTR_TO_MAP_VALUE_OR_NULL} (bpf_sk_storage_get, bpf_map_lookup_elem). */
        RET_PTR_TO_MAP_VALUE_OR_NULL,
        /**
         * {@code RET_PTR_TO_BTF_ID_OR_NULL} with {@code ret_btf_id = BPF_PTR_POISON}: the type is
         * the kptr field's (bpf_kptr_xchg).
         */
        RET_PTR_TO_BTF_ID_OR_NULL,
        /**
         * {@code RET_PTR_TO_MEM_OR_BTF_ID | MEM_RDONLY} (bpf_this_cpu_ptr): of the type of the
         * {@link ArgType#ARG_PTR_TO_PERCPU_BTF_ID} argument — a struct: PTR_TO_BTF_ID (MEM_RDONLY
         * dropped), anything else: read-only memory of its size.
         */
        RET_PTR_TO_MEM_OR_BTF_ID_RDONLY,
        /**
         * {@code RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL | MEM_RDONLY} (bpf_per_cpu_ptr): as
         * {@link #RET_PTR_TO_MEM_OR_BTF_ID_RDONLY}, or NULL.
         */
        RET_PTR_TO_MEM_OR_BTF_ID_OR_NULL_RDONLY
    }

    /** Models {@code enum bpf_arg_type} (the subset the model's helpers use). */
    public enum ArgType {
        /** any initialised register. */
        ARG_ANYTHING,
        /** pointer to readable memory (stack) whose size is the next argument. */
        ARG_PTR_TO_MEM_RDONLY,
        /** the size of the preceding memory argument, a known constant &gt; 0. */
        ARG_CONST_SIZE,
        /** the size of the preceding memory argument, a known constant &gt;= 0. */
        ARG_CONST_SIZE_OR_ZERO,
        /** the program's context pointer. */
        ARG_PTR_TO_CTX,
        /**
         * a PTR_TO_BTF_ID (plain, trusted or RCU) to the struct named by {@code argBtfIds}, or
         * to a struct whose first member is (btf_struct_ids_match()): check_reg_type()'s
         * {@code btf_ptr_types}.
         */
        ARG_PTR_TO_BTF_ID,
        /** a socket pointer of any kind: for PTR_TO_BTF_ID, a struct that starts with {@code struct sock_common}. */
        ARG_PTR_TO_BTF_ID_SOCK_COMMON,
        /** memory the helper writes (check_helper_mem_access() in raw mode); its size is the next argument. */
        ARG_PTR_TO_UNINIT_MEM,
        /** {@code CONST_PTR_TO_MAP}: a map loaded with {@code BPF_PSEUDO_MAP_FD}. */
        ARG_CONST_MAP_PTR,
        /** a pointer to a map value, or NULL. */
        ARG_PTR_TO_MAP_VALUE_OR_NULL,
        /** a pointer to {@code key_size} initialised bytes: the key of the map the preceding ARG_CONST_MAP_PTR names. */
        ARG_PTR_TO_MAP_KEY,
        /** a pointer to {@code value_size} initialised bytes: a value of the map the preceding ARG_CONST_MAP_PTR names. */
        ARG_PTR_TO_MAP_VALUE,
        /**
         * {@code ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE} (v6.12; formerly
         * ARG_PTR_TO_UNINIT_MAP_VALUE): {@code value_size} bytes the helper writes, which need
         * not be initialised (bpf_map_pop_elem, bpf_map_peek_elem).
         */
        ARG_PTR_TO_UNINIT_MAP_VALUE,
        /** {@code ARG_KPTR_XCHG_DEST}: a pointer to a referenced kptr field of a map value (bpf_kptr_xchg). */
        ARG_KPTR_XCHG_DEST,
        /**
         * {@code ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE} with {@code BPF_PTR_POISON}: NULL, or a
         * referenced pointer of the kptr field's type whose reference the helper takes over
         * (bpf_kptr_xchg).
         */
        ARG_PTR_TO_BTF_ID_OR_NULL_RELEASE,
        /**
         * {@code ARG_PTR_TO_PERCPU_BTF_ID}: a per-cpu pointer with a BTF type (a per-cpu ksym);
         * its type is what a {@code RET_PTR_TO_MEM_OR_BTF_ID*} return points to
         * (bpf_per_cpu_ptr, bpf_this_cpu_ptr).
         */
        ARG_PTR_TO_PERCPU_BTF_ID
    }

    public BpfFuncProto {
        argTypes = List.copyOf(argTypes);
        if (argTypes.size() > 5) {
            throw new IllegalArgumentException("a helper takes at most 5 arguments");
        }
        argBtfIds = List.copyOf(argBtfIds);
        if (argBtfIds.size() != argTypes.size()) {
            throw new IllegalArgumentException("one argBtfIds entry per argument");
        }
    }

    /** A proto without {@code ARG_PTR_TO_BTF_ID} arguments. */
    public BpfFuncProto(String name, boolean gplOnly, RetType retType, List<ArgType> argTypes) {
        this(name, gplOnly, retType, argTypes, java.util.Collections.nCopies(argTypes.size(), 0));
    }
}
