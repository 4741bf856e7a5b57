package org.bpfosgi.obj.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfExt.CoreRelo;
import org.bpfosgi.btf.BtfExt.CoreReloKind;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.obj.core.CoreLogLine.Level;

/**
 * libbpf's CO-RE relocation of one object (libbpf v1.5: bpf_object__relocate_core(),
 * bpf_core_resolve_relo(), bpf_core_find_cands() in src/libbpf.c; bpf_core_calc_relo_insn(),
 * bpf_core_calc_relo(), bpf_core_patch_insn() in src/relo_core.c; spec §9.3–§9.7).
 *
 * <p>One relocator per object load: it holds the candidate cache libbpf keeps for the whole pass
 * (per local root type id, pruned to the matching candidates as relocations are resolved, so the
 * order of the calls matters exactly as in libbpf), and loads the module BTFs at most once.
 *
 * <h2>How the ELF loader uses it</h2>
 * For each {@code .BTF.ext} core_relo block ({@link org.bpfosgi.btf.BtfExt#coreReloBlocks()}) in
 * order, and each record {@code i} of it (its index within the block is the "relo #i" of the log),
 * find the program of that ELF section containing {@code insnOff/8} (none → skip, DEBUG "sec '%s':
 * skipping CO-RE relocation #%d for insn #%d belonging to eliminated weak subprogram"; autoload
 * false → skip), then call
 * <pre>{@code
 *   Result r = relocator.relocate(prog.name(), prog.insns(),
 *           List.of(new ProgRelo(i, rec.withInsnOff(rec.insnOff() - prog.secInsnOff() * 8))));
 * }</pre>
 * (or collect all of a program's records and call once; the outcome is the same, since libbpf
 * patches record by record). Use {@link Result#insns()} as the program's new instructions,
 * append {@link Result#log()} to the libbpf log, and keep {@link Result#relocations()} for
 * {@link #fixupLogFailedCoreRelo}. On {@link CoreReloException} the load fails with
 * {@link CoreReloException#err()}; print its lines, then {@link #failedLine(int)}.
 * Subprograms are relocated in their own instructions before being appended to callers, as
 * libbpf does.
 */
public final class BpfCoreRelocator {
    private static final int EINVAL = -22;
    private static final int EOPNOTSUPP = -95;
    private static final int ERANGE = -34;
    /** -EUCLEAN: the internal "poison this instruction" request. */
    private static final int EUCLEAN = -117;
    /** The poison call's imm: 0xbad2310, "bad relo". */
    public static final int POISON_IMM = 195896080;

    /** A relocation of a program: its index within its .BTF.ext block, insn offset relative to the program. */
    public record ProgRelo(int reloIdx, CoreRelo relo) {
    }

    /** A relocation that was applied at instruction {@code insnIdx} of the program. */
    public record Applied(int insnIdx, CoreRelo relo) {
    }

    /** The patched instructions, the libbpf log lines, and what was applied where. */
    public record Result(List<Insn> insns, List<CoreLogLine> log, List<Applied> relocations) {
        public Result {
            insns = List.copyOf(insns);
            log = List.copyOf(log);
            relocations = List.copyOf(relocations);
        }
    }

    /** {@code struct bpf_core_cand}: a candidate type and the BTF (and its printed name) it is in. */
    private record Cand(Btf btf, int id) {
    }

    private final Btf localBtf;
    private final CoreTargets targets;
    private final Map<Integer, List<Cand>> candCache = new HashMap<>();
    private List<CoreTargets.TargetBtf> modules;

    /**
     * @param localBtf the object's {@code .BTF}
     * @param targets  vmlinux (or the override) and the module BTFs
     */
    public BpfCoreRelocator(Btf localBtf, CoreTargets targets) {
        this.localBtf = localBtf;
        this.targets = targets;
    }

    /**
     * Models libbpf's bpf_core_types_are_compat() (relo_core.c): 1 when the local type is
     * CO-RE-compatible with the target type (names are the caller's business), 0 when not, a
     * negative errno when the types are too deep or malformed. libbpf's
     * bpf_object__resolve_ksym_func_btf_id() uses it on a kfunc extern's FUNC_PROTO.
     */
    public static int typesAreCompat(Btf localBtf, int localId, Btf targBtf, int targId, java.util.function.Consumer<String> warn) {
        return new BpfCoreMatch(warn).typesAreCompat(localBtf, localId, targBtf, targId);
    }

    /** bpf_object__relocate()'s line when bpf_object__relocate_core() fails. */
    public static String failedLine(int err) {
        return "failed to perform CO-RE relocations: " + err;
    }

    /**
     * Relocates one program's instructions, record by record in the given order, as the
     * per-record loop of bpf_object__relocate_core() does.
     *
     * @param progName the program's name (for the log)
     * @param insns    the program's own instructions (not yet linked with subprograms)
     * @param relos    its records, {@code insnOff} in bytes from the start of the program
     * @return the patched instructions and libbpf's log lines
     * @throws CoreReloException with libbpf's errno and log when libbpf fails the load
     */
    public Result relocate(String progName, List<Insn> insns, List<ProgRelo> relos) {
        Insn[] out = insns.toArray(new Insn[0]);
        List<CoreLogLine> log = new ArrayList<>();
        List<Applied> applied = new ArrayList<>();
        for (ProgRelo pr : relos) {
            CoreRelo rec = pr.relo();
            int i = pr.reloIdx();
            if (rec.insnOff() % Insn.SIZE != 0) {
                throw new CoreReloException(EINVAL, log); // libbpf: -EINVAL, no message
            }
            int insnIdx = rec.insnOff() / Insn.SIZE;
            if (insnIdx < 0 || insnIdx >= out.length) {
                throw new CoreReloException(EINVAL, log);
            }
            applied.add(new Applied(insnIdx, rec));
            CoreReloRes[] res = new CoreReloRes[1];
            int err = resolveRelo(progName, rec, i, log, res);
            if (err != 0) {
                warn(log, "prog '%s': relo #%d: failed to relocate: %d", progName, i, err);
                throw new CoreReloException(err, log);
            }
            err = patchInsn(progName, out, insnIdx, i, res[0], log);
            if (err != 0) {
                warn(log, "prog '%s': relo #%d: failed to patch insn #%d: %d", progName, i, insnIdx, err);
                throw new CoreReloException(err, log);
            }
        }
        return new Result(List.of(out), log, applied);
    }

    private static void warn(List<CoreLogLine> log, String fmt, Object... args) {
        log.add(new CoreLogLine(Level.WARN, String.format(fmt, args)));
    }

    private static void debug(List<CoreLogLine> log, String fmt, Object... args) {
        log.add(new CoreLogLine(Level.DEBUG, String.format(fmt, args)));
    }

    // ------------------------------------------------------------------ candidates

    /** Models bpf_core_resolve_relo(): candidate search (cached), then bpf_core_calc_relo_insn(). */
    private int resolveRelo(String progName, CoreRelo relo, int reloIdx, List<CoreLogLine> log, CoreReloRes[] res) {
        int localId = relo.typeId();
        if (!CoreBtf.valid(localBtf, localId)) {
            return EINVAL;
        }
        List<Cand> cands = null;
        if (relo.kind() != CoreReloKind.BPF_CORE_TYPE_ID_LOCAL) {
            cands = candCache.get(localId);
            if (cands == null) {
                int[] err = new int[1];
                cands = findCands(localId, log, err);
                if (cands == null) {
                    warn(log, "prog '%s': relo #%d: target candidate search failed for [%d] %s %s: %d", progName,
                            reloIdx, localId, CoreBtf.kindStr(localBtf.kind(localId)), CoreBtf.name(localBtf, localId),
                            err[0]);
                    return err[0];
                }
                candCache.put(localId, cands);
            }
        }
        return calcReloInsn(progName, relo, reloIdx, cands, log, res);
    }

    /** Models bpf_core_find_cands(): vmlinux first, module BTFs only when vmlinux has none. */
    private List<Cand> findCands(int localId, List<CoreLogLine> log, int[] err) {
        String localName = CoreBtf.name(localBtf, localId);
        if (localId == 0 || localName.isEmpty()) {
            err[0] = EINVAL;
            return null;
        }
        int essentLen = CoreBtf.essentialNameLen(localName);
        List<Cand> cands = new ArrayList<>();
        addCands(localId, localName, essentLen, targets.vmlinux(), "vmlinux", 1, cands, log);
        // if vmlinux BTF has any candidate, don't go for module BTFs; nor with an override
        if (!cands.isEmpty() || targets.override()) {
            return cands;
        }
        if (modules == null) {
            modules = List.copyOf(targets.modules().get()); // load_module_btfs(): once per object
        }
        for (CoreTargets.TargetBtf m : modules) {
            addCands(localId, localName, essentLen, m.btf(), m.name(), targets.vmlinux().nrTypes(), cands, log);
        }
        return cands;
    }

    /** Models bpf_core_add_cands(): a linear scan of the target's types from {@code startId}. */
    private void addCands(int localId, String localName, int essentLen, Btf targ, String targName, int startId,
                          List<Cand> cands, List<CoreLogLine> log) {
        BtfKind localKind = localBtf.kind(localId);
        String essential = localName.substring(0, essentLen);
        int n = targ.nrTypes();
        for (int i = Math.max(startId, 1); i < n; i++) {
            if (!CoreBtf.kindCoreCompat(targ.kind(i), localKind)) {
                continue;
            }
            String tn = targ.name(i);
            if (tn.isEmpty() || CoreBtf.essentialNameLen(tn) != essentLen || !tn.startsWith(essential)) {
                continue;
            }
            debug(log, "CO-RE relocating [%d] %s %s: found target candidate [%d] %s %s in [%s]", localId,
                    CoreBtf.kindStr(localKind), localName, i, CoreBtf.kindStr(targ.kind(i)), tn, targName);
            cands.add(new Cand(targ, i));
        }
    }

    // ------------------------------------------------------------------ calc

    /** Models bpf_core_calc_relo_insn(). */
    private int calcReloInsn(String progName, CoreRelo relo, int reloIdx, List<Cand> cands, List<CoreLogLine> log,
                             CoreReloRes[] out) {
        int localId = relo.typeId();
        String localName = CoreBtf.name(localBtf, localId);
        CoreSpec localSpec = new CoreSpec();
        int err = CoreSpec.parse(progName, localBtf, relo, localSpec, s -> log.add(new CoreLogLine(Level.WARN, s)));
        if (err != 0) {
            String specStr = relo.accessStr();
            warn(log, "prog '%s': relo #%d: parsing [%d] %s %s + %s failed: %d", progName, reloIdx, localId,
                    CoreBtf.kindStr(CoreBtf.kind(localBtf, localId)), localName.isEmpty() ? "<anon>" : localName,
                    specStr == null ? "<?>" : specStr, err);
            return EINVAL;
        }
        debug(log, "prog '%s': relo #%d: %s", progName, reloIdx, localSpec.format());
        // TYPE_ID_LOCAL relo is special and doesn't need candidate search
        if (relo.kind() == CoreReloKind.BPF_CORE_TYPE_ID_LOCAL) {
            out[0] = new CoreReloRes(localSpec.rootTypeId, localSpec.rootTypeId, false, false, false, 0, 0, 0, 0);
            return 0;
        }
        // libbpf doesn't support candidate search for anonymous types
        if (localName.isEmpty()) {
            warn(log, "prog '%s': relo #%d: <%s> (%d) relocation doesn't support anonymous types", progName, reloIdx,
                    relo.kind().shortName(), relo.rawKind());
            return EOPNOTSUPP;
        }
        BpfCoreMatch match = new BpfCoreMatch(s -> log.add(new CoreLogLine(Level.WARN, s)));
        CoreSpec candSpec = new CoreSpec();
        CoreSpec targSpec = null;
        CoreReloRes targRes = null;
        List<Cand> kept = new ArrayList<>();
        for (int i = 0; i < cands.size(); i++) {
            Cand c = cands.get(i);
            err = match.specMatch(localSpec, c.btf(), c.id(), candSpec);
            if (err < 0) {
                warn(log, "prog '%s': relo #%d: error matching candidate #%d %s: %d", progName, reloIdx, i,
                        candSpec.format(), err);
                return err;
            }
            debug(log, "prog '%s': relo #%d: %s candidate #%d %s", progName, reloIdx,
                    err == 0 ? "non-matching" : "matching", i, candSpec.format());
            if (err == 0) {
                continue;
            }
            CoreReloRes[] cr = new CoreReloRes[1];
            err = calcRelo(progName, relo, reloIdx, localSpec, candSpec, cr, log);
            if (err != 0) {
                return err;
            }
            CoreReloRes candRes = cr[0];
            if (kept.isEmpty()) {
                targRes = candRes;
                targSpec = candSpec.copy();
            } else if ((candSpec.bitOffset & 0xffffffffL) != (targSpec.bitOffset & 0xffffffffL)) {
                // if there are many field relo candidates, they should all resolve to the same bit offset
                warn(log, "prog '%s': relo #%d: field offset ambiguity: %d != %d", progName, reloIdx,
                        candSpec.bitOffset & 0xffffffffL, targSpec.bitOffset & 0xffffffffL);
                return EINVAL;
            } else if (candRes.poison() != targRes.poison() || candRes.newVal() != targRes.newVal()) {
                // all candidates should result in the same relocation decision and value
                warn(log, "prog '%s': relo #%d: relocation decision ambiguity: %s %s != %s %s", progName, reloIdx,
                        candRes.poison() ? "failure" : "success", Long.toUnsignedString(candRes.newVal()),
                        targRes.poison() ? "failure" : "success", Long.toUnsignedString(targRes.newVal()));
                return EINVAL;
            }
            kept.add(c);
        }
        // prune the cached list to the matching candidates (if any matched)
        if (!kept.isEmpty()) {
            cands.clear();
            cands.addAll(kept);
        } else {
            debug(log, "prog '%s': relo #%d: no matching targets found", progName, reloIdx);
            CoreReloRes[] cr = new CoreReloRes[1];
            err = calcRelo(progName, relo, reloIdx, localSpec, null, cr, log);
            if (err != 0) {
                return err;
            }
            targRes = cr[0];
        }
        out[0] = targRes;
        return 0;
    }

    /** Models bpf_core_calc_relo(). */
    private int calcRelo(String progName, CoreRelo relo, int reloIdx, CoreSpec localSpec, CoreSpec targSpec,
                         CoreReloRes[] out, List<CoreLogLine> log) {
        long origVal = 0;
        long newVal = 0;
        boolean validate = true;
        boolean failMemsz = false;
        int origSz = 0;
        int newSz = 0;
        int origType = 0;
        int newType = 0;
        int err = EOPNOTSUPP;
        CoreReloKind kind = relo.kind();
        if (kind != null && kind.isFieldBased()) {
            FieldVal o = calcFieldRelo(progName, relo, localSpec, log);
            err = o.err;
            if (err == 0) {
                origVal = o.val;
                origSz = o.fieldSz;
                origType = o.typeId;
                validate = o.validate;
                FieldVal n = calcFieldRelo(progName, relo, targSpec, log);
                err = n.err;
                newVal = n.val;
                newSz = n.fieldSz;
                newType = n.typeId;
            }
            if (err == 0 && origSz != newSz) {
                // safe to adjust the load/store size only for pointers and unsigned integers
                BtfType ot = CoreBtf.type(localSpec.btf, origType);
                BtfType nt = CoreBtf.type(targSpec.btf, newType);
                boolean ptrs = ot != null && nt != null && ot.kind() == BtfKind.PTR && nt.kind() == BtfKind.PTR;
                boolean uints = ot instanceof BtfType.Int oi && nt instanceof BtfType.Int ni
                        && oi.encoding() != BtfType.INT_SIGNED && ni.encoding() != BtfType.INT_SIGNED;
                failMemsz = !ptrs && !uints;
            }
        } else if (kind != null && kind.isTypeBased()) {
            long[] v = new long[1];
            boolean[] val = {true};
            err = calcTypeRelo(relo, localSpec, v, val);
            origVal = v[0];
            validate = val[0];
            if (err == 0) {
                err = calcTypeRelo(relo, targSpec, v, null);
                newVal = v[0];
            }
        } else if (kind != null && kind.isEnumvalBased()) {
            long[] v = new long[1];
            err = calcEnumvalRelo(relo, localSpec, v);
            origVal = v[0];
            if (err == 0) {
                err = calcEnumvalRelo(relo, targSpec, v);
                newVal = v[0];
            }
        }
        boolean poison = false;
        if (err == EUCLEAN) {
            // EUCLEAN signals the instruction poisoning request
            poison = true;
            err = 0;
        } else if (err == EOPNOTSUPP) {
            warn(log, "prog '%s': relo #%d: unrecognized CO-RE relocation %s (%d) at insn #%d", progName, reloIdx,
                    kind == null ? "unknown" : kind.shortName(), relo.rawKind(), relo.insnOff() / 8);
        }
        out[0] = new CoreReloRes(origVal, newVal, poison, validate, failMemsz, origSz, newSz, origType, newType);
        return err;
    }

    private record FieldVal(int err, long val, int fieldSz, int typeId, boolean validate) {
        static FieldVal error(int err) {
            return new FieldVal(err, 0, 0, 0, false);
        }
    }

    /** Models bpf_core_calc_field_relo(); {@code spec} null = no target. */
    private FieldVal calcFieldRelo(String progName, CoreRelo relo, CoreSpec spec, List<CoreLogLine> log) {
        if (relo.kind() == CoreReloKind.BPF_CORE_FIELD_EXISTS) {
            return new FieldVal(0, spec != null ? 1 : 0, 0, 0, true);
        }
        if (spec == null) {
            return FieldVal.error(EUCLEAN); // request instruction poisoning
        }
        CoreSpec.Acc acc = spec.spec[spec.len - 1];
        BtfType t = CoreBtf.type(spec.btf, acc.typeId());
        // a[n] accessor needs special handling
        if (acc.name() == null) {
            long sz = CoreBtf.resolveSize(spec.btf, acc.typeId());
            if (relo.kind() == CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET) {
                if (sz < 0) {
                    return FieldVal.error(EINVAL);
                }
                // remember field size for load/store mem size (1.5: the whole field's size)
                return new FieldVal(0, (spec.bitOffset & 0xffffffffL) / 8, (int) sz, acc.typeId(), true);
            } else if (relo.kind() == CoreReloKind.BPF_CORE_FIELD_BYTE_SIZE) {
                if (sz < 0) {
                    return FieldVal.error(EINVAL);
                }
                return new FieldVal(0, sz, 0, 0, true);
            }
            warn(log, "prog '%s': relo %d at insn #%d can't be applied to array access", progName, relo.rawKind(),
                    relo.insnOff() / 8);
            return FieldVal.error(EINVAL);
        }
        BtfType.Composite c = (BtfType.Composite) t;
        BtfType.Member m = c.members().get(acc.idx());
        int fieldTypeId = CoreBtf.skip(spec.btf, m.type());
        BtfType mt = CoreBtf.type(spec.btf, fieldTypeId);
        long bitOff = spec.bitOffset & 0xffffffffL;
        long bitSz = m.bitfieldSize(c.kindFlag());
        boolean bitfield = bitSz > 0;
        long byteSz;
        long byteOff;
        if (bitfield) {
            byteSz = CoreBtf.size(mt);
            if (byteSz == 0) {
                return FieldVal.error(EINVAL); // a bitfield of a sizeless type: libbpf would divide by 0
            }
            byteOff = bitOff / 8 / byteSz * byteSz;
            // figure out smallest int size necessary for bitfield load
            while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
                if (byteSz >= 8) {
                    warn(log, "prog '%s': relo %d at insn #%d can't be satisfied for bitfield", progName,
                            relo.rawKind(), relo.insnOff() / 8);
                    return FieldVal.error(-7); // -E2BIG
                }
                byteSz *= 2;
                byteOff = bitOff / 8 / byteSz * byteSz;
            }
        } else {
            long sz = CoreBtf.resolveSize(spec.btf, fieldTypeId);
            if (sz < 0) {
                return FieldVal.error(EINVAL);
            }
            byteSz = sz;
            byteOff = bitOff / 8;
            bitSz = byteSz * 8;
        }
        // for bitfields, all the relocatable aspects are ambiguous and we might disagree with
        // the compiler, so validation is off, except for signedness and the right shift
        boolean validate = !bitfield;
        return switch (relo.kind()) {
            case BPF_CORE_FIELD_BYTE_OFFSET -> new FieldVal(0, byteOff, bitfield ? 0 : (int) byteSz,
                    bitfield ? 0 : fieldTypeId, validate);
            case BPF_CORE_FIELD_BYTE_SIZE -> new FieldVal(0, byteSz, 0, 0, validate);
            case BPF_CORE_FIELD_SIGNED -> {
                boolean signed = mt != null && ((CoreBtf.isAnyEnum(mt.kind()) && mt.kindFlag())
                        || (mt instanceof BtfType.Int i && (i.encoding() & BtfType.INT_SIGNED) != 0));
                yield new FieldVal(0, signed ? 1 : 0, 0, 0, true);
            }
            // little endian
            case BPF_CORE_FIELD_LSHIFT_U64 -> new FieldVal(0, 64 - (bitOff + bitSz - byteOff * 8), 0, 0, validate);
            case BPF_CORE_FIELD_RSHIFT_U64 -> new FieldVal(0, 64 - bitSz, 0, 0, true);
            default -> FieldVal.error(EOPNOTSUPP);
        };
    }

    /** Models bpf_core_calc_type_relo(); {@code validate} null for the target side. */
    private static int calcTypeRelo(CoreRelo relo, CoreSpec spec, long[] val, boolean[] validate) {
        if (validate != null) {
            validate[0] = true; // by default, always check expected value in bpf_insn
        }
        // type-based relos return zero when target type is not found
        if (spec == null) {
            val[0] = 0;
            return 0;
        }
        switch (relo.kind()) {
            case BPF_CORE_TYPE_ID_TARGET -> {
                val[0] = Integer.toUnsignedLong(spec.rootTypeId);
                // type ID, embedded in bpf_insn, might change during linking: not enforced
                if (validate != null) {
                    validate[0] = false;
                }
            }
            case BPF_CORE_TYPE_EXISTS, BPF_CORE_TYPE_MATCHES -> val[0] = 1;
            case BPF_CORE_TYPE_SIZE -> {
                long sz = CoreBtf.resolveSize(spec.btf, spec.rootTypeId);
                if (sz < 0) {
                    return EINVAL;
                }
                val[0] = sz;
            }
            default -> {
                return EOPNOTSUPP;
            }
        }
        return 0;
    }

    /** Models bpf_core_calc_enumval_relo(). */
    private static int calcEnumvalRelo(CoreRelo relo, CoreSpec spec, long[] val) {
        switch (relo.kind()) {
            case BPF_CORE_ENUMVAL_EXISTS -> val[0] = spec != null ? 1 : 0;
            case BPF_CORE_ENUMVAL_VALUE -> {
                if (spec == null) {
                    return EUCLEAN; // request instruction poisoning
                }
                BtfType t = CoreBtf.type(spec.btf, spec.spec[0].typeId());
                if (t instanceof BtfType.Enum e) {
                    val[0] = e.values().get(spec.spec[0].idx()).val(); // __s32 into __u64: sign-extended
                } else {
                    val[0] = ((BtfType.Enum64) t).values().get(spec.spec[0].idx()).val();
                }
            }
            default -> {
                return EOPNOTSUPP;
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------ patch

    private static boolean isLdImm64(Insn insn) {
        return insn.code() == (Bpf.BPF_LD | Bpf.BPF_IMM | Bpf.BPF_DW);
    }

    /** Models bpf_core_poison_insn(). */
    private static void poisonInsn(String progName, int reloIdx, int insnIdx, Insn[] insns, List<CoreLogLine> log) {
        debug(log, "prog '%s': relo #%d: substituting insn #%d w/ invalid insn", progName, reloIdx, insnIdx);
        // if reachable, the verifier says "invalid func unknown#195896080"
        insns[insnIdx] = new Insn(Bpf.BPF_JMP | Bpf.BPF_CALL, 0, 0, 0, POISON_IMM);
    }

    private static int sizeToBytes(int code) {
        return switch (code & 0x18) {
            case Bpf.BPF_DW -> 8;
            case Bpf.BPF_W -> 4;
            case Bpf.BPF_H -> 2;
            case Bpf.BPF_B -> 1;
            default -> -1;
        };
    }

    private static int bytesToSize(int sz) {
        return switch (sz) {
            case 8 -> Bpf.BPF_DW;
            case 4 -> Bpf.BPF_W;
            case 2 -> Bpf.BPF_H;
            case 1 -> Bpf.BPF_B;
            default -> -1;
        };
    }

    private static String u64(long v) {
        return Long.toUnsignedString(v);
    }

    /** Models bpf_core_patch_insn(). */
    private static int patchInsn(String progName, Insn[] insns, int insnIdx, int reloIdx, CoreReloRes res,
                                 List<CoreLogLine> log) {
        Insn insn = insns[insnIdx];
        int cls = insn.code() & 0x07;
        if (res.poison()) {
            return poison(progName, insns, insnIdx, reloIdx, log);
        }
        long origVal = res.origVal();
        long newVal = res.newVal();
        switch (cls) {
            case Bpf.BPF_ALU, Bpf.BPF_ALU64 -> {
                if ((insn.code() & Bpf.BPF_X) != Bpf.BPF_K) {
                    return EINVAL;
                }
                if (res.validate() && (long) insn.imm() != origVal) {
                    warn(log, "prog '%s': relo #%d: unexpected insn #%d (ALU/ALU64) value: got %s, exp %s -> %s",
                            progName, reloIdx, insnIdx, Integer.toUnsignedString(insn.imm()), u64(origVal),
                            u64(newVal));
                    return EINVAL;
                }
                long was = insn.imm();
                insns[insnIdx] = insn.withImm((int) newVal);
                debug(log, "prog '%s': relo #%d: patched insn #%d (ALU/ALU64) imm %s -> %s", progName, reloIdx,
                        insnIdx, u64(was), u64(newVal));
            }
            case Bpf.BPF_LDX, Bpf.BPF_ST, Bpf.BPF_STX -> {
                if (res.validate() && (long) insn.off() != origVal) {
                    warn(log, "prog '%s': relo #%d: unexpected insn #%d (LDX/ST/STX) value: got %s, exp %s -> %s",
                            progName, reloIdx, insnIdx, Integer.toUnsignedString(insn.off()), u64(origVal),
                            u64(newVal));
                    return EINVAL;
                }
                if (Long.compareUnsigned(newVal, Short.MAX_VALUE) > 0) {
                    warn(log, "prog '%s': relo #%d: insn #%d (LDX/ST/STX) value too big: %s", progName, reloIdx,
                            insnIdx, u64(newVal));
                    return ERANGE;
                }
                if (res.failMemszAdjust()) {
                    warn(log, "prog '%s': relo #%d: insn #%d (LDX/ST/STX) accesses field incorrectly. "
                            + "Make sure you are accessing pointers, unsigned integers, or fields of matching type "
                            + "and size.", progName, reloIdx, insnIdx);
                    return poison(progName, insns, insnIdx, reloIdx, log);
                }
                long was = insn.off();
                insn = insn.withOff((int) newVal);
                insns[insnIdx] = insn;
                debug(log, "prog '%s': relo #%d: patched insn #%d (LDX/ST/STX) off %s -> %s", progName, reloIdx,
                        insnIdx, u64(was), u64(newVal));
                if (res.newSz() != res.origSz()) {
                    int insnBytes = sizeToBytes(insn.code());
                    if (insnBytes != res.origSz()) {
                        warn(log, "prog '%s': relo #%d: insn #%d (LDX/ST/STX) unexpected mem size: got %d, exp %d",
                                progName, reloIdx, insnIdx, insnBytes, res.origSz());
                        return EINVAL;
                    }
                    int bpfSz = bytesToSize(res.newSz());
                    if (bpfSz < 0) {
                        warn(log, "prog '%s': relo #%d: insn #%d (LDX/ST/STX) invalid new mem size: %s", progName,
                                reloIdx, insnIdx, Integer.toUnsignedString(res.newSz()));
                        return EINVAL;
                    }
                    insns[insnIdx] = new Insn((insn.code() & 0xe0) | bpfSz | (insn.code() & 0x07), insn.dst(),
                            insn.src(), insn.off(), insn.imm());
                    debug(log, "prog '%s': relo #%d: patched insn #%d (LDX/ST/STX) mem_sz %d -> %d", progName,
                            reloIdx, insnIdx, res.origSz(), res.newSz());
                }
            }
            case Bpf.BPF_LD -> {
                Insn hi = insnIdx + 1 < insns.length ? insns[insnIdx + 1] : null;
                if (!isLdImm64(insn) || insn.src() != 0 || insn.off() != 0 || hi == null || hi.code() != 0
                        || hi.dst() != 0 || hi.src() != 0 || hi.off() != 0) {
                    warn(log, "prog '%s': relo #%d: insn #%d (LDIMM64) has unexpected form", progName, reloIdx,
                            insnIdx);
                    return EINVAL;
                }
                long imm = Integer.toUnsignedLong(insn.imm()) | ((long) hi.imm() << 32);
                if (res.validate() && imm != origVal) {
                    warn(log, "prog '%s': relo #%d: unexpected insn #%d (LDIMM64) value: got %s, exp %s -> %s",
                            progName, reloIdx, insnIdx, u64(imm), u64(origVal), u64(newVal));
                    return EINVAL;
                }
                insns[insnIdx] = insn.withImm((int) newVal);
                insns[insnIdx + 1] = hi.withImm((int) (newVal >>> 32));
                debug(log, "prog '%s': relo #%d: patched insn #%d (LDIMM64) imm64 %s -> %s", progName, reloIdx,
                        insnIdx, u64(imm), u64(newVal));
            }
            default -> {
                warn(log, "prog '%s': relo #%d: trying to relocate unrecognized insn #%d, code:0x%x, src:0x%x, "
                        + "dst:0x%x, off:0x%x, imm:0x%x", progName, reloIdx, insnIdx, insn.code(), insn.src(),
                        insn.dst(), insn.off(), insn.imm());
                return EINVAL;
            }
        }
        return 0;
    }

    /** The poison path of bpf_core_patch_insn(): the second half of an ld_imm64 first. */
    private static int poison(String progName, Insn[] insns, int insnIdx, int reloIdx, List<CoreLogLine> log) {
        // poison the second part of ldimm64 to avoid a confusing "unknown opcode 00"
        if (isLdImm64(insns[insnIdx]) && insnIdx + 1 < insns.length) {
            poisonInsn(progName, reloIdx, insnIdx + 1, insns, log);
        }
        poisonInsn(progName, reloIdx, insnIdx, insns, log);
        return 0;
    }

    // ------------------------------------------------------------------ log fixup

    /**
     * The local spec of a relocation as bpf_core_format_spec() prints it, e.g.
     * {@code <byte_off> [5] struct task_struct___my.pid (0:0 @ offset 0)}; null when the spec
     * does not parse (libbpf then leaves the log alone).
     */
    public static String formatLocalSpec(String progName, Btf localBtf, CoreRelo relo) {
        CoreSpec spec = new CoreSpec();
        if (CoreSpec.parse(progName, localBtf, relo, spec, s -> { }) != 0) {
            return null;
        }
        return spec.format();
    }

    /**
     * Models fixup_log_failed_core_relo() (src/libbpf.c), for the verifier log of a failed load:
     * the lines "N: (85) call unknown#195896080" + "invalid func unknown#195896080" become
     * "N: &lt;invalid CO-RE relocation&gt;" + "failed to resolve CO-RE relocation SPEC", when a
     * relocation was applied at instruction N of the (linked) program.
     *
     * @param lines       the verifier log's lines
     * @param relocations the program's relocations at their final instruction index
     */
    public static List<String> fixupLogFailedCoreRelo(String progName, Btf localBtf, List<String> lines,
                                                      List<Applied> relocations) {
        List<String> out = new ArrayList<>(lines);
        for (int i = 0; i + 1 < out.size(); i++) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+): \\(\\d+\\) call unknown#195896080$")
                    .matcher(out.get(i));
            if (!m.matches() || !out.get(i + 1).equals("invalid func unknown#195896080")) {
                continue;
            }
            int insnIdx = Integer.parseInt(m.group(1));
            Applied a = relocations.stream().filter(r -> r.insnIdx() == insnIdx).findFirst().orElse(null);
            if (a == null) {
                continue;
            }
            String spec = formatLocalSpec(progName, localBtf, a.relo());
            if (spec == null) {
                continue;
            }
            out.set(i, insnIdx + ": <invalid CO-RE relocation>");
            out.set(i + 1, "failed to resolve CO-RE relocation " + spec);
        }
        return out;
    }
}
