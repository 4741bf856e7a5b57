package org.bpfosgi.subsystem;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Models {@code struct bpf_func_proto} (include/linux/bpf.h): a helper's name, GPL-only flag,
 * return type and argument types, as {@code get_func_proto} returns it.
 */
@ProviderType
public record BpfFuncProto(String name, boolean gplOnly, RetType retType, List<ArgType> argTypes) {
    /** Models {@code enum bpf_return_type} (the subset the model's helpers use). */
    public enum RetType { RET_INTEGER, RET_VOID }

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
        /** a map pointer loaded by a BPF_PSEUDO_MAP_FD ld_imm64 (CONST_PTR_TO_MAP); since 2.1. */
        ARG_CONST_MAP_PTR
    }

    public BpfFuncProto {
        argTypes = List.copyOf(argTypes);
        if (argTypes.size() > 5) {
            throw new IllegalArgumentException("a helper takes at most 5 arguments");
        }
    }
}
