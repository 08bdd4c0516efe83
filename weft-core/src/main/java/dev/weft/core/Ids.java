package dev.weft.core;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Weft's identifiers: 128 random bits written as 32 lowercase hex characters, the form W3C trace-context uses.
 *
 * <p>Generation uses {@link ThreadLocalRandom}: no lock and no shared {@code SecureRandom} on the hot path. Trace ids
 * are identifiers, not secrets, which is the same trade OpenTelemetry and Brave make.
 */
public final class Ids {
  /** Length of a canonical id. */
  public static final int LENGTH = 32;
  /** Bytes of a canonical id in binary form. */
  public static final int BYTES = 16;

  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

  private Ids() {}

  /** A new random 128-bit id, never all zeros. */
  public static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long hi = random.nextLong();
    long lo = random.nextLong();
    if (hi == 0 && lo == 0) lo = 1; // all zeros is the W3C "invalid" id
    return toHex(hi, lo);
  }

  /** A new random 64-bit id as 16 hex characters, used for operation ids; never zero. */
  public static String newShortId() {
    long v = ThreadLocalRandom.current().nextLong();
    return toHex(v == 0 ? 1 : v);
  }

  /** 32 lowercase hex characters for the two halves. */
  public static String toHex(long hi, long lo) {
    byte[] out = new byte[32];
    writeHex(hi, out, 0);
    writeHex(lo, out, 16);
    return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** 16 lowercase hex characters. */
  public static String toHex(long v) {
    byte[] out = new byte[16];
    writeHex(v, out, 0);
    return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static void writeHex(long v, byte[] out, int off) {
    for (int i = 15; i >= 0; i--) {
      out[off + i] = HEX[(int) (v & 0xf)];
      v >>>= 4;
    }
  }

  /** True if {@code id} is canonical: 32 lowercase hex characters, not all zeros. */
  public static boolean isCanonical(String id) {
    if (id == null || id.length() != LENGTH) return false;
    boolean nonZero = false;
    for (int i = 0; i < LENGTH; i++) {
      char c = id.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
      if (c != '0') nonZero = true;
    }
    return nonZero;
  }

  /**
   * Normalizes an id from outside: 32 hex characters in any case, a GUID with dashes (optionally in braces), or a
   * 16-character (64-bit, B3-style) id, which is left-padded with zeros as W3C interop specifies.
   *
   * @return the canonical form, or {@code null} if the text is not an id. Never throws.
   */
  public static String normalize(String text) {
    if (text == null) return null;
    int len = text.length();
    if (len == LENGTH && isCanonical(text)) return text; // fast path, no allocation
    if (len == 38 && text.charAt(0) == '{' && text.charAt(37) == '}') {
      text = text.substring(1, 37);
      len = 36;
    }
    char[] out = new char[LENGTH];
    int n = 0;
    if (len == 36) {
      // GUID: 8-4-4-4-12
      for (int i = 0; i < 36; i++) {
        char c = text.charAt(i);
        if (i == 8 || i == 13 || i == 18 || i == 23) {
          if (c != '-') return null;
          continue;
        }
        int d = hexDigit(c);
        if (d < 0) return null;
        out[n++] = Character.forDigit(d, 16);
      }
    } else if (len == LENGTH || len == 16) {
      int pad = LENGTH - len;
      for (int i = 0; i < pad; i++) out[n++] = '0';
      for (int i = 0; i < len; i++) {
        int d = hexDigit(text.charAt(i));
        if (d < 0) return null;
        out[n++] = Character.forDigit(d, 16);
      }
    } else {
      return null;
    }
    String id = new String(out);
    return isCanonical(id) ? id : null;
  }

  /** Writes a canonical id as 16 big-endian bytes. */
  public static void writeBytes(String id, byte[] dst, int off) {
    for (int i = 0; i < BYTES; i++) {
      dst[off + i] = (byte) ((nibble(id.charAt(2 * i)) << 4) | nibble(id.charAt(2 * i + 1)));
    }
  }

  /** Reads 16 bytes as a canonical id, or {@code null} when they are all zero. */
  public static String fromBytes(byte[] src, int off) {
    byte[] out = new byte[LENGTH];
    boolean nonZero = false;
    for (int i = 0; i < BYTES; i++) {
      int b = src[off + i] & 0xff;
      if (b != 0) nonZero = true;
      out[2 * i] = HEX[b >>> 4];
      out[2 * i + 1] = HEX[b & 0xf];
    }
    return nonZero ? new String(out, java.nio.charset.StandardCharsets.ISO_8859_1) : null;
  }

  /**
   * The W3C span id Weft writes for a message: the low 64 bits of its message id (the high bits if the low ones are
   * zero). Deterministic, so the same message always maps to the same span id.
   */
  public static String spanIdOf(String messageId) {
    String low = messageId.substring(16);
    return "0000000000000000".equals(low) ? messageId.substring(0, 16) : low;
  }

  /** The value of an ASCII hex digit in either case, or -1. ({@link Character#digit} also takes full-width digits.) */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  private static int nibble(char c) {
    return c <= '9' ? c - '0' : c - 'a' + 10;
  }
}
