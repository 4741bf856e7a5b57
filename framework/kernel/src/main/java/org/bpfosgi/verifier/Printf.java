package org.bpfosgi.verifier;

/**
 * The C printf subset the kernel's log strings use ({@code %d %u %x %s %c %%}, flags {@code -0},
 * width, length modifiers {@code l ll z h}), so that log strings stay byte-for-byte the kernel's.
 * {@code %u}/{@code %x} print an int argument as unsigned 32-bit, a long as unsigned 64-bit.
 */
final class Printf {
    private Printf() {
    }

    static String format(String fmt, Object... args) {
        StringBuilder out = new StringBuilder(fmt.length() + 16);
        int a = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            i++;
            if (i >= fmt.length()) {
                out.append('%');
                break;
            }
            if (fmt.charAt(i) == '%') {
                out.append('%');
                continue;
            }
            boolean left = false;
            boolean zero = false;
            boolean alt = false;
            while (i < fmt.length() && (fmt.charAt(i) == '-' || fmt.charAt(i) == '0' || fmt.charAt(i) == '#')) {
                if (fmt.charAt(i) == '#') {
                    // the kernel's vsprintf prefixes 0x even for 0 ("%#llx" of 0 is "0x0")
                    alt = true;
                } else if (fmt.charAt(i) == '-') {
                    left = true;
                } else {
                    zero = true;
                }
                i++;
            }
            int width = 0;
            while (i < fmt.length() && Character.isDigit(fmt.charAt(i))) {
                width = width * 10 + (fmt.charAt(i) - '0');
                i++;
            }
            while (i < fmt.length() && "lzh".indexOf(fmt.charAt(i)) >= 0) {
                i++;
            }
            char conv = i < fmt.length() ? fmt.charAt(i) : 'd';
            Object arg = a < args.length ? args[a++] : null;
            String s;
            switch (conv) {
                case 'd', 'i' -> s = String.valueOf(arg instanceof Number n ? n.longValue() : 0);
                case 'u' -> s = unsigned(arg);
                case 'x' -> s = (alt ? "0x" : "") + hex(arg);
                case 'c' -> s = arg instanceof Character ch ? ch.toString() : Character.toString((char) ((Number) arg).intValue());
                default -> s = String.valueOf(arg);
            }
            if (s.length() < width) {
                String pad = (zero && !left ? "0" : " ").repeat(width - s.length());
                s = left ? s + pad : pad + s;
            }
            out.append(s);
        }
        return out.toString();
    }

    private static String unsigned(Object arg) {
        if (arg instanceof Integer n) {
            return Integer.toUnsignedString(n);
        }
        if (arg instanceof Number n) {
            return Long.toUnsignedString(n.longValue());
        }
        return String.valueOf(arg);
    }

    private static String hex(Object arg) {
        if (arg instanceof Integer n) {
            return Integer.toHexString(n);
        }
        if (arg instanceof Number n) {
            return Long.toHexString(n.longValue());
        }
        return String.valueOf(arg);
    }
}
