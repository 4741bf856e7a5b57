package org.bpfosgi.verifier;

/** Program texts shared with tests in other packages. */
public final class CliFixtures {
    public static final String TEST_PROLOGUE = ProEpilogueBodiesTest.body("test_prologue");

    private CliFixtures() {
    }
}
