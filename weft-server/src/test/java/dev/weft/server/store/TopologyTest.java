package dev.weft.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.weft.core.Envelope;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Ticks;
import dev.weft.core.Tracer;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import dev.weft.core.topology.DeclaredChannel;
import dev.weft.core.topology.DeclaredTopology;
import dev.weft.core.topology.Direction;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology reads over a real DuckDB store, with events from real tracers: merchant-api → kafka:sku-updates →
 * catalog → kafka:catalog-changed → inventory (one failure, one operation never ended), an audit topic nobody reads,
 * and a declared service that never runs.
 */
public class TopologyTest {
  public static final String SKU = "urn:shop:SkuUpdated:v1";
  public static final String AUDIT = "urn:shop:SkuAudited:v1";
  public static final String CATALOG = "urn:shop:CatalogChanged:v1";
  /** Queue waits (ms) of the four inventory receives, and durations (ms) of the first three inventory operations. */
  static final long[] WAIT_MS = {10, 20, 30, 40};
  static final long[] DUR_MS = {100, 200, 300};

  /** How close a percentile is to the exact one: the histogram's relative accuracy (Bins), in percent. */
  static final double PERCENT = Bins.RELATIVE_ACCURACY * 100;

  @TempDir Path dir;
  Store store;

  /**
   * The store's clock runs two hours ahead, with abandon-after one hour: the inventory operation that never ends is
   * abandoned, and everything sent "now" is within the last 24 hours.
   */
  public static Store.Config config() {
    return new Store.Config(Duration.ofHours(1), Clock.offset(Clock.systemUTC(), Duration.ofHours(2)));
  }

  /** The scenario's events. Inventory's receive, start and end times are rewritten to the constructed waits. */
  public static List<TelemetryEvent> scenario() {
    InMemorySink sink = new InMemorySink();
    Tracer api = Tracer.builder("merchant-api").sink(sink).build();
    Tracer catalog = Tracer.builder("catalog").sink(sink).build();
    Tracer inventory = Tracer.builder("inventory").sink(sink).build();
    Tracer reporting = Tracer.builder("reporting").sink(sink).build();
    catalog.declare(new DeclaredTopology("catalog", List.of(
        new DeclaredChannel("kafka:sku-updates", SKU, null, Direction.SUBSCRIBE),
        new DeclaredChannel("kafka:catalog-changed", CATALOG, null, Direction.PUBLISH))));
    inventory.declare(new DeclaredTopology("inventory", List.of(
        new DeclaredChannel("kafka:catalog-changed", CATALOG, null, Direction.SUBSCRIBE),
        new DeclaredChannel("kafka:restock", "urn:shop:Restock:v1", null, Direction.SUBSCRIBE))));
    reporting.declare(new DeclaredTopology("reporting", List.of(
        new DeclaredChannel("kafka:catalog-changed", CATALOG, null, Direction.SUBSCRIBE))));

    Map<String, long[]> retime = new HashMap<>(); // inventory op id -> {message ticks, wait ms, duration ms or -1}
    for (int i = 0; i < 4; i++) {
      Operation u = api.start("UpdateSku").ptag("merchant_id", "m-" + i);
      Envelope<?, String> sku = u.prepareOut(SKU, "sku-" + i);
      api.sent(sku.header(), "kafka:sku-updates", u);
      if (i == 0) {
        Envelope<?, String> audit = u.prepareOut(AUDIT, "audit");
        api.sent(audit.header(), "kafka:audit", u);
      }
      u.complete();

      Operation apply = catalog.start("ApplySku", Envelope.in(sku.header(), "sku-" + i));
      catalog.received(sku.header(), "kafka:sku-updates", apply);
      Envelope<?, String> changed = apply.prepareOut(CATALOG, "changed-" + i);
      catalog.sent(changed.header(), "kafka:catalog-changed", apply);
      apply.complete();

      Header h = changed.header();
      Operation inv = inventory.start("UpdateInventory", Envelope.in(h, "changed-" + i));
      inventory.received(h, "kafka:catalog-changed", inv);
      if (i == 0) inv.fail("OUT_OF_STOCK", "none left");
      else if (i < 3) inv.complete();
      // i == 3: never ends
      retime.put(inv.id(), new long[] {h.ticksFromEpoch(), WAIT_MS[i], i < 3 ? DUR_MS[i] : -1});
    }
    List<TelemetryEvent> out = new ArrayList<>();
    for (TelemetryEvent e : sink.events()) {
      long[] r = e.opId() == null ? null : retime.get(e.opId());
      if (r == null) {
        out.add(e);
        continue;
      }
      long received = r[0] + r[1] * Ticks.PER_MILLI;
      long ts = switch (e.eventType()) {
        case "RECEIVE", "START" -> received;
        case "COMPLETE", "FAIL" -> received + r[2] * Ticks.PER_MILLI;
        default -> e.timestamp();
      };
      out.add(new TelemetryEvent(e.v(), e.eventId(), e.eventType(), e.traceId(), e.correlationIds(), ts,
          e.service(), e.instanceId(), e.seq(), e.op(), e.opId(), e.parentOpId(), e.status(), e.error(), e.tags(),
          e.message(), e.inputs(), e.resource(), e.topology()));
    }
    return out;
  }

  @BeforeEach
  void open() {
    store = Store.open(dir.resolve("weft.duckdb"), config());
    store.ingest(scenario());
  }

  @AfterEach
  void close() {
    store.close();
  }

  long dayAgo() {
    return Ticks.of(store.config().clock().instant().minus(Duration.ofHours(24)));
  }

  static Topology.ServiceEdge edge(Topology.ServiceGraph g, String producer, String channel, String consumer) {
    return g.edges().stream().filter(e -> producer.equals(e.producer()) && channel.equals(e.channel())
        && java.util.Objects.equals(consumer, e.consumer())).findFirst().orElseThrow(
            () -> new AssertionError("no edge " + producer + " " + channel + " " + consumer + " in " + g.edges()));
  }

  @Test
  void servicesViewHasProducerChannelConsumerEdgesAndTopicsWithoutReaders() {
    Topology.ServiceGraph g = store.topologyServices(dayAgo());
    assertThat(g.nodes()).extracting(Topology.Node::id).containsExactly("catalog", "inventory", "merchant-api");
    assertThat(g.nodes()).allMatch(n -> n.kind().equals("service"));
    assertThat(g.edges()).extracting(e -> e.producer() + " " + e.channel() + " " + e.consumer()).containsExactly(
        "catalog kafka:catalog-changed inventory",
        "merchant-api kafka:audit null",
        "merchant-api kafka:sku-updates catalog");

    Topology.ServiceEdge skus = edge(g, "merchant-api", "kafka:sku-updates", "catalog");
    assertThat(skus.count()).isEqualTo(4);
    assertThat(skus.operations()).isEqualTo(4);
    assertThat(skus.errors()).isZero();
    assertThat(skus.processingP50Ms()).isNotNull().isGreaterThanOrEqualTo(0.0);
    assertThat(skus.processingP50Ms()).isLessThanOrEqualTo(skus.processingP99Ms());
    assertThat(skus.queueWaitP50Ms()).isNotNull().isGreaterThanOrEqualTo(0.0);
    assertThat(skus.queueWaitP50Ms()).isLessThanOrEqualTo(skus.queueWaitP99Ms());

    Topology.ServiceEdge audit = edge(g, "merchant-api", "kafka:audit", null);
    assertThat(audit.count()).isEqualTo(1);
    assertThat(audit.operations()).isZero();
    assertThat(audit.queueWaitP50Ms()).isNull();
    assertThat(audit.processingP99Ms()).isNull();
  }

  @Test
  void errorsAndPercentilesMatchTheConstructedTimes() {
    Topology.ServiceEdge inv = edge(store.topologyServices(dayAgo()), "catalog", "kafka:catalog-changed",
        "inventory");
    assertThat(inv.count()).isEqualTo(4);
    assertThat(inv.operations()).isEqualTo(4);
    assertThat(inv.errors()).as("one failed, one abandoned").isEqualTo(2);
    // waits 10, 20, 30, 40 ms; quantiles interpolate between neighbours, each read from its histogram bin
    assertThat(inv.queueWaitP50Ms()).isCloseTo(25.0, withinPercentage(PERCENT));
    assertThat(inv.queueWaitP99Ms()).isCloseTo(39.7, withinPercentage(PERCENT));
    // durations 100, 200, 300 ms; the abandoned operation has none
    assertThat(inv.processingP50Ms()).isCloseTo(200.0, withinPercentage(PERCENT));
    assertThat(inv.processingP99Ms()).isCloseTo(298.0, withinPercentage(PERCENT));
  }

  @Test
  void sinceLimitsTheWindow() {
    long future = Ticks.of(Instant.now().plus(Duration.ofMinutes(30)));
    assertThat(store.topologyServices(future).edges()).isEmpty();
    assertThat(store.topologyServices(future).nodes()).isEmpty();
    assertThat(store.topologyTypes(future).edges()).isEmpty();
    assertThat(store.topologyServices(0).edges()).hasSize(3);
  }

  @Test
  void typesViewLinksInputTypeOperationAndOutputType() {
    Topology.TypeGraph g = store.topologyTypes(dayAgo());
    assertThat(g.edges()).extracting(e -> e.input() + " -> " + e.service() + "/" + e.op() + " -> " + e.output()
        + " x" + e.count() + " errors " + e.errors()).containsExactly(
            SKU + " -> catalog/ApplySku -> " + CATALOG + " x4 errors 0",
            CATALOG + " -> inventory/UpdateInventory -> null x4 errors 2",
            "null -> merchant-api/UpdateSku -> " + AUDIT + " x1 errors 0",
            "null -> merchant-api/UpdateSku -> " + SKU + " x4 errors 0");
    Topology.TypeEdge inv = g.edges().get(1);
    assertThat(inv.processingP50Ms()).isCloseTo(200.0, withinPercentage(PERCENT));
    assertThat(inv.processingP99Ms()).isCloseTo(298.0, withinPercentage(PERCENT));
    assertThat(g.nodes()).extracting(n -> n.kind() + ":" + n.id()).containsExactly(
        "type:" + CATALOG, "type:" + AUDIT, "type:" + SKU,
        "operation:catalog/ApplySku", "operation:inventory/UpdateInventory", "operation:merchant-api/UpdateSku");
  }

  @Test
  void declaredAgainstObservedShowsTheDrift() {
    Topology.Drift d = store.topologyDrift();
    assertThat(d.declaredServices()).containsExactly("catalog", "inventory", "reporting");
    assertThat(d.matched()).extracting(m -> m.service() + " " + m.channel() + " " + m.directions() + " sent="
        + m.sent() + " received=" + m.received()).containsExactly(
            "catalog kafka:catalog-changed [publish] sent=true received=false",
            "catalog kafka:sku-updates [subscribe] sent=false received=true",
            "inventory kafka:catalog-changed [subscribe] sent=false received=true");
    assertThat(d.declaredOnly()).extracting(c -> c.service() + " " + c.channel() + " " + c.direction())
        .containsExactly("inventory kafka:restock subscribe", "reporting kafka:catalog-changed subscribe");
    assertThat(d.observedOnly()).extracting(o -> o.service() + " " + o.channel() + " " + o.sent() + " "
        + o.received() + " " + o.serviceDeclared()).containsExactly(
            "merchant-api kafka:audit true false false",
            "merchant-api kafka:sku-updates true false false");
  }

  @Test
  void anEmptyStoreHasAnEmptyTopology() {
    try (Store empty = Store.open(dir.resolve("empty.duckdb"), config())) {
      assertThat(empty.topologyServices(0).edges()).isEmpty();
      assertThat(empty.topologyTypes(0).nodes()).isEmpty();
      Topology.Drift d = empty.topologyDrift();
      assertThat(d.matched()).isEmpty();
      assertThat(d.declaredOnly()).isEmpty();
      assertThat(d.observedOnly()).isEmpty();
    }
  }
}
