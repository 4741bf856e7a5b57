package org.bpfosgi.obj;

import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;

import org.bpfosgi.verifier.BpfProgLoadAttr;
import org.bpfosgi.verifier.KernelServices;

/**
 * An object after libbpf's bpf_object__open(), in the one form {@link ObjLoader} loads: what the
 * project's object text ({@link ObjectText#toOpened()}) and a clang-built ELF object
 * ({@link org.bpfosgi.obj.elf.ElfObject#toOpened()}) both become.
 *
 * @param file          the path, for messages
 * @param license       the license section
 * @param functions     every function in libbpf's program order; {@code .text} ones are
 *                      subprograms (appended to the programs that call them, never loaded alone)
 * @param structOpsVars the struct_ops variables (maps of type STRUCT_OPS)
 * @param maps          the BTF-defined {@code .maps}
 * @param globalData    the internal maps ({@code .data}, {@code .rodata}, {@code .bss},
 *                      {@code .kconfig}), in libbpf's map order after {@code maps}
 * @param progs         how each program becomes a BPF_PROG_LOAD (the text form assembles, the
 *                      ELF form links and relocates)
 * @param btf           the BTF bpf_object__load() uploads (an ELF object's {@code .BTF} after the
 *                      open phase's fix-ups), or null: the object text has none
 * @param mapBtf        each map's btf_key_type_id and btf_value_type_id in {@code btf}, by map
 *                      name ({@code .maps} and global-data maps; absent: both 0)
 * @param externs       bpf_object__resolve_externs() of the object (the text form has none)
 */
public record OpenedObject(String file, String license, List<ObjectText.Function> functions,
                           List<ObjectText.StructOpsVar> structOpsVars, List<ObjectText.MapDef> maps,
                           List<GlobalData> globalData, ProgBuilder progs, org.bpfosgi.btf.Btf btf,
                           java.util.Map<String, MapBtf> mapBtf, ExternResolver externs) {
    public OpenedObject {
        functions = List.copyOf(functions);
        structOpsVars = List.copyOf(structOpsVars);
        maps = List.copyOf(maps);
        globalData = List.copyOf(globalData);
        mapBtf = java.util.Map.copyOf(mapBtf);
    }

    /** An object without BTF (the object text). */
    public OpenedObject(String file, String license, List<ObjectText.Function> functions,
                        List<ObjectText.StructOpsVar> structOpsVars, List<ObjectText.MapDef> maps,
                        List<GlobalData> globalData, ProgBuilder progs) {
        this(file, license, functions, structOpsVars, maps, globalData, progs, null, java.util.Map.of(), k -> java.util.Map.of());
    }

    /** A map's BTF type ids (struct bpf_map's btf_key_type_id, btf_value_type_id). */
    public record MapBtf(int keyTypeId, int valueTypeId) {
    }

    /** The type ids libbpf passes for map {@code name} (0, 0 when it has none). */
    public MapBtf mapBtf(String name) {
        return mapBtf.getOrDefault(name, new MapBtf(0, 0));
    }

    /**
     * An internal array map (bpf_object__init_internal_map): key 4 bytes, one entry, the section
     * image as its value.
     *
     * @param name      libbpf's map name (internal_map_name(): "my_objec.data")
     * @param realName  the section (".data", ".rodata.str1.1", ".kconfig")
     * @param flags     BPF_F_RDONLY_PROG for .rodata and .kconfig, BPF_F_MMAPABLE when it has globals
     * @param initial   the initial value (zeros for .bss; .kconfig values are filled at load)
     * @param readOnly  frozen after the initial update (.rodata, .kconfig)
     */
    public record GlobalData(String name, String realName, int flags, byte[] initial, boolean readOnly) {
        public GlobalData {
            initial = initial.clone();
        }

        @Override
        public byte[] initial() {
            return initial.clone();
        }
    }

    /** bpf_object__resolve_externs(), the first step of a load that can fail on the object's content. */
    @FunctionalInterface
    public interface ExternResolver {
        /**
         * Resolves the externs against the kernel.
         *
         * @return the initial value of the maps the externs fill ({@code .kconfig}), by map name
         * @throws ObjLoader.ObjLoadException with libbpf's lines and errno
         */
        java.util.Map<String, byte[]> resolve(KernelServices k);
    }

    /** How a program of the object becomes a BPF_PROG_LOAD. */
    @FunctionalInterface
    public interface ProgBuilder {
        /**
         * The load attributes of program {@code f}, log level 0.
         *
         * @param attach "TYPE.MEMBER" for a struct_ops program a struct_ops variable names
         * @param mapFd  the fd (model: id) of a map of the object by name, created already
         * @throws org.bpfosgi.prog.LoaderException with libbpf's message when it cannot be built
         */
        BpfProgLoadAttr attr(ObjectText.Function f, Optional<String> attach, KernelServices k, ToIntFunction<String> mapFd);
    }
}
