package dev.weft.server.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A filter on {@code batch_no} for a set of batches, from the {@link Locator}, in the one shape DuckDB checks against
 * each row group's min/max and so skips the rest of the table: {@code batch_no IN (…)} (or one {@code BETWEEN}).
 * A disjunction of ranges is not pushed into the scan (measured: DuckDB 1.4 then reads the whole column), so the
 * batches are listed one by one. Past {@link #MAX_LISTED} batches, one range from the first to the last is used.
 */
final class Prune {
  /** Most batches listed one by one; past this the list costs about what it saves (BENCHMARKS.md). */
  static final int MAX_LISTED = 512;

  private final long[] batches;
  private final boolean range;

  /** {@code batches}: sorted and distinct, at least one. */
  Prune(int[] batches) {
    range = batches.length > MAX_LISTED;
    // a list is padded to a power of two with its last batch, so that reads share a few statement texts, which the
    // store keeps prepared
    long[] b = range ? new long[] {batches[0], batches[batches.length - 1]} : new long[paddedLength(batches.length)];
    if (!range) for (int i = 0; i < b.length; i++) b[i] = batches[Math.min(i, batches.length - 1)];
    this.batches = b;
  }

  /** The power of two at or above {@code n} (at least 1). */
  static int paddedLength(int n) {
    return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }

  String sql() {
    return sql(null);
  }

  String sql(String alias) {
    String col = alias == null ? "batch_no" : alias + ".batch_no";
    if (range) return "(" + col + " BETWEEN ? AND ?)";
    return "(" + col + " IN (" + String.join(", ", java.util.Collections.nCopies(batches.length, "?")) + "))";
  }

  /** The batches (or the range's bounds), then {@code more}. */
  List<Object> params(Object... more) {
    List<Object> out = new ArrayList<>(batches.length + more.length);
    for (long b : batches) out.add(b);
    out.addAll(Arrays.asList(more));
    return out;
  }
}
