package dev.weft.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.core.Ticks;
import dev.weft.core.event.TelemetryEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The background warm-up of the topology roll-ups: a reader after it finds every bucket computed, and right. */
class TopologyWarmerTest {
  @TempDir Path dir;

  @Test
  void aQuietStoreIsWarmedSoThatTheNextReadComputesNothing() throws Exception {
    try (Store store = Store.open(dir.resolve("quiet.duckdb"), TopologyTest.config())) {
      store.ingest(TopologyCacheTest.spread(8));
      long since = Ticks.of(store.config().clock().instant().minus(Duration.ofHours(24)));
      var config = new TopologyWarmer.Config(Duration.ofHours(24), Duration.ofMillis(100), Duration.ofHours(1));
      try (TopologyWarmer w = TopologyWarmer.start(store, config)) {
        await(() -> w.warmups() >= 1);
        long computed = store.topologyBucketsComputed();
        assertThat(computed).isPositive();
        assertThat(store.topologyWarmSeconds()).isPositive();
        assertThat(store.topologyServices(since).edges()).isEqualTo(store.serviceEdgesUncached(since));
        assertThat(store.topologyTypes(since).edges()).isEqualTo(store.typeEdgesUncached(since));
        assertThat(store.topologyBucketsComputed()).as("the read found them computed").isEqualTo(computed);

        // new events: warmed again once ingest pauses, so the read again computes nothing and is right
        store.ingest(TopologyTest.scenario());
        await(() -> w.warmups() >= 2);
        long again = store.topologyBucketsComputed();
        assertThat(again).isGreaterThan(computed);
        assertThat(store.topologyServices(since).edges()).isEqualTo(store.serviceEdgesUncached(since));
        assertThat(store.topologyTypes(since).edges()).isEqualTo(store.typeEdgesUncached(since));
        assertThat(store.topologyBucketsComputed()).isEqualTo(again);
      }
    }
  }

  @Test
  void aRebuildOffTheLockWhileBatchesCommitLeavesTheCacheEqualToTheTables() throws Exception {
    List<TelemetryEvent> events = TopologyCacheTest.spread(8);
    Collections.shuffle(events, new Random(5));
    try (Store store = Store.open(dir.resolve("rebuild.duckdb"), TopologyTest.config())) {
      long since = Ticks.of(store.config().clock().instant().minus(Duration.ofHours(24)));
      store.ingest(events.subList(0, 40));
      Thread writer = new Thread(() -> {
        for (int i = 40; i < events.size(); i += 7) store.ingest(events.subList(i, Math.min(events.size(), i + 7)));
      });
      writer.start();
      int installed = 0;
      while (writer.isAlive()) if (store.rebuildTopology(Duration.ofHours(24))) installed++;
      writer.join();
      assertThat(installed).isPositive();
      // the snapshot's later batches are left dirty, so a read after the last rebuild is exact
      assertThat(store.topologyServices(since).edges()).isEqualTo(store.serviceEdgesUncached(since));
      assertThat(store.topologyTypes(since).edges()).isEqualTo(store.typeEdgesUncached(since));
      assertThat(store.rebuildTopology(Duration.ofHours(24))).isTrue();
      assertThat(store.topologyStale(Duration.ofHours(24))).as("nothing committed since the snapshot").isZero();
      assertThat(store.topologyServices(since).edges()).isEqualTo(store.serviceEdgesUncached(since));
    }
  }

  @Test
  void aStreamThatNeverPausesIsWarmedAfterMaxAge() throws Exception {
    try (Store store = Store.open(dir.resolve("stream.duckdb"), TopologyTest.config())) {
      var config = new TopologyWarmer.Config(Duration.ofHours(24), Duration.ofHours(1), Duration.ofMillis(300));
      try (TopologyWarmer w = TopologyWarmer.start(store, config)) {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (w.warmups() == 0 && System.nanoTime() < end) {
          store.ingest(TopologyTest.scenario()); // a batch every 50 ms: never a quiet second
          Thread.sleep(50);
        }
        assertThat(w.warmups()).isPositive();
        assertThat(store.topologyBucketsComputed()).isPositive();
      }
    }
  }

  @Test
  void aWindowTheCacheDoesNotKeepIsRefused() {
    assertThatThrownBy(() -> new TopologyWarmer.Config(Duration.ofHours(1), Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 hours to 28 days");
    assertThatThrownBy(() -> new TopologyWarmer.Config(Duration.ofDays(29), Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Waits up to 20 s for {@code condition}; a warm-up of this test's few buckets takes well under a second. */
  private static void await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 20 s").isLessThan(end);
      Thread.sleep(20);
    }
  }
}
