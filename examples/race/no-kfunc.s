# A bpf_testmod struct_ops program whose body calls no kfunc: a = 0 stays as it is, return 0.
# Attached to test_pro_epilogue, it gets both bpf_testmod's generated prologue and epilogue.
.license "GPL"
SEC("struct_ops/test_pro_epilogue")
no_kfunc:
    r0 = 0
    exit
