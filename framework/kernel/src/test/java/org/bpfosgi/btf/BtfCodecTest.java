package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfMember;

import org.bpfosgi.btf.api.BtfKind;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class BtfCodecTest {

    @Test
    void everyKindRoundTripsToTheSameBytes() {
        Btf btf = TestBtfs.allKinds();
        byte[] raw = btf.rawData();
        Btf again = Btf.parse(raw);
        assertArrayEquals(raw, BtfWriter.write(again));
        assertEquals(28, again.ownTypeCount());
        for (int id = 1; id < again.nrTypes(); id++) {
            assertEquals(btf.type(id), again.type(id), "type " + id);
        }
        assertEquals(BtfKind.values().length - 1, java.util.stream.IntStream.range(1, again.nrTypes())
                .mapToObj(again::kind).distinct().count(), "all 19 kinds are covered");
    }

    @Test
    void rawDumpMatchesCommittedGolden() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("allkinds.raw")) {
            String golden = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertEquals(golden, BtfRawDump.dump(TestBtfs.allKinds()));
        }
    }

    @Test
    void bitfieldsAndKindFlagDecode() {
        Btf btf = TestBtfs.allKinds();
        BtfType.Composite s = (BtfType.Composite) btf.type(btf.findByNameKind("s", BtfKind.STRUCT));
        assertTrue(s.kindFlag());
        BtfType.Member bits = s.members().get(2);
        assertEquals(33, bits.bitOffset(true));
        assertEquals(3, bits.bitfieldSize(true));
        BtfMember flag = btf.memberPath(btf.findByNameKind("s", BtfKind.STRUCT), "flag");
        assertEquals(1, flag.bitfieldSize());
        assertEquals(32, flag.bitOffset());
    }

    @Test
    void headerWithExtraZeroBytesAndStringsFirstRoundTrips() {
        byte[] base = TestBtfs.allKinds().rawData();
        int typeLen = (int) Btf.INT.get(base, 12);
        int strLen = (int) Btf.INT.get(base, 20);
        byte[] types = java.util.Arrays.copyOfRange(base, 24, 24 + typeLen);
        byte[] strs = java.util.Arrays.copyOfRange(base, 24 + typeLen, 24 + typeLen + strLen);
        byte[] odd = BtfWriter.assemble(32, 0, types, strs, true);
        assertArrayEquals(odd, BtfWriter.write(Btf.parse(odd)));
        byte[] padded = java.util.Arrays.copyOf(strs, (strs.length + 3) / 4 * 4);
        byte[] strsFirst = BtfWriter.assemble(24, 0, types, padded, false);
        assertArrayEquals(strsFirst, BtfWriter.write(Btf.parse(strsFirst)));
    }

    @Test
    void splitBtfNumbersTypesAndStringsAfterTheBase() {
        Btf base = TestBtfs.allKinds();
        BtfBuilder b = new BtfBuilder(base);
        int first = b.add(new BtfType.Ref(BtfKind.PTR, 0, false, 6));
        int st = b.add(new BtfType.Composite(BtfKind.STRUCT, b.str("mod_s"), false, 8,
                List.of(new BtfType.Member(b.str("p"), first, 0))));
        Btf split = b.build();
        assertEquals(base.nrTypes(), split.startId());
        assertEquals(29, first);
        assertEquals("s", split.name(6), "ids below the split point go to the base");
        assertEquals(st, split.findByNameKind("mod_s", BtfKind.STRUCT));
        assertEquals(6, split.findByNameKind("s", BtfKind.STRUCT));
        int nameOff = split.type(st).nameOff();
        assertTrue(nameOff >= base.strTotal(), "module strings continue after the base's");
        assertEquals(6, split.pointedStruct(first).getAsInt());
        assertArrayEquals(split.rawData(), BtfWriter.write(Btf.parse(split.rawData(), base)));
        String dump = BtfRawDump.dump(split);
        assertTrue(dump.startsWith("[29] PTR '(anon)' type_id=6\n[30] STRUCT 'mod_s' size=8 vlen=1\n"), dump);
        assertEquals(split.nrTypes(), BtfFiles.flatten(split).nrTypes());
        assertEquals(BtfRawDump.dump(base) + dump, BtfRawDump.dump(BtfFiles.flatten(split)));
    }

    @Test
    void bpftoolPrintsTheSameRawDumpForHandMadeAndSplitBtf() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestBtfs.hasCommand("bpftool"), "bpftool not installed");
        Path dir = Files.createTempDirectory("btf-raw");
        Btf base = TestBtfs.allKinds();
        Path f = dir.resolve("all.btf");
        Files.write(f, base.rawData());
        assertEquals(TestBtfs.run(List.of("bpftool", "btf", "dump", "file", f.toString(), "format", "raw")),
                BtfRawDump.dump(base));
        BtfBuilder b = new BtfBuilder(base);
        b.add(new BtfType.Composite(BtfKind.STRUCT, b.str("mod_s"), false, 8,
                List.of(new BtfType.Member(b.str("p"), b.add(new BtfType.Ref(BtfKind.PTR, 0, false, 6)), 0))));
        Btf split = b.build();
        Path sf = dir.resolve("split.btf");
        Files.write(sf, split.rawData());
        assertEquals(TestBtfs.run(List.of("bpftool", "btf", "dump", "file", sf.toString(), "-B", f.toString(),
                "format", "raw")), BtfRawDump.dump(split));
    }
}
