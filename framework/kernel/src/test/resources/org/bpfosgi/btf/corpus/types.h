/* clang-agreement corpus: every construct the C-declaration compiler supports */
typedef unsigned char __u8;
typedef short unsigned int __u16;
typedef unsigned int __u32;
typedef long long unsigned int __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef _Bool bool;
typedef unsigned long size_t;

#define NAME_MAX 16
#define CB_LEN (NAME_MAX * 3)

enum color { RED, GREEN = 5, BLUE };
enum negative { MINUS = -1, PLUS = 1 };
enum wide { WIDE = 0x100000000ULL, NARROW = 1 };
enum { ANON_A = 1 << 4, ANON_B = ANON_A | 3 };

struct fwd_only;
struct list { struct list *next, *prev; };

struct scalars {
	char c;
	signed char sc;
	unsigned char uc;
	short s;
	unsigned short us;
	int i;
	unsigned int ui;
	long l;
	unsigned long ul;
	long long ll;
	unsigned long long ull;
	_Bool b;
	bool b2;
	float f;
	double d;
	u8 u8v;
	s64 s64v;
	size_t sz;
};

struct bits {
	unsigned int a: 1;
	unsigned int b: 3;
	unsigned int c: 29;
	u8 d: 7;
	u8 e: 2;
	int : 0;
	char after_zero;
	unsigned long long wide: 40;
	unsigned long long wide2: 40;
	u16 : 5;
	u16 x: 4;
	enum color col: 3;
	long tail;
};

union bits_u {
	unsigned int whole;
	unsigned int lo: 16;
	u8 bytes[4];
};

struct nested {
	union {
		struct {
			struct nested *next;
			struct nested *prev;
			union {
				struct list *dev;
				unsigned long dev_scratch;
			};
		};
		struct list node;
		struct { int x; char tag; } anon_named;
	};
	struct inner_def { u32 a; u16 b; } inner;
	struct fwd_only *opaque;
	char cb[CB_LEN];
	int matrix[2][3];
	const char *name;
	const volatile u32 cv;
	int *const cptr;
	int * volatile * pp;
	void *restrict rp;
};

typedef int (*handler_t)(struct nested *, int);
typedef struct { int a; long b; } anon_typedef_t;
typedef union tagged_u { int i; char c[3]; } tagged_u_t;
typedef unsigned int arr_t[4];

struct ops {
	int (*enqueue)(struct nested *skb, struct list *q, struct nested **to_free);
	struct nested *(*dequeue)(struct list *);
	void (*reset)(void);
	handler_t h;
	void (*(*complex)(int))(long);
	int (*arr_of_fp[3])(void);
	char id[NAME_MAX];
	anon_typedef_t at;
	tagged_u_t tu;
	arr_t a4;
	u32 (*variadic)(const char *fmt, ...);
	struct list lists[0];
};

struct packed_s {
	char c;
	int i;
	u64 v;
} __attribute__((packed));

struct aligned_s {
	char c;
	int i __aligned(16);
	struct packed_s p;
} __attribute__((aligned(32)));

struct __packed packed_prefix {
	u8 a;
	u32 b;
};

struct uses_all {
	struct aligned_s a;
	struct packed_prefix pp;
	enum wide w;
	enum negative n;
	union bits_u bu;
	struct bits bits;
	char trailing;
};

struct flex {
	u32 len;
	u8 data[];
};

__bpf_kfunc int kfunc_one(struct nested *skb, u64 flags);
__bpf_kfunc struct list *kfunc_two(const struct list *l, int (*cb)(void *), ...);
void plain_func(void);
extern long ext_func(int a, unsigned long b, struct ops *ops);

BTF_KFUNCS_START(corpus_kfuncs)
BTF_ID_FLAGS(func, kfunc_one, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, kfunc_two)
BTF_KFUNCS_END(corpus_kfuncs)
