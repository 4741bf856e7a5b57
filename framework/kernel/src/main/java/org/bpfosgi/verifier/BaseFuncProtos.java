package org.bpfosgi.verifier;

import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_ANYTHING;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_CONST_MAP_PTR;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_CONST_SIZE;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_CONST_SIZE_OR_ZERO;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_UNINIT_MEM;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_CTX;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_MEM_RDONLY;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_MAP_KEY;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_MAP_VALUE;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_UNINIT_MAP_VALUE;
import static org.bpfosgi.subsystem.BpfFuncProto.RetType.RET_INTEGER;
import static org.bpfosgi.subsystem.BpfFuncProto.RetType.RET_PTR_TO_MAP_VALUE_OR_NULL;
import static org.bpfosgi.subsystem.BpfFuncProto.RetType.RET_VOID;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_KPTR_XCHG_DEST;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_BTF_ID_OR_NULL_RELEASE;
import static org.bpfosgi.subsystem.BpfFuncProto.RetType.RET_PTR_TO_BTF_ID_OR_NULL;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_PERCPU_BTF_ID;
import static org.bpfosgi.subsystem.BpfFuncProto.RetType.RET_PTR_TO_MEM_OR_BTF_ID_RDONLY;
import static org.bpfosgi.subsystem.BpfFuncProto.RetType.RET_PTR_TO_MEM_OR_BTF_ID_OR_NULL_RDONLY;

import java.util.List;
import java.util.Map;

import org.bpfosgi.isa.HelperIds;
import org.bpfosgi.subsystem.BpfFuncProto;

/**
 * Models kernel/bpf/helpers.c bpf_base_func_proto() — the subset without ring buffers, spin
 * locks, timers and dynptrs, which the model does not have yet: the map lookup/update/delete,
 * push/pop/peek and lookup_percpu helpers, the time, random, CPU and pid helpers, bpf_tail_call, and (privileged)
 * bpf_trace_printk, bpf_get_current_task, bpf_probe_read_kernel, bpf_per_cpu_ptr,
 * bpf_this_cpu_ptr.
 */
public final class BaseFuncProtos {
    private BaseFuncProtos() {
    }

    private static final Map<Integer, BpfFuncProto> PROTOS = Map.ofEntries(
            // bpf_map_lookup_elem_proto, bpf_map_update_elem_proto, bpf_map_delete_elem_proto (kernel/bpf/helpers.c)
            Map.entry(1, new BpfFuncProto("bpf_map_lookup_elem", false, RET_PTR_TO_MAP_VALUE_OR_NULL,
                    List.of(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY))),
            Map.entry(2, new BpfFuncProto("bpf_map_update_elem", false, RET_INTEGER,
                    List.of(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING))),
            Map.entry(3, new BpfFuncProto("bpf_map_delete_elem", false, RET_INTEGER,
                    List.of(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY))),
            // bpf_map_push_elem_proto, bpf_map_pop_elem_proto, bpf_map_peek_elem_proto (v6.12: the value
            // of pop/peek is ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE), bpf_map_lookup_percpu_elem_proto
            Map.entry(87, new BpfFuncProto("bpf_map_push_elem", false, RET_INTEGER,
                    List.of(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING))),
            Map.entry(88, new BpfFuncProto("bpf_map_pop_elem", false, RET_INTEGER,
                    List.of(ARG_CONST_MAP_PTR, ARG_PTR_TO_UNINIT_MAP_VALUE))),
            Map.entry(89, new BpfFuncProto("bpf_map_peek_elem", false, RET_INTEGER,
                    List.of(ARG_CONST_MAP_PTR, ARG_PTR_TO_UNINIT_MAP_VALUE))),
            Map.entry(195, new BpfFuncProto("bpf_map_lookup_percpu_elem", false, RET_PTR_TO_MAP_VALUE_OR_NULL,
                    List.of(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING))),
            Map.entry(5, new BpfFuncProto("bpf_ktime_get_ns", false, RET_INTEGER, List.of())),
            Map.entry(7, new BpfFuncProto("bpf_get_prandom_u32", false, RET_INTEGER, List.of())),
            Map.entry(8, new BpfFuncProto("bpf_get_smp_processor_id", false, RET_INTEGER, List.of())),
            Map.entry(42, new BpfFuncProto("bpf_get_numa_node_id", false, RET_INTEGER, List.of())),
            Map.entry(118, new BpfFuncProto("bpf_jiffies64", false, RET_INTEGER, List.of())),
            Map.entry(125, new BpfFuncProto("bpf_ktime_get_boot_ns", false, RET_INTEGER, List.of())),
            Map.entry(160, new BpfFuncProto("bpf_ktime_get_coarse_ns", false, RET_INTEGER, List.of())),
            // bpf_tail_call_proto: ctx, a prog array, an index; void
            Map.entry(12, new BpfFuncProto("bpf_tail_call", false, RET_VOID, List.of(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING))),
            // bpf_get_[ns_]current_pid_tgid for all program types since v6.10 (Yonghong Song)
            Map.entry(14, new BpfFuncProto("bpf_get_current_pid_tgid", false, RET_INTEGER, List.of())),
            // the CAP_PERFMON part of bpf_base_func_proto()
            Map.entry(35, new BpfFuncProto("bpf_get_current_task", true, RET_INTEGER, List.of())),
            Map.entry(113, new BpfFuncProto("bpf_probe_read_kernel", true, RET_INTEGER,
                    List.of(ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING))),
            // bpf_kptr_xchg_proto (kernel/bpf/helpers.c, v6.12; in the CAP_BPF part): the kptr field,
            // the new pointer or NULL (released into the map); returns the old one, acquired
            Map.entry(194, new BpfFuncProto("bpf_kptr_xchg", false, RET_PTR_TO_BTF_ID_OR_NULL,
                    List.of(ARG_KPTR_XCHG_DEST, ARG_PTR_TO_BTF_ID_OR_NULL_RELEASE))),
            // bpf_per_cpu_ptr_proto, bpf_this_cpu_ptr_proto (kernel/bpf/helpers.c, v6.12; the
            // CAP_PERFMON part of bpf_base_func_proto()): a per-cpu ksym (and a cpu) → that cpu's copy
            Map.entry(153, new BpfFuncProto("bpf_per_cpu_ptr", false, RET_PTR_TO_MEM_OR_BTF_ID_OR_NULL_RDONLY,
                    List.of(ARG_PTR_TO_PERCPU_BTF_ID, ARG_ANYTHING))),
            Map.entry(154, new BpfFuncProto("bpf_this_cpu_ptr", false, RET_PTR_TO_MEM_OR_BTF_ID_RDONLY,
                    List.of(ARG_PTR_TO_PERCPU_BTF_ID))),
            // bpf_trace_printk_proto declares two arguments (fmt, fmt_size); R3-R5 are not checked
            Map.entry(6, new BpfFuncProto("bpf_trace_printk", true, RET_INTEGER, List.of(ARG_PTR_TO_MEM_RDONLY, ARG_CONST_SIZE))));

    /** The base proto of {@code funcId}, or null. */
    public static BpfFuncProto bpfBaseFuncProto(int funcId) {
        return PROTOS.get(funcId);
    }

    /** The helper ids of the base set (for kallsyms). */
    public static Map<Integer, BpfFuncProto> all() {
        return PROTOS;
    }

    static String name(int funcId) {
        String n = HelperIds.name(funcId);
        return n == null ? "unknown" : n;
    }
}
