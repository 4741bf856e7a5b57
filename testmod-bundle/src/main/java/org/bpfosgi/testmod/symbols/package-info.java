/**
 * Symbols bpf_testmod exports to other modules (EXPORT_SYMBOL). A bundle that imports this
 * package uses bpf_testmod: ref_module() makes it a holder shown in lsmod's "Used by".
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.bpfosgi.testmod.symbols;
