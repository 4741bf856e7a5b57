package org.bpfosgi.btf;

/** A token of a C header, with where it came from (for {@code file:line:col} errors). */
record CToken(Type type, String text, String file, int line, int col) {
    enum Type { IDENT, NUMBER, PUNCT, STRING, EOF }

    String where() {
        return file + ":" + line + ":" + col;
    }

    boolean is(String s) {
        return (type == Type.PUNCT || type == Type.IDENT) && text.equals(s);
    }

    @Override
    public String toString() {
        return type == Type.EOF ? "end of file" : "'" + text + "'";
    }
}
