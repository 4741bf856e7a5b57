# r1 points to the input memory (exec --mem HEX), r2 holds its length: return mem[0] + mem[1].
r0 = *(u8 *)(r1 +0)
r3 = *(u8 *)(r1 +1)
r0 += r3
exit
