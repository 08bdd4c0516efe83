package dev.weft.core;

/**
 * The documented bounds of a Weft header (see {@code docs/wire-spec.md}). They keep every encoding under 8 KiB, the
 * same budget as W3C baggage, so a header never bloats a Kafka record or trips an HTTP server's header limit.
 */
public final class Limits {
  /** Encoded size of a header in any carrier encoding. */
  public static final int MAX_ENCODED_BYTES = 8192;
  /** Traces one message may belong to. */
  public static final int MAX_CORRELATION_IDS = 32;
  /** Direct parents on the wire. A larger fan-in keeps the first ones; the operation's inputs keep them all. */
  public static final int MAX_PARENT_IDS = 128;
  /** Length of {@code producer_id}. */
  public static final int MAX_PRODUCER_ID_LENGTH = 128;
  /** Length of {@code payload_schema_uri}. */
  public static final int MAX_SCHEMA_URI_LENGTH = 256;
  /** Entries in {@code mtags}, and separately in {@code ptags}. */
  public static final int MAX_TAGS = 32;
  /** Length of a tag key: letters, digits and {@code _ . - :}. */
  public static final int MAX_TAG_KEY_LENGTH = 64;
  /** Length of a tag value, in UTF-16 code units. */
  public static final int MAX_TAG_VALUE_LENGTH = 256;

  private Limits() {}

  /** True if {@code key} is a legal tag key: 1..64 characters of {@code [A-Za-z0-9_.:-]}. */
  public static boolean isTagKey(String key) {
    if (key == null || key.isEmpty() || key.length() > MAX_TAG_KEY_LENGTH) return false;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == '-' || c == ':';
      if (!ok) return false;
    }
    return true;
  }

  /** True if {@code value} is a legal tag value: not null, at most 256 UTF-16 units, well-formed Unicode. */
  public static boolean isTagValue(String value) {
    if (value == null || value.length() > MAX_TAG_VALUE_LENGTH) return false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) return false;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false; // a lone surrogate cannot be written as UTF-8
      }
    }
    return true;
  }

  /**
   * A tag value made legal: cut to {@link #MAX_TAG_VALUE_LENGTH} without splitting a surrogate pair, and lone
   * surrogates replaced by U+FFFD. Returns {@code value} itself when it was legal already.
   */
  public static String cleanTagValue(String value) {
    if (isTagValue(value)) return value;
    int n = Math.min(value.length(), MAX_TAG_VALUE_LENGTH);
    if (n > 0 && n < value.length() && Character.isHighSurrogate(value.charAt(n - 1))) n--;
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
        sb.append(c).append(value.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        sb.append('\uFFFD');
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** True for printable ASCII without spaces or the separators the text encodings use. */
  public static boolean isToken(String s, int maxLength) {
    if (s == null || s.isEmpty() || s.length() > maxLength) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == ',' || c == ';' || c == '=' || c == '"' || c == '\\') return false;
    }
    return true;
  }
}
