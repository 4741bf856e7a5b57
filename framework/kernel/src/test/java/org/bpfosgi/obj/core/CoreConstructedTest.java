package org.bpfosgi.obj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfExt.CoreRelo;
import org.bpfosgi.btf.BtfExt.CoreReloKind;
import org.bpfosgi.btf.CDeclCompiler;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.junit.jupiter.api.Test;

/**
 * The relocator against target BTFs built with the C-declaration compiler where the layout
 * differs from the program's: moved and resized fields, a missing field (poison), missing enum
 * (ld_imm64 poisoned in both halves), flavors that agree and that do not (ambiguity), candidates
 * found only in a module's BTF, and the instruction-level rules of bpf_core_patch_insn() on
 * hand-made relocations. The expected values are worked out from the C layouts (x86-64 SysV).
 */
class CoreConstructedTest {
    private static Btf c(String text) {
        return CDeclCompiler.compile("target.h", text, null).btf();
    }

    private static final String T1 = """
            typedef int pid_t;
            struct task_struct {
                long state;
                pid_t tgid;
                pid_t pid;
                char comm[32];
                unsigned int sched_contributes_to_load:1;
                unsigned int sched_reset_on_fork:1;
                struct task_struct *real_parent;
            };
            enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_SID, PIDTYPE_PGID };
            """;

    private static List<Insn> task(CoreTargets t) {
        CoreObjects.Run run = CoreObjects.run("core_task", CoreGoldenTest.TASK, t);
        return run.insns().get("kprobe/do_nanosleep");
    }

    private static boolean poisoned(Insn i) {
        return i.equals(new Insn(Bpf.BPF_JMP | Bpf.BPF_CALL, 0, 0, 0, BpfCoreRelocator.POISON_IMM));
    }

    @Test
    void movedAndResizedFieldsBitfieldAndEnumValues() {
        Btf t1 = c(T1);
        List<Insn> p = task(CoreTargets.vmlinuxOnly(t1));
        assertEquals(12, p.get(2).imm(), "pid moved behind tgid");
        assertEquals(56, p.get(10).imm(), "real_parent after comm[32] and the bitfield unit");
        assertEquals(8, p.get(17).imm(), "tgid");
        assertEquals(1, p.get(29).imm(), "tgid exists");
        assertEquals(0, p.get(31).imm(), "task_struct___old.made_up_field does not");
        assertEquals(32, p.get(33).imm(), "sizeof comm");
        assertEquals(16, p.get(35).imm(), "offsetof comm");
        assertEquals(48, p.get(43).imm(), "the bitfield's 4-byte load unit");
        assertEquals(4, p.get(47).imm(), "load unit size");
        assertEquals(62, p.get(51).imm(), "lshift: 64 - (385 + 1 - 384)");
        assertEquals(0, p.get(52).imm(), "unsigned");
        assertEquals(63, p.get(54).imm(), "rshift");
        assertEquals(0, p.get(60).imm(), "PIDTYPE_MADE_UP does not exist");
        assertEquals(3, p.get(63).imm(), "PIDTYPE_PGID's value in this kernel");
        assertEquals(1, p.get(66).imm(), "PIDTYPE_TGID___local → PIDTYPE_TGID");
        assertEquals(t1.findByNameKind("task_struct", BtfKind.STRUCT), p.get(69).imm(), "target type id");
        assertEquals(5, p.get(72).imm(), "local type id");
        assertEquals(0, p.get(75).imm(), "struct made_up_type does not exist");
        assertEquals(1, p.get(77).imm());
        assertEquals(64, p.get(79).imm(), "sizeof(struct task_struct)");
    }

    @Test
    void missingFieldAndMissingEnumArePoisoned() {
        Btf t2 = c("""
                struct task_struct { int pid; struct task_struct *real_parent; char comm[16];
                                     unsigned int sched_reset_on_fork:1; };
                """);
        CoreObjects.Run run = CoreObjects.run("core_task", CoreGoldenTest.TASK, CoreTargets.vmlinuxOnly(t2));
        List<Insn> p = run.insns().get("kprobe/do_nanosleep");
        assertTrue(poisoned(p.get(17)), "BPF_CORE_READ(t, real_parent, tgid) without tgid");
        assertEquals(0, p.get(29).imm(), "tgid exists → 0, not poisoned");
        assertTrue(poisoned(p.get(63)) && poisoned(p.get(64)), "enum pid_type value: both halves");
        assertEquals(0, p.get(60).imm(), "enumval exists → 0");
        assertTrue(run.log().contains("prog 'core_task': relo #2: substituting insn #17 w/ invalid insn"));
        int hi = run.log().indexOf("prog 'core_task': relo #14: substituting insn #64 w/ invalid insn");
        assertTrue(hi > 0 && run.log().get(hi + 1).equals("prog 'core_task': relo #14: substituting insn #63 w/ invalid insn"),
                "the second half first, as libbpf does: " + run.log());
        assertTrue(run.log().contains("prog 'core_task': relo #2: no matching targets found"));
        // the verifier log fixup names the local spec of a reached poisoned instruction
        List<String> fixed = BpfCoreRelocator.fixupLogFailedCoreRelo("core_task",
                org.bpfosgi.btf.ExtObjects.btf("core_task"),
                List.of("17: (85) call unknown#195896080", "invalid func unknown#195896080", "processed 9 insns"),
                run.applied().get("kprobe/do_nanosleep"));
        assertEquals(List.of("17: <invalid CO-RE relocation>",
                "failed to resolve CO-RE relocation <byte_off> [5] struct task_struct.tgid (0:1 @ offset 4)",
                "processed 9 insns"), fixed);
    }

    @Test
    void flavorsThatAgreeAreKeptAndFlavorsThatDisagreeAreAmbiguous() {
        String common = "struct task_struct *real_parent; unsigned int sched_reset_on_fork:1; ";
        Btf agree = c("struct task_struct { int pid; int tgid; char comm[16]; " + common + "};\n"
                + "struct task_struct___2 { int pid; int tgid; char comm[16]; " + common + "};\n");
        CoreObjects.Run ok = CoreObjects.run("core_task", CoreGoldenTest.TASK, CoreTargets.vmlinuxOnly(agree));
        assertTrue(ok.log().contains("prog 'core_task': relo #0: matching candidate #1 <byte_off> [7] "
                + "struct task_struct___2.pid (0:0 @ offset 0)"), ok.log().toString());
        // both flavors kept: every field agrees, but bpf_core_type_id_kernel() has two answers
        assertEquals(List.of("prog 'core_task': relo #16: relocation decision ambiguity: success 7 != success 1",
                "prog 'core_task': relo #16: failed to relocate: -22", "failed to perform CO-RE relocations: -22"),
                ok.log().subList(ok.log().size() - 3, ok.log().size()));
        Btf pidMoves = c("struct task_struct { int pid; int tgid; char comm[16]; " + common + "};\n"
                + "struct task_struct___2 { int tgid; int pid; char comm[16]; " + common + "};\n");
        CoreObjects.Run bad = CoreObjects.run("core_task", CoreGoldenTest.TASK, CoreTargets.vmlinuxOnly(pidMoves));
        assertEquals(List.of("prog 'core_task': relo #0: field offset ambiguity: 32 != 0",
                "prog 'core_task': relo #0: failed to relocate: -22", "failed to perform CO-RE relocations: -22"),
                bad.log().subList(bad.log().size() - 3, bad.log().size()));
        // comm last, so that only its size differs
        Btf commDiffers = c("struct task_struct { int pid; int tgid; " + common + "char comm[16]; };\n"
                + "struct task_struct___2 { int pid; int tgid; " + common + "char comm[8]; };\n");
        CoreObjects.Run bad2 = CoreObjects.run("core_task", CoreGoldenTest.TASK, CoreTargets.vmlinuxOnly(commDiffers));
        assertTrue(bad2.log().contains(
                "prog 'core_task': relo #5: relocation decision ambiguity: success 8 != success 16"), bad2.log().toString());
    }

    @Test
    void modulesAreSearchedOnlyWhenVmlinuxHasNoCandidate() {
        Btf vmlinux = c(T1);
        Btf mod = CDeclCompiler.compile("mymod.h", "struct made_up_type { int x; };", vmlinux).btf();
        int modId = mod.findByNameKind("made_up_type", BtfKind.STRUCT);
        CoreTargets targets = CoreTargets.of(vmlinux, List.of(new CoreTargets.TargetBtf("mymod", mod)));
        CoreObjects.Run run = CoreObjects.run("core_task", CoreGoldenTest.TASK, targets);
        assertEquals(1, run.insns().get("kprobe/do_nanosleep").get(75).imm());
        assertTrue(run.log().contains("CO-RE relocating [15] struct made_up_type: found target candidate [" + modId
                + "] struct made_up_type in [mymod]"), run.log().toString());
        // an override turns the module search off: the supplier must not even be asked
        CoreTargets over = new CoreTargets(vmlinux, true, () -> {
            throw new AssertionError("modules searched with an override");
        });
        assertEquals(0, task(over).get(75).imm());
        // module BTFs are loaded once per object
        int[] loads = {0};
        CoreTargets counted = new CoreTargets(vmlinux, false, () -> {
            loads[0]++;
            return List.of(new CoreTargets.TargetBtf("mymod", mod));
        });
        task(counted);
        assertEquals(1, loads[0]);
    }

    // ------------------------------------------------------------------ hand-made relocations

    private static final String LOCAL = """
            struct s { unsigned int a; int b; long c; int arr[4]; };
            """;

    private static Insn ldxw(int off) {
        return new Insn(Bpf.BPF_LDX | Bpf.BPF_MEM | Bpf.BPF_W, 1, 2, off, 0);
    }

    private static BpfCoreRelocator.Result run(String local, String target, List<Insn> insns, CoreRelo... relos) {
        Btf l = c(local);
        List<BpfCoreRelocator.ProgRelo> pr = new ArrayList<>();
        for (int i = 0; i < relos.length; i++) {
            pr.add(new BpfCoreRelocator.ProgRelo(i, relos[i]));
        }
        return new BpfCoreRelocator(l, CoreTargets.vmlinuxOnly(c(target))).relocate("p", insns, pr);
    }

    private static CoreRelo relo(int insn, String access, CoreReloKind kind) {
        return new CoreRelo(insn * 8, 1, 0, access, kind);
    }

    private static List<String> text(BpfCoreRelocator.Result r) {
        return r.log().stream().map(CoreLogLine::text).toList();
    }

    @Test
    void loadSizeFollowsUnsignedGrowthAndSignedGrowthIsPoisoned() {
        BpfCoreRelocator.Result r = run(LOCAL, "struct s { unsigned long a; long b; long c; int arr[2]; };",
                List.of(ldxw(0), ldxw(4)), relo(0, "0:0", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET),
                relo(1, "0:1", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET));
        assertEquals(new Insn(Bpf.BPF_LDX | Bpf.BPF_MEM | Bpf.BPF_DW, 1, 2, 0, 0), r.insns().get(0));
        assertTrue(text(r).contains("prog 'p': relo #0: patched insn #0 (LDX/ST/STX) mem_sz 4 -> 8"));
        assertTrue(poisoned(r.insns().get(1)));
        assertTrue(text(r).contains("prog 'p': relo #1: insn #1 (LDX/ST/STX) accesses field incorrectly. Make sure "
                + "you are accessing pointers, unsigned integers, or fields of matching type and size."));
        assertEquals(CoreLogLine.Level.WARN, r.log().stream().filter(l -> l.text().contains("incorrectly"))
                .findFirst().orElseThrow().level());
    }

    @Test
    void arrayIndexOutOfTheTargetsBoundsIsPoisonedInBoundsIsRelocated() {
        Insn mov = new Insn(Bpf.BPF_ALU64 | Bpf.BPF_MOV | Bpf.BPF_K, 1, 0, 0, 28);
        Insn mov2 = new Insn(Bpf.BPF_ALU64 | Bpf.BPF_MOV | Bpf.BPF_K, 1, 0, 0, 20);
        BpfCoreRelocator.Result r = run(LOCAL, "struct s { long c; int b; unsigned int a; int arr[2]; };",
                List.of(mov, mov2), relo(0, "0:3:3", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET),
                relo(1, "0:3:1", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET));
        assertTrue(poisoned(r.insns().get(0)));
        assertEquals(20, r.insns().get(1).imm(), "arr at 16, [1] at 20");
        assertTrue(text(r).contains("prog 'p': relo #1: <byte_off> [1] struct s.arr[1] (0:3:1 @ offset 20)"),
                text(r).toString());
    }

    @Test
    void instructionThatDoesNotHoldTheExpectedValueFailsTheLoad() {
        CoreReloException e = assertThrows(CoreReloException.class, () -> run(LOCAL,
                "struct s { long c; int b; unsigned int a; };", List.of(ldxw(9)),
                relo(0, "0:1", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET)));
        assertEquals(-22, e.err());
        List<String> l = e.lines().stream().map(CoreLogLine::text).toList();
        assertEquals(List.of("prog 'p': relo #0: unexpected insn #0 (LDX/ST/STX) value: got 9, exp 4 -> 8",
                "prog 'p': relo #0: failed to patch insn #0: -22"), l.subList(l.size() - 2, l.size()));
    }

    @Test
    void offsetBeyondS16IsERange() {
        CoreReloException e = assertThrows(CoreReloException.class, () -> run(LOCAL,
                "struct s { char pad[40000]; unsigned int a; };", List.of(ldxw(0)),
                relo(0, "0:0", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET)));
        assertEquals(-34, e.err());
        assertTrue(e.lines().stream().anyMatch(x -> x.text().equals(
                "prog 'p': relo #0: insn #0 (LDX/ST/STX) value too big: 40000")));
    }

    @Test
    void registerSourceAluAndUnknownClassesAreRefused() {
        Insn addX = new Insn(Bpf.BPF_ALU64 | Bpf.BPF_ADD | Bpf.BPF_X, 1, 2, 0, 0);
        CoreReloException e = assertThrows(CoreReloException.class, () -> run(LOCAL, LOCAL, List.of(addX),
                relo(0, "0:0", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET)));
        assertEquals("prog 'p': relo #0: failed to patch insn #0: -22", e.lines().get(e.lines().size() - 1).text());
        Insn ja = new Insn(Bpf.BPF_JMP | Bpf.BPF_JA, 0, 0, 0, 0);
        e = assertThrows(CoreReloException.class, () -> run(LOCAL, LOCAL, List.of(ja),
                relo(0, "0:0", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET)));
        assertTrue(e.lines().stream().anyMatch(x -> x.text().equals("prog 'p': relo #0: trying to relocate "
                + "unrecognized insn #0, code:0x5, src:0x0, dst:0x0, off:0x0, imm:0x0")));
    }

    @Test
    void bitfieldNeedingMoreThanEightBytesIsE2big() {
        Insn mov = new Insn(Bpf.BPF_ALU64 | Bpf.BPF_MOV | Bpf.BPF_K, 1, 0, 0, 0);
        CoreReloException e = assertThrows(CoreReloException.class, () -> run(
                "struct s { unsigned long x:3; };", "struct s { char c; unsigned long x:63; } __attribute__((packed));",
                List.of(mov), relo(0, "0:0", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET)));
        assertEquals(-7, e.err());
        assertTrue(e.lines().stream().anyMatch(x -> x.text().equals(
                "prog 'p': relo 0 at insn #0 can't be satisfied for bitfield")), e.lines().toString());
    }

    @Test
    void malformedAccessStringsAndAnonymousRoots() {
        Insn mov = new Insn(Bpf.BPF_ALU64 | Bpf.BPF_MOV | Bpf.BPF_K, 1, 0, 0, 0);
        for (String bad : new String[] {"", ":0", "0::1", "0:9", "x"}) {
            CoreReloException e = assertThrows(CoreReloException.class, () -> run(LOCAL, LOCAL, List.of(mov),
                    relo(0, bad, CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET)));
            assertEquals(-22, e.err(), bad);
            assertEquals("prog 'p': relo #0: parsing [1] struct s + " + bad + " failed: -22",
                    e.lines().get(e.lines().size() - 2).text(), bad);
        }
        CoreReloException e = assertThrows(CoreReloException.class, () -> run(LOCAL, LOCAL, List.of(mov),
                relo(0, "0:0", CoreReloKind.BPF_CORE_TYPE_SIZE)));
        assertTrue(e.lines().get(e.lines().size() - 2).text().endsWith("+ 0:0 failed: -22"));
        String anonText = "typedef struct { int a; } anon_t;";
        Btf anonBtf = c(anonText);
        int anonId = ((org.bpfosgi.btf.BtfType.Ref) anonBtf.type(anonBtf.findByNameKind("anon_t", BtfKind.TYPEDEF)))
                .type();
        CoreReloException anon = assertThrows(CoreReloException.class, () -> run(anonText, LOCAL, List.of(mov),
                new CoreRelo(0, anonId, 0, "0:0", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET)));
        assertEquals("prog 'p': relo #0: target candidate search failed for [" + anonId + "] struct : -22",
                anon.lines().get(anon.lines().size() - 2).text());
        CoreReloException misaligned = assertThrows(CoreReloException.class, () -> run(LOCAL, LOCAL, List.of(mov),
                new CoreRelo(3, 1, 0, "0:0", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET)));
        assertEquals(-22, misaligned.err());
        CoreReloException beyond = assertThrows(CoreReloException.class, () -> run(LOCAL, LOCAL, List.of(mov),
                new CoreRelo(8, 1, 0, "0:0", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET)));
        assertEquals(-22, beyond.err());
    }

    @Test
    void typeMatchesIsStricterThanTypeExists() {
        Insn mov = new Insn(Bpf.BPF_ALU64 | Bpf.BPF_MOV | Bpf.BPF_K, 1, 0, 0, 1);
        List<Insn> two = List.of(mov, mov);
        // same names, different signedness of b: compatible for type_exists, no match for type_matches
        BpfCoreRelocator.Result r = run(LOCAL, "struct s { unsigned int a; unsigned int b; long c; int arr[4]; };",
                two, relo(0, "0", CoreReloKind.BPF_CORE_TYPE_EXISTS), relo(1, "0", CoreReloKind.BPF_CORE_TYPE_MATCHES));
        assertEquals(1, r.insns().get(0).imm());
        assertEquals(0, r.insns().get(1).imm());
        r = run(LOCAL, "struct s { long c; unsigned int a; int b; int arr[4]; int extra; };", two,
                relo(0, "0", CoreReloKind.BPF_CORE_TYPE_EXISTS), relo(1, "0", CoreReloKind.BPF_CORE_TYPE_MATCHES));
        assertEquals(1, r.insns().get(1).imm(), "members by name, order and extra members do not matter");
    }

    @Test
    void unknownKindIsRefusedAtParse() {
        Insn mov = new Insn(Bpf.BPF_ALU64 | Bpf.BPF_MOV | Bpf.BPF_K, 1, 0, 0, 1);
        CoreReloException e = assertThrows(CoreReloException.class, () -> run(LOCAL, LOCAL, List.of(mov),
                new CoreRelo(0, 1, 0, "0", null, 13)));
        assertEquals(-22, e.err());
        assertTrue(e.lines().get(e.lines().size() - 2).text().startsWith("prog 'p': relo #0: parsing [1] struct s + 0"));
    }
}
