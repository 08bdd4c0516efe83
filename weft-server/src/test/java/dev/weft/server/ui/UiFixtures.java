package dev.weft.server.ui;

import dev.weft.core.Envelope;
import dev.weft.core.Operation;
import dev.weft.core.Ticks;
import dev.weft.core.Tracer;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import dev.weft.core.topology.DeclaredChannel;
import dev.weft.core.topology.DeclaredTopology;
import dev.weft.core.topology.Direction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Known data for the UI tests, made by real weft-core tracers and retimed with {@link SimTime} so that queue waits
 * and processing times look like a running system.
 */
final class UiFixtures {
  static final String SKU = "urn:shop:SkuUpdated:v1";
  static final String CATALOG = "urn:shop:CatalogChanged:v1";
  static final String INDEXED = "urn:shop:IndexWritten:v1";
  static final String AUDIT = "urn:shop:SkuAudited:v1";
  static final String SEED_MERCHANT = "4c5d6e7";
  static final String XSS = "<img src=x onerror=alert(1)>";
  static final String[] MERCHANTS = {SEED_MERCHANT, "5d6e7f8", "6e7f809", "7f8091a", XSS};

  private UiFixtures() {}

  /** The shop: what the page tests look at. */
  static final class Shop {
    final List<TelemetryEvent> events;
    /** traces of the three flows whose CatalogChanged messages one IndexSkus operation consumed together */
    final List<String> fanInTraces;
    /** the trace of a flow in which inventory failed for the seed merchant */
    final String failedTrace;
    final String failedInventoryOp;
    final String xssTrace;
    final String fanInOp;
    /** events kept back, to be sent while the live tail is open */
    final List<TelemetryEvent> late;

    Shop(List<TelemetryEvent> events, List<String> fanInTraces, String failedTrace, String failedInventoryOp,
        String xssTrace, String fanInOp, List<TelemetryEvent> late) {
      this.events = events;
      this.fanInTraces = fanInTraces;
      this.failedTrace = failedTrace;
      this.failedInventoryOp = failedInventoryOp;
      this.xssTrace = xssTrace;
      this.fanInOp = fanInOp;
      this.late = late;
    }
  }

  /**
   * merchant-api → kafka:sku-updates → catalog → kafka:catalog-changed → inventory and search-indexer (which
   * indexes three changes at a time: a fan-in that links three traces); merchant-api also writes kafka:audit, which
   * nobody reads. Inventory fails for the seed merchant and for the merchant whose id is an XSS probe; one inventory
   * operation is abandoned. Declarations: catalog, inventory (with a channel it never uses), search-indexer and a
   * reporting service that never runs; merchant-api declares nothing. One inventory event is dropped, so its
   * emitter shows a loss of one.
   */
  static Shop shop() {
    InMemorySink sink = new InMemorySink();
    Tracer api = Tracer.builder("merchant-api").sink(sink).resource(Map.of("host.name", "web-1",
        "k8s.pod.name", "merchant-api-7d9f8-x2k4q", "k8s.namespace.name", "shop", "process.pid", "4242")).build();
    Tracer catalog = Tracer.builder("catalog").sink(sink).resource(Map.of("host.name", "node-3",
        "nomad.job", "catalog", "nomad.alloc_id", "5e1c2a4b-77c1-4d0e-9a3f-2b1f0c9d8e7a")).build();
    Tracer inventory = Tracer.builder("inventory").sink(sink).resource(Map.of("host.name", "node-4",
        "k8s.pod.name", "inventory-5b6c7-9zq8w")).build();
    Tracer indexer = Tracer.builder("search-indexer").sink(sink).build();
    Tracer reporting = Tracer.builder("reporting").sink(sink).build();

    long now = Ticks.of(Instant.now());
    SimTime t = new SimTime(now - Duration.ofHours(3).toNanos() / 100);
    catalog.declare(new DeclaredTopology("catalog", List.of(
        new DeclaredChannel("kafka:sku-updates", SKU, null, Direction.SUBSCRIBE),
        new DeclaredChannel("kafka:catalog-changed", CATALOG, null, Direction.PUBLISH))));
    inventory.declare(new DeclaredTopology("inventory", List.of(
        new DeclaredChannel("kafka:catalog-changed", CATALOG, null, Direction.SUBSCRIBE),
        new DeclaredChannel("kafka:restock", "urn:shop:Restock:v1", null, Direction.SUBSCRIBE))));
    indexer.declare(new DeclaredTopology("search-indexer", List.of(
        new DeclaredChannel("kafka:catalog-changed", CATALOG, null, Direction.SUBSCRIBE),
        new DeclaredChannel("kafka:index-writes", INDEXED, null, Direction.PUBLISH))));
    reporting.declare(new DeclaredTopology("reporting", List.of(
        new DeclaredChannel("kafka:catalog-changed", CATALOG, null, Direction.SUBSCRIBE))));

    Random rnd = new Random(7);
    List<Envelope<?, String>> batch = new ArrayList<>();
    List<String> batchTraces = new ArrayList<>();
    List<String> fanInTraces = null;
    String fanInOp = null;
    String failedTrace = null;
    String failedOp = null;
    String xssTrace = null;
    String droppedEvent = null;
    int flows = 24;
    long spacing = Duration.ofHours(2).toNanos() / 100 / flows;
    long firstFlow = now - Duration.ofMinutes(150).toNanos() / 100;
    for (int i = 0; i < flows; i++) {
      t.jumpTo(firstFlow + i * spacing);
      String merchant = MERCHANTS[i % MERCHANTS.length];
      String sku = String.valueOf(100 + i);
      Operation u = api.start("UpdateSku").ptag("merchant_id", merchant).tag("sku", sku);
      t.advanceMs(8 + rnd.nextInt(10));
      Envelope<?, String> skuMsg = u.prepareOut(SKU, "sku-" + sku, Map.of("sku", sku));
      api.sent(skuMsg.header(), "kafka:sku-updates", u);
      if (i % 6 == 0) {
        Envelope<?, String> audit = u.prepareOut(AUDIT, "audit");
        api.sent(audit.header(), "kafka:audit", u);
      }
      t.advanceMs(2);
      u.complete();

      t.advanceMs(20 + rnd.nextInt(60)); // waiting in kafka:sku-updates
      Operation apply = catalog.start("ApplySku", Envelope.in(skuMsg.header(), "sku"));
      catalog.received(skuMsg.header(), "kafka:sku-updates", apply);
      t.advanceMs(25 + rnd.nextInt(40));
      Envelope<?, String> changed = apply.prepareOut(CATALOG, "changed-" + sku);
      catalog.sent(changed.header(), "kafka:catalog-changed", apply);
      t.advanceMs(1);
      apply.complete();

      t.advanceMs(15 + rnd.nextInt(50));
      Operation inv = inventory.start("UpdateInventory", Envelope.in(changed.header(), "changed"));
      inventory.received(changed.header(), "kafka:catalog-changed", inv);
      inv.tag("warehouse", i % 2 == 0 ? "berlin" : "lyon");
      t.advanceMs(40 + rnd.nextInt(120));
      if (i % 7 == 3) {
        Map<String, String> miss = Map.of("sku", sku);
        inv.event("CACHE_MISS", miss);
      }
      if (merchant.equals(SEED_MERCHANT)) {
        inv.fail("OUT_OF_STOCK", "sku " + sku + " has 0 left in " + (i % 2 == 0 ? "berlin" : "lyon"));
        if (failedTrace == null) {
          failedTrace = u.traceId();
          failedOp = inv.id();
        }
      } else if (merchant.equals(XSS)) {
        inv.fail("BAD_INPUT", "merchant " + XSS + " is not known");
        xssTrace = u.traceId();
      } else if (i == 11) {
        // never ends: abandoned after the server's deadline (one hour)
      } else {
        inv.complete();
      }

      batch.add(changed);
      batchTraces.add(u.traceId());
      if (batch.size() == 3) {
        t.advanceMs(30 + rnd.nextInt(30));
        Operation index = indexer.start("IndexSkus", List.copyOf(batch));
        for (Envelope<?, String> b : batch) indexer.received(b.header(), "kafka:catalog-changed", index);
        t.advanceMs(60 + rnd.nextInt(40));
        Envelope<?, String> written = index.prepareOut(INDEXED, "written");
        indexer.sent(written.header(), "kafka:index-writes", index);
        if (fanInTraces == null) {
          // a channel search-indexer uses but did not declare
          indexer.sent(index.prepareOut("urn:shop:IndexStats:v1", "stats").header(), "kafka:index-stats", index);
        }
        index.complete();
        if (fanInTraces == null) {
          fanInTraces = List.copyOf(batchTraces);
          fanInOp = index.id();
        }
        batch.clear();
        batchTraces.clear();
      }
    }
    List<TelemetryEvent> all = t.retime(sink.events());
    // one CACHE_MISS never arrives: a gap in inventory's seq, i.e. one lost event
    List<TelemetryEvent> kept = new ArrayList<>();
    boolean dropped = false;
    for (TelemetryEvent e : all) {
      if (!dropped && e.eventType().equals("CACHE_MISS")) {
        dropped = true;
        droppedEvent = e.eventId();
        continue;
      }
      kept.add(e);
    }
    if (droppedEvent == null) throw new IllegalStateException("no CACHE_MISS to drop");

    // events sent later, while a live tail watches: a new flow, stamped "now"
    InMemorySink lateSink = new InMemorySink();
    Tracer lateApi = Tracer.builder("merchant-api").sink(lateSink).build();
    Operation late = lateApi.start("UpdateSku").ptag("merchant_id", "late-merchant");
    late.fail("TIMEOUT", "pricing did not answer in time");
    return new Shop(kept, fanInTraces, failedTrace, failedOp, xssTrace, fanInOp, lateSink.events());
  }

  /**
   * One trace of {@code ops} operations over 20 services: a tree in which each operation consumes the message of its
   * parent and sends one, four children per operation, and every 50th operation also consumes a message from
   * elsewhere in the trace (a fan-in).
   */
  static List<TelemetryEvent> bigTrace(int ops) {
    InMemorySink sink = new InMemorySink();
    Tracer[] svc = new Tracer[20];
    for (int i = 0; i < svc.length; i++) svc[i] = Tracer.builder("svc-" + (char) ('a' + i)).sink(sink).build();
    SimTime t = new SimTime(Ticks.of(Instant.now()) - Duration.ofMinutes(30).toNanos() / 100);
    List<Envelope<?, String>> out = new ArrayList<>(ops);
    Operation root = svc[0].start("ImportCatalog").ptag("merchant_id", "bulk-merchant");
    t.advanceMs(2);
    Envelope<?, String> first = root.prepareOut("urn:bulk:Item:v1", "0");
    svc[0].sent(first.header(), "kafka:items", root);
    root.complete();
    out.add(first);
    Random rnd = new Random(11);
    for (int i = 1; i < ops; i++) {
      Tracer tr = svc[i % svc.length];
      Envelope<?, String> in = out.get((i - 1) / 4);
      t.advanceMs(0.2 + rnd.nextInt(3));
      List<Envelope<?, String>> inputs = i % 50 == 0 ? List.of(in, out.get(rnd.nextInt(i))) : List.of(in);
      Operation op = tr.start("Step" + (i % 9), inputs);
      for (Envelope<?, String> e : inputs) tr.received(e.header(), "kafka:items", op);
      t.advanceMs(0.5 + rnd.nextInt(4));
      Envelope<?, String> o = op.prepareOut("urn:bulk:Item:v1", String.valueOf(i));
      tr.sent(o.header(), "kafka:items", op);
      if (i % 97 == 0) op.fail("INVALID", "item " + i + " is invalid");
      else op.complete();
      out.add(o);
    }
    return t.retime(sink.events());
  }

  /**
   * {@code services} services and exactly {@code services * perService} edges (producer, channel, consumer): each
   * service sends one message on each of its own channels, each read by a different service; some reads fail.
   */
  static List<TelemetryEvent> bigTopology(int services, int perService) {
    InMemorySink sink = new InMemorySink();
    Tracer[] svc = new Tracer[services];
    for (int i = 0; i < services; i++) svc[i] = Tracer.builder(String.format("service-%03d", i)).sink(sink).build();
    SimTime t = new SimTime(Ticks.of(Instant.now()) - Duration.ofMinutes(20).toNanos() / 100);
    Map<String, Integer> seen = new HashMap<>();
    for (int s = 0; s < services; s++) {
      Operation p = svc[s].start("Publish");
      List<Envelope<?, String>> sent = new ArrayList<>();
      List<Integer> consumers = new ArrayList<>();
      for (int k = 0; k < perService; k++) {
        Envelope<?, String> m = p.prepareOut("urn:big:Event" + (k % 7) + ":v1", "x");
        svc[s].sent(m.header(), String.format("kafka:topic-%03d-%d", s, k), p);
        sent.add(m);
        int c = (s * 7 + k * 13 + 1) % services;
        if (c == s) c = (c + 1) % services;
        consumers.add(c);
        seen.merge(s + ">" + k + ">" + c, 1, Integer::sum);
      }
      t.advanceMs(1);
      p.complete();
      for (int k = 0; k < perService; k++) {
        Tracer ct = svc[consumers.get(k)];
        t.advanceMs(1 + (s + k) % 20);
        Operation c = ct.start("Consume" + (k % 3), sent.get(k));
        ct.received(sent.get(k).header(), String.format("kafka:topic-%03d-%d", s, k), c);
        t.advanceMs(2 + (s * k) % 40);
        if ((s + k) % 11 == 0) c.fail("REJECTED", "rejected");
        else c.complete();
      }
    }
    if (seen.size() != services * perService) throw new IllegalStateException("edges collide: " + seen.size());
    return t.retime(sink.events());
  }
}
