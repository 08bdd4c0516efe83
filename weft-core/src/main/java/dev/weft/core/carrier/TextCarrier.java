package dev.weft.core.carrier;

/**
 * Text key/value headers, the shape of HTTP headers. Keys are written lower-case; a carrier over HTTP headers must
 * look keys up case-insensitively, as HTTP does.
 */
public interface TextCarrier {
  /** Sets {@code key}, replacing any earlier value. */
  void put(String key, String value);

  /** The value of {@code key}, or null. */
  String get(String key);

  /** A carrier over a plain map (keys as given), for tests and in-memory mediums. */
  static TextCarrier of(java.util.Map<String, String> map) {
    return new TextCarrier() {
      @Override
      public void put(String key, String value) {
        map.put(key, value);
      }

      @Override
      public String get(String key) {
        return map.get(key);
      }
    };
  }
}
