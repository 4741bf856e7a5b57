package org.bpfosgi.verifier;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.subsystem.BpfAccessType;

/**
 * Models kernel/bpf/verifier.c check_ptr_to_map_access() (v6.12): a load through a
 * CONST_PTR_TO_MAP reads the map's kernel struct, typed by {@code map->ops->map_btf_id} in vmlinux
 * BTF ({@code struct bpf_array} for arrays and prog arrays, {@code struct bpf_htab} for hashes),
 * as a PTR_TO_BTF_ID access: btf_struct_access() decides, and the destination becomes a scalar
 * or a pointer to the member's struct. Only reads, non-negative offsets, and only with
 * CAP_PERFMON ({@code env->allow_ptr_leaks}).
 */
final class CheckPtrToMapAccess {
    private CheckPtrToMapAccess() {
    }

    static int run(DoCheck dc, int regno, RegState reg, int off, int size, BpfAccessType atype, int valueRegno) {
        VerifierEnv env = dc.env;
        VerifierMaps.UsedMap map = env.usedMap(reg.btfId());
        BtfObject vmlinux = env.btfs().vmlinux();
        if (vmlinux == null) {
            return env.err(Errno.ENOTSUPP, "map_ptr access not supported without CONFIG_DEBUG_INFO_BTF\n");
        }
        MapOps ops = map == null ? null : MapOps.of(map.mapType());
        // !map->ops->map_btf_id || !*map->ops->map_btf_id: no BTF_ID, or resolve_btfids found no such struct
        int btfId = ops == null || ops.mapBtfStruct() == null ? -1 : vmlinux.btf().findByNameKind(ops.mapBtfStruct(), BtfKind.STRUCT);
        if (btfId <= 0) {
            return env.err(Errno.ENOTSUPP, "map_ptr access not supported for map type %d\n", map == null ? 0 : map.mapType());
        }
        String tname = vmlinux.btf().name(btfId);
        if (!env.allowPtrLeaks) {
            return env.err(Errno.EPERM, "'struct %s' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN\n", tname);
        }
        if (off < 0) {
            return env.err(Errno.EACCES, "R%d is %s invalid negative access: off=%d\n", regno, tname, off);
        }
        if (atype != BpfAccessType.BPF_READ) {
            return env.err(Errno.EACCES, "only read from %s is supported\n", tname);
        }
        // "Simulate access to a PTR_TO_BTF_ID": mark_btf_ld_reg(&map_reg, PTR_TO_BTF_ID, btf_vmlinux, *map_btf_id),
        // btf_struct_access(), then mark_btf_ld_reg() of the destination with the walk's flag
        RegState mapReg = RegState.btfPtr(vmlinux, btfId, 0, 0, 0);
        return dc.mem.btfStructWalk(regno, mapReg, vmlinux.btf(), tname, off, size, valueRegno, 0);
    }
}
