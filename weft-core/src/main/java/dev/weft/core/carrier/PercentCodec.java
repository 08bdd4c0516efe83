package dev.weft.core.carrier;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Percent-encoding of UTF-8 text for header values (W3C baggage rules: RFC 3986 unreserved characters pass). */
final class PercentCodec {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private PercentCodec() {}

  static boolean isSafe(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~' || c == ':' || c == '/' || c == '@';
  }

  static void encode(String s, StringBuilder out) {
    int n = s.length();
    boolean plain = true;
    for (int i = 0; i < n; i++) {
      if (!isSafe(s.charAt(i))) {
        plain = false;
        break;
      }
    }
    if (plain) {
      out.append(s);
      return;
    }
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c < 0x80 && isSafe(c)) {
        out.append(c);
      } else {
        out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
      }
    }
  }

  /** The value of an ASCII hex digit, or -1 ({@link Character#digit} would also take full-width digits). */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  /** Decodes, or returns null for a bad escape or invalid UTF-8. */
  static String decode(String s) {
    if (s.indexOf('%') < 0) return s;
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) return null;
        int hi = hexDigit(s.charAt(i + 1));
        int lo = hexDigit(s.charAt(i + 2));
        if (hi < 0 || lo < 0) return null;
        out.write((hi << 4) | lo);
        i += 2;
      } else if (c < 0x80) {
        out.write(c);
      } else {
        // raw non-ASCII: copy the whole run, so a surrogate pair is encoded as one code point
        int end = i + 1;
        while (end < s.length() && s.charAt(end) >= 0x80) end++;
        byte[] b = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i = end - 1;
      }
    }
    java.nio.charset.CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder();
    try {
      return dec.decode(java.nio.ByteBuffer.wrap(out.toByteArray())).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }
}
