package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import java.util.List;

/**
 * One decoded {@code struct btf_type} with its trailing data (include/uapi/linux/btf.h). Every
 * field of the binary record is kept, so encoding a decoded type gives back the same bytes.
 * Names are string-section offsets ({@link Btf#str(int)} gives the text); type references are
 * type ids (the graph is cyclic, so types never hold each other directly).
 */
public sealed interface BtfType {
    BtfKind kind();

    int nameOff();

    /** The {@code kind_flag} bit of {@code info}. */
    default boolean kindFlag() {
        return false;
    }

    /** The {@code vlen} bits of {@code info}. */
    default int vlen() {
        return 0;
    }

    /** {@code BTF_INT_SIGNED}, {@code BTF_INT_CHAR}, {@code BTF_INT_BOOL}. */
    int INT_SIGNED = 1, INT_CHAR = 2, INT_BOOL = 4;

    /** BTF_KIND_INT: size in bytes, then the {@code BTF_INT_ENCODING/OFFSET/BITS} word. */
    record Int(int nameOff, int size, int encoding, int bitsOffset, int nrBits) implements BtfType {
        public BtfKind kind() {
            return BtfKind.INT;
        }
    }

    /** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: a name and one referenced type. */
    record Ref(BtfKind kind, int nameOff, boolean kindFlag, int type) implements BtfType {
    }

    /** BTF_KIND_ARRAY with its {@code struct btf_array}. */
    record Array(int nameOff, int type, int indexType, int nelems) implements BtfType {
        public BtfKind kind() {
            return BtfKind.ARRAY;
        }
    }

    /** {@code struct btf_member}; {@code offset} is the raw word (see {@link #bitOffset}). */
    record Member(int nameOff, int type, int offset) {
        /** BTF_MEMBER_BIT_OFFSET when the struct's kind_flag is set, else the whole word. */
        public int bitOffset(boolean kindFlag) {
            return kindFlag ? offset & 0xffffff : offset;
        }

        /** BTF_MEMBER_BITFIELD_SIZE when kind_flag is set, else 0 (not a bitfield). */
        public int bitfieldSize(boolean kindFlag) {
            return kindFlag ? offset >>> 24 : 0;
        }
    }

    /** STRUCT or UNION; {@code kindFlag} means member offsets carry bitfield sizes. */
    record Composite(BtfKind kind, int nameOff, boolean kindFlag, int size, List<Member> members)
            implements BtfType {
        public Composite {
            members = List.copyOf(members);
        }

        public int vlen() {
            return members.size();
        }
    }

    /** {@code struct btf_enum}. */
    record EnumValue(int nameOff, int val) {
    }

    /** BTF_KIND_ENUM; {@code kindFlag} = signed values. */
    record Enum(int nameOff, boolean kindFlag, int size, List<EnumValue> values) implements BtfType {
        public Enum {
            values = List.copyOf(values);
        }

        public BtfKind kind() {
            return BtfKind.ENUM;
        }

        public int vlen() {
            return values.size();
        }
    }

    /** {@code struct btf_enum64}. */
    record Enum64Value(int nameOff, long val) {
    }

    /** BTF_KIND_ENUM64; {@code kindFlag} = signed values. */
    record Enum64(int nameOff, boolean kindFlag, int size, List<Enum64Value> values) implements BtfType {
        public Enum64 {
            values = List.copyOf(values);
        }

        public BtfKind kind() {
            return BtfKind.ENUM64;
        }

        public int vlen() {
            return values.size();
        }
    }

    /** BTF_KIND_FWD; {@code kindFlag} = union (else struct). */
    record Fwd(int nameOff, boolean kindFlag) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FWD;
        }
    }

    /** {@code enum btf_func_linkage}. */
    int FUNC_STATIC = 0, FUNC_GLOBAL = 1, FUNC_EXTERN = 2;

    /** BTF_KIND_FUNC: {@code type} is its FUNC_PROTO, vlen holds the linkage. */
    record Func(int nameOff, int type, int linkage) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FUNC;
        }

        public int vlen() {
            return linkage;
        }
    }

    /** {@code struct btf_param}. */
    record Param(int nameOff, int type) {
    }

    /** BTF_KIND_FUNC_PROTO; a last param of type 0 means "...". */
    record FuncProto(int nameOff, int returnType, List<Param> params) implements BtfType {
        public FuncProto {
            params = List.copyOf(params);
        }

        public BtfKind kind() {
            return BtfKind.FUNC_PROTO;
        }

        public int vlen() {
            return params.size();
        }
    }

    /** {@code enum btf_var_linkage}: BTF_VAR_STATIC, BTF_VAR_GLOBAL_ALLOCATED, BTF_VAR_GLOBAL_EXTERN. */
    int VAR_STATIC = 0, VAR_GLOBAL_ALLOCATED = 1, VAR_GLOBAL_EXTERN = 2;

    /** BTF_KIND_VAR with its {@code struct btf_var}. */
    record Var(int nameOff, int type, int linkage) implements BtfType {
        public BtfKind kind() {
            return BtfKind.VAR;
        }
    }

    /** {@code struct btf_var_secinfo}. */
    record VarSecInfo(int type, int offset, int size) {
    }

    /** BTF_KIND_DATASEC. */
    record DataSec(int nameOff, int size, List<VarSecInfo> vars) implements BtfType {
        public DataSec {
            vars = List.copyOf(vars);
        }

        public BtfKind kind() {
            return BtfKind.DATASEC;
        }

        public int vlen() {
            return vars.size();
        }
    }

    /** BTF_KIND_FLOAT. */
    record Float(int nameOff, int size) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FLOAT;
        }
    }

    /** BTF_KIND_DECL_TAG: {@code componentIdx} -1 tags the type itself, else a member/param. */
    record DeclTag(int nameOff, boolean kindFlag, int type, int componentIdx) implements BtfType {
        public BtfKind kind() {
            return BtfKind.DECL_TAG;
        }
    }
}
