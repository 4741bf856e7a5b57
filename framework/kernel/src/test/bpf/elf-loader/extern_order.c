// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: several externs that cannot be resolved, to show the order of
 * libbpf's bpf_object__resolve_externs(). In source (and symbol) order a strong CONFIG_ extern no
 * Kconfig has comes first, then a strong kfunc no BTF has; libbpf resolves the ksyms (step 4,
 * "extern (func ksym) ...: not found in kernel or module BTFs", -EINVAL) before it looks for
 * strong externs left unset (step 5, "extern 'CONFIG_...' (strong): not resolved", -ESRCH), so the
 * kfunc is reported. With -DVIRTUAL a strong unknown LINUX_ extern is refused even earlier, in
 * the first loop ("unrecognized virtual extern", -EINVAL): extern_order_virtual.c. With
 * -DWEAK_KFUNC the kfunc may stay unresolved and the CONFIG_ extern is what fails (-ESRCH):
 * extern_order_config.c.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_BPF_OSGI_NOT_SET __kconfig;
#ifdef VIRTUAL
extern int LINUX_BPF_OSGI_UNKNOWN __kconfig;
#endif
#ifdef WEAK_KFUNC
extern int bpf_osgi_no_such_kfunc(void) __ksym __weak;
#else
extern int bpf_osgi_no_such_kfunc(void) __ksym;
#endif

char _license[] SEC("license") = "GPL";

SEC("syscall")
int use_externs(void *ctx)
{
#ifdef VIRTUAL
	if (LINUX_BPF_OSGI_UNKNOWN)
		return 2;
#endif
	return CONFIG_BPF_OSGI_NOT_SET + bpf_osgi_no_such_kfunc();
}
