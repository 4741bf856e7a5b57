/**
 * What a subsystem bundle implements and publishes: its verifier ops (the kernel's
 * {@code struct bpf_verifier_ops}) as a Declarative Services component whose activate and
 * deactivate are the module's init and exit.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.bpfosgi.subsystem;
