/* clang-only: the kernel macros the headers use, as no-ops, so clang accepts the same text */
#define __bpf_kfunc
#define BTF_KFUNCS_START(n)
#define BTF_KFUNCS_END(n)
#define BTF_SET_START(n)
#define BTF_SET_END(n)
#define BTF_ID_LIST(n)
#define BTF_ID(k, n)
#define BTF_ID_UNUSED
#define BTF_ID_FLAGS(...)
#define BTF_ID_LIST_SINGLE(...)
#define __aligned(x) __attribute__((aligned(x)))
#define __packed __attribute__((packed))
#define __percpu
