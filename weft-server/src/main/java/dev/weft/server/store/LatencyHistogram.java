package dev.weft.server.store;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** A cumulative latency histogram with fixed bounds in seconds, written as a Prometheus histogram family. */
public final class LatencyHistogram {
  private final double[] bounds;
  private final AtomicLongArray buckets;
  private final LongAdder count = new LongAdder();
  private final LongAdder nanos = new LongAdder();

  /** {@code bounds}: upper bounds in seconds, ascending. */
  public LatencyHistogram(double... bounds) {
    this.bounds = bounds.clone();
    this.buckets = new AtomicLongArray(bounds.length);
  }

  public void record(long elapsedNanos) {
    double s = elapsedNanos / 1e9;
    for (int i = 0; i < bounds.length; i++) {
      if (s <= bounds[i]) buckets.incrementAndGet(i);
    }
    count.increment();
    nanos.add(elapsedNanos);
  }

  public long count() {
    return count.sum();
  }

  /** Appends the family {@code name} with its HELP and TYPE lines. */
  public void render(StringBuilder out, String name, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" histogram\n");
    long n = count.sum();
    for (int i = 0; i < bounds.length; i++) {
      out.append(name).append("_bucket{le=\"").append(num(bounds[i])).append("\"} ").append(buckets.get(i))
          .append('\n');
    }
    out.append(name).append("_bucket{le=\"+Inf\"} ").append(n).append('\n');
    out.append(name).append("_sum ").append(num(nanos.sum() / 1e9)).append('\n');
    out.append(name).append("_count ").append(n).append('\n');
  }

  private static String num(double d) {
    return String.format(Locale.ROOT, "%s", d);
  }
}
