package org.bpfosgi.prog;

import java.util.Optional;

import org.bpfosgi.errno.Errno;

/** What BPF_PROG_LOAD returns: the program, or a negative errno; and the verifier log. */
public record ProgLoadResult(BpfProg prog, int err, String log) {
    public boolean ok() {
        return prog != null;
    }

    public Optional<Errno> errno() {
        return err == 0 ? Optional.empty() : Optional.of(Errno.of(err));
    }
}
