# bpf_testmod struct_ops program, the body of the kernel selftest progs/pro_epilogue.c
# (test_prologue): a += 10 through a bpf_testmod kfunc, a += 1 in a subprogram, return a.
.license "GPL"
SEC("struct_ops/test_prologue")
test_prologue:
    r1 = *(u64 *)(r1 +0)
    r6 = r1
    call bpf_kfunc_st_ops_inc10
    r1 = r6
    call subprog
    exit

subprog:
    r2 = *(u64 *)(r1 +0)
    r2 += 1
    *(u64 *)(r1 +0) = r2
    r0 = r2
    exit
