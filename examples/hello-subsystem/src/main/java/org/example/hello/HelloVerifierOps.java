package org.example.hello;

import static org.bpfosgi.isa.Bpf.BPF_ADD;
import static org.bpfosgi.isa.Bpf.BPF_DW;
import static org.bpfosgi.isa.Macros.BPF_ALU64_IMM;
import static org.bpfosgi.isa.Macros.BPF_LDX_MEM;
import static org.bpfosgi.isa.Macros.BPF_STX_MEM;

import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BpfFuncProto;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.BtfRegInfo;
import org.bpfosgi.subsystem.GenPrologue;
import org.bpfosgi.subsystem.InsnAccessAux;
import org.bpfosgi.subsystem.VerifierLog;
import org.bpfosgi.subsystem.VerifierOps;

/**
 * hello_ops's verifier ops: the context is the member's argument array (as for every
 * struct_ops type), {@code struct hello_args} is writable, the base helpers are available, and
 * a prologue adds 1 to {@code args->n} before the program runs.
 */
final class HelloVerifierOps implements VerifierOps {
    /** sizeof(struct hello_args). */
    private static final int HELLO_ARGS_SIZE = 8;

    @Override
    public boolean isValidAccess(int off, int size, BpfAccessType type, BpfProgInfo prog, InsnAccessAux info) {
        return prog.tracingBtfCtxAccess(off, size, type, info);
    }

    @Override
    public void btfStructAccess(VerifierLog log, BtfRegInfo reg, int off, int size) {
        if (off < 0 || off + size > HELLO_ARGS_SIZE) {
            throw new KernelException(Errno.EACCES);
        }
    }

    @Override
    public BpfFuncProto getFuncProto(int funcId, BpfProgInfo prog) {
        return prog.baseFuncProto(funcId);
    }

    /**
     * {@code r6 = *(u64 *)(r1 +0); r7 = *(u64 *)(r6 +0); r7 += 1; *(u64 *)(r6 +0) = r7;} then the
     * program's first instruction, which the prologue replaces and so must repeat.
     */
    @Override
    public Optional<GenPrologue> genPrologue() {
        return Optional.of((buf, directWrite, prog) -> {
            buf.add(BPF_LDX_MEM(BPF_DW, 6, 1, 0));
            buf.add(BPF_LDX_MEM(BPF_DW, 7, 6, 0));
            buf.add(BPF_ALU64_IMM(BPF_ADD, 7, 1));
            buf.add(BPF_STX_MEM(BPF_DW, 6, 7, 0));
            buf.add(prog.firstInsn());
            return buf.written();
        });
    }
}
