package org.bpfosgi.subsystem.tcpcc;

/** include/linux/jhash.h jhash() (Bob Jenkins' lookup3), as tcp_register_congestion_control() keys a name. */
final class Jhash {
    /** JHASH_INITVAL. */
    static final int JHASH_INITVAL = 0xdeadbeef;

    private Jhash() {
    }

    static int jhash(byte[] k, int length, int initval) {
        int a = JHASH_INITVAL + length + initval;
        int b = a;
        int c = a;
        int p = 0;
        while (length > 12) {
            a += u32(k, p);
            b += u32(k, p + 4);
            c += u32(k, p + 8);
            // __jhash_mix
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            length -= 12;
            p += 12;
        }
        if (length == 0) {
            return c;
        }
        // the fall-through switch on the last 1..12 bytes
        for (int i = length - 1; i >= 0; i--) {
            int v = (k[p + i] & 0xff) << (8 * (i % 4));
            if (i >= 8) {
                c += v;
            } else if (i >= 4) {
                b += v;
            } else {
                a += v;
            }
        }
        // __jhash_final
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    private static int u32(byte[] k, int p) {
        return (k[p] & 0xff) | (k[p + 1] & 0xff) << 8 | (k[p + 2] & 0xff) << 16 | (k[p + 3] & 0xff) << 24;
    }
}
