/**
 * Read-only views of BTF for the verifier and for subsystem bundles: the kinds
 * ({@link org.bpfosgi.btf.api.BtfKind}), a BTF object's types and the queries the kernel makes of
 * them ({@link org.bpfosgi.btf.api.BtfTypes}: btf_find_by_name_kind, btf_type_skip_modifiers,
 * btf_resolve_size, offsetof with a member path, the member at an offset), and a module's
 * resolved {@code .BTF_ids} lists and sets ({@link org.bpfosgi.btf.api.BtfIdLists}) that its
 * verifier-ops service carries. Implemented by the kernel's org.bpfosgi.btf.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.1")
package org.bpfosgi.btf.api;
