package dev.weft.bench.server;

import dev.weft.core.Header;
import dev.weft.core.Ids;
import dev.weft.core.Tags;
import dev.weft.core.event.ErrorInfo;
import dev.weft.core.event.MessageInfo;
import dev.weft.core.event.TelemetryEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The server benchmark's workload: the seed's shop, where a merchant updates a SKU, as the telemetry events Weft's
 * tracers emit for it. Deterministic for a seed, so Weft and Zipkin get the same flows.
 *
 * <p>One flow: {@code merchant-api} (UpdateSku) sends {@code sku-updates}; {@code catalog} (ApplySkuUpdate) sends
 * {@code catalog-changed}; {@code inventory} (UpdateInventory) sends {@code inventory-changed}, or fails, often for a
 * few "bad" merchants; {@code pricing} (Reprice) joins it with a competitor price from another trace (fan-in across
 * two flows) and sends {@code price-changed}; {@code notifications} (Notify) sometimes never ends (abandoned);
 * {@code search-indexer} (IndexBatch) writes 16 catalog changes of 16 traces at once (fan-in with 16 parents and 16
 * correlation ids). A {@code competitor-feed} (PollPrices) flow starts every ten flows. About 22 events per flow.
 *
 * <p>Flows are spread evenly over a time window, so a 24-hour topology query covers all of them.
 */
public final class ShopWorkload {
  public static final int MERCHANTS = 2_000;
  public static final int BAD_MERCHANTS = 50;
  public static final int INDEX_BATCH = 16;

  /** One generated flow: its events and, for the Zipkin peer, the same facts as spans. */
  public record Flow(String traceId, String merchant, List<TelemetryEvent> events, List<Span> spans,
      List<String> failedInventoryOps) {}

  /** The Zipkin v2 fields the benchmark writes: one span per operation and per sent message. */
  public record Span(String traceId, String id, String parentId, String name, String kind, String service,
      long timestampMicros, long durationMicros, Map<String, String> tags) {}

  private final SplittableRandom random;
  private final String seedTag;
  private final long startTicks;
  private final long stepTicks;
  private final Map<String, long[]> seqs = new HashMap<>();
  private final List<Pending> indexQueue = new ArrayList<>();
  private Header competitorPrice;
  private long flow;

  private record Pending(Header header, long ticks) {}

  /**
   * @param startTicks the first flow's start, in 100-ns ticks
   * @param stepTicks ticks between two flows' starts
   */
  public ShopWorkload(long seed, long startTicks, long stepTicks) {
    this.random = new SplittableRandom(seed);
    this.seedTag = "w" + Long.toHexString(seed);
    this.merchantApi = new Emitter("merchant-api", 0);
    this.catalog = new Emitter("catalog", 0);
    this.inventory = new Emitter[] {new Emitter("inventory", 0), new Emitter("inventory", 1)};
    this.pricing = new Emitter("pricing", 0);
    this.notifications = new Emitter("notifications", 0);
    this.indexer = new Emitter("search-indexer", 0);
    this.feed = new Emitter("competitor-feed", 0);
    this.startTicks = startTicks;
    this.stepTicks = stepTicks;
  }

  /** A merchant whose inventory updates fail often: the seed question's subject. */
  public static String badMerchant(int i) {
    return merchantId(i % BAD_MERCHANTS);
  }

  static String merchantId(int i) {
    return String.format("m%06x", i * 2654435761L & 0xffffff);
  }

  private String id() {
    long hi = random.nextLong();
    long lo = random.nextLong();
    return Ids.toHex(hi == 0 && lo == 0 ? 1 : hi, lo);
  }

  private String shortId() {
    long v = random.nextLong();
    return Ids.toHex(v == 0 ? 1 : v);
  }

  private final class Emitter {
    final String service;
    final String instance;
    final Map<String, String> resource;

    Emitter(String service, int alloc) {
      this.service = service;
      // one emitter per workload: a second workload must not reuse the first one's event ids (instance-seq)
      this.instance = service + "-" + alloc + "-" + seedTag;
      this.resource = Map.of("service.name", service, "nomad.job.name", service, "nomad.alloc.index",
          Integer.toString(alloc), "nomad.alloc.id", "5b3d0c1e-8f2a-4c6b-9d7e-00000000000" + alloc,
          "nomad.datacenter", "eu-west-1a", "host.name", "nomad-client-" + alloc);
    }

    TelemetryEvent.Builder event(String type, String traceId, List<String> traces, long ticks) {
      long seq = seqs.computeIfAbsent(instance, k -> new long[1])[0]++;
      TelemetryEvent.Builder b = TelemetryEvent.builder(type).traceId(traceId).timestamp(ticks).service(service)
          .instanceId(instance).seq(seq);
      if (traces.size() > 1) b.correlationIds(traces);
      return b;
    }
  }

  // made in the constructor, after seedTag, which their instance ids use
  private final Emitter merchantApi;
  private final Emitter catalog;
  private final Emitter[] inventory;
  private final Emitter pricing;
  private final Emitter notifications;
  private final Emitter indexer;
  private final Emitter feed;

  /** The next flow. */
  public Flow next() {
    long n = flow++;
    long t0 = startTicks + n * stepTicks;
    String trace = id();
    List<String> traces = List.of(trace);
    int merchantIndex = random.nextInt(10) == 0 ? random.nextInt(BAD_MERCHANTS) : random.nextInt(MERCHANTS);
    String merchant = merchantId(merchantIndex);
    String sku = "sku-" + random.nextInt(100_000);
    Tags ptags = Tags.strict(Map.of("merchant_id", merchant, "sku", sku));
    List<TelemetryEvent> ev = new ArrayList<>(24);
    List<Span> spans = new ArrayList<>(12);
    List<String> failed = new ArrayList<>(1);

    if (n % 10 == 0 || competitorPrice == null) {
      String feedTrace = id();
      String op = shortId();
      Header cp = new Header(1, List.of(feedTrace), id(), List.of(), "competitor-feed", "urn:shop:CompetitorPrice:v1",
          t0, Tags.empty(), Tags.empty());
      ev.add(feed.event("START", feedTrace, List.of(feedTrace), t0).op("PollPrices").opId(op)
          .resource(feed.resource).build());
      ev.add(feed.event("SEND", feedTrace, List.of(feedTrace), t0 + 20).opId(op)
          .message(new MessageInfo(cp, "kafka:competitor-prices")).build());
      ev.add(feed.event("COMPLETE", feedTrace, List.of(feedTrace), t0 + 60).op("PollPrices").opId(op)
          .status("ok").build());
      spans.add(new Span(feedTrace, op, null, "PollPrices", null, "competitor-feed", t0 / 10, 6, Map.of()));
      competitorPrice = cp;
    }

    // merchant-api: the HTTP origin
    String apiOp = shortId();
    long t = t0;
    Header m1 = new Header(1, traces, id(), List.of(), "merchant-api", "urn:shop:SkuUpdated:v1", t + 30,
        Tags.empty(), ptags);
    ev.add(merchantApi.event("START", trace, traces, t).op("UpdateSku").opId(apiOp).resource(merchantApi.resource)
        .build());
    ev.add(merchantApi.event("SEND", trace, traces, t + 30).opId(apiOp)
        .message(new MessageInfo(m1, "kafka:sku-updates")).build());
    ev.add(merchantApi.event("COMPLETE", trace, traces, t + 80).op("UpdateSku").opId(apiOp).status("ok")
        .tags(ptags).build());
    spans.add(new Span(trace, apiOp, null, "UpdateSku", "SERVER", "merchant-api", t / 10, 8, ptags));
    spans.add(new Span(trace, m1.messageId().substring(16), apiOp, "send sku-updates", "PRODUCER", "merchant-api",
        (t + 30) / 10, 1, Map.of()));

    // catalog: consume, append to its stream, publish
    t += 30 + queueWait();
    String catOp = shortId();
    Header m2 = Header.propagate("catalog", "urn:shop:CatalogChanged:v1", m1).withMtag("stream_pos",
        Long.toString(n));
    m2 = retick(m2, t + 400);
    ev.add(catalog.event("RECEIVE", trace, traces, t).opId(catOp).message(new MessageInfo(m1, "kafka:sku-updates"))
        .build());
    ev.add(catalog.event("START", trace, traces, t + 5).op("ApplySkuUpdate").opId(catOp).tags(ptags)
        .inputs(List.of(m1.messageId())).resource(catalog.resource).build());
    ev.add(catalog.event("SEND", trace, traces, t + 400).opId(catOp)
        .message(new MessageInfo(m2, "kafka:catalog-changed")).build());
    ev.add(catalog.event("COMPLETE", trace, traces, t + 420).op("ApplySkuUpdate").opId(catOp).status("ok").build());
    spans.add(new Span(trace, catOp, m1.messageId().substring(16), "ApplySkuUpdate", "CONSUMER", "catalog",
        (t + 5) / 10, 42, ptags));
    spans.add(new Span(trace, m2.messageId().substring(16), catOp, "send catalog-changed", "PRODUCER", "catalog",
        (t + 400) / 10, 1, Map.of()));

    // inventory: fails often for bad merchants
    long ti = t + 400 + queueWait();
    Emitter inv = inventory[(int) (n & 1)];
    String invOp = shortId();
    boolean fails = merchantIndex < BAD_MERCHANTS ? random.nextInt(3) == 0 : random.nextInt(200) == 0;
    long dur = 200 + random.nextInt(3000);
    ev.add(inv.event("RECEIVE", trace, traces, ti).opId(invOp).message(new MessageInfo(m2, "kafka:catalog-changed"))
        .build());
    ev.add(inv.event("START", trace, traces, ti + 5).op("UpdateInventory").opId(invOp).tags(ptags)
        .inputs(List.of(m2.messageId())).resource(inv.resource).build());
    Header m3 = null;
    if (fails) {
      ev.add(inv.event("FAIL", trace, traces, ti + dur).op("UpdateInventory").opId(invOp).status("error")
          .error(new ErrorInfo("dev.shop.inventory.StockConflictException",
              "stock version conflict for " + sku + ": expected " + random.nextInt(90) + ", found "
                  + (90 + random.nextInt(9))))
          .build());
      failed.add(invOp);
      Map<String, String> errTags = new HashMap<>(ptags);
      errTags.put("error", "StockConflictException");
      spans.add(new Span(trace, invOp, m2.messageId().substring(16), "UpdateInventory", "CONSUMER", inv.service,
          (ti + 5) / 10, dur / 10, errTags));
    } else {
      m3 = retick(Header.propagate("inventory", "urn:shop:InventoryChanged:v1", m2), ti + dur - 20);
      ev.add(inv.event("SEND", trace, traces, ti + dur - 20).opId(invOp)
          .message(new MessageInfo(m3, "kafka:inventory-changed")).build());
      ev.add(inv.event("COMPLETE", trace, traces, ti + dur).op("UpdateInventory").opId(invOp).status("ok").build());
      spans.add(new Span(trace, invOp, m2.messageId().substring(16), "UpdateInventory", "CONSUMER", inv.service,
          (ti + 5) / 10, dur / 10, ptags));
      spans.add(new Span(trace, m3.messageId().substring(16), invOp, "send inventory-changed", "PRODUCER",
          inv.service, (ti + dur - 20) / 10, 1, Map.of()));
    }

    // pricing: a join of the inventory change with the latest competitor price (two traces)
    if (m3 != null) {
      long tp = ti + dur + queueWait();
      String priceOp = shortId();
      Header cp = competitorPrice;
      List<String> both = List.of(trace, cp.traceId());
      Header m4 = retick(Header.propagate("pricing", "urn:shop:PriceChanged:v1", m3, cp), tp + 150);
      ev.add(pricing.event("RECEIVE", trace, traces, tp).opId(priceOp)
          .message(new MessageInfo(m3, "kafka:inventory-changed")).build());
      ev.add(pricing.event("START", trace, both, tp + 5).op("Reprice").opId(priceOp).tags(ptags)
          .inputs(List.of(m3.messageId(), cp.messageId())).resource(pricing.resource).build());
      ev.add(pricing.event("SEND", trace, both, tp + 150).opId(priceOp)
          .message(new MessageInfo(m4, "kafka:price-changes")).build());
      ev.add(pricing.event("COMPLETE", trace, both, tp + 170).op("Reprice").opId(priceOp).status("ok").build());
      spans.add(new Span(trace, priceOp, m3.messageId().substring(16), "Reprice", "CONSUMER", "pricing",
          (tp + 5) / 10, 17, ptags));
      spans.add(new Span(trace, m4.messageId().substring(16), priceOp, "send price-changes", "PRODUCER", "pricing",
          (tp + 150) / 10, 1, Map.of()));
    }

    // notifications: sometimes crashes mid-operation (START, no end: abandoned)
    long tn = t + 400 + queueWait();
    String noteOp = shortId();
    ev.add(notifications.event("RECEIVE", trace, traces, tn).opId(noteOp)
        .message(new MessageInfo(m2, "kafka:catalog-changed")).build());
    ev.add(notifications.event("START", trace, traces, tn + 5).op("Notify").opId(noteOp).tags(ptags)
        .inputs(List.of(m2.messageId())).resource(notifications.resource).build());
    if (random.nextInt(50) != 0) {
      ev.add(notifications.event("COMPLETE", trace, traces, tn + 90).op("Notify").opId(noteOp).status("ok").build());
      spans.add(new Span(trace, noteOp, m2.messageId().substring(16), "Notify", "CONSUMER", "notifications",
          (tn + 5) / 10, 9, ptags));
    }

    // search-indexer: one index write for every 16 catalog changes (16 parents, 16 traces)
    indexQueue.add(new Pending(m2, t + 400));
    if (indexQueue.size() == INDEX_BATCH) {
      long tx = t + 400 + queueWait();
      String ixOp = shortId();
      List<Header> parents = new ArrayList<>();
      List<String> inputs = new ArrayList<>();
      for (Pending p : indexQueue) {
        ev.add(indexer.event("RECEIVE", p.header.traceId(), List.of(p.header.traceId()), tx).opId(ixOp)
            .message(new MessageInfo(p.header, "kafka:catalog-changed")).build());
        parents.add(p.header);
        inputs.add(p.header.messageId());
      }
      Header m5 = retick(Header.propagate("search-indexer", "urn:shop:IndexWritten:v1", parents, Map.of()), tx + 900);
      List<String> all = m5.correlationIds();
      ev.add(indexer.event("START", all.get(0), all, tx + 5).op("IndexBatch").opId(ixOp).inputs(inputs)
          .resource(indexer.resource).build());
      ev.add(indexer.event("SEND", all.get(0), all, tx + 900).opId(ixOp)
          .message(new MessageInfo(m5, "kafka:index-written")).build());
      ev.add(indexer.event("COMPLETE", all.get(0), all, tx + 950).op("IndexBatch").opId(ixOp).status("ok").build());
      spans.add(new Span(trace, ixOp, m2.messageId().substring(16), "IndexBatch", "CONSUMER", "search-indexer",
          (tx + 5) / 10, 95, Map.of()));
      indexQueue.clear();
    }
    return new Flow(trace, merchant, ev, spans, failed);
  }

  /** Queue wait before a receive: mostly milliseconds, now and then a backlog of a second. */
  private long queueWait() {
    return random.nextInt(100) == 0 ? 10_000_000L : 2_000 + random.nextInt(50_000);
  }

  private static Header retick(Header h, long ticks) {
    return new Header(1, h.correlationIds(), h.messageId(), h.parentIds(), h.producerId(), h.payloadSchemaUri(), ticks,
        h.mtags(), h.ptags());
  }
}
