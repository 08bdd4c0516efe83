package dev.weft.server.store;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code event_id}s already stored, held in memory so that duplicate detection needs no index on disk (see
 * RATIONALE.md, "Layout 2").
 *
 * <ul>
 *   <li>Weft's emitters name events {@code <instance_id>-<seq>}. An id of the form {@code <prefix>-<n>}, with
 *       {@code n} a canonical decimal, is kept as {@code n} in a set of ranges per prefix: an emitter's events are one
 *       range, a few bytes, however many there are. Prefix and number map back to exactly one id, so this is exact.
 *   <li>Any other id is kept as its 64-bit hash. A hash that is already there is only a "maybe": the store confirms it
 *       against the {@code events} table before calling the event a duplicate, so a collision never drops an event.
 * </ul>
 *
 * Not thread-safe; the store's lock guards it. Changes are applied only after the batch has committed.
 */
final class EventIds {
  private final Map<String, TreeMap<Long, Long>> ranges = new HashMap<>();
  private long[] hashes = new long[1 << 10];
  private int hashCount;

  /** A conventional id split in two, or null. */
  record Split(String prefix, long n) {}

  static Split split(String id) {
    int dash = id.lastIndexOf('-');
    int len = id.length() - dash - 1;
    if (dash < 0 || len < 1 || len > 18) return null;
    if (len > 1 && id.charAt(dash + 1) == '0') return null; // "a-05" is not "a-5"
    long n = 0;
    for (int i = dash + 1; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9') return null;
      n = n * 10 + (c - '0');
    }
    return new Split(id.substring(0, dash), n);
  }

  /** True when the id is certainly stored; for a hashed id, true means "maybe" and needs confirming. */
  boolean contains(String id, Split split) {
    if (split != null) {
      TreeMap<Long, Long> r = ranges.get(split.prefix());
      if (r == null) return false;
      Map.Entry<Long, Long> e = r.floorEntry(split.n());
      return e != null && e.getValue() >= split.n();
    }
    return containsHash(LongHash.of(id));
  }

  void add(String id) {
    Split s = split(id);
    if (s != null) addRange(s.prefix(), s.n(), s.n());
    else addHash(LongHash.of(id));
  }

  /** Adds {@code [lo, hi]} for a prefix, merging with touching ranges. */
  void addRange(String prefix, long lo, long hi) {
    TreeMap<Long, Long> r = ranges.computeIfAbsent(prefix, k -> new TreeMap<>());
    Map.Entry<Long, Long> before = r.floorEntry(lo);
    if (before != null && before.getValue() >= lo - 1) {
      lo = before.getKey();
      hi = Math.max(hi, before.getValue());
      r.remove(before.getKey());
    }
    Map.Entry<Long, Long> after = r.ceilingEntry(lo);
    while (after != null && after.getKey() <= hi + 1) {
      hi = Math.max(hi, after.getValue());
      r.remove(after.getKey());
      after = r.ceilingEntry(lo);
    }
    r.put(lo, hi);
  }

  private boolean containsHash(long h) {
    int mask = hashes.length - 1;
    for (int i = (int) h & mask; hashes[i] != 0; i = (i + 1) & mask) {
      if (hashes[i] == h) return true;
    }
    return false;
  }

  private void addHash(long h) {
    if ((hashCount + 1) * 10L > hashes.length * 7L) {
      long[] old = hashes;
      hashes = new long[old.length * 2];
      hashCount = 0;
      for (long o : old) if (o != 0) addHash(o);
    }
    int mask = hashes.length - 1;
    for (int i = (int) h & mask; ; i = (i + 1) & mask) {
      if (hashes[i] == h) return;
      if (hashes[i] == 0) {
        hashes[i] = h;
        hashCount++;
        return;
      }
    }
  }

  /** Ranges and hashes held, for tests and diagnostics. */
  long footprint() {
    long n = hashCount;
    for (TreeMap<Long, Long> r : ranges.values()) n += r.size();
    return n;
  }
}
