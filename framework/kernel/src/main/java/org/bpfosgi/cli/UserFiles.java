package org.bpfosgi.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Reading the files users name on the command line, with the reasons the tools they know give
 * (strerror: "No such file or directory", "Permission denied", "Is a directory") rather than a
 * Java exception's words. Text files must be UTF-8; a file that is not is named as such, with the
 * offset of its first bad byte.
 */
public final class UserFiles {
    private UserFiles() {
    }

    /** A file that could not be read, with the reason in strerror's words. */
    public static final class Unreadable extends IOException {
        private static final long serialVersionUID = 1L;
        private final String reason;

        Unreadable(Path file, String reason) {
            super(file + ": " + reason, null);
            this.reason = reason;
        }

        /** strerror's words (or "not a text file ..."), without the file name. */
        public String reason() {
            return reason;
        }
    }

    /** The bytes of {@code file}; {@link Unreadable} says why not. */
    public static byte[] bytes(Path file) throws Unreadable {
        if (Files.isDirectory(file)) {
            throw new Unreadable(file, "Is a directory");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Unreadable(file, reason(e));
        } catch (OutOfMemoryError e) {
            throw new Unreadable(file, "File too large");
        }
    }

    /** The text of {@code file} as UTF-8; a file with bytes that are not UTF-8 is refused. */
    public static String text(Path file) throws Unreadable {
        byte[] b = bytes(file);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            int at = firstBadByte(b);
            throw new Unreadable(file, "not a text file (byte " + at + " is not UTF-8)");
        }
    }

    private static int firstBadByte(byte[] b) {
        var dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        var out = java.nio.CharBuffer.allocate(b.length + 1);
        var r = dec.decode(in, out, true);
        return r.isError() ? in.position() : b.length;
    }

    /** strerror's words for a failed file operation. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        String m = e.getMessage();
        return m == null ? "Input/output error" : m;
    }

    /** Why {@code file} cannot be read as a file, or null when it can (a pre-check for tools that open it later). */
    public static String whyNotReadable(Path file) {
        if (!Files.exists(file)) {
            return "No such file or directory";
        }
        if (Files.isDirectory(file)) {
            return "Is a directory";
        }
        if (!Files.isReadable(file)) {
            return "Permission denied";
        }
        return null;
    }
}
