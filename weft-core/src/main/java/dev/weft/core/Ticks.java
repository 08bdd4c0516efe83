package dev.weft.core;

/**
 * Time in Weft: 100-nanosecond ticks since the Unix epoch, as the seed's {@code TicksFromEpoch}.
 *
 * <p>{@link #now()} anchors the wall clock once and then advances by {@link System#nanoTime()}, like Brave's tick
 * clock: it allocates nothing, and differences between two readings in one process are monotonic, so an operation's
 * latency is never negative even when NTP steps the wall clock.
 */
public final class Ticks {
  /** Ticks in one millisecond. */
  public static final long PER_MILLI = 10_000L;
  /** Ticks in one second. */
  public static final long PER_SECOND = 10_000_000L;

  private static final long BASE_TICKS;
  private static final long BASE_NANOS;

  static {
    java.time.Instant now = java.time.Instant.now();
    BASE_NANOS = System.nanoTime();
    BASE_TICKS = now.getEpochSecond() * PER_SECOND + now.getNano() / 100;
  }

  private Ticks() {}

  /** The current time in ticks since the epoch. */
  public static long now() {
    return BASE_TICKS + (System.nanoTime() - BASE_NANOS) / 100;
  }

  /** The ticks of a {@link System#nanoTime()} reading taken in this process: one clock read serves both. */
  public static long fromNanoTime(long nanoTime) {
    return BASE_TICKS + (nanoTime - BASE_NANOS) / 100;
  }

  /** Ticks for an instant. */
  public static long of(java.time.Instant instant) {
    return instant.getEpochSecond() * PER_SECOND + instant.getNano() / 100;
  }

  /** The instant of a tick count. */
  public static java.time.Instant toInstant(long ticks) {
    return java.time.Instant.ofEpochSecond(Math.floorDiv(ticks, PER_SECOND), Math.floorMod(ticks, PER_SECOND) * 100);
  }
}
