# The body of the kernel selftest progs/epilogue_exit.c (two exits): with bpf_testmod's epilogue
# the first exit becomes the epilogue and the second a gotol back to it.
.license "GPL"
SEC("struct_ops/test_epilogue")
test_epilogue_exit:
    r1 = *(u64 *)(r1 +0)
    r2 = *(u64 *)(r1 +0)
    r3 = 0
    r4 = 1
    if r2 == 0 goto l0
    r0 = 0
    *(u64 *)(r1 +0) = r3
    exit
l0:
    *(u64 *)(r1 +0) = r4
    r0 = 1
    r1 = 0
    exit
