/** The {@code bpf-osgi} command line: demo, shell, run FILE, and single commands. */
package org.bpfosgi.launcher;
