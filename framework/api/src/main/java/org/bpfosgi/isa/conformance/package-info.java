/**
 * The bpf_conformance test-file format ({@code .data}): a test-data format, not API, so this
 * package is private to the api bundle (not exported).
 */
package org.bpfosgi.isa.conformance;
