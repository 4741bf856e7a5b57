package org.bpfosgi.subsystem;

import java.util.Objects;

/**
 * Models {@code struct btf_id_dtor_kfunc} (include/linux/btf.h) as a module fills it from a
 * resolved {@code BTF_ID_LIST} before calling {@code register_btf_id_dtor_kfuncs()}: the BTF id
 * of a type that may be stored as a referenced kptr ({@code struct T __kptr *}) in a map value,
 * and the kfunc that destroys it when the map value is freed. bpf_qdisc (net/sched/bpf_qdisc.c,
 * v6.16) registers {@code {skb_kfunc_dtor_ids[0], skb_kfunc_dtor_ids[1]}}: struct sk_buff and
 * bpf_kfree_skb_dtor.
 *
 * @param idList          the {@code BTF_ID_LIST} in the module's header holding both ids
 * @param btfIdIndex      the index of the type's id ({@code .btf_id})
 * @param kfuncBtfIdIndex the index of the destructor's id ({@code .kfunc_btf_id})
 */
public record BtfIdDtorKfunc(String idList, int btfIdIndex, int kfuncBtfIdIndex) {
    public BtfIdDtorKfunc {
        Objects.requireNonNull(idList, "idList");
        if (btfIdIndex < 0 || kfuncBtfIdIndex < 0) {
            throw new IllegalArgumentException("negative BTF_ID_LIST index");
        }
    }
}
