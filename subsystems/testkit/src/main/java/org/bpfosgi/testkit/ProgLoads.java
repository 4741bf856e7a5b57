package org.bpfosgi.testkit;

import java.util.List;
import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.AsmException;
import org.bpfosgi.prog.LoaderException;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.prog.XlatedDump;

/** {@code prog load} as both kits do it, with a typed result. */
final class ProgLoads {
    private ProgLoads() {
    }

    static LoadResult load(ProgKernel bpf, String text, String file, int logLevel) {
        ProgLoadResult r;
        try {
            ProgLoader.ProgSource s = ProgLoader.parse(text, file);
            r = bpf.progs().load(ProgLoader.toAttr(s, Optional.empty(), logLevel, bpf.services()));
        } catch (LoaderException | AsmException e) {
            // the loader's refusal (libbpf's side): no program, the message as the log
            return new LoadResult(0, Optional.of(Errno.EINVAL), e.getMessage(), List.of());
        }
        if (!r.ok()) {
            return new LoadResult(0, r.errno(), r.log(), List.of());
        }
        return new LoadResult(r.prog().id(), Optional.empty(), r.log(),
                XlatedDump.lines(r.prog(), bpf.structOps().kallsyms(), false));
    }
}
