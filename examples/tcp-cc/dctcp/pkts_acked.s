# DCTCP-like, op pkts_acked(sk, sample): once per window (snd_una past next_seq) update
# alpha = alpha - (alpha >> g) + (delivered_ce << (10 - g)) / delivered, g = 4, at most 1024.
.license "GPL"
.struct_ops tcp_congestion_ops.pkts_acked
dctcp_pkts_acked:
    r6 = *(u64 *)(r1 +0)
    r2 = *(u32 *)(r6 +1672)
    r3 = *(u32 *)(r6 +1308)
    if r2 < r3 goto out
    r4 = *(u32 *)(r6 +1692)
    r5 = *(u32 *)(r6 +1296)
    r4 -= r5
    r7 = *(u32 *)(r6 +1696)
    r8 = *(u32 *)(r6 +1300)
    r7 -= r8
    r0 = *(u32 *)(r6 +1304)
    r9 = r0
    r9 >>= 4
    r0 -= r9
    if r4 == 0 goto clamp
    r7 <<= 6
    r7 /= r4
    r0 += r7
clamp:
    if r0 <= 1024 goto store
    r0 = 1024
store:
    *(u32 *)(r6 +1304) = r0
    r2 = *(u32 *)(r6 +1668)
    *(u32 *)(r6 +1308) = r2
    r2 = *(u32 *)(r6 +1692)
    *(u32 *)(r6 +1296) = r2
    r2 = *(u32 *)(r6 +1696)
    *(u32 *)(r6 +1300) = r2
out:
    exit
