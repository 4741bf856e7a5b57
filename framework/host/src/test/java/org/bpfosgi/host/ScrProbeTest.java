package org.bpfosgi.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.junit.jupiter.api.Test;

/** A failed activate (a failed module_init) becomes the errno init returned. */
class ScrProbeTest {

    @Test
    void kernelExceptionCarriesItsErrno() {
        String failure = new KernelException(Errno.ENOMEM, "no memory for st_ops").toString()
                + "\n\tat org.bpfosgi.subsystem.testmod.BpfTestmod.init(BpfTestmod.java:42)";
        ScrProbe.InitFailure f = ScrProbe.parse(failure);
        assertEquals(Errno.ENOMEM, f.errno());
        // the user reads the words, not the Java type
        assertEquals("-ENOMEM: no memory for st_ops", f.message());
    }

    @Test
    void anyOtherThrowableIsEinvalWithItsFirstLine() {
        ScrProbe.InitFailure f = ScrProbe.parse("java.lang.NullPointerException: boom\n\tat x.y(Z.java:1)");
        assertEquals(Errno.EINVAL, f.errno());
        assertEquals("boom", f.message());
    }

    @Test
    void aWrappedKernelExceptionIsFoundInTheCauseChain() {
        String failure = "org.osgi.service.component.ComponentException: activate failed\n"
                + "Caused by: org.bpfosgi.errno.KernelException: -EEXIST: st_ops has already been registered";
        assertEquals(Errno.EEXIST, ScrProbe.parse(failure).errno());
    }
}
