package org.bpfosgi.obj.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * KconfigValues.readKconfig(): libbpf 1.5 bpf_object__read_kconfig_file()'s warnings. A value
 * the extern's type cannot take fails the read with set_kcfg_value_*()'s warning, then
 * "error parsing system Kconfig line '%s': %d" naming the option only (the line is cut at its
 * '=' by bpf_object__process_kconfig_line() before the value is looked at), -EINVAL.
 */
class KconfigValuesTest {
    private static ElfObject.Extern kcfg(String name, ElfObject.KcfgType type, int size) {
        return new ElfObject.Extern(name, name, ElfObject.ExternKind.KCFG, false, 1, 1, false, 0, type, size, size, false, 0);
    }

    @Test
    void triValueIntoIntExternNamesTheOptionOnly() {
        List<ElfObject.Extern> ext = List.of(kcfg("CONFIG_BPF", ElfObject.KcfgType.INT, 4));
        KconfigValues.Failed f = assertThrows(KconfigValues.Failed.class,
                () -> KconfigValues.readKconfig(ext, new boolean[1], new byte[4]));
        assertEquals(-22, f.err);
        assertEquals(List.of("extern (kcfg) 'CONFIG_BPF': value 'y' implies bool, tristate, or char type",
                "error parsing system Kconfig line 'CONFIG_BPF': -22"), f.lines);
    }

    @Test
    void numberIntoBoolExternImpliesIntegerType() {
        List<ElfObject.Extern> ext = List.of(kcfg("CONFIG_HZ", ElfObject.KcfgType.BOOL, 1));
        KconfigValues.Failed f = assertThrows(KconfigValues.Failed.class,
                () -> KconfigValues.readKconfig(ext, new boolean[1], new byte[1]));
        assertEquals(List.of("extern (kcfg) 'CONFIG_HZ': value '250' implies integer type",
                "error parsing system Kconfig line 'CONFIG_HZ': -22"), f.lines);
    }

    @Test
    void intValueIsSetLittleEndian() {
        List<ElfObject.Extern> ext = List.of(kcfg("CONFIG_HZ", ElfObject.KcfgType.INT, 4));
        boolean[] set = new boolean[1];
        byte[] img = new byte[4];
        KconfigValues.readKconfig(ext, set, img);
        assertEquals(true, set[0]);
        assertEquals(250, (img[0] & 0xff) | (img[1] & 0xff) << 8);
    }
}
