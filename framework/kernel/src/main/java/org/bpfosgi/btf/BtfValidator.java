package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

/**
 * The per-type checks of kernel/bpf/btf.c btf_check_all_metas() (the {@code *_check_meta}
 * callbacks of each kind) and the loop detection of btf_resolve(): names inside the string
 * section, referenced ids in range, sane sizes, no cycle that does not pass through a pointer.
 * Works on the raw bytes, so validating the real vmlinux BTF costs one pass.
 */
final class BtfValidator {
    private BtfValidator() {
    }

    private static int u32(byte[] d, int off) {
        return (int) Btf.INT.get(d, off);
    }

    static void validate(Btf btf, byte[] d, int[] offsets, int count) {
        int startId = btf.startId();
        int nr = btf.nrTypes();
        long strTotal = Integer.toUnsignedLong(btf.strTotal());
        for (int i = 0; i < count; i++) {
            int id = startId + i;
            int p = offsets[i];
            int nameOff = BtfTypeHeader.nameOff(d, p);
            int info = BtfTypeHeader.info(d, p);
            int st = BtfTypeHeader.sizeOrType(d, p);
            BtfKind kind = BtfTypeHeader.kind(info);
            boolean kflag = BtfTypeHeader.kindFlag(info);
            int vlen = BtfTypeHeader.vlen(info);
            checkName(btf, d, id, "", nameOff, strTotal);
            if (kflag && !(kind == BtfKind.STRUCT || kind == BtfKind.UNION || kind == BtfKind.ENUM
                    || kind == BtfKind.ENUM64 || kind == BtfKind.FWD || kind == BtfKind.DECL_TAG
                    || kind == BtfKind.TYPE_TAG)) {
                fail(id, kind + ": Invalid btf_info kind_flag");
            }
            int x = p + 12;
            switch (kind) {
                case INT: {
                    int v = u32(d, x);
                    int enc = (v >>> 24) & 0x0f;
                    int off = (v >>> 16) & 0xff;
                    int bits = v & 0xff;
                    if ((v & 0xf0000000) != 0 || (v & 0x0000ff00) != 0) {
                        fail(id, String.format("INT: Invalid int_data:%x", v));
                    }
                    if (st != 1 && st != 2 && st != 4 && st != 8 && st != 16) {
                        fail(id, "INT: Unsupported size " + Integer.toUnsignedString(st));
                    }
                    if (bits > 128 || off + bits > st * 8) {
                        fail(id, "INT: nr_bits exceeds type_size (bits_offset " + off + ", nr_bits " + bits + ")");
                    }
                    if (Integer.bitCount(enc) > 1 || (enc & ~7) != 0) {
                        fail(id, "INT: Unsupported encoding " + enc);
                    }
                    break;
                }
                case PTR: case TYPEDEF: case VOLATILE: case CONST: case RESTRICT: case TYPE_TAG:
                    checkRef(id, "type_id", st, nr, true);
                    break;
                case FUNC:
                    checkRef(id, "type_id", st, nr, false);
                    break;
                case ARRAY:
                    checkRef(id, "elem type_id", u32(d, x), nr, false);
                    checkRef(id, "index_type_id", u32(d, x + 4), nr, false);
                    break;
                case STRUCT: case UNION: {
                    long sizeBits = Integer.toUnsignedLong(st) * 8;
                    for (int m = 0; m < vlen; m++, x += 12) {
                        checkName(btf, d, id, "member ", u32(d, x), strTotal);
                        checkRef(id, "member type_id", u32(d, x + 4), nr, false);
                        int raw = u32(d, x + 8);
                        long bitOff = kflag ? raw & 0xffffff : Integer.toUnsignedLong(raw);
                        int bf = kflag ? raw >>> 24 : 0;
                        if (bitOff + bf > sizeBits) {
                            fail(id, kind + ": Member bits_offset " + bitOff + " exceeds its struct size " + st);
                        }
                    }
                    break;
                }
                case ENUM: case ENUM64: {
                    if (st != 1 && st != 2 && st != 4 && st != 8) {
                        fail(id, kind + ": Unexpected size " + Integer.toUnsignedString(st));
                    }
                    int rec = kind == BtfKind.ENUM ? 8 : 12;
                    for (int m = 0; m < vlen; m++, x += rec) {
                        checkName(btf, d, id, "enumerator ", u32(d, x), strTotal);
                    }
                    break;
                }
                case FUNC_PROTO:
                    checkRef(id, "return type_id", st, nr, true);
                    for (int m = 0; m < vlen; m++, x += 8) {
                        checkName(btf, d, id, "param ", u32(d, x), strTotal);
                        checkRef(id, "param type_id", u32(d, x + 4), nr, m == vlen - 1);
                    }
                    break;
                case VAR:
                    checkRef(id, "type_id", st, nr, false);
                    if (Integer.compareUnsigned(u32(d, x), BtfType.VAR_GLOBAL_EXTERN) > 0) {
                        fail(id, "VAR: Unsupported linkage " + Integer.toUnsignedString(u32(d, x)));
                    }
                    break;
                case DATASEC:
                    for (int m = 0; m < vlen; m++, x += 12) {
                        checkRef(id, "var type_id", u32(d, x), nr, false);
                        long end = Integer.toUnsignedLong(u32(d, x + 4)) + Integer.toUnsignedLong(u32(d, x + 8));
                        // an object file's DATASEC has size 0 until libbpf sizes it from the ELF section
                        if (st != 0 && end > Integer.toUnsignedLong(st)) {
                            fail(id, "DATASEC: Invalid offset+size");
                        }
                    }
                    break;
                case FLOAT:
                    if (st != 2 && st != 4 && st != 8 && st != 12 && st != 16) {
                        fail(id, "FLOAT: Invalid type_size " + Integer.toUnsignedString(st));
                    }
                    break;
                case DECL_TAG:
                    checkRef(id, "type_id", st, nr, false);
                    if (u32(d, x) < -1) {
                        fail(id, "DECL_TAG: Invalid component_idx " + u32(d, x));
                    }
                    break;
                default:
                    break;
            }
        }
        checkLoops(btf, d, offsets, count);
        checkArraySizes(btf, d, offsets, count);
    }

    /**
     * btf_array_resolve(): "Array size overflows U32_MAX" when nelems times the element's size
     * does not fit in u32 (checked once loops are known to be absent, so sizes resolve).
     */
    private static void checkArraySizes(Btf btf, byte[] d, int[] offsets, int count) {
        int startId = btf.startId();
        for (int i = 0; i < count; i++) {
            if (BtfTypeHeader.kind(BtfTypeHeader.info(d, offsets[i])) != BtfKind.ARRAY) {
                continue;
            }
            try {
                btf.resolveSize(startId + i);
            } catch (BtfException e) {
                if (e.getMessage().contains("overflows U32_MAX")) {
                    fail(startId + i, "ARRAY: Array size overflows U32_MAX");
                }
                // an element without a size (void, FWD): not modelled here (btf_array_resolve's "Invalid elem")
            }
        }
    }

    /** include/linux/kallsyms.h KSYM_NAME_LEN: __btf_name_valid() stops a name there. */
    static final int KSYM_NAME_LEN = 512;

    /**
     * The name offset is inside the strings (btf_name_offset_valid), and the name is shorter
     * than KSYM_NAME_LEN (__btf_name_valid's src_limit: a longer one is "Invalid name"). The
     * character rules of __btf_name_valid are not modelled here.
     */
    private static void checkName(Btf btf, byte[] d, int id, String what, int nameOff, long strTotal) {
        if (Integer.toUnsignedLong(nameOff) >= strTotal && nameOff != 0) {
            fail(id, "Invalid " + what + "name_offset:" + Integer.toUnsignedString(nameOff)
                    + " (string section is " + strTotal + " bytes)");
        }
        if (nameOff != 0 && nameOff >= btf.startStrOff()) {
            int p = btf.strStart + nameOff - btf.startStrOff();
            int end = Math.min(d.length, p + KSYM_NAME_LEN);
            int q = p;
            while (q < end && d[q] != 0) {
                q++;
            }
            if (q - p >= KSYM_NAME_LEN) {
                fail(id, "Invalid " + what + "name (" + KSYM_NAME_LEN + " characters or more: KSYM_NAME_LEN)");
            }
        }
    }

    private static void checkRef(int id, String what, int ref, int nr, boolean voidOk) {
        if (ref == 0 && !voidOk) {
            fail(id, "Invalid " + what + ": 0 (void) is not allowed here");
        }
        if (Integer.compareUnsigned(ref, nr) >= 0) {
            fail(id, "Invalid " + what + " " + Integer.toUnsignedString(ref) + " (nr_types " + nr + ")");
        }
    }

    static void fail(int id, String msg) {
        throw new BtfException("BTF: [" + id + "] " + msg);
    }

    /**
     * Cycles that do not pass through a PTR or a FUNC_PROTO (e.g. a typedef or const chain that
     * comes back to itself, or a struct containing itself by value) are what btf_resolve() rejects
     * with "Loop detected". Iterative DFS over the own types; base ids are already validated.
     */
    private static void checkLoops(Btf btf, byte[] d, int[] offsets, int count) {
        int startId = btf.startId();
        byte[] state = new byte[count]; // 0 new, 1 on stack, 2 done
        int[] stack = new int[256]; // pairs (index, next edge); grows with the DFS depth
        for (int root = 0; root < count; root++) {
            if (state[root] != 0) {
                continue;
            }
            int sp = 0;
            stack[sp++] = root;
            stack[sp++] = 0;
            state[root] = 1;
            while (sp > 0) {
                int i = stack[sp - 2];
                int e = stack[sp - 1];
                int next = edge(d, offsets[i], e);
                if (next == Integer.MIN_VALUE) {
                    state[i] = 2;
                    sp -= 2;
                    continue;
                }
                stack[sp - 1] = e + 1;
                int j = next - startId;
                if (next == 0 || j < 0) {
                    continue;
                }
                if (state[j] == 1) {
                    fail(next, "Loop detected");
                }
                if (state[j] == 0) {
                    state[j] = 1;
                    if (sp + 2 > stack.length) {
                        stack = java.util.Arrays.copyOf(stack, stack.length * 2);
                    }
                    stack[sp++] = j;
                    stack[sp++] = 0;
                }
            }
        }
    }

    /** The e-th by-value edge of the type at p, or MIN_VALUE when there are no more. */
    private static int edge(byte[] d, int p, int e) {
        int info = BtfTypeHeader.info(d, p);
        BtfKind kind = BtfTypeHeader.kind(info);
        switch (kind) {
            case TYPEDEF: case VOLATILE: case CONST: case RESTRICT: case TYPE_TAG: case VAR: case FUNC:
                return e == 0 ? BtfTypeHeader.sizeOrType(d, p) : Integer.MIN_VALUE;
            case ARRAY:
                return e == 0 ? u32(d, p + 12) : Integer.MIN_VALUE;
            case STRUCT: case UNION:
                return e < BtfTypeHeader.vlen(info) ? u32(d, p + BtfTypeHeader.SIZE + 12 * e + 4) : Integer.MIN_VALUE;
            default:
                return Integer.MIN_VALUE;
        }
    }
}
