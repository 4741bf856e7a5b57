package org.bpfosgi.vm;

/** What a helper or kfunc sees of the running program: its memory and where it was called from. */
public final class CallContext {
    private final Memory memory;
    int insn;
    int depth;

    CallContext(Memory memory) { this.memory = memory; }

    public Memory memory() { return memory; }
    /** Index of the call instruction, in the program currently running. */
    public int insn() { return insn; }
    /** Frame depth of the caller (0 = the main program). */
    public int frameDepth() { return depth; }

    /** Ends the run with an oops of kind FUNCTION_FAILED. */
    public MemoryFault oops(String reason) {
        return new MemoryFault(Oops.Kind.FUNCTION_FAILED, 0, 0, reason);
    }
}
