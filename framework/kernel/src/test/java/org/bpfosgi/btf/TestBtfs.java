package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Hand-made BTF and helpers shared by the BTF tests. */
final class TestBtfs {
    private TestBtfs() {
    }

    /** The reactor root (tests run in framework/kernel). */
    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("testmod-bundle"))) {
            p = p.getParent();
        }
        return p;
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** One type of every kind, bitfields and kind_flag included. */
    static Btf allKinds() {
        BtfBuilder b = new BtfBuilder(null);
        int i32 = b.add(new BtfType.Int(b.str("int"), 4, BtfType.INT_SIGNED, 0, 32));           // 1
        int u8 = b.add(new BtfType.Int(b.str("unsigned char"), 1, 0, 0, 8));                     // 2
        int ptr = b.add(new BtfType.Ref(BtfKind.PTR, 0, false, 6));                              // 3 -> struct s
        int arr = b.add(new BtfType.Array(0, u8, i32, 16));                                      // 4
        int cst = b.add(new BtfType.Ref(BtfKind.CONST, 0, false, i32));                          // 5
        int s = b.reserve();                                                                      // 6
        b.set(s, new BtfType.Composite(BtfKind.STRUCT, b.str("s"), true, 24, List.of(
                new BtfType.Member(b.str("a"), i32, 0),
                new BtfType.Member(b.str("flag"), u8, (1 << 24) | 32),
                new BtfType.Member(b.str("bits"), u8, (3 << 24) | 33),
                new BtfType.Member(b.str("next"), ptr, 64),
                new BtfType.Member(0, 7, 128))));
        b.add(new BtfType.Composite(BtfKind.UNION, 0, false, 8, List.of(                          // 7
                new BtfType.Member(b.str("x"), i32, 0), new BtfType.Member(b.str("y"), cst, 0))));
        b.add(new BtfType.Enum(b.str("e"), false, 4, List.of(new BtfType.EnumValue(b.str("E_A"), 0),
                new BtfType.EnumValue(b.str("E_B"), -2))));                                       // 8
        b.add(new BtfType.Enum(b.str("se"), true, 4, List.of(new BtfType.EnumValue(b.str("S_NEG"), -1)))); // 9
        b.add(new BtfType.Enum64(b.str("e64"), false, 8, List.of(new BtfType.Enum64Value(b.str("BIG"), -1L)))); // 10
        b.add(new BtfType.Enum64(b.str("s64e"), true, 8, List.of(new BtfType.Enum64Value(b.str("NEG"), -5L)))); // 11
        b.add(new BtfType.Fwd(b.str("fs"), false));                                               // 12
        b.add(new BtfType.Fwd(b.str("fu"), true));                                                // 13
        int td = b.add(new BtfType.Ref(BtfKind.TYPEDEF, b.str("td_t"), false, i32));              // 14
        b.add(new BtfType.Ref(BtfKind.VOLATILE, 0, false, td));                                   // 15
        b.add(new BtfType.Ref(BtfKind.RESTRICT, 0, false, ptr));                                  // 16
        int proto = b.add(new BtfType.FuncProto(0, i32, List.of(new BtfType.Param(b.str("p"), ptr),
                new BtfType.Param(0, 0))));                                                       // 17
        int fn = b.add(new BtfType.Func(b.str("f"), proto, BtfType.FUNC_GLOBAL));                 // 18
        b.add(new BtfType.Func(b.str("g"), proto, BtfType.FUNC_STATIC));                          // 19
        b.add(new BtfType.Func(b.str("h"), proto, BtfType.FUNC_EXTERN));                          // 20
        int v = b.add(new BtfType.Var(b.str("v"), i32, BtfType.VAR_GLOBAL_ALLOCATED));            // 21
        int w = b.add(new BtfType.Var(b.str("w"), arr, BtfType.VAR_STATIC));                      // 22
        b.add(new BtfType.DataSec(b.str(".data"), 20, List.of(new BtfType.VarSecInfo(v, 0, 4),
                new BtfType.VarSecInfo(w, 4, 16))));                                              // 23
        b.add(new BtfType.Float(b.str("double"), 8));                                             // 24
        b.add(new BtfType.DeclTag(b.str("bpf_kfunc"), false, fn, -1));                            // 25
        b.add(new BtfType.DeclTag(b.str("arg_tag"), false, fn, 0));                               // 26
        b.add(new BtfType.Ref(BtfKind.TYPE_TAG, b.str("user"), false, i32));                      // 27
        b.add(new BtfType.Var(b.str("x"), i32, BtfType.VAR_GLOBAL_EXTERN));                      // 28
        return b.build();
    }

    static boolean hasCommand(String cmd) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, cmd))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a command; returns its stdout, or throws with its stderr. */
    static String run(List<String> cmd) {
        try {
            Path out = Files.createTempFile("btf-cmd", ".out");
            Path err = Files.createTempFile("btf-cmd", ".err");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timeout: " + cmd);
            }
            String o = Files.readString(out, StandardCharsets.ISO_8859_1);
            String e = Files.readString(err);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            if (p.exitValue() != 0) {
                throw new AssertionError(cmd + " exited " + p.exitValue() + ": " + e);
            }
            return o;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] bytes(int... words) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (int w : words) {
            o.write(w);
            o.write(w >>> 8);
            o.write(w >>> 16);
            o.write(w >>> 24);
        }
        return o.toByteArray();
    }
}
