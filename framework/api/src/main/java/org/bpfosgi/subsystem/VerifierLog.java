package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Models {@code struct bpf_verifier_log} as a callback sees it: {@code bpf_log(log, fmt, ...)}
 * appends to the verifier log of the program being loaded (nothing when the log level is 0).
 */
@ProviderType
public interface VerifierLog {
    /** Models bpf_log(): C printf format, written verbatim (include the trailing "\n"). */
    void log(String format, Object... args);
}
