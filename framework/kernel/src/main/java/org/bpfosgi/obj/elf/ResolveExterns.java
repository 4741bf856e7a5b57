package org.bpfosgi.obj.elf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.obj.ObjLoader;
import org.bpfosgi.prog.LoaderException;
import org.bpfosgi.verifier.KernelServices;

/**
 * Models libbpf 1.5 bpf_object__resolve_externs(), step 4 of bpf_object_load() — before any
 * struct_ops type, relocation, BTF, map or program: the externs in their sorted order (KCFG,
 * then KSYM) — virtual {@code LINUX_*} values set as met ("unrecognized virtual extern" fails at
 * once, -EINVAL), {@code CONFIG_*} and ksyms only noted; then the Kconfig is read
 * ({@link KconfigValues#readKconfig}); then typeless ksyms (from /proc/kallsyms, which the model
 * does not have: refused); then the typed ksyms in extern order
 * (bpf_object__resolve_ksyms_btf_id(): a variable, or a kfunc with its prototype checked); each
 * of those steps fails the load with its own warning and -EINVAL. Last, the first strong extern
 * still unset is "extern '%s' (strong): not resolved", -ESRCH. So an object with a strong
 * missing kfunc and a strong missing CONFIG_ reports the kfunc (-EINVAL), whatever order they
 * are declared in.
 */
final class ResolveExterns {
    private ResolveExterns() {
    }

    /**
     * Resolves the object's externs against kernel {@code k}: the {@code .kconfig} map's image
     * by map name (empty when the object has no KCFG extern).
     *
     * @throws ObjLoader.ObjLoadException with libbpf's lines and the errno
     */
    static Map<String, byte[]> resolve(ElfObject o, KernelServices k) {
        List<ElfObject.Extern> ext = o.externs;
        if (ext.isEmpty()) {
            return Map.of();
        }
        byte[] img = KconfigValues.emptyImage(o);
        boolean[] set = new boolean[ext.size()];
        boolean needConfig = false;
        boolean needKallsyms = false;
        boolean needVmlinuxBtf = false;
        try {
            for (int i = 0; i < ext.size(); i++) {
                ElfObject.Extern e = ext.get(i);
                if (e.kind() == ElfObject.ExternKind.KSYM) {
                    if (e.typeId() != 0) {
                        needVmlinuxBtf = true;
                    } else {
                        needKallsyms = true;
                    }
                } else if (e.name().startsWith("CONFIG_")) {
                    needConfig = true;
                } else {
                    set[i] = KconfigValues.setVirtual(e, img);
                }
            }
            if (needConfig) {
                KconfigValues.readKconfig(ext, set, img);
            }
        } catch (KconfigValues.Failed f) {
            throw ObjLoader.loadFailure(f.err, f.lines);
        }
        if (needKallsyms) {
            ElfObject.Extern e = ext.stream().filter(x -> x.kind() == ElfObject.ExternKind.KSYM && x.typeId() == 0)
                    .findFirst().orElseThrow();
            throw ObjLoader.loadFailure(Errno.EINVAL.negative(), List.of("extern (ksym) '" + e.name()
                    + "': typeless ksyms are resolved from /proc/kallsyms, which the model does not have"));
        }
        if (needVmlinuxBtf) {
            for (int i = 0; i < ext.size(); i++) {
                ElfObject.Extern e = ext.get(i);
                if (e.kind() != ElfObject.ExternKind.KSYM || e.typeId() == 0) {
                    continue;
                }
                try {
                    set[i] = e.func() ? ksymFunc(o, k, e) : ElfLinker.resolveKsymVar(o, k, e).isPresent();
                } catch (LoaderException x) {
                    throw ObjLoader.loadFailure(Errno.EINVAL.negative(), List.of(x.getMessage()));
                }
            }
        }
        for (int i = 0; i < ext.size(); i++) {
            if (!set[i] && !ext.get(i).weak()) {
                throw ObjLoader.loadFailure(Errno.ESRCH.negative(),
                        List.of("extern '" + ext.get(i).name() + "' (strong): not resolved"));
            }
        }
        List<String> kconfigMaps = new ArrayList<>();
        for (ElfObject.MapDef m : o.maps) {
            if (m.kind() == ElfObject.MapKind.KCONFIG) {
                kconfigMaps.add(m.name());
            }
        }
        return kconfigMaps.isEmpty() ? Map.of() : Map.of(kconfigMaps.get(0), img);
    }

    /** bpf_object__resolve_ksym_func_btf_id(): set when found and compatible; a strong one missing fails. */
    private static boolean ksymFunc(ElfObject o, KernelServices k, ElfObject.Extern e) {
        Optional<Integer> id = ElfLinker.resolveKfunc(o, k, e);
        if (id.isEmpty() && !e.weak()) {
            throw new LoaderException("extern (func ksym) '" + e.name() + "': not found in kernel or module BTFs");
        }
        return id.isPresent();
    }
}
