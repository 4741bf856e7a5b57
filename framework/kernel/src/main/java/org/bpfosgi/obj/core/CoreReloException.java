package org.bpfosgi.obj.core;

import java.util.List;

/**
 * A CO-RE relocation libbpf refuses: the negative errno bpf_object__relocate_core() returns and
 * the lines libbpf logged up to and including the failure (e.g. "prog 'p': relo #3: failed to
 * relocate: -22"). The caller then prints "failed to perform CO-RE relocations: %d"
 * ({@link BpfCoreRelocator#failedLine(int)}), as bpf_object__relocate() does.
 */
public final class CoreReloException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int err;
    private final List<CoreLogLine> lines;

    CoreReloException(int err, List<CoreLogLine> lines) {
        super(lines.isEmpty() ? "CO-RE relocation failed: " + err : lines.get(lines.size() - 1).text(), null, false,
                false);
        this.err = err;
        this.lines = List.copyOf(lines);
    }

    /** The negative errno (-EINVAL, -E2BIG, -ERANGE, -EOPNOTSUPP ...). */
    public int err() {
        return err;
    }

    /** Everything libbpf logged for this program's relocations, the failure last. */
    public List<CoreLogLine> lines() {
        return lines;
    }
}
