package dev.weft.core;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide counters of the faults tracing swallowed. Counting is a {@link LongAdder} increment: no lock, no
 * allocation. Read them through {@link Tracer#stats()} or {@link #snapshot()}.
 */
public final class Faults {
  private static final LongAdder[] COUNTS = new LongAdder[Fault.values().length];

  static {
    for (int i = 0; i < COUNTS.length; i++) COUNTS[i] = new LongAdder();
  }

  private Faults() {}

  /** Counts one fault. Never throws. */
  public static void count(Fault fault) {
    COUNTS[fault.ordinal()].increment();
  }

  /** Counts {@code n} faults of one kind. */
  public static void count(Fault fault, long n) {
    COUNTS[fault.ordinal()].add(n);
  }

  /** Faults of one kind so far. */
  public static long get(Fault fault) {
    return COUNTS[fault.ordinal()].sum();
  }

  /** All counters, in declaration order. */
  public static Map<Fault, Long> snapshot() {
    Map<Fault, Long> out = new EnumMap<>(Fault.class);
    for (Fault f : Fault.values()) out.put(f, get(f));
    return out;
  }
}
