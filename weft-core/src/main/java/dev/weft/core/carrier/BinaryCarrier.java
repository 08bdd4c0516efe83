package dev.weft.core.carrier;

/**
 * Binary key/value headers, the shape of Kafka record headers. Mediums adapt their own type in a few lines, e.g.
 * {@code record.headers()}.
 */
public interface BinaryCarrier {
  /** Sets {@code key}, replacing any earlier value. */
  void put(String key, byte[] value);

  /** The last value of {@code key}, or null. */
  byte[] get(String key);

  /** This carrier seen as text, values in UTF-8; for the W3C and B3 formats. */
  default TextCarrier asText() {
    BinaryCarrier self = this;
    return new TextCarrier() {
      @Override
      public void put(String key, String value) {
        self.put(key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }

      @Override
      public String get(String key) {
        byte[] v = self.get(key);
        return v == null ? null : new String(v, java.nio.charset.StandardCharsets.UTF_8);
      }
    };
  }

  /** A carrier over a plain map, for tests and in-memory mediums. */
  static BinaryCarrier of(java.util.Map<String, byte[]> map) {
    return new BinaryCarrier() {
      @Override
      public void put(String key, byte[] value) {
        map.put(key, value);
      }

      @Override
      public byte[] get(String key) {
        return map.get(key);
      }
    };
  }
}
