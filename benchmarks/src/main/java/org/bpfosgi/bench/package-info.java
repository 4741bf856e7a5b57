/** JMH benchmarks of the interpreter, the BTF parser and the verifier. */
package org.bpfosgi.bench;
