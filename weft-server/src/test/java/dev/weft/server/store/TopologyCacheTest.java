package dev.weft.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Envelope;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Ticks;
import dev.weft.core.Tracer;
import dev.weft.core.event.MessageInfo;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cached 5-minute topology roll-ups against the same roll-ups computed from the tables, while the events of many
 * flows over several hours arrive shuffled, in small batches: every read in between must equal the fresh computation,
 * and the end result must equal a store that got everything at once.
 */
class TopologyCacheTest {
  @TempDir Path dir;

  /** {@link TopologyTest#scenario()} {@code copies} times, copy {@code i} moved {@code i × 37} minutes back. */
  static List<TelemetryEvent> spread(int copies) {
    List<TelemetryEvent> out = new ArrayList<>();
    for (int i = 0; i < copies; i++) {
      long shift = i * 37L * 60 * Ticks.PER_SECOND;
      for (TelemetryEvent e : TopologyTest.scenario()) out.add(shifted(e, shift));
    }
    return out;
  }

  private static TelemetryEvent shifted(TelemetryEvent e, long back) {
    MessageInfo m = e.message();
    if (m != null) {
      Header h = m.header();
      m = new MessageInfo(new Header(1, h.correlationIds(), h.messageId(), h.parentIds(), h.producerId(),
          h.payloadSchemaUri(), h.ticksFromEpoch() - back, h.mtags(), h.ptags()), m.channel());
    }
    return new TelemetryEvent(e.v(), e.eventId(), e.eventType(), e.traceId(), e.correlationIds(),
        e.timestamp() - back, e.service(), e.instanceId(), e.seq(), e.op(), e.opId(), e.parentOpId(), e.status(),
        e.error(), e.tags(), m, e.inputs(), e.resource(), e.topology());
  }

  @Test
  void everyCachedReadEqualsTheTablesWhateverTheOrderAndBatching() throws Exception {
    List<TelemetryEvent> events = spread(8);
    Collections.shuffle(events, new Random(7));
    Random sizes = new Random(11);
    Path file = dir.resolve("cached.duckdb");
    Store reopened = null;
    try (Store first = Store.open(file, TopologyTest.config())) {
      Store store = first;
      long since = Ticks.of(store.config().clock().instant().minus(Duration.ofHours(24)));
      for (int i = 0; i < events.size(); ) {
        int n = 1 + sizes.nextInt(30);
        store.ingest(events.subList(i, Math.min(events.size(), i + n)));
        i += n;
        if (reopened == null && i >= events.size() / 2) {
          // the rest runs on a store reopened from its file: the locator that the dirty reads follow is rebuilt
          // from the tables, not kept from ingest
          store.close();
          store = reopened = Store.open(file, TopologyTest.config());
          store.topologyServices(since);
          store.topologyTypes(since);
        }
        Topology.ServiceGraph services = store.topologyServices(since);
        Topology.TypeGraph types = store.topologyTypes(since);
        assertThat(services.sinceTicks() % TopologyCache.WIDTH).isZero();
        assertThat(services.edges()).as("services after %d events", i).isEqualTo(store.serviceEdgesUncached(since));
        assertThat(types.edges()).as("types after %d events", i).isEqualTo(store.typeEdgesUncached(since));
      }
      // what the by-service read's receives bound relies on, after RECEIVEs arrived before their SENDs
      assertThat(store.receivesOlderThanTheirMessageForTest()).isZero();
      // and the bounds the reads of the operations' side skip row groups by (Schema), across the reopening
      assertThat(store.topologyBoundsBrokenForTest()).isZero();
      Topology.ServiceGraph last = store.topologyServices(since);
      Topology.ServiceEdge inv = TopologyTest.edge(last, "catalog", "kafka:catalog-changed", "inventory");
      assertThat(inv.count()).isEqualTo(8 * 4);
      assertThat(inv.operations()).isEqualTo(8 * 4);
      assertThat(inv.errors()).as("one failed and one abandoned per copy").isEqualTo(8 * 2);
      try (Store once = Store.open(dir.resolve("once.duckdb"), TopologyTest.config())) {
        once.ingest(events);
        assertThat(once.topologyServices(since).edges()).isEqualTo(last.edges());
        assertThat(once.topologyTypes(since).edges()).isEqualTo(store.topologyTypes(since).edges());
      }

      long before = store.topologyBucketsComputed();
      store.topologyServices(since);
      store.topologyTypes(since);
      assertThat(store.topologyBucketsComputed()).as("nothing new, nothing recomputed").isEqualTo(before);
      store.ingest(TopologyTest.scenario());
      assertThat(store.topologyServices(since).edges()).isEqualTo(store.serviceEdgesUncached(since));
      assertThat(store.topologyTypes(since).edges()).isEqualTo(store.typeEdgesUncached(since));
      assertThat(store.topologyBucketsComputed() - before).as("only the buckets of the new flow, per view")
          .isBetween(2L, 4L);
    } finally {
      if (reopened != null) reopened.close();
    }
  }

  /**
   * Flows 100 s apart over 14 buckets, so that a bucket has several sub-buckets with traffic and more buckets change
   * than keep their sub-buckets ({@link TopologyCache#FINE_BUCKETS}): every read equals the tables, and a bucket whose
   * sub-buckets are kept recomputes only those that changed.
   */
  @Test
  void aBucketIsRecomputedBySubBucketAndOnlyTheChangedOnes() throws Exception {
    List<TelemetryEvent> events = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      long shift = i * 100L * Ticks.PER_SECOND;
      for (TelemetryEvent e : TopologyTest.scenario()) events.add(shifted(e, shift));
    }
    Collections.shuffle(events, new Random(5));
    Random sizes = new Random(13);
    try (Store store = Store.open(dir.resolve("fine.duckdb"), TopologyTest.config())) {
      long since = Ticks.of(store.config().clock().instant().minus(Duration.ofHours(24)));
      store.topologyServices(since);
      store.topologyTypes(since);
      for (int i = 0; i < events.size(); ) {
        int n = 1 + sizes.nextInt(40);
        store.ingest(events.subList(i, Math.min(events.size(), i + n)));
        i += n;
        assertThat(store.topologyServices(since).edges()).as("services after %d events", i)
            .isEqualTo(store.serviceEdgesUncached(since));
        assertThat(store.topologyTypes(since).edges()).as("types after %d events", i)
            .isEqualTo(store.typeEdgesUncached(since));
      }
      // a new flow in the live bucket: its first read keeps the bucket's sub-buckets, the second reads only its own
      List<TelemetryEvent> flow = TopologyTest.scenario();
      store.ingest(flow.subList(0, flow.size() / 2));
      store.topologyServices(since);
      store.topologyTypes(since);
      long before = store.topologySubBucketsComputedForTest();
      store.ingest(flow.subList(flow.size() / 2, flow.size()));
      assertThat(store.topologyServices(since).edges()).isEqualTo(store.serviceEdgesUncached(since));
      assertThat(store.topologyTypes(since).edges()).isEqualTo(store.typeEdgesUncached(since));
      assertThat(store.topologySubBucketsComputedForTest() - before)
          .as("the flow's sub-buckets, not the bucket's %d", TopologyCache.WIDTH / TopologyCache.FINE)
          .isBetween(1L, 6L);
    }
  }

  /**
   * A message received on a mirror topic before its SEND is known: its row takes the receive's channel, and the SEND,
   * batches later, replaces it. The consumer's edge moves with it although the consumer wrote nothing new, and it
   * starts ten minutes after the message's ticks, in another bucket: the read must find it through the message.
   */
  @Test
  void aSendThatChangesAMessageMovesTheEdgeOfAnEarlierConsumer() throws Exception {
    InMemorySink sink = new InMemorySink();
    Tracer catalog = Tracer.builder("catalog").sink(sink).build();
    Tracer inventory = Tracer.builder("inventory").sink(sink).build();
    Operation apply = catalog.start("ApplySku");
    Envelope<?, String> changed = apply.prepareOut(TopologyTest.CATALOG, "changed");
    catalog.sent(changed.header(), "kafka:catalog-changed", apply);
    apply.complete();
    Header h = changed.header();
    Operation inv = inventory.start("UpdateInventory", Envelope.in(h, "changed"));
    inventory.received(h, "kafka:catalog-changed-mirror", inv);
    inv.complete();
    List<TelemetryEvent> sends = new ArrayList<>();
    List<TelemetryEvent> rest = new ArrayList<>();
    long later = 10L * 60 * Ticks.PER_SECOND;
    for (TelemetryEvent e : sink.events()) {
      if ("SEND".equals(e.eventType())) {
        sends.add(e);
      } else if (inv.id().equals(e.opId())) {
        rest.add(new TelemetryEvent(e.v(), e.eventId(), e.eventType(), e.traceId(), e.correlationIds(),
            e.timestamp() + later, e.service(), e.instanceId(), e.seq(), e.op(), e.opId(), e.parentOpId(), e.status(),
            e.error(), e.tags(), e.message(), e.inputs(), e.resource(), e.topology()));
      } else {
        rest.add(e);
      }
    }
    try (Store store = Store.open(dir.resolve("send-late.duckdb"), TopologyTest.config())) {
      long since = Ticks.of(store.config().clock().instant().minus(Duration.ofHours(24)));
      store.ingest(rest);
      assertThat(TopologyTest.edge(store.topologyServices(since), "catalog", "kafka:catalog-changed-mirror",
          "inventory").operations()).isEqualTo(1);
      store.topologyTypes(since);
      store.ingest(sends);
      Topology.ServiceGraph after = store.topologyServices(since);
      assertThat(after.edges()).isEqualTo(store.serviceEdgesUncached(since));
      assertThat(TopologyTest.edge(after, "catalog", "kafka:catalog-changed", "inventory").operations()).isEqualTo(1);
      assertThat(store.topologyTypes(since).edges()).isEqualTo(store.typeEdgesUncached(since));
    }
  }

  @Test
  void rowsWrittenBeforeTheBoundColumnsAreReadWithoutBounds() throws Exception {
    List<TelemetryEvent> events = spread(4);
    Collections.shuffle(events, new Random(3));
    Path file = dir.resolve("older.duckdb");
    int half = events.size() / 2;
    try (Store s = Store.open(file, TopologyTest.config())) {
      for (int i = 0; i < half; i += 7) s.ingest(events.subList(i, Math.min(half, i + 7)));
    }
    // the bound columns as a store written before them has them: NULL, and touched_batch too
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file);
        java.sql.Statement st = c.createStatement()) {
      st.execute("UPDATE operations SET first_batch = NULL");
      st.execute("UPDATE receives SET msg_batch = NULL");
      st.execute("UPDATE op_inputs SET msg_batch = NULL");
      st.execute("UPDATE messages SET touched_batch = NULL");
    }
    try (Store s = Store.open(file, TopologyTest.config())) {
      long since = Ticks.of(s.config().clock().instant().minus(Duration.ofHours(24)));
      s.topologyServices(since);
      s.topologyTypes(since);
      for (int i = half; i < events.size(); i += 7) {
        s.ingest(events.subList(i, Math.min(events.size(), i + 7)));
        assertThat(s.topologyServices(since).edges()).as("services after %d events", i)
            .isEqualTo(s.serviceEdgesUncached(since));
        assertThat(s.topologyTypes(since).edges()).as("types after %d events", i)
            .isEqualTo(s.typeEdgesUncached(since));
      }
      assertThat(s.topologyBoundsBrokenForTest()).isZero();
    }
  }

  @Test
  void aReadStartsAtTheBucketBoundaryAndSaysSo() {
    try (Store store = Store.open(dir.resolve("w.duckdb"), TopologyTest.config())) {
      store.ingest(TopologyTest.scenario());
      long since = Ticks.of(store.config().clock().instant().minus(Duration.ofHours(3))) + 1;
      Topology.ServiceGraph g = store.topologyServices(since);
      assertThat(g.sinceTicks()).isLessThanOrEqualTo(since).isGreaterThan(since - TopologyCache.WIDTH);
      assertThat(g.sinceTicks() % TopologyCache.WIDTH).isZero();
      // a window under two hours is computed directly and keeps its exact start
      long recent = Ticks.of(store.config().clock().instant().minus(Duration.ofMinutes(90))) + 1;
      assertThat(store.topologyServices(recent).sinceTicks()).isEqualTo(recent);
    }
  }

  @Test
  void binsReadBackWithinTheirAccuracy() {
    for (long v : new long[] {1, 2, 7, 10_000, 123_456, 250_000, 10_000_000_000L, -5, -250_000}) {
      double back = Bins.value(Bins.bin(v));
      assertThat(Math.abs(back - v)).as("%d -> %f", v, back).isLessThanOrEqualTo(Math.abs(v) * Bins.RELATIVE_ACCURACY);
    }
    assertThat(Bins.value(Bins.bin(0))).isZero();
    Bins b = new Bins.Acc().add(Bins.bin(100), 1).add(Bins.bin(300), 1).add(Bins.bin(200), 1).build();
    assertThat(b.quantile(0.5)).isCloseTo(200, org.assertj.core.api.Assertions.withinPercentage(1));
    assertThat(Bins.EMPTY.quantile(0.5)).isNull();
  }
}
