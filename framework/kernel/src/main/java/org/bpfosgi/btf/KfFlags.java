package org.bpfosgi.btf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The kfunc flags of include/linux/btf.h ({@code KF_*}) and their names. */
public final class KfFlags {
    public static final int KF_ACQUIRE = 1 << 0;
    public static final int KF_RELEASE = 1 << 1;
    public static final int KF_RET_NULL = 1 << 2;
    public static final int KF_TRUSTED_ARGS = 1 << 4;
    public static final int KF_SLEEPABLE = 1 << 5;
    public static final int KF_DESTRUCTIVE = 1 << 6;
    public static final int KF_RCU = 1 << 7;
    public static final int KF_ITER_NEW = 1 << 8;
    public static final int KF_ITER_NEXT = 1 << 9;
    public static final int KF_ITER_DESTROY = 1 << 10;
    public static final int KF_RCU_PROTECTED = 1 << 11;
    public static final int KF_FASTCALL = 1 << 12;
    public static final int KF_ARENA_RET = 1 << 13;
    public static final int KF_ARENA_ARG1 = 1 << 14;
    public static final int KF_ARENA_ARG2 = 1 << 15;
    public static final int KF_IMPLICIT_ARGS = 1 << 16;

    /** BTF_SET8_KFUNCS: the set8 flag BTF_KFUNCS_START sets. */
    public static final int BTF_SET8_KFUNCS = 1 << 0;

    private static final Map<String, Integer> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("KF_ACQUIRE", KF_ACQUIRE);
        BY_NAME.put("KF_RELEASE", KF_RELEASE);
        BY_NAME.put("KF_RET_NULL", KF_RET_NULL);
        BY_NAME.put("KF_TRUSTED_ARGS", KF_TRUSTED_ARGS);
        BY_NAME.put("KF_SLEEPABLE", KF_SLEEPABLE);
        BY_NAME.put("KF_DESTRUCTIVE", KF_DESTRUCTIVE);
        BY_NAME.put("KF_RCU", KF_RCU);
        BY_NAME.put("KF_ITER_NEW", KF_ITER_NEW);
        BY_NAME.put("KF_ITER_NEXT", KF_ITER_NEXT);
        BY_NAME.put("KF_ITER_DESTROY", KF_ITER_DESTROY);
        BY_NAME.put("KF_RCU_PROTECTED", KF_RCU_PROTECTED);
        BY_NAME.put("KF_FASTCALL", KF_FASTCALL);
        BY_NAME.put("KF_ARENA_RET", KF_ARENA_RET);
        BY_NAME.put("KF_ARENA_ARG1", KF_ARENA_ARG1);
        BY_NAME.put("KF_ARENA_ARG2", KF_ARENA_ARG2);
        BY_NAME.put("KF_IMPLICIT_ARGS", KF_IMPLICIT_ARGS);
    }

    private KfFlags() {
    }

    /** The value of a KF_ name, or null. */
    public static Integer valueOf(String name) {
        return BY_NAME.get(name);
    }

    /** "KF_TRUSTED_ARGS | KF_SLEEPABLE" (or "0"). */
    public static String toString(int flags) {
        List<String> names = new ArrayList<>();
        int rest = flags;
        for (Map.Entry<String, Integer> e : BY_NAME.entrySet()) {
            if ((flags & e.getValue()) != 0) {
                names.add(e.getKey());
                rest &= ~e.getValue();
            }
        }
        if (rest != 0) {
            names.add(String.format("0x%x", rest));
        }
        return names.isEmpty() ? "0" : String.join(" | ", names);
    }
}
