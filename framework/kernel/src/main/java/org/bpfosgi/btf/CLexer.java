package org.bpfosgi.btf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tokenises a C header and runs the small part of the preprocessor a module header needs:
 * comments, object-like {@code #define NAME tokens} (expanded when used), {@code #ifdef},
 * {@code #ifndef}, {@code #else}, {@code #endif} (include guards) and {@code #pragma once}.
 * Anything else ({@code #include}, {@code #if}, function-like macros) is rejected with its
 * location: the header is compiled on top of a base BTF, so it never needs to include anything.
 */
final class CLexer {
    private final String file;
    private final String src;
    private int pos;
    private int line = 1;
    private int lineStart;
    private final Map<String, List<CToken>> macros = new HashMap<>();
    /** #if nesting: for each open conditional, whether its current branch is active. */
    private final List<boolean[]> conds = new ArrayList<>();

    private CLexer(String file, String src) {
        this.file = file;
        this.src = src;
    }

    /** Tokens of {@code src} after preprocessing, ending with an EOF token. */
    static List<CToken> tokenize(String file, String src) {
        CLexer lx = new CLexer(file, src);
        List<CToken> raw = lx.run();
        List<CToken> out = new ArrayList<>(raw.size());
        for (CToken t : raw) {
            lx.expand(t, out, new HashSet<>(), 0);
        }
        return out;
    }

    private void expand(CToken t, List<CToken> out, Set<String> active, int depth) {
        List<CToken> body = t.type() == CToken.Type.IDENT ? macros.get(t.text()) : null;
        if (body == null || active.contains(t.text())) {
            out.add(t);
            return;
        }
        if (depth > 64) {
            throw error(t, "macro expansion too deep");
        }
        active.add(t.text());
        for (CToken b : body) {
            // expanded tokens report the use site, which is what the user can fix
            expand(new CToken(b.type(), b.text(), t.file(), t.line(), t.col()), out, active, depth + 1);
        }
        active.remove(t.text());
    }

    private BtfException error(int ln, int col, String msg) {
        return new BtfException(file + ":" + ln + ":" + col + ": error: " + msg);
    }

    private static BtfException error(CToken t, String msg) {
        return new BtfException(t.where() + ": error: " + msg);
    }

    private boolean active() {
        for (boolean[] c : conds) {
            if (!c[0]) {
                return false;
            }
        }
        return true;
    }

    private List<CToken> run() {
        List<CToken> out = new ArrayList<>();
        boolean lineHasToken = false;
        while (true) {
            CToken t = next(lineHasToken);
            if (t == null) {
                continue;
            }
            if (t.type() == CToken.Type.PUNCT && t.text().equals("\n")) {
                lineHasToken = false;
                continue;
            }
            if (t.type() == CToken.Type.PUNCT && t.text().equals("#") && !lineHasToken) {
                directive(t);
                continue;
            }
            lineHasToken = true;
            if (t.type() == CToken.Type.EOF) {
                if (!conds.isEmpty()) {
                    throw error(line, 1, "unterminated conditional directive (missing #endif)");
                }
                out.add(t);
                return out;
            }
            if (active()) {
                out.add(t);
            }
        }
    }

    /** The rest of the current line as tokens (the newline is consumed). */
    private List<CToken> restOfLine() {
        List<CToken> toks = new ArrayList<>();
        while (true) {
            CToken t = next(true);
            if (t == null) {
                continue;
            }
            if (t.type() == CToken.Type.EOF) {
                pos = src.length();
                return toks;
            }
            if (t.type() == CToken.Type.PUNCT && t.text().equals("\n")) {
                return toks;
            }
            toks.add(t);
        }
    }

    private void directive(CToken hash) {
        List<CToken> toks = restOfLine();
        if (toks.isEmpty()) {
            return; // the null directive
        }
        CToken d = toks.get(0);
        String name = d.text();
        switch (name) {
            case "ifdef":
            case "ifndef": {
                if (toks.size() != 2 || toks.get(1).type() != CToken.Type.IDENT) {
                    throw error(d, "#" + name + " expects one macro name");
                }
                boolean defined = macros.containsKey(toks.get(1).text());
                conds.add(new boolean[] {name.equals("ifdef") == defined, false});
                return;
            }
            case "else":
                if (conds.isEmpty()) {
                    throw error(d, "#else without #if");
                }
                boolean[] c = conds.get(conds.size() - 1);
                if (c[1]) {
                    throw error(d, "#else after #else");
                }
                c[0] = !c[0];
                c[1] = true;
                return;
            case "endif":
                if (conds.isEmpty()) {
                    throw error(d, "#endif without #if");
                }
                conds.remove(conds.size() - 1);
                return;
            default:
                break;
        }
        if (!active()) {
            return;
        }
        switch (name) {
            case "define": {
                if (toks.size() < 2 || toks.get(1).type() != CToken.Type.IDENT) {
                    throw error(d, "macro name missing");
                }
                CToken n = toks.get(1);
                if (toks.size() > 2 && toks.get(2).is("(") && toks.get(2).col() == n.col() + n.text().length()
                        && toks.get(2).line() == n.line()) {
                    throw error(n, "function-like macro '" + n.text() + "' is not supported");
                }
                macros.put(n.text(), List.copyOf(toks.subList(2, toks.size())));
                return;
            }
            case "undef":
                if (toks.size() == 2) {
                    macros.remove(toks.get(1).text());
                }
                return;
            case "pragma":
                if (toks.size() == 2 && toks.get(1).is("once")) {
                    return;
                }
                throw error(d, "unsupported #pragma");
            case "include":
                throw error(d, "#include is not supported: the header is compiled on top of the base BTF;"
                        + " refer to base types by name");
            default:
                throw error(d, "unsupported preprocessor directive #" + name);
        }
    }

    private static final String[] PUNCTS = {"...", "<<", ">>", "->", "&&", "||", "==", "!=", "<=", ">=",
        "{", "}", "(", ")", "[", "]", ";", ",", "*", ":", "=", ".", "|", "&", "+", "-", "~", "!", "/", "%",
        "^", "?", "<", ">", "#"};

    /** Next token; "\n" tokens mark line ends; null for skipped text. */
    private CToken next(boolean inLine) {
        if (pos >= src.length()) {
            return new CToken(CToken.Type.EOF, "", file, line, pos - lineStart + 1);
        }
        char c = src.charAt(pos);
        int col = pos - lineStart + 1;
        if (c == '\n') {
            pos++;
            CToken t = new CToken(CToken.Type.PUNCT, "\n", file, line, col);
            line++;
            lineStart = pos;
            return t;
        }
        if (c == '\\' && pos + 1 < src.length() && src.charAt(pos + 1) == '\n') {
            pos += 2;
            line++;
            lineStart = pos;
            return null;
        }
        if (Character.isWhitespace(c)) {
            pos++;
            return null;
        }
        if (src.startsWith("//", pos)) {
            while (pos < src.length() && src.charAt(pos) != '\n') {
                pos++;
            }
            return null;
        }
        if (src.startsWith("/*", pos)) {
            int end = src.indexOf("*/", pos + 2);
            if (end < 0) {
                throw error(line, col, "unterminated /* comment");
            }
            for (int i = pos; i < end; i++) {
                if (src.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            pos = end + 2;
            return null;
        }
        int start = pos;
        if (Character.isLetter(c) || c == '_') {
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                pos++;
            }
            return new CToken(CToken.Type.IDENT, src.substring(start, pos), file, line, col);
        }
        if (Character.isDigit(c)) {
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)))) {
                pos++;
            }
            return new CToken(CToken.Type.NUMBER, src.substring(start, pos), file, line, col);
        }
        if (c == '"' || c == '\'') {
            pos++;
            while (pos < src.length() && src.charAt(pos) != c && src.charAt(pos) != '\n') {
                pos += src.charAt(pos) == '\\' ? 2 : 1;
            }
            pos = Math.min(pos + 1, src.length());
            return new CToken(CToken.Type.STRING, src.substring(start, pos), file, line, col);
        }
        for (String p : PUNCTS) {
            if (src.startsWith(p, pos)) {
                pos += p.length();
                return new CToken(CToken.Type.PUNCT, p, file, line, col);
            }
        }
        throw error(line, col, "unexpected character '" + c + "'");
    }
}
