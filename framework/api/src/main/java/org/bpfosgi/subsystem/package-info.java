/**
 * What a subsystem bundle implements and publishes: its verifier ops (the kernel's
 * {@code struct bpf_verifier_ops} plus the {@code struct bpf_struct_ops} types it registers) as a
 * Declarative Services component whose activate and deactivate are the module's init and exit,
 * and the Java implementations of its kfuncs. Changes by version: CHANGES.md.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.bpfosgi.subsystem;
