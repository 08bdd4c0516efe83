package dev.weft.core;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable string map sorted by key: the form of {@code mtags}, {@code ptags} and operation tags.
 *
 * <p>Sorted so that every encoding of a header is byte-for-byte deterministic; backed by two arrays, so a lookup is a
 * binary search and iteration allocates one small iterator. Reusing an existing {@code Tags} never copies.
 */
public final class Tags extends AbstractMap<String, String> {
  private static final Tags EMPTY = new Tags(new String[0], new String[0]);

  private final String[] keys;
  private final String[] values;

  private Tags(String[] keys, String[] values) {
    this.keys = keys;
    this.values = values;
  }

  /** The empty map. */
  public static Tags empty() {
    return EMPTY;
  }

  /**
   * A validated copy. Throws {@link IllegalArgumentException} naming the first entry that breaks {@link Limits}; use it
   * where bad input must be refused (decoders), and {@link #lenient} on the tracing path.
   */
  public static Tags strict(Map<String, String> map) {
    if (map instanceof Tags t) return t;
    if (map == null || map.isEmpty()) return EMPTY;
    if (map.size() > Limits.MAX_TAGS) {
      throw new IllegalArgumentException("too many tags: " + map.size() + " > " + Limits.MAX_TAGS);
    }
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (!Limits.isTagKey(e.getKey())) {
        throw new IllegalArgumentException("bad tag key '" + abbreviate(e.getKey())
            + "': 1.." + Limits.MAX_TAG_KEY_LENGTH + " characters of [A-Za-z0-9_.:-]");
      }
      if (!Limits.isTagValue(e.getValue())) {
        throw new IllegalArgumentException("bad value for tag '" + e.getKey() + "': "
            + (e.getValue() == null ? "null" : "longer than " + Limits.MAX_TAG_VALUE_LENGTH + " characters"));
      }
    }
    return build(map);
  }

  /**
   * A copy that never throws: entries with bad keys or null values are dropped, long values are cut to the limit, and
   * entries past {@link Limits#MAX_TAGS} (in key order) are dropped. Each repair counts a {@link Fault#TAG_DROPPED}.
   */
  public static Tags lenient(Map<String, String> map) {
    if (map instanceof Tags t) return t;
    if (map == null || map.isEmpty()) return EMPTY;
    try {
      java.util.TreeMap<String, String> clean = new java.util.TreeMap<>();
      for (Map.Entry<String, String> e : map.entrySet()) {
        String k = e.getKey();
        String v = e.getValue();
        if (!Limits.isTagKey(k) || v == null) {
          Faults.count(Fault.TAG_DROPPED);
          continue;
        }
        if (!Limits.isTagValue(v)) {
          Faults.count(Fault.TAG_DROPPED);
          v = Limits.cleanTagValue(v);
        }
        clean.put(k, v);
      }
      while (clean.size() > Limits.MAX_TAGS) {
        clean.pollLastEntry();
        Faults.count(Fault.TAG_DROPPED);
      }
      return build(clean);
    } catch (RuntimeException e) { // a hostile Map implementation
      Faults.count(Fault.INTERNAL_ERROR);
      return EMPTY;
    }
  }

  /** A map of one entry, validated leniently. */
  public static Tags of(String key, String value) {
    return lenient(Map.of(key, value == null ? "" : value));
  }

  private static Tags build(Map<String, String> map) {
    int n = map.size();
    String[] k = new String[n];
    String[] v = new String[n];
    int i = 0;
    for (Map.Entry<String, String> e : map.entrySet()) {
      k[i] = e.getKey();
      v[i] = e.getValue();
      i++;
    }
    if (!(map instanceof java.util.SortedMap)) sortTogether(k, v);
    for (int j = 1; j < n; j++) {
      if (k[j].equals(k[j - 1])) throw new IllegalArgumentException("duplicate tag key '" + k[j] + "'");
    }
    return new Tags(k, v);
  }

  /**
   * A validated copy of {@code n} entries given as parallel arrays already sorted by key, which is how every Weft
   * encoding writes them: no map is built, so decoding stays cheap. Throws {@link IllegalArgumentException} naming
   * the first bad entry, or when keys are not strictly increasing (unsorted or duplicated).
   */
  public static Tags fromSorted(String[] keys, String[] values, int n) {
    if (n == 0) return EMPTY;
    if (n > Limits.MAX_TAGS) throw new IllegalArgumentException("too many tags: " + n + " > " + Limits.MAX_TAGS);
    for (int i = 0; i < n; i++) {
      if (!Limits.isTagKey(keys[i])) {
        throw new IllegalArgumentException("bad tag key '" + abbreviate(keys[i])
            + "': 1.." + Limits.MAX_TAG_KEY_LENGTH + " characters of [A-Za-z0-9_.:-]");
      }
      if (!Limits.isTagValue(values[i])) {
        throw new IllegalArgumentException("bad value for tag '" + keys[i] + "': null, longer than "
            + Limits.MAX_TAG_VALUE_LENGTH + " characters, or not well-formed Unicode");
      }
      if (i > 0 && keys[i - 1].compareTo(keys[i]) >= 0) {
        throw new IllegalArgumentException(keys[i - 1].equals(keys[i]) ? "duplicate tag key '" + keys[i] + "'"
            : "tag keys out of order at '" + abbreviate(keys[i]) + "'");
      }
    }
    return new Tags(Arrays.copyOf(keys, n), Arrays.copyOf(values, n));
  }

  /** Builds from {@code n} key/value pairs stored as key, value, key, value (unique, valid keys). */
  static Tags ofInterleaved(String[] kv, int n) {
    String[] k = new String[n];
    String[] v = new String[n];
    for (int i = 0; i < n; i++) {
      k[i] = kv[2 * i];
      v[i] = kv[2 * i + 1];
    }
    sortTogether(k, v);
    return new Tags(k, v);
  }

  private static void sortTogether(String[] k, String[] v) {
    // insertion sort: tag maps are small (at most 32)
    for (int i = 1; i < k.length; i++) {
      String ki = k[i];
      String vi = v[i];
      int j = i - 1;
      while (j >= 0 && k[j].compareTo(ki) > 0) {
        k[j + 1] = k[j];
        v[j + 1] = v[j];
        j--;
      }
      k[j + 1] = ki;
      v[j + 1] = vi;
    }
  }

  /**
   * This map with {@code other}'s entries added where this map has no such key: the first map wins. Counts and
   * drops entries past {@link Limits#MAX_TAGS}.
   */
  public Tags mergeKeepingMine(Tags other) {
    if (other.isEmpty() || other == this) return this;
    if (isEmpty()) return other;
    java.util.TreeMap<String, String> merged = new java.util.TreeMap<>(other);
    for (int i = 0; i < keys.length; i++) merged.put(keys[i], values[i]);
    if (merged.size() == keys.length) return this;
    while (merged.size() > Limits.MAX_TAGS) {
      // drop the other map's keys first, so a parent's own tags survive
      String victim = null;
      for (String k : merged.descendingKeySet()) {
        if (indexOf(k) < 0) {
          victim = k;
          break;
        }
      }
      merged.remove(victim == null ? merged.lastKey() : victim);
      Faults.count(Fault.TAG_DROPPED);
    }
    return build(merged);
  }

  /** This map with one entry set (validated leniently). */
  public Tags with(String key, String value) {
    if (!Limits.isTagKey(key) || value == null) {
      Faults.count(Fault.TAG_DROPPED);
      return this;
    }
    java.util.TreeMap<String, String> m = new java.util.TreeMap<>(this);
    m.put(key, value);
    return lenient(m);
  }

  /** Number of entries. */
  @Override
  public int size() {
    return keys.length;
  }

  @Override
  public boolean isEmpty() {
    return keys.length == 0;
  }

  /** The key at {@code i}, in sorted order. */
  public String keyAt(int i) {
    return keys[i];
  }

  /** The value at {@code i}, in key order. */
  public String valueAt(int i) {
    return values[i];
  }

  private int indexOf(Object key) {
    if (!(key instanceof String s)) return -1;
    return Arrays.binarySearch(keys, s);
  }

  @Override
  public String get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : values[i];
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, String>> iterator() {
        return new Iterator<>() {
          int i;

          @Override
          public boolean hasNext() {
            return i < keys.length;
          }

          @Override
          public Entry<String, String> next() {
            if (i >= keys.length) throw new NoSuchElementException();
            Entry<String, String> e = new SimpleImmutableEntry<>(keys[i], values[i]);
            i++;
            return e;
          }
        };
      }

      @Override
      public int size() {
        return keys.length;
      }
    };
  }

  private static String abbreviate(String s) {
    if (s == null) return "null";
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
