package org.bpfosgi.btf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;

class BtfMalformedTest {

    private static void rejects(byte[] data, String expected) {
        BtfException e = assertThrows(BtfException.class, () -> Btf.parse(data));
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }

    /** A header + one type (3 words + extra) + strings "\0a\0". */
    private static byte[] one(int... typeWords) {
        byte[] types = TestBtfs.bytes(typeWords);
        return BtfWriter.assemble(24, 0, types, new byte[] {0, 'a', 0}, true);
    }

    @Test
    void truncatedAndEmpty() {
        rejects(new byte[0], "btf_header not found");
        rejects(new byte[] {(byte) 0x9f, (byte) 0xeb, 1, 0}, "btf_header not found");
        byte[] ok = TestBtfs.allKinds().rawData();
        for (int cut : new int[] {10, 24, 30, ok.length - 1}) {
            byte[] t = java.util.Arrays.copyOf(ok, cut);
            assertThrows(BtfException.class, () -> Btf.parse(t), "cut at " + cut);
        }
    }

    @Test
    void badMagicVersionFlags() {
        byte[] ok = one(1, 1 << 24, 4, 32);
        byte[] m = ok.clone();
        m[0] = 0x12;
        rejects(m, "Invalid magic");
        byte[] be = ok.clone();
        be[0] = (byte) 0xeb;
        be[1] = (byte) 0x9f;
        rejects(be, "big-endian");
        byte[] v = ok.clone();
        v[2] = 2;
        rejects(v, "Unsupported version");
        byte[] f = ok.clone();
        f[3] = 1;
        rejects(f, "Unsupported flags");
        byte[] h = ok.clone();
        Btf.INT.set(h, 4, 0x7fffffff);
        rejects(h, "Unsupported btf_header");
    }

    @Test
    void sectionsOutsideOrOverlapping() {
        byte[] ok = one(1, 1 << 24, 4, 32);
        byte[] a = ok.clone();
        Btf.INT.set(a, 12, 0x7ffffff0);
        rejects(a, "Invalid section offset");
        byte[] b = ok.clone();
        Btf.INT.set(b, 16, 4);
        rejects(b, "Section overlap");
        byte[] c = ok.clone();
        Btf.INT.set(c, 20, 1);
        rejects(c, "Unsupported section found");
    }

    @Test
    void idsOutOfRange() {
        rejects(one(0, 2 << 24, 7), "Invalid type_id 7");
        rejects(one(0, 3 << 24, 0, 99, 1, 4), "Invalid elem type_id 99");
        rejects(one(1, (4 << 24) | 1, 4, 1, 5, 0), "Invalid member type_id 5");
    }

    @Test
    void stringOffsetsOutsideTheSection() {
        rejects(one(100, 1 << 24, 4, 32), "Invalid name_offset:100");
        rejects(one(1, (4 << 24) | 1, 4, 1000, 1, 0), "Invalid member name_offset:1000");
    }

    @Test
    void invalidInfoKindAndSizes() {
        rejects(one(1, 25 << 24, 0), "Invalid kind:25");
        rejects(one(1, (1 << 24) | (1 << 16), 4, 32), "Invalid btf_info");
        rejects(one(1, 1 << 24, 3, 32), "Unsupported size 3");
        rejects(one(1, 1 << 24, 4, 64), "nr_bits exceeds type_size");
        rejects(one(1, (1 << 24) | 0x80000000, 4, 32), "kind_flag");
        rejects(one(0, (2 << 24) | 1, 0), "vlen != 0");
    }

    @Test
    void absurdVlenIsTruncationNotAllocation() {
        // a struct claiming 65535 members in a 16-byte type section
        rejects(one(1, (4 << 24) | 0xffff, 4, 0), "truncated");
        // an absurd struct size with a member past it
        byte[] two = BtfWriter.assemble(24, 0, TestBtfs.bytes(1, 1 << 24, 4, 32, 1, (4 << 24) | 1, 4, 1, 1, 64),
                new byte[] {0, 'a', 0}, true);
        rejects(two, "exceeds its struct size");
    }

    @Test
    void modifierLoopsAndSelfContainingStructs() {
        byte[] loop = BtfWriter.assemble(24, 0, TestBtfs.bytes(0, 10 << 24, 2, 0, 9 << 24, 1), new byte[] {0}, true);
        rejects(loop, "Loop detected");
        byte[] self = BtfWriter.assemble(24, 0, TestBtfs.bytes(1, (4 << 24) | 1, 8, 1, 1, 0), new byte[] {0, 'a', 0}, true);
        rejects(self, "Loop detected");
        // a pointer cycle is fine: struct a { struct a *next; }
        Btf ok = Btf.parse(BtfWriter.assemble(24, 0, TestBtfs.bytes(1, (4 << 24) | 1, 8, 1, 2, 0, 0, 2 << 24, 1),
                new byte[] {0, 'a', 0}, true));
        assertTrue(ok.pointedStruct(2).isPresent());
    }

    /** btf_array_resolve(): an array whose size overflows u32 is refused when the BTF is loaded. */
    @Test
    void arraySizeOverflowIsRefusedAtLoad() {
        BtfBuilder b = new BtfBuilder(null);
        int i = b.add(new BtfType.Int(b.str("int"), 4, 1, 0, 32));
        int a = b.add(new BtfType.Array(0, i, i, 0x40000000));
        b.add(new BtfType.Array(0, a, i, 16));
        BtfException e = assertThrows(BtfException.class, b::build);
        assertTrue(e.getMessage().contains("[2] ARRAY: Array size overflows U32_MAX"), e.getMessage());
    }

    @Test
    void randomCorruptionOnlyEverGivesBtfException() {
        byte[] ok = TestBtfs.allKinds().rawData();
        Random r = new Random(42);
        int[] parsedRejected = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int n = 0; n < 20000; n++) {
                byte[] d = ok.clone();
                int flips = 1 + r.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    d[r.nextInt(d.length)] = (byte) r.nextInt(256);
                }
                try {
                    Btf btf = Btf.parse(d);
                    parsedRejected[0]++;
                    // whatever parses must also be queryable without a non-BTF exception
                    BtfRawDump.dump(btf);
                    for (int id = 1; id < btf.nrTypes(); id++) {
                        try {
                            btf.resolveSize(id);
                        } catch (BtfException expected) {
                            // fine
                        }
                    }
                } catch (BtfException expected) {
                    parsedRejected[1]++;
                }
            }
        });
        System.out.println("corrupted BTF: " + parsedRejected[0] + " parsed, " + parsedRejected[1] + " rejected");
        // both paths taken: not a test of the header check alone
        assertTrue(parsedRejected[0] > 1000 && parsedRejected[1] > 1000,
                parsedRejected[0] + " parsed, " + parsedRejected[1] + " rejected");
    }

    @Test
    void splitBtfRefersBelowItsBaseOnlyToExistingIds() {
        Btf base = TestBtfs.allKinds();
        byte[] split = BtfWriter.assemble(24, 0, TestBtfs.bytes(0, 2 << 24, 500), new byte[0], true);
        BtfException e = assertThrows(BtfException.class, () -> Btf.parse(split, base));
        assertTrue(e.getMessage().contains("[29] Invalid type_id 500"), e.getMessage());
        assertTrue(Btf.parse(BtfWriter.assemble(24, 0, TestBtfs.bytes(0, 2 << 24, 6), new byte[0], true), base)
                .pointedStruct(29).isPresent());
    }
}
