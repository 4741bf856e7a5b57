package org.bpfosgi.isa;

import java.util.ArrayList;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One 8-byte instruction slot: the kernel's {@code struct bpf_insn} (include/uapi/linux/bpf.h).
 * A 64-bit immediate load ({@code BPF_LD | BPF_IMM | BPF_DW}) occupies two slots, as in the kernel:
 * the second slot has code 0 and carries the upper 32 bits in its imm.
 *
 * @param code opcode byte, 0..255
 * @param dst  dst_reg, 0..15 (4 bits on the wire)
 * @param src  src_reg, 0..15
 * @param off  signed 16-bit offset
 * @param imm  signed 32-bit immediate
 */
@ProviderType
public record Insn(int code, int dst, int src, int off, int imm) {

    /** Size of one instruction slot on the wire. */
    public static final int SIZE = 8;

    public Insn {
        if (code < 0 || code > 0xff) throw new IllegalArgumentException("code out of range: " + code);
        if (dst < 0 || dst > 0xf) throw new IllegalArgumentException("dst_reg out of range: " + dst);
        if (src < 0 || src > 0xf) throw new IllegalArgumentException("src_reg out of range: " + src);
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) throw new IllegalArgumentException("off out of range: " + off);
    }

    public int cls() { return code & 0x07; }
    public int op() { return code & 0xf0; }
    public int size() { return code & 0x18; }
    public int mode() { return code & 0xe0; }
    public int source() { return code & 0x08; }

    /** The first slot of a 64-bit immediate load (the kernel's bpf_pseudo... {@code BPF_LD|BPF_IMM|BPF_DW}). */
    public boolean isLdImm64() { return code == (Bpf.BPF_LD | Bpf.BPF_IMM | Bpf.BPF_DW); }
    /** A call of any kind: helper, kfunc or bpf-to-bpf. */
    public boolean isCall() { return code == (Bpf.BPF_JMP | Bpf.BPF_CALL); }
    public boolean isHelperCall() { return isCall() && src == 0; }
    public boolean isPseudoCall() { return isCall() && src == Bpf.BPF_PSEUDO_CALL; }
    public boolean isKfuncCall() { return isCall() && src == Bpf.BPF_PSEUDO_KFUNC_CALL; }
    public boolean isExit() { return code == (Bpf.BPF_JMP | Bpf.BPF_EXIT); }
    /** JMP32|JA: {@code gotol}, whose displacement is imm, not off. */
    public boolean isGotol() { return code == (Bpf.BPF_JMP32 | Bpf.BPF_JA); }

    /** Copies with one field changed; instructions are immutable. */
    public Insn withOff(int newOff) { return new Insn(code, dst, src, newOff, imm); }
    public Insn withImm(int newImm) { return new Insn(code, dst, src, off, newImm); }
    public Insn withSrc(int newSrc) { return new Insn(code, dst, newSrc, off, imm); }
    public Insn withDst(int newDst) { return new Insn(code, newDst, src, off, imm); }

    /** The fields and the kernel's text, e.g. {@code Insn[79 dst=6 src=1 off=0 imm=0: r6 = *(u64 *)(r1 +0)]}. */
    @Override
    public String toString() {
        String text = Disassembler.print(this, null);
        int cut = text.startsWith("(") ? 5 : 0;
        return String.format("Insn[%02x dst=%d src=%d off=%d imm=%d: %s]", code, dst, src, off, imm, text.substring(cut));
    }

    /** The 64-bit immediate of an ld_imm64 pair, as the kernel assembles it. */
    public static long imm64(Insn lo, Insn hi) {
        return ((long) hi.imm() << 32) | (lo.imm() & 0xffffffffL);
    }

    /** Writes the 8-byte little-endian wire form at {@code pos}. */
    public void encode(byte[] out, int pos) {
        out[pos] = (byte) code;
        out[pos + 1] = (byte) ((src << 4) | dst);
        out[pos + 2] = (byte) off;
        out[pos + 3] = (byte) (off >> 8);
        out[pos + 4] = (byte) imm;
        out[pos + 5] = (byte) (imm >> 8);
        out[pos + 6] = (byte) (imm >> 16);
        out[pos + 7] = (byte) (imm >> 24);
    }

    public byte[] encode() {
        byte[] b = new byte[SIZE];
        encode(b, 0);
        return b;
    }

    /** Reads one slot from its 8-byte little-endian wire form. */
    public static Insn decode(byte[] in, int pos) {
        int code = in[pos] & 0xff;
        int regs = in[pos + 1] & 0xff;
        int off = (short) ((in[pos + 2] & 0xff) | (in[pos + 3] << 8));
        int imm = (in[pos + 4] & 0xff) | (in[pos + 5] & 0xff) << 8 | (in[pos + 6] & 0xff) << 16 | in[pos + 7] << 24;
        return new Insn(code, regs & 0xf, regs >>> 4, off, imm);
    }

    /** Encodes a whole program. */
    public static byte[] encodeAll(List<Insn> insns) {
        byte[] b = new byte[insns.size() * SIZE];
        for (int i = 0; i < insns.size(); i++) insns.get(i).encode(b, i * SIZE);
        return b;
    }

    /** Decodes a whole program; the length must be a multiple of 8. */
    public static List<Insn> decodeAll(byte[] bytes) {
        if (bytes.length % SIZE != 0)
            throw new IllegalArgumentException("program length " + bytes.length + " is not a multiple of 8");
        List<Insn> out = new ArrayList<>(bytes.length / SIZE);
        for (int p = 0; p < bytes.length; p += SIZE) out.add(decode(bytes, p));
        return List.copyOf(out);
    }
}
