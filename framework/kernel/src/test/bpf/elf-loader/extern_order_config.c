// SPDX-License-Identifier: GPL-2.0
/* extern_order.c with the kfunc __weak: it may stay unresolved (its call is poisoned), so the
 * strong CONFIG_ extern no Kconfig sets is what bpf_object__resolve_externs() reports last
 * ("extern '%s' (strong): not resolved", -ESRCH). */
#define WEAK_KFUNC
#include "extern_order.c"
