package dev.weft.demo;

import dev.weft.core.Envelope;
import dev.weft.core.Operation;
import dev.weft.core.Resource;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.channel.Channel;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.channel.memory.MemoryBroker;
import dev.weft.core.channel.memory.MemoryChannels;
import dev.weft.core.sink.TelemetrySink;
import dev.weft.core.topology.TopologyScanner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A simulated event-sourced shop where "a merchant updates a SKU", built only from Weft's public API on the in-memory
 * medium. Each service has its own tracer, as separate processes would.
 *
 * <pre>
 * merchant-api ─sku-updates→ catalog ─catalog-changed→ inventory ─inventory-changed→ pricing (joins competitor-prices)
 *                                              └─────→ search-indexer (batches 8 changes: fan-in)   └─price-changed→ notifications
 * </pre>
 */
final class Shop implements AutoCloseable {
  static final Channel SKU_UPDATES = Channel.pubSub("memory", "sku-updates", "urn:shop:SkuUpdated:v1");
  static final Channel CATALOG_CHANGED = Channel.pubSub("memory", "catalog-changed", "urn:shop:CatalogChanged:v1");
  static final Channel INVENTORY_CHANGED =
      Channel.pubSub("memory", "inventory-changed", "urn:shop:InventoryChanged:v1");
  static final Channel COMPETITOR_PRICES =
      Channel.pubSub("memory", "competitor-prices", "urn:shop:CompetitorPrice:v1");
  static final Channel PRICE_CHANGED = Channel.pubSub("memory", "price-changed", "urn:shop:PriceChanged:v1");
  static final Channel INDEX_WRITES = Channel.pubSub("memory", "search-index", "urn:shop:IndexWritten:v1");

  static final int BATCH = 8;
  private static final String[] INVENTORY_ERRORS = {
    "java.sql.SQLTransientConnectionException|inventory-db: connection pool exhausted after 30000 ms",
    "OUT_OF_STOCK|reservation exceeds on-hand quantity",
    "VERSION_CONFLICT|stream inventory-%s expected version 41, found 42",
  };

  final List<String> merchants = new ArrayList<>();
  final String failingMerchant;
  final ConcurrentMap<String, AtomicLong> failuresByMerchant = new ConcurrentHashMap<>();
  final AtomicLong abandoned = new AtomicLong();
  final AtomicLong requests = new AtomicLong();

  private final MemoryBroker broker = new MemoryBroker();
  private final List<Tracer> tracers = new ArrayList<>();
  private final Random random;
  private final double failureRate;
  private final Tracer api;
  private final MemoryChannels.Publisher<String> skuUpdates;
  private final MemoryChannels.Publisher<String> competitorPrices;
  private final Tracer competitorFeed;

  Shop(TelemetrySink sink, long seed, double failureRate) {
    this.random = new Random(seed);
    this.failureRate = failureRate;
    for (int i = 0; i < 12; i++) merchants.add(String.format("%07x", 0x4c5d6e7 + i * 0x1111));
    this.failingMerchant = merchants.get(0);

    api = tracer("merchant-api", sink, 0);
    skuUpdates = new MemoryChannels(broker, api).publisher(SKU_UPDATES, PayloadCodec.utf8());
    competitorFeed = tracer("competitor-feed", sink, 0);
    competitorPrices = new MemoryChannels(broker, competitorFeed).publisher(COMPETITOR_PRICES, PayloadCodec.utf8());

    // catalog: applies the update to its stream and announces the change
    Tracer catalog = tracer("catalog", sink, 1);
    MemoryChannels catalogCh = new MemoryChannels(broker, catalog);
    MemoryChannels.Publisher<String> catalogChanged = catalogCh.publisher(CATALOG_CHANGED, PayloadCodec.utf8());
    catalogCh.subscribe(SKU_UPDATES, PayloadCodec.utf8(), "ApplySkuUpdate", (in, op) -> {
      op.tag("sku", in.payload());
      work(1, 4);
      catalogChanged.publish(op.prepareOut(CATALOG_CHANGED.schema(), in.payload()), op);
    });

    // inventory: UpdateInventory fails for one merchant often, and rarely for the others
    Tracer inventory = tracer("inventory", sink, 2);
    MemoryChannels inventoryCh = new MemoryChannels(broker, inventory);
    MemoryChannels.Publisher<String> inventoryChanged =
        inventoryCh.publisher(INVENTORY_CHANGED, PayloadCodec.utf8());
    inventoryCh.subscribe(CATALOG_CHANGED, PayloadCodec.utf8(), "UpdateInventory", (in, op) -> {
      String merchant = in.header().ptags().get("merchant_id");
      op.tag("sku", in.payload());
      work(2, 8);
      double p = merchant.equals(failingMerchant) ? 0.6 : failureRate;
      if (chance(p)) {
        failuresByMerchant.computeIfAbsent(merchant, m -> new AtomicLong()).incrementAndGet();
        String[] err = INVENTORY_ERRORS[random(INVENTORY_ERRORS.length)].split("\\|");
        op.fail(err[0], String.format(err[1], in.payload()));
        return;
      }
      inventoryChanged.publish(op.prepareOut(INVENTORY_CHANGED.schema(), in.payload()), op);
    });

    // pricing: joins each inventory change with the latest competitor price for the SKU: fan-in across two flows
    Tracer pricing = tracer("pricing", sink, 3);
    MemoryChannels pricingCh = new MemoryChannels(broker, pricing);
    MemoryChannels.Publisher<String> priceChanged = pricingCh.publisher(PRICE_CHANGED, PayloadCodec.utf8());
    ConcurrentMap<String, Envelope<Stage.In, String>> latestPrice = new ConcurrentHashMap<>();
    pricingCh.subscribe(COMPETITOR_PRICES, PayloadCodec.utf8(), "StoreCompetitorPrice",
        (in, op) -> latestPrice.put(in.payload().split("=")[0], in));
    pricingCh.subscribe(INVENTORY_CHANGED, PayloadCodec.utf8(), "RepriceJoin", (in, op) -> {
      Envelope<Stage.In, String> price = latestPrice.get(in.payload());
      if (price == null) return; // nothing to join with yet
      op.complete(); // the receive is done; the join is its own operation over both inputs
      try (Operation join = pricing.start("RepriceSku", List.of(in, price))) {
        work(1, 3);
        priceChanged.publish(join.prepareOut(PRICE_CHANGED.schema(), in.payload()), join);
        join.complete();
      }
    });

    // search-indexer: batches changes into one index write with many parents and many traces
    Tracer indexer = tracer("search-indexer", sink, 4);
    MemoryChannels indexerCh = new MemoryChannels(broker, indexer);
    MemoryChannels.Publisher<String> indexWrites = indexerCh.publisher(INDEX_WRITES, PayloadCodec.utf8());
    List<Envelope<Stage.In, String>> pending = new ArrayList<>();
    indexerCh.subscribe(CATALOG_CHANGED, PayloadCodec.utf8(), "BufferSkuChange", (in, op) -> {
      List<Envelope<Stage.In, String>> batch = null;
      synchronized (pending) {
        pending.add(in);
        if (pending.size() == BATCH) {
          batch = new ArrayList<>(pending);
          pending.clear();
        }
      }
      if (batch != null) {
        try (Operation write = indexer.start("IndexSkus", batch)) {
          write.tag("batch_size", batch.size());
          work(3, 10);
          indexWrites.publish(write.prepareOut(INDEX_WRITES.schema(), batch.size() + " skus"), write);
          write.complete();
        }
      }
    });

    // notifications: sometimes the process "crashes" mid-operation, leaving it abandoned
    Tracer notifications = tracer("notifications", sink, 5);
    new MemoryChannels(broker, notifications).subscribe(PRICE_CHANGED, PayloadCodec.utf8(), "NotifyWatchers",
        (in, op) -> {
          Operation send = op.child("SendEmail");
          if (chance(0.05)) {
            abandoned.incrementAndGet();
            return; // SendEmail never ends: the server will mark it abandoned after its deadline
          }
          work(1, 5);
          send.complete();
        });

    // every service declares the channels it holds; "recommendations" is declared but never runs: drift
    Tracer recommendations = tracer("recommendations", sink, 6);
    recommendations.declare(TopologyScanner.scan("recommendations", new Object() {
      final Object subscription = new dev.weft.core.channel.SubClient<>(PRICE_CHANGED, m -> null);
    }));
  }

  private Tracer tracer(String service, TelemetrySink sink, int allocIndex) {
    Map<String, String> env = Map.of(
        "NOMAD_JOB_NAME", service, "NOMAD_GROUP_NAME", service, "NOMAD_TASK_NAME", "app",
        "NOMAD_ALLOC_ID", String.format("%08x-demo-alloc-%d", service.hashCode(), allocIndex),
        "NOMAD_ALLOC_INDEX", Integer.toString(allocIndex), "NOMAD_DC", "nj1", "NOMAD_REGION", "us-east",
        "NOMAD_NAMESPACE", "shop");
    Tracer t = Tracer.builder(service).sink(sink)
        .resource(Resource.detect(env, ProcessHandle.current().pid(), "demo-" + service)).build();
    tracers.add(t);
    return t;
  }

  /** One merchant request: the origin of a flow, with merchant_id as a propagated tag. */
  void updateSku() throws Exception {
    String merchant = merchants.get(random(merchants.size()));
    String sku = "sku-" + random(50);
    requests.incrementAndGet();
    try (Operation req = api.start("UpdateSku")) {
      req.ptag("merchant_id", merchant);
      req.tag("http.route", "PUT /merchants/{id}/skus/{sku}");
      skuUpdates.publish(req.prepareOut(SKU_UPDATES.schema(), sku), req);
      req.complete();
    }
    if (chance(0.5)) { // an unrelated flow: a competitor's price for the same SKU
      try (Operation feed = competitorFeed.start("IngestCompetitorPrice")) {
        competitorPrices.publish(feed.prepareOut(COMPETITOR_PRICES.schema(), sku + "=" + (10 + random(90))), feed);
        feed.complete();
      }
    }
  }

  void drain() throws InterruptedException {
    broker.drain(10_000);
  }

  private synchronized boolean chance(double p) {
    return random.nextDouble() < p;
  }

  private synchronized int random(int bound) {
    return random.nextInt(bound);
  }

  private void work(int minMillis, int maxMillis) throws InterruptedException {
    Thread.sleep(minMillis + random(maxMillis - minMillis + 1));
  }

  @Override
  public void close() {
    broker.close();
    for (Tracer t : tracers) t.flush(java.time.Duration.ofSeconds(5));
  }
}
