/**
 * The subsystem SPI: what a subsystem bundle implements and publishes. A Declarative Services
 * component whose activate and deactivate are the module's init and exit publishes a
 * {@link org.bpfosgi.subsystem.BpfSubsystem}: its struct_ops types
 * ({@link org.bpfosgi.subsystem.StructOps}, each with its
 * {@link org.bpfosgi.subsystem.VerifierOps}), its kfunc sets and the Java bodies of its
 * functions. The kernel functions a callback may call back are on
 * {@link org.bpfosgi.subsystem.BpfProgInfo}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.3.0")
package org.bpfosgi.subsystem;
