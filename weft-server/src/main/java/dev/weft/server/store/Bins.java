package dev.weft.server.store;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A mergeable histogram of tick values with logarithmic bins, so that the percentiles of a topology roll-up can be
 * added up over time buckets (see RATIONALE.md, "Topology roll-ups"). A value {@code v > 0} falls into the bin
 * {@code 1 + ceil(ln v / ln GAMMA)}, a negative value (a clock skew can make a queue wait negative) into the mirrored
 * bin, and 0 into bin 0. Each bin is read back as the value at the middle of its range, which is within
 * {@link #RELATIVE_ACCURACY} of every value in it, so a percentile is within 1 % of the exact one (the DDSketch
 * bound). Immutable; {@link Acc} merges them.
 */
final class Bins {
  /** The ratio between the bounds of a bin. */
  static final double GAMMA = 1.02;
  /** (GAMMA − 1) / (GAMMA + 1): the most a bin's value differs from a value in it, relatively. */
  static final double RELATIVE_ACCURACY = (GAMMA - 1) / (GAMMA + 1);

  /**
   * The SQL that bins the BIGINT expression {@code %1$s}, as {@link #bin(long)} does. Doubles, as in Java, so both
   * agree bin for bin.
   */
  static String sql(String v) {
    return ("CASE WHEN %1$s = 0 THEN 0 WHEN %1$s > 0 THEN 1 + CAST(ceil(ln(CAST(%1$s AS DOUBLE)) / " + LN + ") AS INTEGER)"
        + " ELSE -1 - CAST(ceil(ln(-CAST(%1$s AS DOUBLE)) / " + LN + ") AS INTEGER) END").formatted(v);
  }

  private static final String LN = Double.toString(Math.log(GAMMA));

  static final Bins EMPTY = new Bins(new int[0], new long[0]);

  private final int[] keys;
  private final long[] counts;

  private Bins(int[] keys, long[] counts) {
    this.keys = keys;
    this.counts = counts;
  }

  /** The bin of a value, as {@link #sql} computes it. */
  static int bin(long v) {
    if (v == 0) return 0;
    int k = 1 + (int) Math.ceil(Math.log(Math.abs((double) v)) / Math.log(GAMMA));
    return v > 0 ? k : -k;
  }

  /** The value a bin stands for: the middle of its range in relative terms, 0 for bin 0. */
  static double value(int bin) {
    if (bin == 0) return 0;
    double hi = Math.pow(GAMMA, Math.abs(bin) - 1);
    double mid = 2 * hi / (GAMMA + 1);
    return bin > 0 ? mid : -mid;
  }

  long count() {
    long n = 0;
    for (long c : counts) n += c;
    return n;
  }

  /** Adds bins to a histogram while it is being built or merged; not thread-safe. */
  static final class Acc {
    private final TreeMap<Integer, Long> bins = new TreeMap<>();

    Acc add(int bin, long n) {
      bins.merge(bin, n, Long::sum);
      return this;
    }

    Acc add(Bins b) {
      for (int i = 0; i < b.keys.length; i++) add(b.keys[i], b.counts[i]);
      return this;
    }

    Bins build() {
      if (bins.isEmpty()) return EMPTY;
      int[] k = new int[bins.size()];
      long[] c = new long[bins.size()];
      int i = 0;
      for (Map.Entry<Integer, Long> e : bins.entrySet()) {
        k[i] = e.getKey();
        c[i++] = e.getValue();
      }
      return new Bins(k, c);
    }
  }

  /**
   * The {@code q}-quantile, interpolated between the two values around rank {@code q·(n−1)} as DuckDB's
   * {@code quantile_cont} does; {@code null} when empty.
   */
  Double quantile(double q) {
    long n = count();
    if (n == 0) return null;
    double rank = q * (n - 1);
    long lo = (long) Math.floor(rank);
    long hi = (long) Math.ceil(rank);
    double vlo = valueAt(lo);
    double vhi = hi == lo ? vlo : valueAt(hi);
    return vlo + (rank - lo) * (vhi - vlo);
  }

  /** The value of the {@code i}-th smallest sample (0-based). Bins are sorted: negative keys first. */
  private double valueAt(long i) {
    long seen = 0;
    for (int j = 0; j < keys.length; j++) {
      seen += counts[j];
      if (i < seen) return value(keys[j]);
    }
    return value(keys[keys.length - 1]);
  }

  @Override
  public String toString() {
    return "Bins" + Arrays.toString(keys) + Arrays.toString(counts);
  }
}
