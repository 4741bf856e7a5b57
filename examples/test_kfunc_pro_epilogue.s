# progs/pro_epilogue_with_kfunc.c (Feb 2025): a program named test_kfunc_* gets bpf_testmod's
# prologue/epilogue variants calling the vmlinux kfuncs bpf_cgroup_from_id / bpf_cgroup_release.
.license "GPL"
SEC("struct_ops/test_pro_epilogue")
test_kfunc_pro_epilogue:
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
