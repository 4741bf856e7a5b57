/**
 * The BPF interpreter and the simulated kernel memory it runs against.
 *
 * <p>{@link org.bpfosgi.vm.Vm} models kernel/bpf/core.c {@code ___bpf_prog_run()}: every
 * instruction of RFC 9669 / cpu v4 (division by zero gives 0, modulo by zero leaves dst, shift
 * amounts masked, 32-bit results zero-extended, sdiv/smod, movsx, sign-extending loads, byte
 * swaps, atomics with fetch, xchg and cmpxchg), bpf-to-bpf calls with a frame each (r6-r9 and r10
 * restored on return, {@code MAX_BPF_STACK} = 512 bytes of stack per frame, at most
 * {@code MAX_CALL_FRAMES} = 8 frames) and tail calls (at most {@code MAX_TAIL_CALL_CNT} = 33 in a
 * chain, as in the kernel's interpreter). Helpers and kfuncs are Java functions the caller binds
 * ({@link org.bpfosgi.vm.Bindings}).
 *
 * <p>{@link org.bpfosgi.vm.Memory} is a kernel address space made of regions (stack frames,
 * context, objects helpers and kfuncs allocate) at fake direct-map addresses from
 * {@code 0xffff888000000000}; addresses are never reused, so a use after free is always seen.
 * Every load and store is bounds- and permission-checked; a bad access ends the run with an
 * {@link org.bpfosgi.vm.Oops} (instruction index, address, size, reason), the model of a kernel
 * oops. No Java exception escapes {@link org.bpfosgi.vm.Vm#run}.
 *
 * {@code may_goto} jumps once the run has spent {@code BPF_MAX_LOOPS} of them (the kernel keeps
 * that budget per frame in a hidden stack slot). {@code callx rN} calls the helper whose id is
 * in rN, as ubpf and the conformance suite expect (the kernel rejects callx).
 *
 * <p>What is not modelled: legacy packet loads ({@code BPF_LD_ABS/IND}), which end in an oops;
 * the stack is not zeroed between runs (the verifier forbids reading uninitialised stack).
 */
package org.bpfosgi.vm;
