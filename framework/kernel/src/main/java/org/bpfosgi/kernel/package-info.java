/** One modelled machine: the kernel log, the module table, the BTF registry and the BPF side. */
package org.bpfosgi.kernel;
