package dev.weft.server.collector;

import static dev.weft.server.ShopEvents.shop;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.server.api.ApiConfig;
import dev.weft.server.api.ApiServer;
import dev.weft.server.cli.WeftCli;
import dev.weft.server.query.Query;
import dev.weft.server.store.Store;
import dev.weft.testsupport.KafkaBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector and replay against a real broker. */
class KafkaCollectorTest {
  static final Instant NOW = Instant.now();

  static KafkaBroker broker;
  static KafkaProducer<String, String> producer;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.shared();
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
  }

  @AfterAll
  static void closeProducer() {
    if (producer != null) producer.close();
  }

  static void produce(String topic, List<TelemetryEvent> events) throws Exception {
    for (TelemetryEvent e : events) {
      producer.send(new ProducerRecord<>(topic, e.traceId(), EventJson.toJson(e)));
    }
    producer.flush();
  }

  Store open(String name) {
    return Store.open(dir.resolve(name), new Store.Config(Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC)));
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(50);
    }
  }

  static Set<String> traceIds(List<TelemetryEvent> events) {
    Set<String> out = new LinkedHashSet<>();
    for (TelemetryEvent e : events) out.addAll(e.traces());
    return out;
  }

  /**
   * Two server instances in one consumer group share the topic's partitions: each stores what its partitions hold,
   * together they hold every event exactly once (a rebalance may hand a batch to both, which the union absorbs), and
   * each instance answers completely for the traces it owns because events are keyed by trace id.
   */
  @Test
  void twoInstancesShareThePartitions() throws Exception {
    String topic = "telemetry-shared";
    broker.createTopic(topic, 4);
    List<TelemetryEvent> events = shop(40, "s-");
    KafkaCollector.Config config = KafkaCollector.Config.of(broker.bootstrapServers()).withTopic(topic)
        .withGroupId("shared-test");
    try (Store a = open("a.duckdb"); Store b = open("b.duckdb")) {
      try (KafkaCollector ca = KafkaCollector.start(a, config); KafkaCollector cb = KafkaCollector.start(b, config)) {
        // both have joined before anything is produced, so the partitions are split from the first record on
        await("both instances assigned", () -> ca.assignedPartitions() > 0 && cb.assignedPartitions() > 0);
        produce(topic, events);
        await("every event in one of the two stores", () -> union(a, b).size() == events.size());
        assertThat(ca.stats().eventsIngested()).isPositive();
        assertThat(cb.stats().eventsIngested()).isPositive();
      }
      Set<String> inA = storedIds(a);
      Set<String> inB = storedIds(b);
      Set<String> all = new LinkedHashSet<>();
      for (TelemetryEvent e : events) all.add(e.eventId());
      assertThat(union(a, b)).isEqualTo(all);
      assertThat(inA.size() + inB.size()).isEqualTo(all.size()); // no event in both: nothing counted twice
      // a trace lives whole in one instance (keyed by trace id): its operations are all in that store
      for (String trace : traceIds(events)) {
        int inStoreA = a.trace(trace).operations().size();
        int inStoreB = b.trace(trace).operations().size();
        assertThat(inStoreA == 0 || inStoreB == 0).as(trace).isTrue();
        assertThat(inStoreA + inStoreB).as(trace).isEqualTo(2);
      }
    }
  }

  private static Set<String> storedIds(Store s) {
    Set<String> ids = new LinkedHashSet<>();
    for (String json : s.eventLog()) {
      ids.add(EventJson.parse(json).orElse(null).eventId());
    }
    return ids;
  }

  private static Set<String> union(Store a, Store b) {
    Set<String> ids = new LinkedHashSet<>(storedIds(a));
    ids.addAll(storedIds(b));
    return ids;
  }

  @Test
  void collectsExactlyOnceInEffectAndReplayRebuildsTheSameStore() throws Exception {
    String topic = "telemetry-collect";
    broker.createTopic(topic, 3);
    List<TelemetryEvent> first = shop(12, "m-");
    List<TelemetryEvent> later = shop(4, "late-");
    KafkaCollector.Config config = KafkaCollector.Config.of(broker.bootstrapServers()).withTopic(topic)
        .withGroupId("collect-test");

    try (Store live = open("live.duckdb")) {
      try (KafkaCollector collector = KafkaCollector.start(live, config)) {
        produce(topic, first);
        await("first events", () -> collector.stats().eventsIngested() == first.size());
        assertThat(live.tableCounts()).containsEntry("events", (long) first.size());
        List<Store.OpRow> hits = live.search(Query.parse("op=UpdateSku merchant_id=m-1"), 10);
        assertThat(hits).hasSize(1);
        assertThat(hits.get(0).traces()).hasSize(1);
        assertThat(live.search(Query.parse("op=UpdateInventory status=failed"), 100)).hasSize(4);
        Map<String, Long> afterFirst = live.tableCounts();

        // The same events again, as a producer retry or a second publisher would: nothing changes.
        produce(topic, first);
        await("duplicates", () -> collector.stats().duplicates() == first.size());
        assertThat(live.tableCounts()).isEqualTo(afterFirst);

        // A garbage record is skipped and counted; the good records after it on the same partition still arrive.
        producer.send(new ProducerRecord<>(topic, 0, "k", "{not an event")).get();
        producer.send(new ProducerRecord<>(topic, 0, "k", "")).get();
        // Then one record packing the later events as NDJSON, as weft-kafka's sink writes, with a bad line inside:
        // only that line is skipped.
        StringBuilder packed = new StringBuilder();
        for (int i = 0; i < later.size(); i++) {
          if (i == 2) packed.append("{\"v\":1,\"event_type\":\"START\"}\n");
          packed.append(EventJson.toJson(later.get(i))).append('\n');
        }
        producer.send(new ProducerRecord<>(topic, 0, null, packed.toString()));
        producer.flush();
        await("later events", () -> collector.stats().eventsIngested() == first.size() + later.size());
        assertThat(collector.stats().badRecords()).isEqualTo(3);
        assertThat(live.tableCounts()).containsEntry("events", (long) (first.size() + later.size()));
        assertThat(live.search(Query.parse("merchant_id=late-2"), 10)).hasSize(2);
        await("lag 0", () -> collector.stats().lag() == 0);

        // The counters are on /metrics of an API server over the same store.
        ApiServer api = ApiServer.start(live, new ApiConfig("127.0.0.1", 0, null, ApiConfig.DEFAULT_MAX_BODY));
        try {
          String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + api.port() + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString()).body();
          assertThat(metrics)
              .contains("weft_collector_records_total " + (2 * first.size() + 3))
              .contains("weft_collector_events_ingested_total " + (first.size() + later.size()))
              .contains("weft_collector_duplicates_total " + first.size())
              .contains("weft_collector_bad_records_total 3")
              .contains("weft_collector_lag_records 0");
        } finally {
          api.close();
        }
      }

      // Offsets were committed after each stored batch: the group is at the end of every partition...
      Map<TopicPartition, OffsetAndMetadata> committed = broker.admin().listConsumerGroupOffsets("collect-test")
          .partitionsToOffsetAndMetadata().get();
      long committedTotal = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
      assertThat(committedTotal).isEqualTo(2L * first.size() + 3);
      // ...so a new member of the same group reads nothing again.
      try (KafkaCollector again = KafkaCollector.start(live, config)) {
        await("second member caught up", () -> again.stats().lag() == 0);
        Thread.sleep(300);
        assertThat(again.stats().records()).isZero();
      }
      Map<String, Long> liveCounts = live.tableCounts();

      // Replay into a fresh store: the same tables and the same trace views.
      try (Store rebuilt = open("rebuilt.duckdb")) {
        AtomicLong lastDone = new AtomicLong(-1);
        Replay.Summary s = Replay.run(rebuilt, broker.bootstrapServers(), topic, Map.of(),
            (done, total) -> lastDone.set(done));
        assertThat(s.total()).isEqualTo(committedTotal);
        assertThat(s.records()).isEqualTo(committedTotal);
        assertThat(lastDone.get()).isEqualTo(committedTotal);
        assertThat(s.badRecords()).isEqualTo(3);
        assertThat(s.eventsIngested()).isEqualTo(first.size() + later.size());
        assertThat(s.duplicates()).isEqualTo(first.size());
        assertThat(rebuilt.tableCounts()).isEqualTo(liveCounts);
        List<String> ids = new ArrayList<>(traceIds(first));
        ids.addAll(traceIds(later));
        for (String id : ids) assertThat(rebuilt.trace(id)).isEqualTo(live.trace(id));
        assertThat(rebuilt.eventLog()).isEqualTo(live.eventLog());
      }
    }
  }

  @Test
  void replayCommandDrawsProgressAndReports() throws Exception {
    String topic = "telemetry-replay-cli";
    broker.createTopic(topic, 2);
    List<TelemetryEvent> events = shop(5, "r-");
    produce(topic, events);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = WeftCli.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("replay", "--kafka", broker.bootstrapServers(), "--topic", topic, "--data",
        dir.resolve("data").toString());
    assertThat(code).as(err.toString()).isZero();
    assertThat(err.toString()).contains(events.size() + "/" + events.size() + " records 100%");
    assertThat(out.toString()).contains("events stored    " + events.size()).contains("bad records      0");

    // Again with --from-beginning: a fresh store (the old one kept aside) ends up identical.
    out.getBuffer().setLength(0);
    code = cl.execute("replay", "--kafka", broker.bootstrapServers(), "--topic", topic, "--data",
        dir.resolve("data").toString(), "--from-beginning");
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("events stored    " + events.size()).contains("duplicates       0");
    try (var files = java.nio.file.Files.list(dir.resolve("data"))) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("weft.duckdb.bak-"));
    }
  }
}
