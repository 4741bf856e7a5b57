package org.bpfosgi.host;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code --help} text of every command the machine's {@link CommandTable} holds, in the order
 * {@code --help} lists them. {@link Host} refuses to register a command that has no entry here
 * (the boot fails naming it), and the launcher prints these entries as its command list, so a
 * new command cannot be added without its help line.
 */
public final class CommandHelp {
    /**
     * One command's lines of {@code --help}: the name and its usage, each line as printed (two
     * spaces of indent, descriptions from column 23).
     */
    public record Entry(String name, String text) {
    }

    /** The commands of the table, in {@code --help}'s order. */
    public static final List<Entry> TABLE = List.of(
            new Entry("lsmod", "  lsmod [--proc]       loaded modules, kmod layout (--proc: /proc/modules lines)"),
            new Entry("subsystems", "  subsystems           every subsystem, built-in or module, with its struct_ops types"),
            new Entry("insmod", "  insmod JAR           load a subsystem bundle as a kernel module"),
            new Entry("rmmod", "  rmmod [-f] NAME...   delete_module, then stop and uninstall the bundle (-f: forced, taints R)"),
            new Entry("modinfo", "  modinfo NAME         bundle, state, refcount, named holders, taints"),
            new Entry("dmesg", "  dmesg                the kernel log"),
            new Entry("prog", String.join("\n",
                    "  prog load FILE [PROGNAME] [attach TYPE.MEMBER] [log-level 1|2] [log-size BYTES] [policy P]",
                    "       [unsafe-module-calls]   bpf_check() a struct_ops or syscall program (FILE: assembly",
                    "                       text, or a clang-built ELF object FILE.o and the program's name)",
                    "  prog show | dump xlated id N [opcodes] | free id N",
                    "  prog run id N [ctx_in HEX] [repeat K]   BPF_PROG_TEST_RUN (syscall programs)")),
            new Entry("obj", String.join("\n",
                    "  obj load FILE [autoattach MAP,...] | unload [NAME] | show   libbpf load + attach of an object",
                    "                       (FILE: object text, or an ELF object built by clang -target bpf)",
                    "  obj show FILE.o      an ELF object as libbpf opens it: sections, programs, maps, relocations, externs")),
            new Entry("map", "  map show | dump id N | free id N"),
            new Entry("link", "  link show | free id N"),
            new Entry("struct_ops", "  struct_ops show | dump | register FILE | unregister id N"),
            new Entry("race", String.join("\n",
                    "  race explore FILE.race [--all | --random N --seed S] [--kfunc-policy P] [--no-reduction]",
                    "                       every schedule of the scenario's actors at the named points (module",
                    "                       unload during verification): outcome table, invariants, replay strings",
                    "  race replay FILE.race --schedule S   one schedule, step by step")),
            new Entry("btf", "  btf list | dump id N|module NAME|file PATH [base PATH] [format raw|c] | compile FILE.h [--base vmlinux|builtin|none]"),
            new Entry("cc", String.join("\n",
                    "  cc FILE.c -o OUT.o [module NAME]   clang -O2 -g -target bpf -mcpu=v3 against this machine's",
                    "                       btf dump ... format c (no clang: copies the prebuilt FILE.o)")),
            new Entry("asm", "  asm FILE [-o OUT.bin]  assemble (LLVM or ubpf syntax); prints the xlated text, or writes OUT.bin"),
            new Entry("disasm", "  disasm FILE.bin|--hex HEX [--opcodes]  the kernel's xlated text of raw instructions"),
            new Entry("exec", "  exec FILE [--mem HEX]  run a program in the interpreter, print r0"));

    private CommandHelp() {
    }

    /** The names {@link #TABLE} documents. */
    public static Set<String> names() {
        Set<String> out = new LinkedHashSet<>();
        TABLE.forEach(e -> out.add(e.name()));
        return out;
    }

    /** The command list of {@code --help}: every entry's lines. */
    public static String text() {
        StringBuilder sb = new StringBuilder();
        TABLE.forEach(e -> sb.append(e.text()).append('\n'));
        return sb.toString();
    }
}
