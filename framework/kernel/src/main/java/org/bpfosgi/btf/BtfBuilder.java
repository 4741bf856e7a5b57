package org.bpfosgi.btf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds BTF the way libbpf's btf__add_*() API does (what pahole uses to emit a module's BTF):
 * types are appended and numbered after the base's, strings are interned into a string section
 * that continues the base's. Ids can be reserved before the type is known, because C allows
 * a struct to point to itself or to a struct defined later.
 */
public final class BtfBuilder {
    private final Btf base;
    private final int startId;
    private final int startStrOff;
    private final List<BtfType> types = new ArrayList<>();
    private final ByteArrayOutputStream strs = new ByteArrayOutputStream();
    private final Map<String, Integer> strIndex = new HashMap<>();

    /** @param base the base BTF for split output, or null for a stand-alone (vmlinux-like) BTF */
    public BtfBuilder(Btf base) {
        this.base = base;
        this.startId = base == null ? 1 : base.nrTypes();
        this.startStrOff = base == null ? 0 : base.strTotal();
        if (base == null) {
            strs.write(0); // offset 0 is the empty name
        }
        strIndex.put("", 0);
    }

    public Btf base() {
        return base;
    }

    /** The id the next added type gets. */
    public int nextId() {
        return startId + types.size();
    }

    /** Interns {@code s}, returning its string offset (0 for the empty string). */
    public int str(String s) {
        Integer off = strIndex.get(s);
        if (off != null) {
            return off;
        }
        int o = startStrOff + strs.size();
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        strs.write(b, 0, b.length);
        strs.write(0);
        strIndex.put(s, o);
        return o;
    }

    /** Appends a type; returns its id. */
    public int add(BtfType t) {
        types.add(t);
        return nextId() - 1;
    }

    /** Reserves an id to be filled by {@link #set}. */
    public int reserve() {
        return add(null);
    }

    public void set(int id, BtfType t) {
        types.set(id - startId, t);
    }

    /** The type added under {@code id} (own ids only), or null while reserved. */
    public BtfType get(int id) {
        return types.get(id - startId);
    }

    /** Encodes and parses the result (so it gets the same validation as loaded BTF). */
    public Btf build() {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i) == null) {
                throw new BtfException("BTF builder: type id " + (startId + i) + " was reserved but never defined");
            }
            BtfWriter.encode(types.get(i), t);
        }
        return Btf.parse(BtfWriter.assemble(Btf.HEADER_SIZE, 0, t.toByteArray(), strs.toByteArray(), true), base);
    }
}
