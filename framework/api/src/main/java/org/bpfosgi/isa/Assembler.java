package org.bpfosgi.isa;

import java.util.List;
import java.util.Set;

import org.bpfosgi.isa.conformance.ConformanceFile;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Assembles BPF text into a {@link Program}. Two dialects: {@link Dialect#LLVM} (the syntax of
 * kernel selftests' inline asm and of llvm-objdump) and {@link Dialect#UBPF} (bpf_conformance /
 * ubpf: {@code mov32 %r0, 1}). A {@code .data} file is a bpf_conformance test file whose
 * {@code -- asm} (or {@code -- raw}) section is the program. Errors are {@link AsmException}s
 * located as {@code file:line:col}.
 */
@ProviderType
public final class Assembler {
    private Assembler() {}

    public enum Dialect {
        LLVM, UBPF;

        /** {@code .data}, {@code .ubpf} and {@code .asm} files are the ubpf dialect; anything else (.s, .S, .bpf) LLVM. */
        public static Dialect forFile(String name) {
            String n = name.toLowerCase();
            return n.endsWith(".data") || n.endsWith(".ubpf") || n.endsWith(".asm") ? UBPF : LLVM;
        }

        public static Dialect parse(String s) {
            return switch (s.toLowerCase()) {
                case "llvm" -> LLVM;
                case "ubpf", "conformance" -> UBPF;
                default -> throw new IllegalArgumentException("unknown dialect '" + s + "' (llvm or ubpf)");
            };
        }
    }

    /**
     * Receives assembler directives ({@code .section ...}, a loader's {@code .license}, ...);
     * throws an {@link AsmException} to reject one.
     */
    @FunctionalInterface
    public interface DirectiveHandler {
        /**
         * @param text the directive, from its dot to the end of the statement
         * @param insn the index of the next instruction slot (where a new section would start)
         */
        void directive(String text, int line, int col, int insn);
    }

    private static final Set<String> IGNORED = Set.of(".text", ".globl", ".global", ".section", ".p2align", ".align", ".type", ".size", ".file", ".local");

    /** Accepts the layout directives a compiler emits ({@code .text}, {@code .globl}, ...) and rejects the rest. */
    public static final DirectiveHandler STANDARD_DIRECTIVES = (text, line, col, insn) -> {
        String word = text.split("\\s+")[0];
        if (!IGNORED.contains(word)) throw new AsmException("<input>", line, col, "unknown directive '" + word + "'");
    };

    /** A program and the source line of each slot. */
    public record Result(Program program, List<Integer> lines) {}

    /** Assembles {@code source}, choosing the dialect from the file name. */
    public static Program assemble(String source, String file) {
        return assemble(source, file, Dialect.forFile(file));
    }

    public static Program assemble(String source, String file, Dialect dialect) {
        return assembleWithLines(source, file, dialect).program();
    }

    /** As {@link #assemble}, also giving each slot's source line (for locating later errors). */
    public static Result assembleWithLines(String source, String file, Dialect dialect) {
        if (dialect == Dialect.UBPF && file.toLowerCase().endsWith(".data")) {
            ConformanceFile.Assembled a = ConformanceFile.parse(source, file).program();
            return new Result(a.program(), a.lines());
        }
        Result r = assembleWithLines(source, file, dialect, 1, located(file, STANDARD_DIRECTIVES));
        if (r.program().size() == 0) throw new AsmException(file, 1, 1, "no instructions");
        return r;
    }

    /** Assembles with a directive handler of the caller's (the loader's {@code .license}, {@code .struct_ops}, ...). */
    public static Result assembleWithLines(String source, String file, Dialect dialect, int firstLine, DirectiveHandler directives) {
        DirectiveHandler d = located(file, directives);
        return switch (dialect) {
            case LLVM -> LlvmAsm.assemble(shift(source, firstLine), file, d);
            case UBPF -> UbpfAsm.assemble(source, file, firstLine);
        };
    }

    private static String shift(String source, int firstLine) {
        return "\n".repeat(Math.max(0, firstLine - 1)) + source;
    }

    /** Re-locates a handler's errors in {@code file}. */
    private static DirectiveHandler located(String file, DirectiveHandler h) {
        return (text, line, col, insn) -> {
            try {
                h.directive(text, line, col, insn);
            } catch (AsmException e) {
                if (e.file().equals(file)) throw e;
                throw new AsmException(file, e.line(), e.col(), e.detail());
            }
        };
    }
}
