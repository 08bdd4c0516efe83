package dev.weft.server.store;

/**
 * A 64-bit string hash for the store's in-memory indexes and the id hashes its tables keep beside the ids ({@code
 * op_h}, {@code msg_h}, {@code owner_h}, {@code pair_h}): FNV-1a over the chars, then a MurmurHash3 finalizer. The
 * stored hashes make it part of the store's layout: changing it needs a new layout (docs/store.md).
 */
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

  static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h == 0 ? 1 : h; // 0 marks an empty slot in the tables
  }
}
