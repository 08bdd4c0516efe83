package dev.weft.server.store;

import java.util.Arrays;

/**
 * Where a trace's rows are: for a key (a trace, an operation, a message, a message as a parent or as an input, or a
 * tag pair), the ingest batches that wrote rows for it. Every projected table carries {@code batch_no}, which only
 * grows, so DuckDB's min/max statistics per row group let a read of {@code batch_no IN (…)} ({@link Prune}) skip all
 * other row groups: a trace read touches a few thousand rows, not the whole store. See RATIONALE.md, "Layout 2".
 *
 * <p>An open-addressing set of (key hash, batch) pairs with linear probing: all pairs of one key sit in one probe run,
 * so a lookup collects them until the first empty slot. A hash collision only adds a batch to read; the SQL still
 * filters by the exact id. Rebuilt from the tables when the store opens; not thread-safe (the store's lock guards it).
 */
final class Locator {
  /** A trace: every batch with a row of it, or of one of its operations or messages. */
  static final char TRACE = 't';
  /** A message: its row, traces, parents, tags and receives. */
  static final char MESSAGE = 'm';
  /** A message as a parent: the batches of the message_parents rows that name it. */
  static final char CHILDREN = 'c';
  /** An operation: its row, traces, inputs, tags, the receives it made and the messages it sent. */
  static final char OP = 'o';
  /** A message as an input: the batches of the op_inputs rows that name it. */
  static final char INPUT = 'i';
  /** A tag pair, {@link #tag(String, String)}: the batches of its tags rows, of operations and messages alike. */
  static final char TAG = 'g';

  /** The id of a tag pair. Two pairs that spell the same id only share batches to read; the SQL compares both. */
  static String tag(String key, String value) {
    return key + '\u0000' + value;
  }

  /**
   * The slot key of an id of a kind, from the id's {@link LongHash} (the hash the tables store beside ids: {@code
   * op_h}, {@code msg_h}, {@code owner_h}, {@code pair_h}), so that a set of ids read as hashes needs no strings.
   */
  static long key(char kind, long idHash) {
    return LongHash.mix(idHash + kind * 0x9e3779b97f4a7c15L);
  }

  private long[] keys = new long[1 << 12];
  private int[] batches = new int[1 << 12];
  private int size;

  void add(char kind, String id, long batch) {
    add(key(kind, LongHash.of(id)), (int) batch);
  }

  /** As {@link #add(char, String, long)}, for an id known by its hash. */
  void addHash(char kind, long idHash, long batch) {
    add(key(kind, idHash), (int) batch);
  }

  void add(long key, int batch) {
    if ((size + 1) * 10L > keys.length * 7L) grow();
    int mask = keys.length - 1;
    for (int i = (int) key & mask; ; i = (i + 1) & mask) {
      if (keys[i] == 0) {
        keys[i] = key;
        batches[i] = batch;
        size++;
        return;
      }
      if (keys[i] == key && batches[i] == batch) return;
    }
  }

  /** The batches of {@code id}, sorted and distinct; empty when unknown. */
  int[] batches(char kind, String id) {
    return batchesOf(key(kind, LongHash.of(id)));
  }

  /** As {@link #batches(char, String)}, for an id known by its hash. */
  int[] batchesOfHash(char kind, long idHash) {
    return batchesOf(key(kind, idHash));
  }

  private int[] batchesOf(long key) {
    int mask = keys.length - 1;
    int[] out = new int[4];
    int n = 0;
    for (int i = (int) key & mask; keys[i] != 0; i = (i + 1) & mask) {
      if (keys[i] == key) {
        if (n == out.length) out = Arrays.copyOf(out, n * 2);
        out[n++] = batches[i];
      }
    }
    out = Arrays.copyOf(out, n);
    Arrays.sort(out);
    return out;
  }

  /**
   * The least batch with a row of {@code id}, or {@code Integer.MAX_VALUE} when unknown. A lower bound: a hash
   * collision can only make it smaller.
   */
  int first(char kind, String id) {
    long key = key(kind, LongHash.of(id));
    int mask = keys.length - 1;
    int min = Integer.MAX_VALUE;
    for (int i = (int) key & mask; keys[i] != 0; i = (i + 1) & mask) {
      if (keys[i] == key) min = Math.min(min, batches[i]);
    }
    return min;
  }

  /** The batches of several ids of one kind, sorted and distinct. */
  int[] union(char kind, java.util.Collection<String> ids) {
    java.util.BitSet all = new java.util.BitSet();
    for (String id : ids) for (int b : batches(kind, id)) all.set(b);
    return all.stream().toArray();
  }

  /** As {@link #union}, for ids known by their hashes. */
  int[] unionOfHashes(char kind, long[] idHashes) {
    java.util.BitSet all = new java.util.BitSet();
    for (long h : idHashes) for (int b : batchesOf(key(kind, h))) all.set(b);
    return all.stream().toArray();
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldBatches = batches;
    keys = new long[oldKeys.length * 2];
    batches = new int[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) add(oldKeys[i], oldBatches[i]);
    }
  }
}
