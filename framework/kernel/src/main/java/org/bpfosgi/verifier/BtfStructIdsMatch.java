package org.bpfosgi.verifier;

import java.util.function.IntPredicate;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;

/**
 * Models kernel/bpf/btf.c btf_struct_ids_match() (v6.12), for helper arguments
 * (check_reg_type()) and kfunc arguments (process_kf_arg_ptr_to_btf_id()): the register's struct
 * matches when it is the wanted one at offset 0, or (unless {@code strict}) when the struct
 * member at the offset, walked down as btf_struct_walk() does, is the wanted one at offset 0 —
 * a tcp_sock passes for a sock, its first member chain being inet_conn.icsk_inet.sk.
 */
final class BtfStructIdsMatch {
    /** How deep the walk goes before it gives up (a BTF cycle cannot loop it). */
    private static final int MAX_DEPTH = 32;

    private BtfStructIdsMatch() {
    }

    /** {@code wanted} is asked for the resolved id of each struct on the way. */
    static boolean match(Btf btf, int regId, int off, IntPredicate wanted, boolean strict) {
        int id = btf.resolve(regId);
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            if (off == 0 && btf.kind(id) == BtfKind.STRUCT && wanted.test(id)) {
                return true;
            }
            if (strict || btf.kind(id) != BtfKind.STRUCT) {
                return false;
            }
            // btf_struct_walk(): the struct member that contains off
            BtfType.Composite c = (BtfType.Composite) btf.type(id);
            int next = 0;
            for (BtfType.Member m : c.members()) {
                int moff = m.bitOffset(c.kindFlag()) / 8;
                int mt = btf.resolve(m.type());
                if (btf.kind(mt) == BtfKind.STRUCT && off >= moff && off < moff + btf.resolveSize(mt)) {
                    next = mt;
                    off -= moff;
                    break;
                }
            }
            if (next == 0) {
                return false;
            }
            id = next;
        }
        return false;
    }
}
