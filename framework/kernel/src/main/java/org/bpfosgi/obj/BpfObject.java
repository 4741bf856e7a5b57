package org.bpfosgi.obj;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.structops.BpfMap;
import org.bpfosgi.structops.StructOpsLink;
import org.bpfosgi.structops.StructOpsMap;

/**
 * A loaded object (libbpf's {@code struct bpf_object} after bpf_object__load and the skeleton's
 * attach): the user's references to its programs and maps (their fds), its struct_ops links,
 * and the struct_ops maps registered by a map update (the legacy {@code .struct_ops} form).
 */
public final class BpfObject {
    /** One line of what the load created: "prog 3 test_prologue". */
    public record Created(String kind, int id, String name) {
        @Override
        public String toString() {
            return kind + " " + id + " " + name;
        }
    }

    private final String name;
    final Map<String, BpfProg> progs = new LinkedHashMap<>();
    final Map<String, BpfMap> maps = new LinkedHashMap<>();
    final List<StructOpsLink> links = new ArrayList<>();
    final List<StructOpsMap> registeredByUpdate = new ArrayList<>();
    final List<Created> created = new ArrayList<>();
    /** libbpf's warnings and infos of a successful load (a map retried without BTF, ...). */
    final List<String> log = new ArrayList<>();
    /** The object's BTF in the kernel (bpf_object__sanitize_and_load_btf()), or null. */
    org.bpfosgi.btf.BtfObject btf;

    BpfObject(String name) {
        this.name = name;
    }

    /** The object's name: its file name without directories and extension. */
    public String name() {
        return name;
    }

    public Map<String, BpfProg> progs() {
        return Map.copyOf(progs);
    }

    /** A program by its name in the object (the full name, not the kernel's 15 characters). */
    public BpfProg prog(String n) {
        return progs.get(n);
    }

    public Map<String, BpfMap> maps() {
        return Map.copyOf(maps);
    }

    public BpfMap map(String n) {
        return maps.get(n);
    }

    public List<StructOpsLink> links() {
        return List.copyOf(links);
    }

    /** libbpf's warnings of the load, without the "libbpf: " prefix. */
    public List<String> log() {
        return List.copyOf(log);
    }

    /** The object's BTF as BPF_BTF_LOAD loaded it (the maps' btf_fd), if any. */
    public java.util.Optional<org.bpfosgi.btf.BtfObject> btf() {
        return java.util.Optional.ofNullable(btf);
    }

    /** What the load created, in order. */
    public List<Created> created() {
        return List.copyOf(created);
    }
}
