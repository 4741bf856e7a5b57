package org.bpfosgi.isa;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** A golden file: "# comments", "-- hex" (a program's bytes), "-- expect" (expected lines). */
record Golden(byte[] program, List<String> expect, String asm) {
    static Golden load(String resource) throws IOException {
        try (InputStream in = Golden.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing resource " + resource);
            String section = "";
            StringBuilder hex = new StringBuilder();
            List<String> expect = new ArrayList<>();
            StringBuilder asm = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                if (line.startsWith("# ") && !section.equals("asm")) continue;
                if (line.startsWith("-- ")) { section = line.substring(3).trim(); continue; }
                if (section.equals("hex")) hex.append(line.replaceAll("\\s", ""));
                else if (section.equals("expect") && !line.isEmpty()) expect.add(line);
                else if (section.equals("asm")) asm.append(line).append('\n');
            }
            return new Golden(HexFormat.of().parseHex(hex), expect, asm.toString());
        }
    }
}
