	.text
	.globl	prog
prog:
	r6 = r1
	r1 = *(u64 *)(r1 + 0)
	r7 = *(u32 *)(r6 + 4)
	r7 = *(u16 *)(r6 - 2)
	r7 = *(u8 *)(r6 + 32767)
	*(u64 *)(r10 - 8) = r1
	*(u32 *)(r6 + 0) = r7
	*(u16 *)(r6 + 0) = r7
	*(u8 *)(r6 + 0) = r7
	*(u32 *)(r10 - 8) = w7
	w7 = *(u32 *)(r6 + 4)
	w0 *= 2
	w0 += w1
	r0 = -r0
	w0 = -w0
	r1 = be16 r1
	r1 = be32 r1
	r1 = be64 r1
	r1 = le16 r1
	r1 = le32 r1
	r1 = le64 r1
	r0 += 1000
	r0 -= r1
	r0 *= -3
	r0 /= 7
	r0 |= 0x10
	r0 &= -1
	r0 <<= 3
	r0 >>= r3
	r0 s>>= 63
	r0 ^= r9
	r0 = 2147483647
	r0 = -2147483648
	w0 = w1
	w0 /= w1
	w0 s>>= w1
	w0 >>= 31
	r0 = r10
	if r2 == 0 goto +3
	if r2 != r3 goto -1
	if r2 > 5 goto +0
	if r2 >= r3 goto +0
	if r2 < 5 goto +0
	if r2 <= r3 goto +0
	if r2 s> 5 goto +0
	if r2 s>= r3 goto +0
	if r2 s< -5 goto +0
	if r2 s<= r3 goto +0
	if w1 s< 5 goto lbl
	if w1 == w2 goto lbl
	if w1 > 0x7fffffff goto lbl
	goto -6
lbl:
	lock *(u64 *)(r1 + 0) += r2
	lock *(u32 *)(r1 + 8) += w2
	lock *(u64 *)(r1 + 0) |= r2
	lock *(u64 *)(r1 + 0) &= r2
	lock *(u64 *)(r1 + 0) ^= r2
	r1 = 0x123 ll
	r1 = -1 ll
	r1 = 0x1122334455667788 ll
	call 1
	call 12
	call sub
	r0 = *(u8 *)skb[4]
	r0 = *(u16 *)skb[r7]
	exit
sub:
	r0 = 0
	exit
