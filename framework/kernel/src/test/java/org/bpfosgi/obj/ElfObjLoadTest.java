package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Clang-built objects (src/test/bpf/elf-loader/*.c, prebuilt into the test resources) through
 * {@code obj load} / {@code prog load}: the same load path as the object text.
 */
class ElfObjLoadTest {
    static Path obj(String n) {
        try {
            return Path.of(ElfObjLoadTest.class.getResource("/org/bpfosgi/obj/elf/" + n).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void proEpilogueObjectLoadsRegistersAndRuns() {
        ObjKernel k = new ObjKernel().withTestmod();
        ObjKernel.Out r = k.run("obj", "load", obj("pro_epilogue.o").toString());
        assertTrue(r.ok(), r.toString());
        // libbpf's order: the struct_ops map, the programs in (section, offset) order, the link
        assertTrue(r.out().startsWith("map "), r.out());
        assertTrue(r.out().contains("link "), r.out());
        // the same __retval's as the text object (upstream policy): 1000 + 10 + 1; (10 + 1 + 10000) * 2; ...
        Map<String, Long> expected = Map.of("syscall_prologue", 1011L, "syscall_epilogue", 20022L,
                "syscall_pro_epilogue", 22022L);
        for (var e : expected.entrySet()) {
            assertEquals(e.getValue(), k.retval(ObjKernel.id(r, "prog", e.getKey())), e.getKey());
        }
        assertTrue(k.run("obj", "unload").ok());
        assertEquals(0, k.testmod.refcount(), k.testmod.holders().toString());
    }

    @Test
    void progLoadOneProgramOfTheObject() {
        ObjKernel k = new ObjKernel().withTestmod();
        ObjKernel.Out r = k.run("prog", "load", obj("pro_epilogue.o").toString(), "test_epilogue");
        assertTrue(r.ok(), r.toString());
        ObjKernel.Out shown = k.run("prog", "show");
        assertTrue(shown.out().contains("name test_epilogue"), shown.toString());
        assertTrue(shown.out().contains("attach bpf_testmod_st_ops.test_epilogue"), shown.toString());
        // .BTF.ext line info goes with the program: the level-2 log prints the C source lines
        ObjKernel.Out logged = k.run("prog", "load", obj("pro_epilogue.o").toString(), "syscall_prologue", "log-level", "2");
        assertTrue(logged.ok(), logged.toString());
        assertTrue(logged.out().contains("; return bpf_kfunc_st_ops_test_prologue(&args); @ pro_epilogue.c:"), logged.out());
        ObjKernel.Out missing = k.run("prog", "load", obj("pro_epilogue.o").toString(), "nope");
        assertFalse(missing.ok());
        assertTrue(missing.err().contains("no program 'nope'"), missing.toString());
    }

    @Test
    void mapsGlobalDataKconfigAndAWeakKfunc() {
        ObjKernel k = new ObjKernel();
        ObjKernel.Out r = k.run("obj", "load", obj("globals.o").toString());
        assertTrue(r.ok(), r.toString());
        // libbpf's map order and names: .maps, then the internal maps (bpftool gen skeleton's names)
        java.util.List<String> maps = new java.util.ArrayList<>();
        for (String l : r.out().split("\n")) {
            if (l.startsWith("map ")) {
                maps.add(l.split(" ")[2]);
            }
        }
        assertEquals(java.util.List.of("arr", "seen", "globals.data", "globals.rodata", "globals.bss", "globals.kconfig"), maps);
        int count = ObjKernel.id(r, "prog", "count");
        assertEquals(37, k.retval(count)); // 3 + 7 + 1 + 6 + 20
        assertEquals(41, k.retval(count)); // the array value and .bss keep their state: 6 + 7 + 2 + 6 + 20
        assertEquals(11, k.retval(ObjKernel.id(r, "prog", "peek"))); // seen[0] = 1, + times_ten(1)
        // .rodata is frozen: user space cannot write it any more
        ObjKernel.Out shown = k.run("map", "show");
        assertTrue(shown.out().contains("name globals.rodata  flags 0x480"), shown.toString());
        assertTrue(k.run("obj", "unload").ok());
    }

    /**
     * libbpf's bpf_object__resolve_ksym_func_btf_id(): a kfunc extern's prototype must be
     * bpf_core_types_are_compat() with the kernel's (bpf_testmod's inc10 takes one argument, the
     * object declares two). A strong one fails the load before any program is loaded; a weak one
     * stays unresolved, so its address is 0 and the guarded call is dead code.
     */
    @Test
    void aKfuncExternWithAnotherPrototypeIsRefusedWhenStrongAndUnresolvedWhenWeak() {
        ObjKernel k = new ObjKernel().withTestmod();
        ObjKernel.Out strong = k.run("obj", "load", obj("kfunc_proto.o").toString());
        assertFalse(strong.ok());
        assertTrue(strong.err().matches("(?s).*extern \\(func ksym\\) 'bpf_kfunc_st_ops_inc10': func_proto \\[\\d+\\] "
                + "incompatible with bpf_testmod \\[\\d+\\].*"), strong.toString());
        assertEquals("", k.run("prog", "show").out(), "nothing was loaded");

        ObjKernel.Out weak = k.run("obj", "load", obj("kfunc_proto_weak.o").toString());
        assertTrue(weak.ok(), weak.toString());
        assertEquals(7, k.retval(ObjKernel.id(weak, "prog", "weak_wrong_proto")));
        assertTrue(k.run("obj", "unload").ok());
    }

    /**
     * Typed ksyms (libbpf 1.5 bpf_object__resolve_ksym_var_btf_id()): bpf_testmod_ksym_percpu is
     * found in bpf_testmod's own BTF (after vmlinux), so the ld_imm64 is BPF_PSEUDO_BTF_ID with
     * insn[1].imm = the module BTF's fd, and the verifier turns it into the kallsyms address; the
     * weak missing one is 0, so its guarded return is dead code and the program returns 3. The
     * loaded program holds the module (used_btfs) until the object is unloaded.
     */
    @Test
    void aTypedKsymOfAModulePinsTheModuleWhileLoaded() {
        ObjKernel k = new ObjKernel().withTestmod();
        ObjKernel.Out r = k.run("obj", "load", obj("ksym_var.o").toString());
        assertTrue(r.ok(), r.toString());
        int id = ObjKernel.id(r, "prog", "ksym_vars");
        assertEquals(3, k.retval(id));
        var used = k.pk.progs().get(id).orElseThrow().aux().usedBtfs();
        assertEquals(1, used.size());
        assertEquals(k.testmodBtf, used.get(0).btf());
        assertEquals(k.testmod, used.get(0).module());
        assertEquals(org.bpfosgi.errno.Errno.EWOULDBLOCK.negative(), k.modules.deleteModule("bpf_testmod", 0).ret());
        assertTrue(k.run("obj", "unload").ok());
        assertEquals(0, k.testmod.refcount(), k.testmod.holders().toString());
        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
    }

    @Test
    void aTypedKsymOfAnotherTypeThanTheKernelsFailsTheLoad() {
        ObjKernel k = new ObjKernel().withTestmod();
        ObjKernel.Out r = k.run("obj", "load", obj("ksym_var_incompat.o").toString());
        assertFalse(r.ok());
        assertTrue(r.err().matches("(?s).*extern \\(var ksym\\) 'bpf_testmod_ksym_percpu': incompatible types, expected "
                + "\\[\\d+\\] struct not_an_int, but kernel has \\[\\d+\\] int int.*"), r.toString());
        assertEquals("", k.run("prog", "show").out(), "nothing was loaded");
    }

    @Test
    void aProgramTypeTheModelDoesNotVerifyIsRefusedByName() {
        ObjKernel k = new ObjKernel();
        ObjKernel.Out r = k.run("obj", "load", obj("maps_data.o").toString());
        assertFalse(r.ok());
        assertTrue(r.err().contains("libbpf: prog 'sock_filter': program type SOCKET_FILTER (SEC(\"socket\")) is not modelled"),
                r.toString());
        // what the load created before is gone again
        assertEquals("", k.run("map", "show").out());
    }

    /** The file offset of section {@code name}'s data. */
    static int sectionOffset(byte[] b, String name) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int shoff = (int) bb.getLong(40);
        int shnum = bb.getShort(60) & 0xffff;
        int strOff = (int) bb.getLong(shoff + (bb.getShort(62) & 0xffff) * 64 + 24);
        for (int i = 0; i < shnum; i++) {
            int sh = shoff + i * 64;
            int n = strOff + bb.getInt(sh);
            int e = n;
            while (b[e] != 0) {
                e++;
            }
            if (new String(b, n, e - n, java.nio.charset.StandardCharsets.US_ASCII).equals(name)) {
                return (int) bb.getLong(sh + 24);
            }
        }
        throw new AssertionError("no section " + name);
    }

    @Test
    void structOpsMembersMatchByNameNotLayout() throws Exception {
        ObjKernel k = new ObjKernel().withTestmod();
        ObjKernel.Out r = k.run("obj", "load", obj("st_ops_data.o").toString());
        assertTrue(r.ok(), r.toString());
        // a legacy .struct_ops map: registered by the update, no link; the '?' program stays unloaded
        assertFalse(r.out().contains("link "), r.out());
        assertFalse(r.out().contains("spare"), r.out());
        ObjKernel.Out st = k.run("struct_ops", "show");
        assertTrue(st.out().contains("local_ops"), st.toString());
        assertTrue(k.run("obj", "unload").ok());
        assertEquals(0, k.testmod.refcount(), k.testmod.holders().toString());

        // the local member the kernel lacks, now non-zero: libbpf refuses it
        byte[] b = java.nio.file.Files.readAllBytes(obj("st_ops_data.o"));
        b[sectionOffset(b, ".struct_ops")] = 5;
        java.nio.file.Path bad = java.nio.file.Files.createTempDirectory("elf").resolve("st_ops_data.o");
        java.nio.file.Files.write(bad, b);
        ObjKernel.Out refused = k.run("obj", "load", bad.toString());
        assertFalse(refused.ok());
        assertTrue(refused.err().contains("libbpf: struct_ops init_kern local_ops: Cannot find member extra in kernel BTF"),
                refused.toString());
        assertEquals("", k.run("map", "show").out());
    }

    @Test
    void objShowListsWhatOpenMadeOfTheFile() {
        ObjKernel k = new ObjKernel();
        ObjKernel.Out r = k.run("obj", "show", obj("globals.o").toString());
        assertTrue(r.ok(), r.toString());
        String out = r.out();
        assertTrue(out.contains("  count  sec syscall  type syscall  insns "), out);
        assertTrue(out.contains("  times_ten  sec .text  type unspec  insns "), out);
        assertTrue(out.contains("  arr  type array  key 4  value 8  max_entries 2  flags 0x0"), out);
        assertTrue(out.contains("  globals.rodata  type array  key 4  value 4  max_entries 1  flags 0x480  section .rodata"), out);
        assertTrue(out.contains("RELOCATION RECORDS FOR [syscall]:"), out);
        assertTrue(out.contains("  #0 LINUX_KERNEL_VERSION  kconfig  strong  int 4 bytes at offset 0"), out);
        assertTrue(out.contains("  #1 bpf_no_such_kfunc  ksym  weak  kfunc"), out);
        assertEquals("", k.run("map", "show").out(), "obj show loads nothing");
        ObjKernel.Out notElf = k.run("obj", "show", obj("clang-version.txt").toString());
        assertFalse(notElf.ok());
        Path dir = obj("globals.o").getParent();
        ObjKernel.Out d = k.run("obj", "load", dir.toString());
        assertEquals("Error: cannot read " + dir + ": Is a directory\n", d.err(), "the file is named");
    }

    @Test
    void coreRelocationsResolveAgainstTheModelsVmlinux() {
        ObjKernel k = new ObjKernel();
        ObjKernel.Out r = k.run("obj", "load", obj("core_syscall.o").toString());
        assertTrue(r.ok(), r.toString());
        org.bpfosgi.btf.Btf vmlinux = ObjKernel.VMLINUX.btf();
        // the local tcp_sock___local has one member at 0; the kernel's snd_cwnd is elsewhere
        int off = vmlinux.offsetOf("tcp_sock", "snd_cwnd");
        assertTrue(off > 0);
        assertEquals(off, k.retval(ObjKernel.id(r, "prog", "cwnd_offset")));
        int skb = (int) vmlinux.resolveSize(vmlinux.findByNameKind("sk_buff", org.bpfosgi.btf.api.BtfKind.STRUCT));
        assertEquals(skb, k.retval(ObjKernel.id(r, "prog", "skb_size")));
        // no_such_type: 0; sk_buff.len exists: 10; tcp_sock exists: 1
        assertEquals(11, k.retval(ObjKernel.id(r, "prog", "existence")));
        assertTrue(k.run("obj", "unload").ok());
    }

    @Test
    void withoutTheModuleTheKfuncIsNotFound() {
        ObjKernel k = new ObjKernel();
        ObjKernel.Out r = k.run("obj", "load", obj("pro_epilogue.o").toString());
        assertFalse(r.ok());
        // bpf_object__resolve_externs() runs before find_struct_ops_kern_types() (whose type is
        // bpf_testmod's too): the first strong kfunc in extern order (by name), -EINVAL
        assertTrue(r.err().contains("libbpf: extern (func ksym) 'bpf_kfunc_st_ops_inc10': not found in kernel or module BTFs\n"),
                r.toString());
        assertTrue(r.err().contains("failed to load object file: -EINVAL (Invalid argument)"), r.toString());
        assertFalse(r.err().contains("struct_ops init_kern"), r.toString());
    }

    @Test
    void aBinaryFileThatIsNotElfIsNamedAsNotTextByObjLoadAndStructOpsRegister() throws Exception {
        // not ELF, so read as object text: the file's fault in the user's words, not "Input length = 1"
        Path bin = Files.write(Files.createTempDirectory("obj").resolve("garbage.o"), new byte[] {'x', (byte) 0xd0, 0x12});
        ObjKernel k = new ObjKernel();
        for (ObjKernel.Out r : new ObjKernel.Out[] {k.run("obj", "load", bin.toString()),
            k.run("struct_ops", "register", bin.toString())}) {
            assertEquals(1, r.status(), r.toString());
            assertEquals("Error: cannot read " + bin + ": not a text file (byte 1 is not UTF-8)\n", r.err(), r.toString());
        }
    }
}
