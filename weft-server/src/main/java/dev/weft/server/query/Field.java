package dev.weft.server.query;

/** The left side of a term: a reserved {@link Key}, or a {@link Tag}. */
public sealed interface Field permits Key, Field.Tag {

  /** The key as a canonical query writes it (a tag that collides with a reserved key is quoted). */
  String format();

  /**
   * Any key that is not reserved: an mtag, a ptag or an operation tag. The key follows weft-core's rule: 1..64
   * characters of {@code [A-Za-z0-9_.:-]}.
   */
  record Tag(String key) implements Field {
    public Tag {
      if (!dev.weft.core.Limits.isTagKey(key)) {
        throw new IllegalArgumentException("tag key must be 1..64 characters of [A-Za-z0-9_.:-]: " + key);
      }
    }

    /** True when the key, written bare, would be read as something else (a reserved key or a '-' negation). */
    public boolean needsQuotes() {
      if (Key.lookup(key) != null) return true;
      return key.startsWith("-") && Key.lookup(key.substring(1)) != null;
    }

    @Override
    public String format() {
      return needsQuotes() ? '"' + key + '"' : key;
    }
  }
}
