/** Command-line entry points of the kernel model; the launcher wires them in. */
package org.bpfosgi.cli;
