package org.bpfosgi.btf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bpfosgi.btf.api.BtfKind;
import org.junit.jupiter.api.Test;

/** Flattening split BTF by concatenation gives what parsing the concatenated bytes gives. */
class BtfFlattenTest {
    @Test
    void concatenationIsTheParsedWhole() {
        Btf base = VmlinuxBtf.builtin();
        Btf split = CDeclCompiler.compile("m.h", "struct only_here { struct sk_buff *skb; int x; };\n"
                + "typedef struct only_here only_t;\nvoid only_fn(only_t *o);\n", base).btf();
        Btf flat = BtfFiles.flatten(split);
        Btf parsed = Btf.parse(flat.rawData());
        assertArrayEquals(parsed.rawData(), flat.rawData());
        assertEquals(parsed.nrTypes(), flat.nrTypes());
        for (String[] nk : new String[][] {{"only_here", "STRUCT"}, {"only_t", "TYPEDEF"}, {"only_fn", "FUNC"},
                {"sk_buff", "STRUCT"}}) {
            BtfKind k = BtfKind.valueOf(nk[1]);
            assertEquals(parsed.findByNameKind(nk[0], k), flat.findByNameKind(nk[0], k), nk[0]);
            assertEquals(split.findByNameKind(nk[0], k), flat.findByNameKind(nk[0], k), nk[0]);
        }
        assertEquals(BtfRawDump.dump(parsed), BtfRawDump.dump(flat));
    }
}
