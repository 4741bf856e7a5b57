/**
 * The verifier (kernel/bpf/verifier.c {@code bpf_check()}) for BPF_PROG_TYPE_STRUCT_OPS
 * programs, one class per kernel function: {@link org.bpfosgi.verifier.BpfCheck} runs
 * {@link org.bpfosgi.verifier.AddSubprogAndKfunc} (with {@link org.bpfosgi.verifier.AddKfuncCall}
 * and {@link org.bpfosgi.verifier.FindKfuncDescBtf}), {@link org.bpfosgi.verifier.CheckSubprogs},
 * {@link org.bpfosgi.verifier.CheckStructOpsBtfId}, {@link org.bpfosgi.verifier.CheckCfg},
 * {@link org.bpfosgi.verifier.DoCheck} (the abstract interpreter: {@link org.bpfosgi.verifier.CheckAluOp},
 * {@link org.bpfosgi.verifier.CheckMemAccess}, {@link org.bpfosgi.verifier.CheckCondJmpOp},
 * {@link org.bpfosgi.verifier.CheckHelperCall}, {@link org.bpfosgi.verifier.CheckKfuncCall},
 * {@link org.bpfosgi.verifier.CheckKfuncArgs}, {@link org.bpfosgi.verifier.CheckFuncCall},
 * {@link org.bpfosgi.verifier.PrepareFuncExit}, {@link org.bpfosgi.verifier.IsStateVisited}),
 * {@link org.bpfosgi.verifier.CheckMaxStackDepth}, {@link org.bpfosgi.verifier.ConvertCtxAccesses}
 * (gen_epilogue/gen_prologue inserted through {@link org.bpfosgi.verifier.BpfPatchInsnData} and
 * {@link org.bpfosgi.verifier.AdjustJmpOff}; kfuncs in them per policy:
 * {@link org.bpfosgi.verifier.FixupProEpilogueKfunc}, {@link org.bpfosgi.verifier.AddKfuncInInsns},
 * {@link org.bpfosgi.verifier.MarkHelperCallsFinalized}) and
 * {@link org.bpfosgi.verifier.DoMiscFixups} ({@link org.bpfosgi.verifier.FixupKfuncCall}).
 *
 * <p>Module references: {@code env->attach_btf_mod} lives for one bpf_check() call; each
 * kfunc_btf_tab entry ({@link org.bpfosgi.verifier.KfuncBtf}) holds a BTF and a module reference
 * until {@link org.bpfosgi.verifier.BpfProgAux#freeKfuncBtfTab} (program free, or failed load);
 * each used_btfs entry ({@link org.bpfosgi.verifier.BtfModPair}, a ksym's BTF recorded by
 * {@link org.bpfosgi.verifier.CheckPseudoBtfId}) holds a BTF reference and, for a module's BTF, a
 * module reference until {@link org.bpfosgi.verifier.BpfProgAux#releaseUsedBtfs}.
 * Registrations a subsystem makes at module_init are kept by
 * {@link org.bpfosgi.verifier.StructOpsRegistry}; kfunc bodies are symbols in
 * {@link org.bpfosgi.verifier.Kallsyms}.
 *
 * <p>Pure Java, no OSGi. Log strings are the kernel's, verbatim; where the model is unsure of
 * the kernel's text or behaviour, the code says so.
 */
package org.bpfosgi.verifier;
