package org.bpfosgi.vm;

/** How a run ended: the program returned ({@link Exit}) or the kernel would have oopsed ({@link Oops}). */
public sealed interface Outcome permits Exit, Oops {
    /** Instructions executed, across frames and tail calls. */
    long executed();
}
