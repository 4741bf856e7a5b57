package org.bpfosgi.obj.elf;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.bpfosgi.prog.LoaderException;
import org.junit.jupiter.api.Test;

/**
 * Random damage to real clang objects (a seeded loop, so a failure replays): truncations, byte
 * flips anywhere, and flips aimed at the ELF header, the section headers, the symbol table and
 * the relocations. Every result must be a clean open (then {@code obj show} and linking every
 * program must also end cleanly) or an {@link ObjOpenException} whose message names the file;
 * any other exception is a bug.
 */
class ElfFuzzTest {
    private static final int CASES = 2000;

    @Test
    void everyMutationIsACleanLoadOrACleanError() {
        byte[][] seeds = {ElfObjectTest.bytes("maps_data.o"), ElfObjectTest.bytes("pro_epilogue.o"), ElfObjectTest.bytes("globals.o")};
        SplittableRandom rnd = new SplittableRandom(0x5eed_e1f0L);
        int opened = 0;
        int refused = 0;
        for (int n = 0; n < CASES; n++) {
            byte[] seed = seeds[n % seeds.length];
            byte[] b = mutate(seed, rnd);
            try {
                ElfObject o = ElfObject.open(b, "fuzz.o");
                opened++;
                if (opened % 8 == 0) {
                    ElfShow.lines(o); // obj show on a sample: its own reads are of what open checked
                }
                for (ElfObject.Program p : o.programs()) {
                    if (!p.subprog()) {
                        try {
                            ElfLinker.relocateCalls(o, p);
                        } catch (LoaderException e) {
                            // libbpf's relocation errors are clean errors too
                        }
                    }
                }
                try {
                    o.toOpened();
                } catch (LoaderException e) {
                    // extern resolution refused (a kconfig value): clean
                }
            } catch (ObjOpenException e) {
                refused++;
                assertTrue(e.getMessage().startsWith("fuzz.o: "), e.getMessage());
            } catch (RuntimeException | StackOverflowError e) {
                fail("case " + n + ": " + e + " at " + (e.getStackTrace().length > 0 ? e.getStackTrace()[0] : "?"), e);
            }
        }
        // both outcomes occur: the mutations are neither all fatal nor all harmless
        assertTrue(opened > CASES / 20 && refused > CASES / 20, "opened " + opened + ", refused " + refused);
    }

    private static byte[] mutate(byte[] seed, SplittableRandom rnd) {
        byte[] b = seed.clone();
        int kind = rnd.nextInt(6);
        switch (kind) {
            case 0 -> {
                return Arrays.copyOf(b, rnd.nextInt(b.length)); // truncated
            }
            case 1 -> flips(b, rnd, 0, b.length, 1 + rnd.nextInt(8)); // anywhere
            case 2 -> flips(b, rnd, 0, 64, 1 + rnd.nextInt(3)); // ELF header
            case 3 -> { // section header table
                int shoff = (int) ElfFile.u64(seed, 40);
                flips(b, rnd, shoff, seed.length, 1 + rnd.nextInt(4));
            }
            case 4 -> { // a whole field of a section header set to a random value
                int shoff = (int) ElfFile.u64(seed, 40);
                int shnum = ElfFile.u16(seed, 60);
                int p = shoff + rnd.nextInt(shnum) * 64 + 8 * rnd.nextInt(8);
                long v = rnd.nextBoolean() ? rnd.nextLong() : rnd.nextInt(4096);
                for (int i = 0; i < 8; i++) {
                    b[p + i] = (byte) (v >> (8 * i));
                }
            }
            default -> { // symbols and relocations live in the last third of a clang object
                flips(b, rnd, seed.length * 2 / 3, seed.length, 1 + rnd.nextInt(6));
            }
        }
        return b;
    }

    private static void flips(byte[] b, SplittableRandom rnd, int from, int to, int count) {
        for (int i = 0; i < count && to > from; i++) {
            int p = from + rnd.nextInt(to - from);
            b[p] = rnd.nextBoolean() ? (byte) rnd.nextInt(256) : (byte) (b[p] ^ (1 << rnd.nextInt(8)));
        }
    }
}
