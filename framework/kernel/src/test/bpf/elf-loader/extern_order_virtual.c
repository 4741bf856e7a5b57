// SPDX-License-Identifier: GPL-2.0
/* extern_order.c with a strong unknown LINUX_ extern: refused in bpf_object__resolve_externs()'s
 * first loop, before the Kconfig and the ksyms are looked at. */
#define VIRTUAL
#include "extern_order.c"
