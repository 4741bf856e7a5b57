package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.subsystem.BpfProgType;

/**
 * The {@code BPF_PROG_LOAD} part of {@code union bpf_attr} (include/uapi/linux/bpf.h).
 * File descriptors are replaced by the objects they name: {@code attachBtf} is the BTF object
 * of {@code attach_btf_obj_fd} (null means vmlinux). {@code fdArray} holds fds of either kind, as
 * the kernel's does: a {@link BtfObject} is a BTF fd (for a kfunc call's {@code off}; libbpf
 * leaves index 0 unused: {@code off} 0 means vmlinux), an {@link Integer} a map fd (for
 * BPF_PSEUDO_MAP_IDX / MAP_IDX_VALUE; the model's map fds are map ids), null a bad fd (-1).
 *
 * @param progType           prog_type; the model verifies STRUCT_OPS
 * @param insns              insns
 * @param license            license ("GPL", "Dual BSD/GPL", ...)
 * @param name               prog_name (at most BPF_OBJ_NAME_LEN - 1 = 15 characters)
 * @param attachBtf          attach_btf_obj_fd's object, or null for vmlinux
 * @param attachBtfId        attach_btf_id: the struct_ops type's id
 * @param expectedAttachType expected_attach_type: for struct_ops, the member index
 * @param fdArray            fd_array, or null when not given
 * @param logLevel           log_level
 * @param progFlags          prog_flags (BPF_F_SLEEPABLE ...)
 * @param capabilities       what the loading task is capable of (CAP_BPF, CAP_PERFMON, ...)
 * @param btfInfo            prog_btf_fd, func_info and line_info; null when none are given
 *                           (func_info_cnt = line_info_cnt = 0)
 */
public record BpfProgLoadAttr(BpfProgType progType, List<Insn> insns, String license, String name, BtfObject attachBtf,
                              int attachBtfId, int expectedAttachType, List<?> fdArray, int logLevel, int progFlags,
                              int capabilities, BpfProgBtfInfo btfInfo) {
    /** BPF_F_SLEEPABLE. */
    public static final int BPF_F_SLEEPABLE = 1 << 4;
    /** BPF_OBJ_NAME_LEN. */
    public static final int BPF_OBJ_NAME_LEN = 16;
    /** capability bits of the model (not the kernel's numbers): CAP_BPF. */
    public static final int CAP_BPF = 1;
    /** CAP_PERFMON: allow_ptr_leaks, allow_uninit_stack, bypass_spec_v1/v4. */
    public static final int CAP_PERFMON = 2;
    /** CAP_SYS_ADMIN. */
    public static final int CAP_SYS_ADMIN = 4;
    /** What root has. */
    public static final int CAPS_ROOT = CAP_BPF | CAP_PERFMON | CAP_SYS_ADMIN;

    public BpfProgLoadAttr {
        Objects.requireNonNull(progType, "progType");
        insns = List.copyOf(insns);
        license = license == null ? "" : license;
        name = name == null ? "" : name;
        if (fdArray != null) {
            for (Object e : fdArray) {
                if (e != null && !(e instanceof BtfObject) && !(e instanceof Integer)) {
                    throw new IllegalArgumentException("fd_array entry " + e + " is neither a BTF object nor a map fd");
                }
            }
            fdArray = java.util.Collections.unmodifiableList(new ArrayList<Object>(fdArray));
        }
    }

    /** A load without func_info and line_info. */
    public BpfProgLoadAttr(BpfProgType progType, List<Insn> insns, String license, String name, BtfObject attachBtf,
                           int attachBtfId, int expectedAttachType, List<?> fdArray, int logLevel,
                           int progFlags, int capabilities) {
        this(progType, insns, license, name, attachBtf, attachBtfId, expectedAttachType, fdArray, logLevel, progFlags,
                capabilities, null);
    }

    /** A struct_ops load as root with no log. */
    public static BpfProgLoadAttr structOps(List<Insn> insns, String license, String name, BtfObject attachBtf,
                                            int attachBtfId, int memberIdx, List<?> fdArray) {
        return new BpfProgLoadAttr(BpfProgType.STRUCT_OPS, insns, license, name, attachBtf, attachBtfId, memberIdx,
                fdArray, 0, 0, CAPS_ROOT);
    }

    public BpfProgLoadAttr withLogLevel(int level) {
        return new BpfProgLoadAttr(progType, insns, license, name, attachBtf, attachBtfId, expectedAttachType, fdArray,
                level, progFlags, capabilities, btfInfo);
    }

    public BpfProgLoadAttr withCapabilities(int caps) {
        return new BpfProgLoadAttr(progType, insns, license, name, attachBtf, attachBtfId, expectedAttachType, fdArray,
                logLevel, progFlags, caps, btfInfo);
    }

    public BpfProgLoadAttr withProgFlags(int flags) {
        return new BpfProgLoadAttr(progType, insns, license, name, attachBtf, attachBtfId, expectedAttachType, fdArray,
                logLevel, flags, capabilities, btfInfo);
    }

    public BpfProgLoadAttr withInsns(List<Insn> newInsns) {
        return new BpfProgLoadAttr(progType, newInsns, license, name, attachBtf, attachBtfId, expectedAttachType, fdArray,
                logLevel, progFlags, capabilities, btfInfo);
    }

    /** The same load with prog_btf_fd, func_info and line_info (null: none). */
    public BpfProgLoadAttr withBtfInfo(BpfProgBtfInfo info) {
        return new BpfProgLoadAttr(progType, insns, license, name, attachBtf, attachBtfId, expectedAttachType, fdArray,
                logLevel, progFlags, capabilities, info);
    }

    /** Models license_is_gpl_compatible() (include/linux/license.h). */
    public boolean gplCompatible() {
        return switch (license) {
            case "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL" -> true;
            default -> false;
        };
    }
}
