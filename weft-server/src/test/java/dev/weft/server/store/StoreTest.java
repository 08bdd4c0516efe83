package dev.weft.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.core.Envelope;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Ticks;
import dev.weft.core.Tracer;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.MessageInfo;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import dev.weft.core.topology.DeclaredChannel;
import dev.weft.core.topology.DeclaredTopology;
import dev.weft.core.topology.Direction;
import dev.weft.server.query.Query;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
  static final String SKU = "urn:shop:SkuUpdated:v1";
  static final String PRICE = "urn:shop:PriceChanged:v1";
  static final String INJECTION = "x'); DROP TABLE operations; --";

  @TempDir Path dir;

  /** The shop flow: what the tracers emitted, and the ids worth asserting on. */
  static final class Shop {
    final InMemorySink sink = new InMemorySink();
    final List<Tracer> tracers = new ArrayList<>();
    Operation failedM1;
    Operation okM1;
    Operation failedM2;
    Operation neverEnded;
    Operation fanIn;
    Header skuM1;
    Header skuM2;
    Header price;
    String traceM1;
    String traceM2;
    Tracer inventory;

    Tracer tracer(String service) {
      Tracer t = Tracer.builder(service).sink(sink).build();
      tracers.add(t);
      return t;
    }

    List<TelemetryEvent> events() {
      return sink.events();
    }
  }

  /** merchant m-1 and m-2 update a SKU; inventory fails for both once, pricing joins both (fan-in). */
  static Shop shop() {
    Shop s = new Shop();
    Tracer api = s.tracer("merchant-api");
    s.inventory = s.tracer("inventory");
    Tracer pricing = s.tracer("pricing");
    Tracer inv = s.inventory;
    inv.declare(new DeclaredTopology("inventory",
        List.of(new DeclaredChannel("kafka:sku-updates", SKU, null, Direction.SUBSCRIBE))));

    Operation u1 = api.start("UpdateSku").ptag("merchant_id", "m-1");
    Envelope<?, String> out1 = u1.prepareOut(SKU, "sku-1", Map.of("sku", "42"));
    api.sent(out1.header(), "kafka:sku-updates", u1);
    u1.complete();
    s.skuM1 = out1.header();
    s.traceM1 = u1.traceId();

    Operation u2 = api.start("UpdateSku").ptag("merchant_id", "m-2").tag("note", INJECTION);
    Envelope<?, String> out2 = u2.prepareOut(SKU, "sku-2");
    api.sent(out2.header(), "kafka:sku-updates", u2);
    u2.complete();
    s.skuM2 = out2.header();
    s.traceM2 = u2.traceId();

    // inventory: m-1 fails once, succeeds once, and a third attempt never ends; m-2 fails once.
    s.failedM1 = handle(inv, s.skuM1, op -> op.fail("OUT_OF_STOCK", "sku 42 has 0 left"));
    s.okM1 = handle(inv, s.skuM1, Operation::complete);
    s.neverEnded = handle(inv, s.skuM1, op -> { });
    s.failedM2 = handle(inv, s.skuM2, op -> op.fail(new IllegalStateException("db down")));

    // pricing: one operation over both messages (fan-in), sending a PriceChanged with two parents.
    Envelope<?, String> in1 = Envelope.in(s.skuM1, "sku-1");
    Envelope<?, String> in2 = Envelope.in(s.skuM2, "sku-2");
    Operation join = pricing.start("RecomputePrice", List.of(in1, in2));
    pricing.received(s.skuM1, "kafka:sku-updates", join);
    pricing.received(s.skuM2, "kafka:sku-updates", join);
    join.event("CACHE_MISS", Map.of("cache", "prices"));
    Envelope<?, String> price = join.prepareOut(PRICE, "p");
    pricing.sent(price.header(), "kafka:price-changes", join);
    join.complete();
    s.fanIn = join;
    s.price = price.header();
    return s;
  }

  static Operation handle(Tracer inv, Header h, java.util.function.Consumer<Operation> body) {
    Operation op = inv.start("UpdateInventory", Envelope.in(h, "x"));
    inv.received(h, "kafka:sku-updates", op);
    body.accept(op);
    return op;
  }

  /** {@code events} reversed (COMPLETE before START, RECEIVE before SEND), shuffled, in batches of five. */
  static List<List<TelemetryEvent>> shuffledBatches(List<TelemetryEvent> events, long seed) {
    List<TelemetryEvent> copy = new ArrayList<>(events);
    Collections.reverse(copy);
    Collections.shuffle(copy, new Random(seed));
    List<List<TelemetryEvent>> out = new ArrayList<>();
    for (int i = 0; i < copy.size(); i += 5) out.add(copy.subList(i, Math.min(copy.size(), i + 5)));
    return out;
  }

  Store open(String name, Duration abandonAfter, Instant now) {
    return Store.open(dir.resolve(name), new Store.Config(abandonAfter, Clock.fixed(now, ZoneOffset.UTC)));
  }

  Store open(String name) {
    return open(name, Duration.ofHours(1), Instant.now());
  }

  static Set<String> ids(List<Store.OpRow> rows) {
    return rows.stream().map(Store.OpRow::opId).collect(Collectors.toSet());
  }

  Shop shop;

  @BeforeEach
  void setUp() {
    shop = shop();
  }

  @Test
  void ingestIsIdempotentByEventId() {
    List<TelemetryEvent> events = shop.events();
    try (Store store = open("a.db")) {
      Store.IngestResult first = store.ingest(events);
      assertThat(first).isEqualTo(new Store.IngestResult(events.size(), 0));
      Map<String, Long> counts = store.tableCounts();
      Store.TraceView view = store.trace(shop.traceM1);

      Store.IngestResult again = store.ingest(events);
      assertThat(again).isEqualTo(new Store.IngestResult(0, events.size()));
      // the same event twice inside one batch counts once too
      List<TelemetryEvent> doubled = new ArrayList<>(events.subList(0, 3));
      doubled.addAll(events.subList(0, 3));
      assertThat(store.ingest(doubled)).isEqualTo(new Store.IngestResult(0, 6));
      assertThat(store.tableCounts()).isEqualTo(counts);
      assertThat(store.trace(shop.traceM1)).isEqualTo(view);
      assertThat(counts.get("events")).isEqualTo(events.size());
      assertThat(counts.get("operations")).isEqualTo(7);
    }
  }

  @Test
  void duplicatesWithinOneFreshBatchCountOnce() {
    List<TelemetryEvent> events = new ArrayList<>(shop.events());
    events.addAll(shop.events());
    try (Store store = open("dup.db")) {
      Store.IngestResult r = store.ingest(events);
      assertThat(r.accepted()).isEqualTo(shop.events().size());
      assertThat(r.duplicates()).isEqualTo(shop.events().size());
    }
  }

  @Test
  void projectionDoesNotDependOnOrder() {
    Instant now = Instant.now();
    List<TelemetryEvent> events = shop.events();
    try (Store inOrder = open("ordered.db", Duration.ofHours(1), now);
         Store shuffled = open("shuffled.db", Duration.ofHours(1), now)) {
      inOrder.ingest(events);
      for (List<TelemetryEvent> b : shuffledBatches(events, 7)) shuffled.ingest(b);
      for (String trace : List.of(shop.traceM1, shop.traceM2)) {
        assertThat(shuffled.trace(trace)).isEqualTo(inOrder.trace(trace));
      }
      assertThat(shuffled.tableCounts()).isEqualTo(inOrder.tableCounts());
      assertThat(shuffled.loss()).isEqualTo(inOrder.loss());
      assertThat(shuffled.eventLog()).isEqualTo(inOrder.eventLog());
    }
  }

  @Test
  void aFailingBatchLeavesNothing() {
    List<TelemetryEvent> events = shop.events();
    try (Store store = open("rollback.db")) {
      store.ingest(events.subList(0, 2));
      Map<String, Long> before = store.tableCounts();
      List<TelemetryEvent> bad = new ArrayList<>(events.subList(2, events.size()));
      bad.add(TelemetryEvent.builder("START").traceId(shop.traceM1).service("x").op("NoId").build()); // no op_id
      assertThatThrownBy(() -> store.ingest(bad)).isInstanceOf(Store.StoreException.class).hasMessageContaining("op_id");
      assertThat(store.tableCounts()).isEqualTo(before);
      // the wire's rule, for an event built in code: its correlation_ids must include its own trace_id
      List<TelemetryEvent> stray = new ArrayList<>(events.subList(2, events.size()));
      stray.add(TelemetryEvent.builder("START").traceId(shop.traceM1).correlationIds(List.of(shop.traceM2))
          .service("x").op("Stray").opId("stray-1").build());
      assertThatThrownBy(() -> store.ingest(stray)).isInstanceOf(Store.StoreException.class)
          .hasMessageContaining("correlation_ids: must include trace_id");
      assertThat(store.tableCounts()).isEqualTo(before);
      List<TelemetryEvent> withNull = new ArrayList<>(events.subList(2, events.size()));
      withNull.add(null);
      assertThatThrownBy(() -> store.ingest(withNull)).isInstanceOf(Store.StoreException.class);
      assertThat(store.tableCounts()).isEqualTo(before);
      // the good part still goes in afterwards, in full
      assertThat(store.ingest(events.subList(2, events.size())).accepted()).isEqualTo(events.size() - 2);
    }
  }

  @Test
  void aBatchThatFailsAfterEveryWriteLeavesNothingAndCanBeRetried() {
    List<TelemetryEvent> events = shop.events();
    try (Store store = open("late-failure.db")) {
      store.ingest(events.subList(0, 2));
      Map<String, Long> before = store.tableCounts();
      List<Store.EmitterLoss> lossBefore = store.loss();
      // every staging append and every upsert of the batch has run when this throws
      store.beforeCommitForTest(() -> {
        throw new IllegalStateException("disk full");
      });
      assertThatThrownBy(() -> store.ingest(events)).isInstanceOf(Store.StoreException.class)
          .hasMessageContaining("disk full");
      assertThat(store.tableCounts()).isEqualTo(before);
      assertThat(store.loss()).isEqualTo(lossBefore);
      store.beforeCommitForTest(() -> { });
      // nothing is left in the staging tables either: the retry stores exactly the missing events
      assertThat(store.ingest(events)).isEqualTo(new Store.IngestResult(events.size() - 2, 2));
      try (Store fresh = open("late-failure-ref.db")) {
        fresh.ingest(events);
        assertThat(store.tableCounts()).isEqualTo(fresh.tableCounts());
        assertThat(store.trace(shop.traceM1)).isEqualTo(fresh.trace(shop.traceM1));
      }
    }
  }

  @Test
  void theSeedQueryFindsFailedInventoryUpdatesOfOneMerchant() throws Exception {
    Instant now = Instant.now();
    try (Store store = open("seed.db", Duration.ofHours(1), now)) {
      store.ingest(shop.events());
      Query seed = Query.parse("op=UpdateInventory status=failed merchant_id=m-1");
      assertThat(ids(store.search(seed, 100))).containsExactly(shop.failedM1.id());
      assertThat(store.search(seed, 100).get(0).errorType()).isEqualTo("OUT_OF_STOCK");
      assertThat(store.search(seed, 100).get(0).traces()).containsExactly(shop.traceM1);

      // before the deadline the never-ended operation is running, not abandoned
      assertThat(ids(store.search(Query.parse("status=running"), 100))).containsExactly(shop.neverEnded.id());
      assertThat(ids(store.search(Query.parse("status=abandoned"), 100))).isEmpty();
      // two hours later it is abandoned, which queries treat as a failure: the seed query finds it too
      Instant later = now.plus(Duration.ofHours(2));
      assertThat(ids(store.search(seed, 100, later)))
          .containsExactlyInAnyOrder(shop.failedM1.id(), shop.neverEnded.id());
      assertThat(ids(store.search(Query.parse("op=UpdateInventory status=abandoned"), 100, later)))
          .containsExactly(shop.neverEnded.id());
      assertThat(ids(store.search(Query.parse("status=running"), 100, later))).isEmpty();
      // a term of the whole query compiles to its own form (the stored column first); nested, to the general one
      for (Instant at : List.of(now, later)) {
        for (String term : List.of("status=ok", "status=failed", "status=running", "status=abandoned",
            "op=UpdateInventory", "service=pricing", "op=Update*")) {
          assertThat(ids(store.search(Query.parse(term), 100, at))).as(term)
              .isEqualTo(ids(store.search(Query.parse("(" + term + " OR " + term + ")"), 100, at)));
        }
      }
      assertThat(ids(store.search(Query.parse("op=UpdateInventory status!=failed merchant_id=m-1"), 100, later)))
          .doesNotContain(shop.failedM1.id(), shop.neverEnded.id());

      assertThat(ids(store.search(Query.parse("op=UpdateInventory status=failed merchant_id=m-2"), 100)))
          .containsExactly(shop.failedM2.id());
      assertThat(ids(store.search(Query.parse("op=UpdateInventory status=failed"), 100)))
          .containsExactlyInAnyOrder(shop.failedM1.id(), shop.failedM2.id());
    }
  }

  @Test
  void searchKeys() throws Exception {
    try (Store store = open("keys.db")) {
      store.ingest(shop.events());
      assertThat(ids(store.search(Query.parse("op=Update*"), 100))).hasSize(6);
      assertThat(ids(store.search(Query.parse("service=pricing"), 100))).containsExactly(shop.fanIn.id());
      assertThat(ids(store.search(Query.parse("channel=kafka:price-*"), 100))).containsExactly(shop.fanIn.id());
      assertThat(ids(store.search(Query.parse("schema=" + PRICE), 100))).containsExactly(shop.fanIn.id());
      assertThat(ids(store.search(Query.parse("type=cache_miss"), 100))).containsExactly(shop.fanIn.id());
      assertThat(ids(store.search(Query.parse("type=FAIL"), 100)))
          .containsExactlyInAnyOrder(shop.failedM1.id(), shop.failedM2.id());
      assertThat(ids(store.search(Query.parse("trace=" + shop.traceM2 + " op=UpdateInventory"), 100)))
          .containsExactly(shop.failedM2.id());
      // fan-in: the join belongs to both traces
      assertThat(ids(store.search(Query.parse("trace=" + shop.traceM1 + " trace=" + shop.traceM2), 100)))
          .containsExactly(shop.fanIn.id());
      // != on a tag also matches operations without it; =* and !=* test presence
      assertThat(ids(store.search(Query.parse("merchant_id!=*"), 100))).isEmpty();
      assertThat(ids(store.search(Query.parse("merchant_id!=m-1"), 100)))
          .containsExactlyInAnyOrder(shop.failedM2.id(), ops("UpdateSku", store, "m-2"));
      assertThat(ids(store.search(Query.parse("sku=42 op=UpdateInventory"), 100))).hasSize(3); // an mtag of the input
      assertThat(ids(store.search(Query.parse("status!=ok"), 100)))
          .containsExactlyInAnyOrder(shop.failedM1.id(), shop.failedM2.id(), shop.neverEnded.id());
      assertThat(ids(store.search(Query.parse("duration>=0s status=ok"), 100))).hasSize(4);
      assertThat(ids(store.search(Query.parse("since=1h until=now"), 100))).hasSize(7);
      assertThat(ids(store.search(Query.parse("since=2000-01-01T00:00:00Z until=2000-01-02T00:00:00Z"), 100))).isEmpty();
      assertThat(store.search(Query.parse("op=*"), 2)).hasSize(2);
      assertThat(store.services()).containsExactly("inventory", "merchant-api", "pricing");
      assertThat(store.tagValues("merchant_id")).containsExactly("m-1", "m-2");
    }
  }

  @Test
  void theTagIndexAnswersAsTheScanDoes() throws Exception {
    Instant now = Instant.now();
    // more flows of other merchants, so that each of the shop's tags is in a few batches of many
    Tracer api = shop.tracer("merchant-api");
    for (int i = 0; i < 6; i++) {
      Operation u = api.start("UpdateSku").ptag("merchant_id", "m-other-" + i);
      api.sent(u.prepareOut(SKU, "sku-x", Map.of("sku", "other-" + i)).header(), "kafka:sku-updates", u);
      u.complete();
    }
    List<TelemetryEvent> events = new ArrayList<>(shop.events());
    Collections.shuffle(events, new Random(11));
    List<String> queries = List.of("op=UpdateInventory status=failed merchant_id=m-1", "merchant_id=m-2",
        "merchant_id=m-1 status!=ok", "(merchant_id=m-1 OR merchant_id=m-2)", "sku=42 op=UpdateInventory",
        "merchant_id!=m-1", "(op=UpdateSku OR merchant_id!=m-2)", "merchant_id=nobody", "merchant_id=m-1 merchant_id=m-2",
        "note=\"" + INJECTION + "\"", "merchant_id=m-* op=UpdateSku", "sku=other-3",
        "(merchant_id=m-1 OR sku=42) status!=ok", "(merchant_id=m-2 OR merchant_id=nobody) op=UpdateInventory");
    try (Store batched = open("tag-index-batched.db", Duration.ofHours(1), now);
        Store once = open("tag-index-once.db", Duration.ofHours(1), now)) {
      for (TelemetryEvent e : events) batched.ingest(List.of(e)); // one batch per event: each pair in a few
      once.ingest(events);
      once.maxTaggedForTest(0); // every known pair is a scan
      for (String q : queries) {
        Query query = Query.parse(q);
        assertThat(batched.search(query, 100)).as(q).isEqualTo(once.search(query, 100));
        List<Store.OpRow> rows = batched.search(query, 100);
        List<String> found = rows.stream().map(Store.OpRow::opId).toList();
        Map<String, String> services = new java.util.LinkedHashMap<>();
        for (Store.OpRow r : rows) services.put(r.opId(), r.service());
        Map<String, UiQueries.OpDetails> details = batched.uiRead(u -> u.details(found));
        assertThat(details).as(q).isEqualTo(once.uiRead(u -> u.details(found)));
        // the search results' own services, as the API passes them, give the same details
        Map<String, UiQueries.OpDetails> viaServices = batched.uiRead(u -> u.details(services));
        assertThat(viaServices).as(q).isEqualTo(details);
      }
      // the details on their own: the input's ptag and mtag, the op's tag copied from the ptag, and its receive's wait
      Map<String, UiQueries.OpDetails> details = batched.uiRead(u -> u.details(List.of(shop.failedM1.id(),
          shop.fanIn.id())));
      assertThat(details.get(shop.failedM1.id()).tags()).containsExactly(
          new UiQueries.TagEntry("merchant_id", "m-1", "ptag"), new UiQueries.TagEntry("merchant_id", "m-1", "tag"),
          new UiQueries.TagEntry("sku", "42", "mtag"));
      assertThat(details.get(shop.fanIn.id()).tags()).contains(new UiQueries.TagEntry("merchant_id", "m-2", "ptag"));
      assertThat(details.values()).allSatisfy(d -> assertThat(d.queueWaitTicks()).isPositive());
      // in the scanning store only the unknown pair (no batch at all) is answered by the index
      assertThat(batched.tagIndexLookups()).isGreaterThan(once.tagIndexLookups() + queries.size());
      assertThat(ids(batched.search(Query.parse("op=UpdateInventory status=failed merchant_id=m-1"), 100)))
          .containsExactly(shop.failedM1.id());
      assertThat(ids(batched.search(Query.parse("sku=42 op=UpdateInventory"), 100))).hasSize(3);
      assertThat(batched.search(Query.parse("merchant_id=nobody"), 100)).isEmpty();
    }
  }

  @Test
  void anOperationThatOnlySharesAHashWithAMatchIsNotFound() throws Exception {
    // Search narrows a top-level tag term by id hashes and checks the page exactly. Two ids hashing alike is too rare
    // to meet by chance, so the test gives failedM2 failedM1's hash and the m-2 tag rows the hash of merchant m-1.
    try (Store store = open("collisions.db")) {
      store.ingest(shop.events());
      Query seed = Query.parse("op=UpdateInventory status=failed merchant_id=m-1");
      assertThat(ids(store.search(seed, 100))).containsExactly(shop.failedM1.id());
      assertThat(store.hashMisses()).isZero();
      // failedM2's id hashes as failedM1's, wherever the hash is stored
      String h1 = "(SELECT op_h FROM operations WHERE op_id = '" + shop.failedM1.id() + "')";
      String m2 = "'" + shop.failedM2.id() + "'";
      store.executeForTest("UPDATE operations SET op_h = " + h1 + " WHERE op_id = " + m2);
      store.executeForTest("UPDATE op_inputs SET op_h = " + h1 + " WHERE op_id = " + m2);
      store.executeForTest("UPDATE tags SET owner_h = " + h1 + " WHERE owner_kind = 'op' AND owner_id = " + m2);
      // each of the two now passes the other's hash test: no operation has both merchants, so none is found
      assertThat(store.search(Query.parse("merchant_id=m-2 merchant_id=m-1 op=UpdateInventory"), 100)).isEmpty();
      assertThat(ids(store.search(Query.parse("(merchant_id=m-1 OR merchant_id=nobody) op=UpdateInventory"
          + " status=failed"), 100))).containsExactly(shop.failedM1.id());
      assertThat(ids(store.search(Query.parse("(merchant_id=m-2 OR merchant_id=nobody) op=UpdateInventory"
          + " status=failed"), 100))).containsExactly(shop.failedM2.id());
      store.executeForTest("UPDATE tags SET pair_h = (SELECT any_value(pair_h) FROM tags WHERE key = 'merchant_id'"
          + " AND value = 'm-1') WHERE key = 'merchant_id' AND value = 'm-2'");
      assertThat(ids(store.search(seed, 100))).containsExactly(shop.failedM1.id());
      long misses = store.hashMisses();
      assertThat(misses).isPositive();
      // a page of one: whichever comes first is read, and a miss makes the page be read again without it
      assertThat(ids(store.search(seed, 1))).containsExactly(shop.failedM1.id());
      assertThat(ids(store.search(Query.parse("merchant_id=m-1"), 100)))
          .containsExactlyInAnyOrderElementsOf(ids(store.search(Query.parse("(merchant_id=m-1 OR op=nothing)"), 100)))
          .doesNotContain(shop.failedM2.id());
      assertThat(store.hashMisses()).isGreaterThan(misses);
      // inside an OR a term is answered exactly, by ids
      assertThat(ids(store.search(Query.parse("(merchant_id=m-2 OR op=nothing) op=UpdateInventory status=failed"),
          100))).containsExactly(shop.failedM2.id());
    }
  }

  private static String ops(String name, Store store, String merchant) throws Exception {
    List<Store.OpRow> rows = store.search(Query.parse("op=" + name + " merchant_id=" + merchant), 10);
    assertThat(rows).hasSize(1);
    return rows.get(0).opId();
  }

  @Test
  void queueWaitIsReceiveMinusMessageTicks() throws Exception {
    Tracer t = shop.tracer("audit");
    Header h = Header.origin("merchant-api", SKU);
    long receivedAt = h.ticksFromEpoch() + 5 * Ticks.PER_SECOND;
    Operation op = t.start("Audit", Envelope.in(h, "x"));
    op.complete();
    TelemetryEvent receive = TelemetryEvent.builder("RECEIVE").eventId("manual-receive-1").traceId(h.traceId())
        .timestamp(receivedAt).service("audit").op("Audit").opId(op.id()).message(new MessageInfo(h, "kafka:audit"))
        .build();
    List<TelemetryEvent> all = new ArrayList<>(shop.events());
    all.add(receive);
    try (Store store = open("wait.db")) {
      store.ingest(all);
      assertThat(ids(store.search(Query.parse("queue_wait>=5s"), 100))).containsExactly(op.id());
      assertThat(ids(store.search(Query.parse("queue_wait>5s"), 100))).isEmpty();
      assertThat(ids(store.search(Query.parse("channel=kafka:audit"), 100))).containsExactly(op.id());
      // the tracer's own receives have a small, non-negative wait
      assertThat(ids(store.search(Query.parse("queue_wait>=0s op=UpdateInventory"), 100))).hasSize(4);
    }
  }

  @Test
  void traceViewAndLinkedTracesBothWays() {
    try (Store store = open("trace.db")) {
      store.ingest(shop.events());
      Store.TraceView m1 = store.trace(shop.traceM1);
      Store.TraceView m2 = store.trace(shop.traceM2);
      assertThat(m1.linkedTraces()).containsExactly(shop.traceM2);
      assertThat(m2.linkedTraces()).containsExactly(shop.traceM1);
      assertThat(m1.operations()).extracting(Store.OpRow::opId).contains(shop.failedM1.id(), shop.fanIn.id());
      assertThat(m1.operations()).extracting(Store.OpRow::opId).doesNotContain(shop.failedM2.id());
      assertThat(m1.edges()).contains(
          new Store.Edge("parent", shop.price.messageId(), shop.skuM1.messageId()),
          new Store.Edge("parent", shop.price.messageId(), shop.skuM2.messageId()),
          new Store.Edge("input", shop.skuM1.messageId(), shop.fanIn.id()),
          new Store.Edge("input", shop.skuM2.messageId(), shop.fanIn.id()),
          new Store.Edge("output", shop.fanIn.id(), shop.price.messageId()));
      Store.MessageRow price = m1.messages().stream().filter(m -> m.messageId().equals(shop.price.messageId()))
          .findFirst().orElseThrow();
      assertThat(price.parentIds()).containsExactly(shop.skuM1.messageId(), shop.skuM2.messageId());
      assertThat(price.traces()).containsExactly(shop.traceM1, shop.traceM2);
      assertThat(price.channel()).isEqualTo("kafka:price-changes");
      assertThat(price.ptags()).containsEntry("merchant_id", "m-1");
      // events of the trace are the exact JSON, in time order: every event that names the trace, including the
      // fan-in's, whose own trace_id may be the other trace
      for (String trace : List.of(shop.traceM1, shop.traceM2)) {
        List<String> expected = shop.events().stream().filter(e -> e.traces().contains(trace))
            .sorted(java.util.Comparator.comparingLong(TelemetryEvent::timestamp)
                .thenComparing(TelemetryEvent::eventId))
            .map(TelemetryEvent::eventId).toList();
        assertThat(store.trace(trace).events()).extracting(Store.EventRow::eventId)
            .containsExactlyElementsOf(expected);
      }
      assertThat(shop.events()).anyMatch(e -> e.traces().contains(shop.traceM2) && !e.traceId().equals(shop.traceM2));
      for (Store.EventRow e : m1.events()) {
        TelemetryEvent parsed = ((dev.weft.core.Result.Ok<TelemetryEvent, ?>) EventJson.parse(e.json())).value();
        assertThat(parsed.traces()).contains(shop.traceM1);
        assertThat(EventJson.toJson(parsed)).isEqualTo(e.json());
      }
      // the DECLARE has its own trace and fills the declared topology
      assertThat(store.tableCounts().get("declared")).isEqualTo(1L);
    }
  }

  @Test
  void aTraceReadKeepsEachRowOnceWhenEveryEventIsItsOwnBatch() {
    // one event per batch repeats every set row (an operation's traces from its START and its COMPLETE, a message's
    // tags from its SEND and its RECEIVE); the read keeps each once, without a DISTINCT in SQL
    try (Store whole = open("whole.db"); Store single = open("single.db")) {
      whole.ingest(shop.events());
      for (TelemetryEvent e : shop.events()) single.ingest(List.of(e));
      for (String trace : List.of(shop.traceM1, shop.traceM2)) {
        Store.TraceView t = single.trace(trace);
        assertThat(t).isEqualTo(whole.trace(trace));
        Store.MessageRow price = t.messages().stream().filter(m -> m.messageId().equals(shop.price.messageId()))
            .findFirst().orElseThrow();
        assertThat(price.ptags()).containsEntry("merchant_id", "m-1");
        assertThat(price.traces()).containsExactly(shop.traceM1, shop.traceM2);
      }
    }
  }

  @Test
  void idsAreBoundAsEqualitiesUpToSixteenAndAsAListBeyond() {
    assertThat(Store.idIn("m.message_id", 2)).isEqualTo("(m.message_id = ? OR m.message_id = ?)");
    assertThat(Store.idIn("op_id", Store.MAX_OR_IDS)).doesNotContain(" IN ");
    assertThat(Store.idIn("op_id", Store.MAX_OR_IDS + 1)).startsWith("op_id IN (?, ?");
  }

  @Test
  void aTraceOfMoreIdsThanOneBoundListIsReadWhole() {
    // the trace read binds the trace's ids in lists of at most 500; this trace has 601 operations and 600 messages
    Tracer api = shop.tracer("bulk-api");
    Tracer inv = shop.tracer("bulk-inventory");
    Operation root = api.start("BulkUpdate");
    for (int i = 0; i < 600; i++) {
      Envelope<?, String> out = root.prepareOut("urn:shop:SkuUpdated:v1", "sku-" + i);
      api.sent(out.header(), "kafka:sku-updates", root);
      Operation h = inv.start("UpdateInventory", Envelope.in(out.header(), "x"));
      inv.received(out.header(), "kafka:sku-updates", h);
      h.complete();
    }
    root.complete();
    List<TelemetryEvent> events = shop.sink.events().stream()
        .filter(e -> e.service().startsWith("bulk-")).toList();
    String trace = events.get(0).traceId();
    try (Store one = open("bulk-one.db"); Store shuffled = open("bulk-shuffled.db")) {
      one.ingest(events);
      List<TelemetryEvent> mixed = new ArrayList<>(events);
      Collections.shuffle(mixed, new Random(11));
      for (int i = 0; i < mixed.size(); i += 300) {
        int end = Math.min(mixed.size(), i + 300);
        shuffled.ingest(mixed.subList(i, end));
        // reads in between: the store keeps the read's statements prepared, and each read must see the new batches
        long sofar = mixed.subList(0, end).stream().filter(e -> e.traces().contains(trace)).count();
        assertThat(shuffled.trace(trace).events()).hasSize((int) sofar);
      }
      Store.TraceView t = one.trace(trace);
      assertThat(t.operations()).hasSize(601);
      assertThat(t.messages()).hasSize(600);
      assertThat(t.events()).extracting(Store.EventRow::eventId)
          .containsExactlyInAnyOrderElementsOf(events.stream().map(TelemetryEvent::eventId).toList());
      assertThat(t.edges().stream().filter(e -> e.kind().equals("input"))).hasSize(600);
      assertThat(shuffled.trace(trace)).isEqualTo(t);
    }
  }

  @Test
  void lossIsDetectedFromASeqGap() {
    List<TelemetryEvent> events = new ArrayList<>(shop.events());
    String inv = shop.inventory.instanceId();
    TelemetryEvent dropped = events.stream().filter(e -> e.instanceId().equals(inv) && e.seq() == 3)
        .findFirst().orElseThrow();
    events.remove(dropped);
    try (Store store = open("loss.db")) {
      store.ingest(events);
      Map<String, Store.EmitterLoss> byId = store.loss().stream()
          .collect(Collectors.toMap(Store.EmitterLoss::instanceId, l -> l));
      assertThat(byId).hasSize(3);
      assertThat(byId.get(inv).lost()).isEqualTo(1);
      assertThat(byId.get(inv).service()).isEqualTo("inventory");
      assertThat(byId.values().stream().filter(l -> !l.instanceId().equals(inv)))
          .allSatisfy(l -> assertThat(l.lost()).isZero());
      store.ingest(List.of(dropped)); // the gap is filled later
      assertThat(store.loss()).allSatisfy(l -> assertThat(l.lost()).isZero());
    }
  }

  @Test
  void injectionLookingValuesAreData() throws Exception {
    try (Store store = open("inj.db")) {
      store.ingest(shop.events());
      Map<String, Long> counts = store.tableCounts();
      String q = "note=\"" + INJECTION.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
      assertThat(store.search(Query.parse(q), 10)).extracting(Store.OpRow::op).containsExactly("UpdateSku");
      assertThat(store.search(Query.parse("op=\"' OR 1=1 --\""), 10)).isEmpty();
      assertThat(store.search(Query.parse("service=\"x' OR '1'='1\" OR1=*"), 10)).isEmpty();
      assertThat(store.search(Query.parse("note=\"x'*\""), 10)).hasSize(1); // a quote inside a LIKE pattern
      assertThat(store.search(Query.parse("note=\"%\""), 10)).isEmpty(); // % is not a wildcard
      assertThat(store.search(Query.parse("note=x_*"), 10)).isEmpty(); // _ is not a wildcard either
      assertThat(store.tagValues(INJECTION)).isEmpty();
      assertThat(store.tagValues("note")).containsExactly(INJECTION);
      assertThat(store.trace("'; DROP TABLE operations; --").operations()).isEmpty();
      assertThat(store.tableCounts()).isEqualTo(counts);
    }
  }

  @Test
  void reopeningKeepsDataAndSchema() {
    Path file = dir.resolve("reopen.db");
    Store.Config cfg = Store.Config.defaults();
    try (Store store = Store.open(file, cfg)) {
      store.ingest(shop.events());
    }
    try (Store store = Store.open(file, cfg)) {
      assertThat(store.ingest(shop.events())).isEqualTo(new Store.IngestResult(0, shop.events().size()));
      assertThat(store.tableCounts().get("events")).isEqualTo(shop.events().size());
    }
  }

  @Test
  void theLatestDeclarationWinsWhateverTheArrivalOrder() {
    DeclaredTopology v1 = new DeclaredTopology("inventory",
        List.of(new DeclaredChannel("kafka:sku-updates", SKU, null, Direction.SUBSCRIBE)));
    DeclaredTopology v2 = new DeclaredTopology("inventory",
        List.of(new DeclaredChannel("kafka:sku-updates", SKU, null, Direction.SUBSCRIBE),
            new DeclaredChannel("http:stock", "urn:shop:StockQuery:v1", "urn:shop:Stock:v1", Direction.SERVE)));
    TelemetryEvent old = TelemetryEvent.builder("DECLARE").eventId("d-1").traceId(shop.traceM1).service("inventory")
        .timestamp(1_000).topology(v1).build();
    TelemetryEvent newer = TelemetryEvent.builder("DECLARE").eventId("d-2").traceId(shop.traceM1).service("inventory")
        .timestamp(2_000).topology(v2).build();
    try (Store a = open("decl-a.db"); Store b = open("decl-b.db")) {
      a.ingest(List.of(old));
      a.ingest(List.of(newer));
      b.ingest(List.of(newer));
      b.ingest(List.of(old));
      assertThat(a.tableCounts().get("declared")).isEqualTo(2L);
      assertThat(b.tableCounts().get("declared")).isEqualTo(2L);
    }
  }
}
