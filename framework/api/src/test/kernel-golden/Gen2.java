import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import org.bpfosgi.isa.*;
import java.util.*;

public class Gen2 {
    public static void main(String[] a) throws Exception {
        int fd = Integer.parseInt(a[0]);
        List<Insn> p = insns(
            BPF_MOV64_REG(6, 1),
            BPF_LD_ABS(BPF_B, 4),
            BPF_LD_ABS(BPF_H, 2),
            BPF_LD_ABS(BPF_W, 0),
            BPF_MOV64_IMM(7, 1),
            BPF_LD_IND(BPF_B, 7, 3),
            BPF_ST_MEM(BPF_W, 10, -4, 0),
            BPF_MOV64_REG(2, 10),
            BPF_ALU64_IMM(BPF_ADD, 2, -4),
            BPF_LD_MAP_FD(1, fd),
            BPF_EMIT_CALL(1),
            BPF_JMP_IMM(BPF_JEQ, 0, 0, 1),
            BPF_LDX_MEM(BPF_DW, 0, 0, 0),
            BPF_LD_MAP_VALUE(3, fd, 4),
            BPF_LDX_MEM(BPF_W, 4, 3, 0),
            BPF_LD_MAP_VALUE(3, fd, 0),
            BPF_MOV64_IMM(0, 0),
            BPF_EXIT_INSN());
        StringBuilder sb = new StringBuilder();
        for (byte b : Insn.encodeAll(p)) sb.append(String.format("%02x", b));
        System.out.println(sb);
    }
}
