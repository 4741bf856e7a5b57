# A hello_ops program: doubles args->n through the module's kfunc and returns it.
.license "GPL"
SEC("struct_ops/greet")
greet:
    r1 = *(u64 *)(r1 +0)
    call bpf_hello_double
    exit
