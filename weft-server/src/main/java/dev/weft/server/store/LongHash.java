package dev.weft.server.store;

/** A 64-bit string hash for the store's in-memory indexes: FNV-1a over the chars, then a MurmurHash3 finalizer. */
final class LongHash {
  private LongHash() {}

  static long of(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** The hash of {@code prefix + s}, without building the string. */
  static long of(char prefix, String s) {
    long h = 0xcbf29ce484222325L;
    h ^= prefix;
    h *= 0x100000001b3L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h == 0 ? 1 : h; // 0 marks an empty slot in the tables
  }
}
