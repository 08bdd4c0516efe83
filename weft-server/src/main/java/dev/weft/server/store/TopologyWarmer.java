package dev.weft.server.store;

import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the topology roll-ups of a window (the UI's 24 hours) computed in the background, so that the first
 * dashboard read after a restart or a bulk load does not compute them while someone waits (RATIONALE.md, "Topology
 * roll-ups"). It warms once the store has been quiet for a moment, or when its last warm-up is older than
 * {@code maxAge} (and {@link #STREAM_SHARE} times its duration) under a stream that never pauses. A cold or mostly
 * stale window is rebuilt without the store's lock ({@link #warm}), so ingest and reads go on meanwhile. A failure is
 * logged and retried after {@code maxAge}; it never stops the thread.
 */
public final class TopologyWarmer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TopologyWarmer.class);
  /**
   * Under a stream that never pauses, a warm-up waits at least this many times as long as the last one took, so that
   * it takes about 2 % of the store's time while warm-ups keep their length (a bulk load makes them longer; the 10M
   * bench measured 2.4 to 5.6 %). A pause is not rationed: then the warm-up competes with nothing.
   */
  static final int STREAM_SHARE = 50;
  /** Most stale buckets recomputed under the store's lock (an hour of them); more are rebuilt without it. */
  static final int MAX_LOCKED_BUCKETS = 12;
  /** How often the thread looks at the store. */
  static final Duration TICK = Duration.ofMillis(200);

  /** Window: what to keep warm; quiet: how long ingest must pause first; maxAge: the longest it waits for a pause. */
  public record Config(Duration window, Duration quiet, Duration maxAge) {
    public Config {
      Objects.requireNonNull(window, "window");
      Objects.requireNonNull(quiet, "quiet");
      Objects.requireNonNull(maxAge, "maxAge");
      // the windows the cache keeps (Store.CACHED_WINDOW_MIN and _MAX, in 100-ns ticks)
      long ticks = window.toNanos() / 100;
      if (ticks < Store.CACHED_WINDOW_MIN || ticks > Store.CACHED_WINDOW_MAX) {
        throw new IllegalArgumentException("the warmed window must be 2 hours to 28 days (8,063 five-minute buckets),"
            + " not " + window);
      }
    }

    /** The UI's default window, 24 hours; warm after 1 s without ingest, or at least every 30 s. */
    public static Config defaults() {
      return new Config(Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofSeconds(30));
    }
  }

  private final Store store;
  private final Config config;
  private final Thread thread;
  private volatile boolean closed;
  private volatile long warmups;

  private TopologyWarmer(Store store, Config config) {
    this.store = store;
    this.config = config;
    this.thread = new Thread(this::run, "weft-topology-warmer");
    thread.setDaemon(true);
  }

  /** Starts warming {@code store}'s roll-ups in a daemon thread. */
  public static TopologyWarmer start(Store store, Config config) {
    TopologyWarmer w = new TopologyWarmer(Objects.requireNonNull(store, "store"), config);
    w.thread.start();
    return w;
  }

  /** How many warm-ups have completed (for tests). */
  long warmups() {
    return warmups;
  }

  private void run() {
    long seen = Long.MIN_VALUE; // the last committed batch seen
    long warmed = Long.MIN_VALUE; // the batch the last completed warm-up started from
    long changedAt = System.nanoTime();
    long warmedAt = changedAt;
    long retryAt = changedAt; // after a failure, the next attempt waits for maxAge
    long lastTook = 0;
    while (!closed) {
      try {
        Thread.sleep(TICK.toMillis());
        long batch = store.lastCommittedBatch();
        long now = System.nanoTime();
        if (batch != seen) {
          seen = batch;
          changedAt = now;
        }
        boolean quiet = now - changedAt >= config.quiet().toNanos();
        boolean stale = now - warmedAt >= Math.max(config.maxAge().toNanos(), STREAM_SHARE * lastTook);
        if (batch == warmed || !(quiet || stale) || now - retryAt < 0) continue;
        if (!warm()) {
          retryAt = System.nanoTime() + config.quiet().toNanos(); // a batch failed meanwhile: try again shortly
          continue;
        }
        warmed = batch;
        warmedAt = System.nanoTime();
        lastTook = warmedAt - now;
        warmups++;
        if (warmups == 1) {
          LOG.info("topology roll-ups of the last {} computed in {} ms", config.window(), lastTook / 1_000_000);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!closed) {
          LOG.warn("topology warm-up failed; retrying in {}: {}", config.maxAge(), e.getMessage());
        }
        retryAt = System.nanoTime() + config.maxAge().toNanos();
      }
    }
  }

  /**
   * A cache that does not cover the window yet, or that would recompute more than {@link #MAX_LOCKED_BUCKETS} of it
   * (after a bulk load), is rebuilt on a second connection, without the store's lock; a few stale buckets are
   * recomputed under the lock, as the next read would. False when a rebuild was dropped (a batch failed meanwhile).
   */
  private boolean warm() {
    int stale = store.topologyStale(config.window());
    if (stale == 0) return true;
    if (stale < 0 || stale > MAX_LOCKED_BUCKETS) return store.rebuildTopology(config.window());
    store.warmTopology(config.window());
    return true;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
