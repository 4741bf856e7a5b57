package org.bpfosgi.prog;

/** A program text the loader cannot turn into a BPF_PROG_LOAD (libbpf's side of the failure). */
public class LoaderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LoaderException(String message) {
        super(message);
    }
}
