package org.bpfosgi.verifier;

import java.util.Comparator;
import java.util.List;

/**
 * Models {@code struct btf_record} (include/linux/bpf.h, v6.12): the special fields of a map
 * value as btf_parse_fields() found them, sorted by offset, and their {@code field_mask}. A map
 * whose btf_parse_fields() failed keeps the error ({@code IS_ERR(map->record)}): map_check_btf()
 * goes on, and every user treats it as no record (IS_ERR_OR_NULL) — the value is plain memory.
 *
 * @param fields the fields, by offset
 * @param err    0, or the negative errno btf_parse_fields() returned (then {@code fields} is empty)
 */
public record BtfRecord(List<BtfField> fields, int err) {
    public BtfRecord {
        fields = fields.stream().sorted(Comparator.comparingInt(BtfField::offset)).toList();
    }

    /** An ERR_PTR record. */
    public static BtfRecord error(int err) {
        return new BtfRecord(List.of(), err);
    }

    /** {@code rec->field_mask}. */
    public int fieldMask() {
        int m = 0;
        for (BtfField f : fields) {
            m |= f.type().bit;
        }
        return m;
    }

    /** Models btf_record_has_field(): false for NULL and ERR records. */
    public static boolean hasField(BtfRecord rec, int mask) {
        return rec != null && rec.err == 0 && (rec.fieldMask() & mask) != 0;
    }

    /** Models btf_record_find(rec, offset, field_mask): the field starting at {@code offset} whose type is in the mask. */
    public static BtfField find(BtfRecord rec, long offset, int mask) {
        if (rec == null || rec.err != 0 || (rec.fieldMask() & mask) == 0) {
            return null;
        }
        for (BtfField f : rec.fields) {
            if (f.offset() == offset) {
                return (f.type().bit & mask) != 0 ? f : null;
            }
        }
        return null;
    }
}
