package dev.weft.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.core.Envelope;
import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.event.EventType;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import dev.weft.core.topology.DeclaredChannel;
import dev.weft.core.topology.TopologyScanner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the store must do on every database it supports. Each test works in tables of its own, so the databases need
 * no cleaning between tests.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class EventStoreContract {
  static final String SKU_UPDATED = "urn:shop:SkuUpdated:v1";
  static final Duration WAIT = Duration.ofSeconds(15);

  abstract DataSource dataSource();

  abstract Dialect expectedDialect();

  InMemorySink sink;
  Tracer tracer;
  JdbcEventStore<String> store;
  final List<CatchUpSubscription<?>> subscriptions = new ArrayList<>();

  @BeforeEach
  void setUp() throws SQLException {
    sink = new InMemorySink();
    tracer = Tracer.builder("inventory").sink(sink).resource(Map.of()).instanceId("test").build();
    store = newStore("t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL));
  }

  @AfterEach
  void tearDown() throws SQLException {
    for (CatchUpSubscription<?> s : subscriptions) s.close();
    try (Connection c = dataSource().getConnection(); var st = c.createStatement()) {
      for (String t : List.of(store.table(), store.table() + "_lock", store.table() + "_checkpoints")) {
        st.execute("DROP TABLE IF EXISTS " + t);
      }
    }
  }

  JdbcEventStore<String> newStore(String table) throws SQLException {
    JdbcEventStore<String> s = JdbcEventStore.builder(dataSource(), tracer, PayloadCodec.utf8()).table(table).build();
    s.createSchema();
    return s;
  }

  <T extends CatchUpSubscription<?>> T track(T s) {
    subscriptions.add(s);
    return s;
  }

  static SubscriptionOptions fast(String op) {
    return SubscriptionOptions.of(op).pollInterval(Duration.ofMillis(20))
        .retries(3, Duration.ofMillis(10), SubscriptionOptions.Exhausted.STOP);
  }

  static Envelope<Stage.Out, String> origin(String payload, Map<String, String> ptags) {
    return Envelope.prepareOrigin("catalog", SKU_UPDATED, payload, ptags);
  }

  List<TelemetryEvent> events(String type) {
    return sink.ofType(type);
  }

  // ------------------------------------------------------------------ tests

  @Test
  void dialectIsDetectedAndSchemaCreationIsIdempotent() throws Exception {
    try (Connection c = dataSource().getConnection()) {
      assertThat(Dialect.detect(c)).isEqualTo(expectedDialect());
    }
    store.createSchema(); // a second time: nothing happens
    store.append("sku-1", JdbcEventStore.NO_STREAM, origin("a", Map.of()), null);
    store.createSchema();
    assertThat(store.headPosition()).isEqualTo(store.readAll(0, StreamFilter.all(), 10).get(0).globalPosition());
  }

  @Test
  void appendThenReadKeepsEveryHeaderFieldAndEmitsSend() throws Exception {
    Header base = Header.origin("catalog", SKU_UPDATED, Map.of("sku", "42", "note", "first \"quoted\" value"),
        Map.of("merchant_id", "4c5d6e7"));
    Envelope<Stage.Out, String> out = Envelope.withHeader(origin("{\"sku\":42}", Map.of()), base);
    try (Operation sender = tracer.start("UpdateSku")) {
      AppendResult r = store.append("sku-42", JdbcEventStore.NO_STREAM, out, sender);
      assertThat(r.nextExpectedVersion()).isZero();
      assertThat(r.firstPosition()).isEqualTo(r.lastPosition()).isPositive();

      List<StoredEvent<String>> read = store.readStream("sku-42", 0, 10);
      assertThat(read).hasSize(1);
      StoredEvent<String> e = read.get(0);
      assertThat(e.headerStatus()).isEqualTo(StoredEvent.HeaderStatus.WEFT);
      assertThat(e.headerError()).isNull();
      assertThat(e.envelope().header()).isEqualTo(base);
      assertThat(e.envelope().header().mtags()).containsEntry("note", "first \"quoted\" value");
      assertThat(e.envelope().header().ptags()).containsEntry("merchant_id", "4c5d6e7");
      assertThat(e.envelope().payload()).isEqualTo("{\"sku\":42}");
      assertThat(e.streamId()).isEqualTo("sku-42");
      assertThat(e.streamVersion()).isZero();
      assertThat(e.globalPosition()).isEqualTo(r.firstPosition());
      assertThat(store.readAll(0, StreamFilter.all(), 10).get(0).envelope().header()).isEqualTo(base);

      List<TelemetryEvent> sends = events(EventType.SEND);
      assertThat(sends).hasSize(1);
      assertThat(sends.get(0).message().channel()).isEqualTo("jdbc:sku");
      assertThat(sends.get(0).message().header()).isEqualTo(base);
      assertThat(sends.get(0).opId()).isEqualTo(sender.id());
      sender.complete();
    }
  }

  @Test
  void catchUpSubscriptionContinuesTheTrace() throws Exception {
    Envelope<Stage.Out, String> out = origin("sku 7 price 10", Map.of("merchant_id", "m-1"));
    long appended = store.append("sku-7", JdbcEventStore.NO_STREAM, out, null).lastPosition();
    Header sent = out.header();

    List<Operation> ops = new CopyOnWriteArrayList<>();
    List<Envelope<Stage.In, String>> seen = new CopyOnWriteArrayList<>();
    CatchUpSubscription<String> sub = track(store.subscribe(fast("UpdateInventory"), (in, op) -> {
      seen.add(in);
      ops.add(op);
      // the handler's output goes back to the store, caused by the input
      if (in.header().payloadSchemaUri().equals(SKU_UPDATED)) {
        store.append("inventory-7", JdbcEventStore.ANY, op.prepareOut("urn:shop:InventoryUpdated:v1", "ok"), op);
      }
    }));
    // the handler's own append comes after the event: wait for the subscription to handle that one too
    assertThat(sub.awaitPosition(appended + 1, WAIT)).isTrue();

    Envelope<Stage.In, String> first = seen.get(0);
    assertThat(first.header()).isEqualTo(sent);
    assertThat(first.payload()).isEqualTo("sku 7 price 10");
    Operation op = ops.get(0);
    assertThat(op.traceId()).isEqualTo(sent.traceId());
    assertThat(op.inputs()).containsExactly(sent);
    assertThat(op.isRunning()).isFalse();

    TelemetryEvent start = events(EventType.START).stream().filter(e -> e.opId().equals(op.id())).findFirst()
        .orElseThrow();
    assertThat(start.op()).isEqualTo("UpdateInventory");
    assertThat(start.traceId()).isEqualTo(sent.traceId());
    assertThat(start.inputs()).containsExactly(sent.messageId());
    TelemetryEvent receive = events(EventType.RECEIVE).stream().filter(e -> e.opId().equals(op.id())).findFirst()
        .orElseThrow();
    assertThat(receive.message().channel()).isEqualTo("jdbc:sku");
    assertThat(receive.message().header()).isEqualTo(sent);
    assertThat(events(EventType.COMPLETE)).anyMatch(e -> e.opId().equals(op.id()));

    // the output is stored as the next message of the same flow, with the ptag carried on
    Header output = store.readStream("inventory-7", 0, 1).get(0).envelope().header();
    assertThat(output.parentIds()).containsExactly(sent.messageId());
    assertThat(output.correlationIds()).containsExactly(sent.traceId());
    assertThat(output.ptags()).containsEntry("merchant_id", "m-1");
    assertThat(output.producerId()).isEqualTo("inventory");
    // and the subscription, which reads every stream, received it too, in the same trace
    assertThat(seen).hasSize(2);
    assertThat(seen.get(1).header()).isEqualTo(output);
    assertThat(ops.get(1).traceId()).isEqualTo(sent.traceId());
    assertThat(events(EventType.SEND)).extracting(e -> e.message().channel())
        .containsExactly("jdbc:sku", "jdbc:inventory");
    assertThat(sub.stats().handled()).isEqualTo(2);
    assertThat(sub.stats().adoptedOrigins()).isZero();
  }

  @Test
  void fanInHeaderIsStoredAndReadBackExactly() throws Exception {
    Envelope<Stage.Out, String> a = origin("price", Map.of("merchant_id", "m-1", "region", "eu"));
    Envelope<Stage.Out, String> b = origin("stock", Map.of("merchant_id", "m-2", "channel", "web"));
    Envelope<Stage.Out, String> c = origin("promo", Map.of());
    Envelope<Stage.Out, String> joined = Envelope.prepareOut("pricing", "urn:shop:PriceComputed:v1", "joined",
        List.of(a, b, c));
    Header h = joined.header();
    assertThat(h.correlationIds()).hasSize(3);
    assertThat(h.parentIds()).hasSize(3);

    store.append("price-9", JdbcEventStore.NO_STREAM, joined, null);
    Header back = store.readStream("price-9", 0, 1).get(0).envelope().header();
    assertThat(back).isEqualTo(h);
    assertThat(back.correlationIds()).containsExactly(a.header().traceId(), b.header().traceId(),
        c.header().traceId());
    assertThat(back.parentIds()).containsExactly(a.header().messageId(), b.header().messageId(),
        c.header().messageId());
    assertThat(back.ptags()).containsEntry("merchant_id", "m-1").containsEntry("channel", "web");

    // the consuming operation belongs to every one of those traces
    List<Operation> ops = new CopyOnWriteArrayList<>();
    CatchUpSubscription<String> sub = track(store.subscribe(fast("Publish"), (in, op) -> ops.add(op)));
    assertThat(sub.awaitPosition(store.headPosition(), WAIT)).isTrue();
    assertThat(ops.get(0).correlationIds()).containsExactlyElementsOf(h.correlationIds());
    TelemetryEvent start = events(EventType.START).stream().filter(e -> e.opId().equals(ops.get(0).id()))
        .findFirst().orElseThrow();
    assertThat(start.correlationIds()).containsExactlyElementsOf(h.correlationIds());
    assertThat(start.inputs()).containsExactly(h.messageId());
  }

  @Test
  void optimisticConcurrencyConflictIsTypedAndStoresNothing() throws Exception {
    assertThat(store.streamVersion("order-1")).isEqualTo(JdbcEventStore.NO_STREAM);
    assertThat(store.append("order-1", JdbcEventStore.NO_STREAM, origin("created", Map.of()), null)
        .nextExpectedVersion()).isZero();
    int sendsBefore = events(EventType.SEND).size();

    assertThatThrownBy(() -> store.append("order-1", JdbcEventStore.NO_STREAM, origin("again", Map.of()), null))
        .isInstanceOfSatisfying(WrongExpectedVersion.class, e -> {
          assertThat(e.streamId()).isEqualTo("order-1");
          assertThat(e.expectedVersion()).isEqualTo(JdbcEventStore.NO_STREAM);
          assertThat(e.actualVersion()).isZero();
        });
    assertThat(store.append("order-1", 0, origin("paid", Map.of()), null).nextExpectedVersion()).isEqualTo(1);
    assertThatThrownBy(() -> store.appendAll("order-1", 0,
        List.of(origin("stale-1", Map.of()), origin("stale-2", Map.of())), null))
        .isInstanceOfSatisfying(WrongExpectedVersion.class, e -> assertThat(e.actualVersion()).isEqualTo(1));
    assertThat(store.append("order-1", JdbcEventStore.ANY, origin("shipped", Map.of()), null)
        .nextExpectedVersion()).isEqualTo(2);

    assertThat(store.readStream("order-1", 0, 10)).extracting(StoredEvent::envelope)
        .extracting(Envelope::payload).containsExactly("created", "paid", "shipped");
    assertThat(events(EventType.SEND)).hasSize(sendsBefore + 2); // none for the refused appends

    // a real race: every writer expects version 2; exactly one wins
    int writers = 4;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String payload = "racer-" + i;
        results.add(pool.submit(() -> {
          go.await();
          try {
            store.append("order-1", 2, origin(payload, Map.of()), null);
            return true;
          } catch (WrongExpectedVersion e) {
            return false;
          }
        }));
      }
      go.countDown();
      int wins = 0;
      for (Future<Boolean> f : results) if (f.get(30, TimeUnit.SECONDS)) wins++;
      assertThat(wins).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.streamVersion("order-1")).isEqualTo(3);
  }

  @Test
  void missingOrGarbledMetadataBecomesACountedAdoptedOrigin() throws Exception {
    Envelope<Stage.Out, String> good = origin("good", Map.of());
    store.append("sku-1", JdbcEventStore.NO_STREAM, good, null);
    String validId = "0af7651916cd43dd8448eb211c80319c";
    // rows written around the store: bad ids, bad JSON, an unknown version, and one with no Weft metadata at all
    insertRaw("sku-1", 1, validId, "not-an-id", "catalog", "{}");
    insertRaw("sku-1", 2, validId, validId, "catalog", "{\"merchant_id\":");
    insertRaw("sku-1", 3, "ZZZ", validId, "catalog", "{}");
    try (Connection c = dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO " + store.table() + " (stream_id, stream_version, category, payload, payload_schema_uri) "
            + "VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, "sku-1");
      ps.setLong(2, 4);
      ps.setString(3, "sku");
      ps.setBytes(4, "legacy".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      ps.setString(5, "urn:legacy:Thing:v1");
      ps.executeUpdate();
    }
    try (Connection c = dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
        "UPDATE " + store.table() + " SET header_version = 7 WHERE stream_version = 3 AND stream_id = ?")) {
      ps.setString(1, "sku-1");
      ps.executeUpdate();
    }

    long faultsBefore = Faults.get(Fault.HEADER_DECODE_ERROR);
    List<Envelope<Stage.In, String>> seen = new CopyOnWriteArrayList<>();
    List<Operation> ops = new CopyOnWriteArrayList<>();
    CatchUpSubscription<String> sub = track(store.subscribe(fast("Audit"), (in, op) -> {
      seen.add(in);
      ops.add(op);
    }));
    assertThat(sub.awaitPosition(store.headPosition(), WAIT)).isTrue();
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR) - faultsBefore).isEqualTo(3); // the legacy row is no error
    assertThat(sub.stats().adoptedOrigins()).isEqualTo(4);
    assertThat(sub.stats().handled()).isEqualTo(5);
    assertThat(sub.state()).isEqualTo(CatchUpSubscription.State.RUNNING);

    assertThat(seen).hasSize(5);
    assertThat(seen.get(0).header()).isEqualTo(good.header());
    for (int i = 1; i < 5; i++) {
      Header h = seen.get(i).header();
      assertThat(h.isOrigin()).isTrue();
      assertThat(h.producerId()).isEqualTo("unknown");
      assertThat(h.mtags()).containsEntry("weft.adopted", "none");
      assertThat(ops.get(i).traceId()).isEqualTo(h.traceId());
      assertThat(ops.get(i).isRunning()).isFalse();
    }
    assertThat(seen.get(1).header().mtags()).containsEntry("weft.header_error", "invalid_field");
    assertThat(seen.get(2).header().mtags()).containsEntry("weft.header_error", "malformed");
    assertThat(seen.get(3).header().mtags()).containsEntry("weft.header_error", "unsupported_version");
    assertThat(seen.get(4).header().mtags()).doesNotContainKey("weft.header_error");
    assertThat(seen.get(4).header().payloadSchemaUri()).isEqualTo("urn:legacy:Thing:v1");
    assertThat(seen.get(4).payload()).isEqualTo("legacy");
    assertThat(events(EventType.COMPLETE)).hasSize(5);

    // a plain read says what happened, and names the same adopted message every time
    List<StoredEvent<String>> read = store.readStream("sku-1", 0, 10);
    assertThat(read).extracting(StoredEvent::headerStatus).containsExactly(StoredEvent.HeaderStatus.WEFT,
        StoredEvent.HeaderStatus.GARBLED, StoredEvent.HeaderStatus.GARBLED, StoredEvent.HeaderStatus.GARBLED,
        StoredEvent.HeaderStatus.MISSING);
    assertThat(read.get(1).headerError().message()).contains("correlation_ids");
    assertThat(read.get(2).headerError().message()).contains("mtags");
    for (int i = 1; i < 5; i++) {
      assertThat(read.get(i).envelope().header().messageId()).isEqualTo(seen.get(i).header().messageId());
      assertThat(read.get(i).envelope().header().traceId()).isEqualTo(seen.get(i).header().traceId());
    }
  }

  private void insertRaw(String stream, long version, String messageId, String correlationIds, String producer,
      String mtags) throws SQLException {
    try (Connection c = dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO " + store.table() + " (stream_id, stream_version, category, payload, " + HeaderColumns.NAMES
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, stream);
      ps.setLong(2, version);
      ps.setString(3, JdbcEventStore.category(stream));
      ps.setBytes(4, ("raw-" + version).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      ps.setInt(5, 1);
      ps.setString(6, messageId);
      ps.setString(7, correlationIds);
      ps.setString(8, "");
      ps.setString(9, producer);
      ps.setString(10, SKU_UPDATED);
      ps.setLong(11, 1L);
      ps.setString(12, mtags);
      ps.setString(13, "{}");
      ps.executeUpdate();
    }
  }

  @Test
  void injectionLookingStreamIdsAndTagsAreStoredVerbatim() throws Exception {
    String table = store.table();
    String streamId = "sku'); DROP TABLE " + table + "; --";
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("merchant_id", "x' OR '1'='1");
    tags.put("note", "\"; DELETE FROM " + table + "; -- \\ \u00e9\u4e2d\ud83d\ude00 \n\t\u0000end");
    Envelope<Stage.Out, String> out = Envelope.withHeader(origin("'; TRUNCATE " + table + ";", Map.of()),
        Header.origin("catalog", SKU_UPDATED, tags, tags));
    store.append(streamId, JdbcEventStore.NO_STREAM, out, null);
    store.append("sku-2", JdbcEventStore.NO_STREAM, origin("other", Map.of()), null);

    List<StoredEvent<String>> read = store.readStream(streamId, 0, 10);
    assertThat(read).hasSize(1);
    assertThat(read.get(0).streamId()).isEqualTo(streamId);
    assertThat(read.get(0).envelope().payload()).isEqualTo("'; TRUNCATE " + table + ";");
    assertThat(read.get(0).envelope().header()).isEqualTo(out.header());
    assertThat(read.get(0).envelope().header().mtags()).containsAllEntriesOf(tags);
    assertThat(store.streamVersion(streamId)).isZero();
    // its category is everything before the first '-', matched as a value, never as SQL
    assertThat(store.readAll(0, StreamFilter.category("sku'); DROP TABLE " + table + "; "), 10)).hasSize(1);
    assertThat(payloads(store.readAll(0, StreamFilter.category("sku"), 10))).containsExactly("other");
    assertThat(store.readAll(0, StreamFilter.stream(streamId), 10)).hasSize(1);
    assertThat(store.readAll(0, StreamFilter.all(), 10)).hasSize(2); // nothing dropped or truncated

    // the channel name is made legal; the stream id itself is untouched
    assertThat(events(EventType.SEND).get(0).message().channel()).isEqualTo("jdbc:sku')__DROP_TABLE_" + table
        + "__");
    assertThat(JdbcEventStore.category(streamId)).isEqualTo("sku'); DROP TABLE " + table + "; ");
  }

  @Test
  void globalPositionOrdersEverythingEvenWithConcurrentWriters() throws Exception {
    List<StoredEvent<String>> seenByPosition = new CopyOnWriteArrayList<>();
    List<Long> positions = Collections.synchronizedList(new ArrayList<>());
    CatchUpSubscription<String> sub = track(store.subscription(fast("Project").batchSize(7), (in, op) -> {
      seenByPosition.add(null);
    }));
    // drive it by hand while the writers run, recording positions as it goes
    int writers = 4;
    int perWriter = 25;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    AtomicInteger running = new AtomicInteger(writers);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        fs.add(pool.submit(() -> {
          try {
            for (int i = 0; i < perWriter; i++) {
              String stream = "cart-" + (i % 3) + "w" + writer;
              store.append(stream, JdbcEventStore.ANY, origin(writer + ":" + i, Map.of()), null);
            }
          } finally {
            running.decrementAndGet();
          }
          return null;
        }));
      }
      Future<?> reader = pool.submit(() -> {
        long last = 0;
        while (running.get() > 0 || sub.position() < store.headPosition()) {
          sub.pollOnce();
          if (sub.position() != last) positions.add(last = sub.position());
        }
        return null;
      });
      for (Future<?> f : fs) f.get(45, TimeUnit.SECONDS);
      reader.get(45, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(seenByPosition).hasSize(writers * perWriter);
    assertThat(sub.stats().handled()).isEqualTo(writers * perWriter);
    assertThat(positions).isSorted().doesNotHaveDuplicates();

    List<StoredEvent<String>> all = store.readAll(0, StreamFilter.all(), 1000);
    assertThat(all).hasSize(writers * perWriter);
    assertThat(all).extracting(StoredEvent::globalPosition).isSorted().doesNotHaveDuplicates();
    // each writer's events keep their order, and every stream's versions are 0..n-1
    for (int w = 0; w < writers; w++) {
      String prefix = w + ":";
      assertThat(all.stream().map(e -> e.envelope().payload()).filter(p -> p.startsWith(prefix))
          .map(p -> Integer.parseInt(p.substring(prefix.length())))).isSorted().hasSize(perWriter);
      for (int s = 0; s < 3; s++) {
        List<StoredEvent<String>> stream = store.readStream("cart-" + s + "w" + w, 0, 100);
        for (int v = 0; v < stream.size(); v++) assertThat(stream.get(v).streamVersion()).isEqualTo(v);
      }
    }
    // a page read from the middle continues exactly after its position
    long middle = all.get(49).globalPosition();
    assertThat(store.readAll(middle, StreamFilter.all(), 10)).first().isEqualTo(all.get(50)).matches(
        e -> e.globalPosition() > middle);
  }

  @Test
  void filtersSelectACategoryOrAStream() throws Exception {
    store.append("sku-1", JdbcEventStore.ANY, origin("s1", Map.of()), null);
    store.append("order-1", JdbcEventStore.ANY, origin("o1", Map.of()), null);
    store.append("sku-2", JdbcEventStore.ANY, origin("s2", Map.of()), null);
    store.append("skus", JdbcEventStore.ANY, origin("not-the-category", Map.of()), null);
    store.append("sku-1", JdbcEventStore.ANY, origin("s1b", Map.of()), null);

    assertThat(payloads(store.readAll(0, StreamFilter.category("sku"), 10))).containsExactly("s1", "s2", "s1b");
    assertThat(payloads(store.readAll(0, StreamFilter.stream("sku-1"), 10))).containsExactly("s1", "s1b");
    assertThat(payloads(store.readAll(0, StreamFilter.all(), 2))).containsExactly("s1", "o1");

    List<String> seen = new CopyOnWriteArrayList<>();
    CatchUpSubscription<String> sub = track(store.subscribe(fast("Sku").filter(StreamFilter.category("sku"))
        .schema(SKU_UPDATED), (in, op) -> seen.add(in.payload())));
    assertThat(sub.awaitPosition(store.headPosition(), WAIT)).isTrue();
    assertThat(seen).containsExactly("s1", "s2", "s1b");
    // the subscription declares its channel for the topology scan
    assertThat(TopologyScanner.scan("inventory", new Object() {
      @SuppressWarnings("unused")
      final CatchUpSubscription<String> held = sub;
    }).channels()).extracting(DeclaredChannel::channel).containsExactly("jdbc:sku");
  }

  static List<String> payloads(List<StoredEvent<String>> events) {
    return events.stream().map(e -> e.envelope().payload()).toList();
  }

  @Test
  void namedSubscriptionResumesAfterItsCheckpoint() throws Exception {
    for (int i = 0; i < 3; i++) store.append("sku-1", JdbcEventStore.ANY, origin("e" + i, Map.of()), null);
    List<String> first = new CopyOnWriteArrayList<>();
    CatchUpSubscription<String> s1 = store.subscribe(fast("Project").named("projector"),
        (in, op) -> first.add(in.payload()));
    assertThat(s1.awaitPosition(store.headPosition(), WAIT)).isTrue();
    s1.close();
    assertThat(s1.state()).isEqualTo(CatchUpSubscription.State.CLOSED);
    assertThat(store.loadCheckpoint("projector")).isEqualTo(store.headPosition());

    for (int i = 3; i < 5; i++) store.append("sku-1", JdbcEventStore.ANY, origin("e" + i, Map.of()), null);
    List<String> second = new CopyOnWriteArrayList<>();
    CatchUpSubscription<String> s2 = track(store.subscribe(fast("Project").named("projector"),
        (in, op) -> second.add(in.payload())));
    assertThat(s2.awaitPosition(store.headPosition(), WAIT)).isTrue();
    assertThat(first).containsExactly("e0", "e1", "e2");
    assertThat(second).containsExactly("e3", "e4");
    assertThat(store.loadCheckpoint("other")).isEqualTo(-1);
  }

  @Test
  void failedHandlerFailsItsOperationAndIsRetried() throws Exception {
    Envelope<Stage.Out, String> out = origin("flaky", Map.of());
    store.append("sku-1", JdbcEventStore.NO_STREAM, out, null);
    AtomicInteger calls = new AtomicInteger();
    CatchUpSubscription<String> sub = track(store.subscription(fast("Flaky"), (in, op) -> {
      if (calls.incrementAndGet() == 1) throw new IllegalStateException("database of record is down");
    }));
    assertThat(sub.pollOnce()).isEqualTo(1);
    assertThat(calls).hasValue(2);
    assertThat(sub.position()).isEqualTo(store.headPosition());
    assertThat(sub.stats().failedAttempts()).isEqualTo(1);

    List<TelemetryEvent> starts = events(EventType.START);
    assertThat(starts).hasSize(2).allSatisfy(s -> {
      assertThat(s.inputs()).containsExactly(out.header().messageId());
      assertThat(s.traceId()).isEqualTo(out.header().traceId());
    });
    assertThat(events(EventType.RECEIVE)).hasSize(2); // one delivery per attempt
    TelemetryEvent fail = events(EventType.FAIL).get(0);
    assertThat(fail.opId()).isEqualTo(starts.get(0).opId());
    assertThat(fail.error().type()).contains("IllegalStateException");
    assertThat(events(EventType.COMPLETE)).singleElement().satisfies(c -> {
      assertThat(c.opId()).isEqualTo(starts.get(1).opId());
      assertThat(c.tags()).containsEntry("weft.attempt", "2");
    });
  }

  @Test
  void exhaustedEventStopsTheSubscriptionBeforeItOrIsSkipped() throws Exception {
    store.append("sku-1", JdbcEventStore.ANY, origin("ok-1", Map.of()), null);
    store.append("sku-1", JdbcEventStore.ANY, origin("poison", Map.of()), null);
    store.append("sku-1", JdbcEventStore.ANY, origin("ok-2", Map.of()), null);
    long okPosition = store.readAll(0, StreamFilter.all(), 1).get(0).globalPosition();
    List<String> handled = new CopyOnWriteArrayList<>();
    dev.weft.core.channel.Handler<String> handler = (in, op) -> {
      if (in.payload().equals("poison")) throw new IllegalArgumentException("cannot parse");
      handled.add(in.payload());
    };

    CatchUpSubscription<String> stop = store.subscription(fast("Strict").named("strict")
        .retries(2, Duration.ofMillis(5), SubscriptionOptions.Exhausted.STOP), handler);
    assertThat(stop.pollOnce()).isEqualTo(1);
    assertThat(stop.state()).isEqualTo(CatchUpSubscription.State.FAILED);
    assertThat(stop.failure()).hasMessage("cannot parse");
    assertThat(stop.position()).isEqualTo(okPosition);
    assertThat(store.loadCheckpoint("strict")).isEqualTo(okPosition); // a restart retries the poison event
    assertThat(stop.pollOnce()).isZero();
    assertThat(handled).containsExactly("ok-1");
    assertThat(events(EventType.FAIL)).hasSize(2);

    handled.clear();
    CatchUpSubscription<String> skip = track(store.subscribe(fast("Lenient")
        .retries(2, Duration.ofMillis(5), SubscriptionOptions.Exhausted.SKIP), handler));
    assertThat(skip.awaitPosition(store.headPosition(), WAIT)).isTrue();
    assertThat(handled).containsExactly("ok-1", "ok-2");
    assertThat(skip.stats().skipped()).isEqualTo(1);
    assertThat(skip.stats().failedAttempts()).isEqualTo(2);
  }

  @Test
  void undecodablePayloadFailsTheOperationNotTheReader() throws Exception {
    JdbcEventStore<Integer> ints = JdbcEventStore.builder(dataSource(), tracer, new PayloadCodec<Integer>() {
      @Override
      public byte[] encode(Integer value) {
        return value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }

      @Override
      public Integer decode(byte[] bytes) {
        return Integer.valueOf(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
      }
    }).table(store.table()).build();
    store.append("n-1", JdbcEventStore.ANY, origin("12", Map.of()), null);
    store.append("n-1", JdbcEventStore.ANY, origin("twelve", Map.of()), null);
    assertThatThrownBy(() -> ints.readStream("n-1", 0, 10)).isInstanceOf(java.sql.SQLDataException.class)
        .hasMessageContaining("could not be decoded");

    List<Integer> seen = new CopyOnWriteArrayList<>();
    CatchUpSubscription<Integer> sub = ints.subscription(fast("Sum")
        .retries(1, Duration.ZERO, SubscriptionOptions.Exhausted.SKIP), (in, op) -> seen.add(in.payload()));
    assertThat(sub.pollOnce()).isEqualTo(2);
    assertThat(seen).containsExactly(12);
    assertThat(events(EventType.FAIL)).singleElement().satisfies(f ->
        assertThat(f.error().type()).contains("NumberFormatException"));
  }

  @Test
  void badArgumentsAreRefusedBeforeTheDatabase() {
    assertThatThrownBy(() -> JdbcEventStore.builder(dataSource(), tracer, PayloadCodec.utf8()).table("x; DROP"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.append("", JdbcEventStore.ANY, origin("x", Map.of()), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.append("nul\u0000id", JdbcEventStore.ANY, origin("x", Map.of()), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.append("a", -3, origin("x", Map.of()), null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static long count(DataSource ds, String table) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
