/** Kernel errno values, as the kernel's include/uapi/asm-generic/errno*.h define them. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.bpfosgi.errno;
