package org.bpfosgi.testkit;

import java.util.List;
import java.util.Optional;

import org.bpfosgi.errno.Errno;

/**
 * What a {@code prog load} gave: the new program's id (0 when the load failed), the errno of a
 * failed load, the verifier log, and the program's xlated lines as {@code bpftool prog dump
 * xlated} prints them (empty when the load failed).
 */
public record LoadResult(int progId, Optional<Errno> errno, String log, List<String> xlated) {
    public LoadResult {
        xlated = List.copyOf(xlated);
    }

    public boolean ok() {
        return errno.isEmpty();
    }
}
