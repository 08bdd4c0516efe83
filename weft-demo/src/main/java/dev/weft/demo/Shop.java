package dev.weft.demo;

import dev.weft.core.Envelope;
import dev.weft.core.Operation;
import dev.weft.core.Stage;
import dev.weft.core.channel.Channel;
import dev.weft.core.sink.SinkStats;
import dev.weft.core.topology.DeclaresChannel;
import dev.weft.core.topology.Direction;
import dev.weft.core.topology.TopologyScanner;
import dev.weft.http.HttpReply;
import dev.weft.http.HttpRoute;
import dev.weft.http.WeftHttpClient;
import dev.weft.http.WeftHttpHandler;
import dev.weft.jdbc.CatchUpSubscription;
import dev.weft.jdbc.JdbcEventStore;
import dev.weft.jdbc.StreamFilter;
import dev.weft.jdbc.SubscriptionOptions;
import dev.weft.kafka.KafkaChannels;
import dev.weft.kafka.KafkaPublisher;
import dev.weft.kafka.KafkaSubscriber;
import dev.weft.kafka.KafkaTelemetrySink;
import dev.weft.kafka.streams.Traced;
import dev.weft.kafka.streams.WeftSerdes;
import dev.weft.kafka.streams.WeftStreams;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * A simulated event-sourced shop where "a merchant updates a SKU", built only from Weft's public API on the real
 * mediums: Kafka topics (weft-kafka publishers, subscribers and a Kafka Streams join), HTTP request/reply
 * (weft-http) and a database event store (weft-jdbc on an embedded H2 database). Every simulated instance has its
 * own tracer and Nomad-style runtime metadata; all of them emit through one {@link KafkaTelemetrySink}.
 *
 * <pre>
 *  merchant-portal ──HTTP PUT /merchants/{merchant_id}/skus/{sku}──▶ merchant-api ──sku-updates──▶ catalog
 *  catalog ──jdbc:sku (its event store)──▶ catalog ──catalog-changed──┬─▶ inventory
 *                                                                     └─▶ search-indexer
 *  inventory ──inventory-changed──────┐
 *                                     ├─▶ pricing (Kafka Streams join) ──price-changed──▶ notifications
 *  competitor-feed ──competitor-prices┘
 *  search-indexer ──search-index──▶ (nobody reads it)
 *  recommendations: declared, never runs
 * </pre>
 */
final class Shop implements AutoCloseable {
  // ------------------------------------------------------------------ the shop's channels

  static final Channel SKU_UPDATES = KafkaChannels.topic("sku-updates", "urn:shop:SkuUpdated:v1");
  static final Channel CATALOG_CHANGED = KafkaChannels.topic("catalog-changed", "urn:shop:CatalogChanged:v1");
  static final Channel INVENTORY_CHANGED = KafkaChannels.topic("inventory-changed", "urn:shop:InventoryChanged:v1");
  static final Channel COMPETITOR_PRICES = KafkaChannels.topic("competitor-prices", "urn:shop:CompetitorPrice:v1");
  static final Channel PRICE_CHANGED = KafkaChannels.topic("price-changed", "urn:shop:PriceChanged:v1");
  static final Channel SEARCH_INDEX = KafkaChannels.topic("search-index", "urn:shop:SkusIndexed:v1");
  /** Declared by the recommendations service, which never runs; the topic is never created. */
  static final Channel RECOMMENDATIONS = KafkaChannels.topic("recommendations", "urn:shop:Recommendations:v1");
  /** The catalog's event-store streams ({@code sku-<id>}), category {@code sku}. */
  static final String SKU_REVISED = "urn:shop:SkuRevised:v1";
  static final Channel SKU_STREAMS = Channel.pubSub("jdbc", "sku", SKU_REVISED);
  static final HttpRoute UPDATE_SKU = HttpRoute.of("PUT", "/merchants/{merchant_id}/skus/{sku}",
      "urn:shop:UpdateSku:v1", "urn:shop:SkuUpdateAccepted:v1");

  /** Every topic the shop uses, with its partitions. */
  static final Map<String, Integer> TOPICS = Map.of(
      SKU_UPDATES.name(), 3, CATALOG_CHANGED.name(), 3, INVENTORY_CHANGED.name(), 3,
      COMPETITOR_PRICES.name(), 3, PRICE_CHANGED.name(), 3, SEARCH_INDEX.name(), 1);

  /** The services that run, and the one that is only declared. */
  static final List<String> SERVICES = List.of("merchant-portal", "merchant-api", "catalog", "inventory",
      "search-indexer", "competitor-feed", "pricing", "notifications");
  static final String NEVER_RUNS = "recommendations";

  /** Merchants; the first two have a flaky warehouse integration and fail at the configured rate. */
  static final List<String> MERCHANTS = List.of("4c5d6e7", "b2c3d4e", "1a2b3c4", "5e6f7a8", "9b0c1d2", "3e4f5a6",
      "7b8c9d0", "2f3a4b5", "6c7d8e9", "0a1b2c3", "8d9e0f1", "e5f6a7b");
  static final List<String> TROUBLED_MERCHANTS = MERCHANTS.subList(0, 2);
  static final int SKUS = 60;
  static final int INDEX_BATCH = 32;

  private static final String[][] INVENTORY_ERRORS = {
    {"WarehouseTimeout", "warehouse-api nj-2 did not answer PUT /stock/%s within 2000 ms"},
    {"InsufficientStock", "cannot reserve %s: 3 requested, 0 on hand at warehouse nj-2"},
    {"java.sql.SQLTransientConnectionException",
        "inventory-db: connection is not available, request timed out after 30000 ms (updating %s)"},
  };
  private static final String[] COMPETITORS = {"acme-mart", "bargain-bin", "shopzilla"};

  /** Lets {@link TopologyScanner} see what a service holds: it reads the fields of this record. */
  record Declares(List<Object> channels) {}

  /** A channel a service uses through something that does not declare itself (a Streams topology, an append). */
  record Declared(Channel channel, Direction direction) implements DeclaresChannel {}

  // ------------------------------------------------------------------ state

  private final DemoConfig config;
  private final String bootstrap;
  private final PrintStream log;
  private final GroundTruth truth = new GroundTruth();
  private final KafkaTelemetrySink sink;
  private final Producer<byte[], byte[]> producer;
  private final List<Instance> instances = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ScheduledExecutorService scheduler;
  private final ThreadPoolExecutor portalCalls;
  private final AtomicLong shed = new AtomicLong();
  private final AtomicLong flowErrors = new AtomicLong();
  private final Map<String, AtomicInteger> stock = new ConcurrentHashMap<>();
  private final List<Deployment<?>> deployments = new ArrayList<>();
  private volatile boolean trafficOn;
  private Thread traffic;
  private KafkaStreams pricing;
  private JdbcEventStore<Map<String, String>> catalogStore;
  private CatchUpSubscription<Map<String, String>> outbox;

  // services used by the traffic generator
  private Instance portal;
  private WeftHttpClient portalClient;
  private URI merchantApi;
  private Instance feed;
  private KafkaPublisher<Map<String, String>> feedPrices;

  private Shop(DemoConfig config, String bootstrap, PrintStream log) {
    this.config = config;
    this.bootstrap = bootstrap;
    this.log = log;
    this.sink = KafkaTelemetrySink.builder(bootstrap).capacity(1 << 16).build();
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "shop");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.scheduler = Executors.newScheduledThreadPool(1, daemon("shop-scheduler"));
    this.portalCalls = new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64),
        daemon("merchant-portal"), (r, ex) -> shed.incrementAndGet());
  }

  /**
   * Starts every service of the shop (and its declarations), waiting until the pricing stream processor runs. Traffic
   * starts with {@link #startTraffic()}.
   */
  static Shop start(DemoConfig config, String bootstrap, Path dataDir, PrintStream log) throws Exception {
    Shop s = new Shop(config, bootstrap, log);
    try {
      s.startServices(dataDir);
      return s;
    } catch (Exception | Error e) {
      s.close();
      throw e;
    }
  }

  GroundTruth truth() {
    return truth;
  }

  /** Counters of the shared telemetry sink: accepted, exported (acknowledged by the broker), dropped, failed. */
  SinkStats telemetry() {
    return sink.stats();
  }

  /** Flows the portal could not start because its callers were all busy. */
  long shedFlows() {
    return shed.get();
  }

  /** Flows whose HTTP call failed. */
  long flowErrors() {
    return flowErrors.get();
  }

  synchronized Instance instance(String service, int allocIndex) {
    Instance i = Instance.start(service, allocIndex, sink);
    instances.add(i);
    return i;
  }

  synchronized List<Instance> instances() {
    return List.copyOf(instances);
  }

  void warn(String message) {
    log.println("weft demo: " + message);
  }

  // ------------------------------------------------------------------ services

  private void startServices(Path dataDir) throws Exception {
    // first: Kafka Streams takes the longest to join its group, and the others start meanwhile (about 0.7 s sooner
    // than starting it last)
    startPricing(dataDir);
    startMerchantApi();
    startCatalog(dataDir);
    startInventory();
    startSearchIndexer();
    startNotifications();
    startPortal();
    declareRecommendations();
    awaitPricing();
    startCompetitorFeed(); // seeds every SKU's price, read at once by the running pricing service
  }

  /** merchant-api: serves PUT /merchants/{merchant_id}/skus/{sku} and publishes SkuUpdated. */
  private void startMerchantApi() throws IOException {
    Instance api = instance("merchant-api", 0);
    KafkaPublisher<Map<String, String>> skuUpdates = new KafkaPublisher<>(producer, api.tracer, SKU_UPDATES, Kv.CODEC);
    WeftHttpHandler handler = WeftHttpHandler.builder(api.tracer).route(UPDATE_SKU).build(exchange -> {
      try {
        String[] parts = exchange.getRequestURI().getPath().split("/"); // "", merchants, {id}, skus, {sku}
        Map<String, String> body = Kv.decode(new String(exchange.getRequestBody().readAllBytes(),
            StandardCharsets.UTF_8));
        if (parts.length != 5 || !MERCHANTS.contains(parts[2]) || !body.containsKey("quantity")) {
          reply(exchange, 404, Kv.of("status", "rejected", "reason", "unknown merchant or sku"));
          return;
        }
        Operation op = WeftHttpHandler.operation(exchange);
        Map<String, String> update = Kv.of("merchant", parts[2], "sku", parts[4], "quantity", body.get("quantity"),
            "price", body.getOrDefault("price", ""));
        Envelope<Stage.Out, Map<String, String>> out = op != null ? op.prepareOut(SKU_UPDATES.schema(), update)
            : Envelope.prepareOrigin(api.tracer.service(), SKU_UPDATES.schema(), update);
        try {
          skuUpdates.publish(parts[4].getBytes(StandardCharsets.UTF_8), out, op, null);
        } catch (Exception e) {
          reply(exchange, 503, Kv.of("status", "unavailable", "reason", e.toString()));
          return;
        }
        reply(exchange, 202, Kv.of("status", "accepted", "sku", parts[4]));
      } finally {
        exchange.close();
      }
    });
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/merchants/", handler);
    server.setExecutor(Executors.newFixedThreadPool(4, daemon("merchant-api")));
    server.start();
    closeables.add(() -> server.stop(0));
    merchantApi = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    api.tracer.declare(TopologyScanner.scan("merchant-api", new Declares(List.of(handler, skuUpdates))));
  }

  private static void reply(HttpExchange exchange, int status, Map<String, String> body) throws IOException {
    byte[] bytes = Kv.encode(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/x-www-form-urlencoded");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * catalog: applies each SkuUpdated to the SKU's event-sourced stream ({@code sku-<id>} in its own database), and a
   * catch-up subscription on those streams publishes CatalogChanged: the transactional-outbox shape.
   */
  private void startCatalog(Path dataDir) throws Exception {
    Instance catalog = instance("catalog", 0);
    JdbcConnectionPool db = JdbcConnectionPool.create("jdbc:h2:file:" + dataDir.resolve("catalog").toAbsolutePath()
        + ";LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE", "sa", ""); // the demo closes it, after the catalog stops
    closeables.add(db::dispose);
    JdbcEventStore<Map<String, String>> store = JdbcEventStore.builder(db, catalog.tracer, Kv.CODEC)
        .table("catalog_events").build();
    catalogStore = store;
    store.createSchema();
    KafkaPublisher<Map<String, String>> changed =
        new KafkaPublisher<>(producer, catalog.tracer, CATALOG_CHANGED, Kv.CODEC);

    KafkaSubscriber<Map<String, String>> updates = KafkaSubscriber.perRecord(consumer("catalog", Map.of()),
        catalog.tracer, SKU_UPDATES, Kv.CODEC, "ApplySkuUpdate", (in, op) -> {
          Map<String, String> u = in.payload();
          op.tag("sku", u.get("sku"));
          sleep(1, 3);
          store.append(u.get("sku"), JdbcEventStore.ANY, // the SKU's stream: sku-<id>, category "sku"
              op.prepareOut(SKU_REVISED, Kv.of("merchant", u.get("merchant"), "sku", u.get("sku"),
                  "quantity", u.get("quantity"), "price", u.getOrDefault("price", ""))), op);
        });
    updates.start();
    closeables.add(updates);

    outbox = store.subscribe(
        SubscriptionOptions.of("PublishCatalogChange").named("catalog-changed-outbox")
            .filter(StreamFilter.category("sku")).schema(SKU_REVISED).pollInterval(Duration.ofMillis(100))
            .batchSize(200).retries(10, Duration.ofMillis(100), SubscriptionOptions.Exhausted.STOP),
        (in, op) -> {
          Map<String, String> e = in.payload();
          changed.publish(e.get("sku").getBytes(StandardCharsets.UTF_8), op.prepareOut(CATALOG_CHANGED.schema(),
              Kv.of("merchant", e.get("merchant"), "sku", e.get("sku"), "quantity", e.get("quantity"))), op, null);
        });
    closeables.add(outbox);
    catalog.tracer.declare(TopologyScanner.scan("catalog", new Declares(List.of(updates, outbox, changed,
        new Declared(SKU_STREAMS, Direction.PUBLISH)))));
  }

  /** inventory: UpdateInventory per CatalogChanged; fails for troubled merchants; its instances sometimes crash. */
  private void startInventory() {
    Deployment<Map<String, String>> d = new Deployment<>(this, "inventory", CATALOG_CHANGED, Kv.CODEC,
        "UpdateInventory", (self, declares) -> {
          KafkaPublisher<Map<String, String>> out =
              new KafkaPublisher<>(producer, self.tracer, INVENTORY_CHANGED, Kv.CODEC);
          declares.add(out);
          return (me, in, op) -> updateInventory(me, in, op, out);
        }, () -> consumer("inventory", restartable()), scheduler,
        config.restartDelay());
    deployments.add(d.start(2));
  }

  private void updateInventory(Instance me, Envelope<Stage.In, Map<String, String>> in, Operation op,
      KafkaPublisher<Map<String, String>> out) throws Exception {
    Map<String, String> c = in.payload();
    String merchant = c.get("merchant");
    String sku = c.get("sku");
    op.tag("sku", sku);
    sleep(2, 6);
    if (me.crashesNow(config.inventoryCrashRate())) {
      truth.updateAbandoned(merchant, op.id());
      me.crash(); // the process dies here: this UpdateInventory never ends
      return;
    }
    if (TROUBLED_MERCHANTS.contains(merchant) && ThreadLocalRandom.current().nextDouble() < config.failureRate()) {
      String[] err = INVENTORY_ERRORS[ThreadLocalRandom.current().nextInt(INVENTORY_ERRORS.length)];
      truth.updateFailed(merchant, op.id());
      op.fail(err[0], String.format(Locale.ROOT, err[1], sku));
      return;
    }
    int onHand = stock.computeIfAbsent(sku, k -> new AtomicInteger(100)).updateAndGet(
        n -> Math.max(0, n + Integer.parseInt(c.getOrDefault("quantity", "0")) - 5));
    out.publish(sku.getBytes(StandardCharsets.UTF_8), op.prepareOut(INVENTORY_CHANGED.schema(),
        Kv.of("merchant", merchant, "sku", sku, "on_hand", Integer.toString(onHand))), op, null);
  }

  /** search-indexer: one index write per batch of up to 32 catalog changes, each from its own flow. */
  private void startSearchIndexer() {
    Instance indexer = instance("search-indexer", 0);
    KafkaPublisher<Map<String, String>> writes = new KafkaPublisher<>(producer, indexer.tracer, SEARCH_INDEX,
        Kv.CODEC);
    // the broker holds each fetch up to 1.5 s, so a poll brings a batch's worth of changes
    Consumer<byte[], byte[]> c = consumer("search-indexer", Map.of(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1 << 20,
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 1500, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 256));
    KafkaSubscriber<Map<String, String>> changes = KafkaSubscriber.batch(c, indexer.tracer, CATALOG_CHANGED,
        Kv.CODEC, "IndexSkus", INDEX_BATCH, (batch, op) -> {
          op.tag("batch_size", batch.size());
          sleep(5, 15);
          String skus = batch.stream().map(e -> e.payload().get("sku")).distinct().sorted()
              .collect(Collectors.joining(","));
          Envelope<Stage.Out, Map<String, String>> out = op.prepareOut(SEARCH_INDEX.schema(),
              Kv.of("index", "skus-v3", "documents", Integer.toString(batch.size()), "skus", skus));
          writes.publish(out, op);
          truth.batch(new GroundTruth.Batch(out.header().messageId(),
              batch.stream().map(e -> e.header().messageId()).toList(),
              batch.stream().map(e -> e.header().traceId()).toList()));
        });
    changes.start();
    closeables.add(changes);
    indexer.tracer.declare(TopologyScanner.scan("search-indexer", new Declares(List.of(changes, writes))));
  }

  /** competitor-feed: its own flows; a scraper publishes competitors' prices per SKU. */
  private void startCompetitorFeed() throws Exception {
    feed = instance("competitor-feed", 0);
    feedPrices = new KafkaPublisher<>(producer, feed.tracer, COMPETITOR_PRICES, Kv.CODEC);
    feed.tracer.declare(TopologyScanner.scan("competitor-feed", new Declares(List.of(feedPrices))));
    for (int i = 0; i < SKUS; i++) scrapePrice(sku(i)); // every SKU has a price before the first join
  }

  private void scrapePrice(String sku) {
    try (Operation op = feed.tracer.start("ScrapeCompetitorPrice")) {
      String competitor = COMPETITORS[ThreadLocalRandom.current().nextInt(COMPETITORS.length)];
      op.tag("sku", sku).tag("competitor", competitor);
      String price = String.format(Locale.ROOT, "%.2f", 5 + ThreadLocalRandom.current().nextDouble(95));
      feedPrices.publish(sku.getBytes(StandardCharsets.UTF_8), op.prepareOut(COMPETITOR_PRICES.schema(),
          Kv.of("sku", sku, "competitor", competitor, "price", price)), op, null);
      op.complete();
    } catch (Exception e) {
      warn("competitor-feed: " + e);
    }
  }

  /**
   * pricing: a Kafka Streams application joining each inventory change with the latest competitor price of its SKU.
   * Each repriced SKU has two parents from two different flows: the merchant's and the scraper's.
   */
  private void startPricing(Path dataDir) {
    Instance instance = instance("pricing", 0);
    WeftStreams weft = WeftStreams.of(instance.tracer);
    Serde<String> keys = Serdes.String();
    Serde<Map<String, String>> values = Kv.serde();
    StreamsBuilder b = new StreamsBuilder();
    KTable<String, Traced<Map<String, String>>> prices = b.stream(COMPETITOR_PRICES.name(),
            Consumed.with(keys, values))
        .processValues(weft.<String, Map<String, String>>receive(COMPETITOR_PRICES.name(), COMPETITOR_PRICES.schema()))
        .toTable(Materialized.<String, Traced<Map<String, String>>>as(Stores.inMemoryKeyValueStore("competitor-prices"))
            .withKeySerde(keys).withValueSerde(WeftSerdes.traced(values)));
    b.stream(INVENTORY_CHANGED.name(), Consumed.with(keys, values))
        .processValues(weft.<String, Map<String, String>>receive(INVENTORY_CHANGED.name(), INVENTORY_CHANGED.schema()))
        .join(prices, weft.joiner("RepriceSku", PRICE_CHANGED.schema(), Shop::reprice),
            Joined.with(keys, WeftSerdes.traced(values), WeftSerdes.traced(values)))
        .processValues(weft.<String, Map<String, String>>send(PRICE_CHANGED.name()))
        .to(PRICE_CHANGED.name(), Produced.with(keys, values));
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "pricing");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.STATE_DIR_CONFIG, dataDir.resolve("streams").toAbsolutePath().toString());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0); // forward every join result at once
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 500);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    pricing = new KafkaStreams(b.build(), p);
    pricing.setUncaughtExceptionHandler(e -> {
      warn("pricing stream thread failed, replacing it: " + e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
          .REPLACE_THREAD;
    });
    pricing.start();
    instance.tracer.declare(TopologyScanner.scan("pricing", new Declares(List.of(
        new Declared(INVENTORY_CHANGED, Direction.SUBSCRIBE), new Declared(COMPETITOR_PRICES, Direction.SUBSCRIBE),
        new Declared(PRICE_CHANGED, Direction.PUBLISH)))));
  }

  private static Map<String, String> reprice(Map<String, String> inventory, Map<String, String> competitor) {
    double theirs = Double.parseDouble(competitor.getOrDefault("price", "10"));
    int onHand = Integer.parseInt(inventory.getOrDefault("on_hand", "0"));
    double ours = theirs * (onHand < 20 ? 1.05 : 0.98); // scarce: a little above them; plenty: undercut
    return Kv.of("merchant", inventory.get("merchant"), "sku", inventory.get("sku"),
        "price", String.format(Locale.ROOT, "%.2f", ours), "competitor", competitor.getOrDefault("competitor", "?"),
        "competitor_price", competitor.getOrDefault("price", "?"));
  }

  private void awaitPricing() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (pricing.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) Thread.sleep(25);
    if (pricing.state() != KafkaStreams.State.RUNNING) {
      throw new IllegalStateException("the pricing stream processor did not start: " + pricing.state());
    }
  }

  /** notifications: tells watchers about new prices; its instances sometimes crash mid-operation. */
  private void startNotifications() {
    Deployment<Map<String, String>> d = new Deployment<>(this, "notifications", PRICE_CHANGED, Kv.CODEC,
        "NotifyWatchers", (self, declares) -> (me, in, op) -> {
          op.tag("sku", in.payload().get("sku"));
          sleep(1, 4);
          if (me.crashesNow(config.crashRate())) {
            truth.notificationAbandoned(op.id());
            me.crash(); // killed mid-send: NotifyWatchers never ends
            return;
          }
          op.tag("watchers", ThreadLocalRandom.current().nextInt(1, 40));
        }, () -> consumer("notifications", restartable()), scheduler,
        config.restartDelay());
    deployments.add(d.start(2));
  }

  /** merchant-portal: the merchants' web app; each request to merchant-api starts a flow. */
  private void startPortal() {
    portal = instance("merchant-portal", 0);
    portalClient = WeftHttpClient.create(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build(), portal.tracer);
    WeftHttpClient.Endpoint<Map<String, String>, Map<String, String>> template =
        portalClient.endpoint(UPDATE_SKU, merchantApi.resolve("/merchants/"), Kv.CODEC, Kv.CODEC);
    portal.tracer.declare(TopologyScanner.scan("merchant-portal", new Declares(List.of(template))));
  }

  /** recommendations: deployed (so its declaration is published) but never scheduled: drift. */
  private void declareRecommendations() {
    Instance r = instance(NEVER_RUNS, 0);
    r.tracer.declare(TopologyScanner.scan(NEVER_RUNS, new Declares(List.of(
        new Declared(CATALOG_CHANGED, Direction.SUBSCRIBE), new Declared(PRICE_CHANGED, Direction.SUBSCRIBE),
        new Declared(RECOMMENDATIONS, Direction.PUBLISH)))));
  }

  // ------------------------------------------------------------------ traffic

  /** Starts merchant traffic at the configured rate, and competitor prices at a quarter of it. */
  synchronized void startTraffic() {
    if (traffic != null) return;
    trafficOn = true;
    traffic = new Thread(this::pace, "shop-traffic");
    traffic.setDaemon(true);
    traffic.start();
  }

  /** Stops starting new flows; flows in progress go on. */
  void stopTraffic() {
    Thread t;
    synchronized (this) {
      trafficOn = false;
      t = traffic;
    }
    if (t == null) return;
    t.interrupt();
    try {
      t.join(5_000);
      portalCalls.shutdown();
      portalCalls.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void pace() {
    long interval = (long) (1e9 / config.rate());
    long next = System.nanoTime();
    while (trafficOn) {
      portalCalls.execute(this::merchantUpdatesSku);
      if (ThreadLocalRandom.current().nextInt(4) == 0) scrapePrice(sku(ThreadLocalRandom.current().nextInt(SKUS)));
      next += interval;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          return;
        }
      } else if (wait < -1_000_000_000L) {
        next = System.nanoTime(); // fell a second behind (a GC pause, a busy machine): do not burst to catch up
      }
    }
  }

  /** One flow: a merchant updates a SKU through the portal. */
  private void merchantUpdatesSku() {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    String merchant = MERCHANTS.get(rnd.nextInt(MERCHANTS.size()));
    String sku = sku(rnd.nextInt(SKUS));
    try (Operation op = portal.tracer.start("UpdateSku")) {
      op.ptag("merchant_id", merchant);
      op.tag("sku", sku);
      truth.flowStarted(op.traceId());
      try {
        HttpReply<Map<String, String>> reply = portalClient.endpoint(UPDATE_SKU,
            merchantApi.resolve("/merchants/" + merchant + "/skus/" + sku), Kv.CODEC, Kv.CODEC)
            .withTimeout(Duration.ofSeconds(10))
            .call(Kv.of("quantity", Integer.toString(rnd.nextInt(0, 12)),
                "price", String.format(Locale.ROOT, "%.2f", 5 + rnd.nextDouble(95))), op);
        if (reply.isSuccess()) {
          op.complete();
        } else {
          flowErrors.incrementAndGet();
          op.fail("HTTP " + reply.statusCode(), "merchant-api refused the update");
        }
      } catch (IOException e) {
        flowErrors.incrementAndGet();
        op.fail(e);
      } catch (InterruptedException e) {
        op.fail(e);
        Thread.currentThread().interrupt();
      }
    }
  }

  static String sku(int i) {
    return "sku-" + (100 + i);
  }

  // ------------------------------------------------------------------ settling and closing

  /** The consumer groups of the shop and the topics each reads. */
  private static final Map<String, List<String>> GROUPS = Map.of(
      "catalog", List.of(SKU_UPDATES.name()),
      "inventory", List.of(CATALOG_CHANGED.name()),
      "search-indexer", List.of(CATALOG_CHANGED.name()),
      "pricing", List.of(INVENTORY_CHANGED.name(), COMPETITOR_PRICES.name()),
      "notifications", List.of(PRICE_CHANGED.name()));

  /**
   * After {@link #stopTraffic()}: waits until every message has been handled (no consumer group lags, the catalog's
   * outbox has read its event store to the end, no crashed instance awaits its restart) and no telemetry was emitted
   * for {@code quietFor}; then until the telemetry sink has delivered everything to Kafka. False on timeout.
   */
  boolean settle(Duration quietFor, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long lastAccepted = -1;
    long quietSince = System.nanoTime();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
      String waiting = null;
      while (System.nanoTime() < deadline) {
        long accepted = sink.stats().accepted();
        waiting = accepted != lastAccepted ? "telemetry still being emitted"
            : deployments.stream().anyMatch(d -> d.pendingRestarts() > 0) ? "a crashed instance awaits its restart"
            : outboxBehind() ? "the catalog's outbox is behind its event store" : lagging(admin);
        if (waiting != null) {
          lastAccepted = accepted;
          quietSince = System.nanoTime();
        } else if (System.nanoTime() - quietSince >= quietFor.toNanos()) {
          if (sink.flush(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) return true;
          waiting = "the telemetry sink did not deliver everything: " + sink.stats();
          break;
        }
        Thread.sleep(100);
      }
      System.err.println("shop did not settle within " + timeout.toSeconds() + " s: " + waiting);
    }
    return false;
  }

  private boolean outboxBehind() {
    try {
      return outbox.position() < catalogStore.headPosition();
    } catch (Exception e) {
      return true;
    }
  }

  /** What a shop consumer group has not committed (the end of every partition it reads), or null if none lags. */
  private static String lagging(Admin admin) {
    try {
      for (Map.Entry<String, List<String>> g : GROUPS.entrySet()) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(g.getKey()).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (String topic : g.getValue()) {
          for (int p = 0; p < TOPICS.get(topic); p++) ends.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        for (var e : admin.listOffsets(ends).all().get(10, TimeUnit.SECONDS).entrySet()) {
          OffsetAndMetadata c = committed.get(e.getKey());
          if (e.getValue().offset() > (c == null ? 0 : c.offset())) {
            return "group " + g.getKey() + " committed " + (c == null ? "nothing" : c.offset()) + " of "
                + e.getValue().offset() + " on " + e.getKey();
          }
        }
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } catch (Exception e) {
      return "offsets not readable: " + e;
    }
  }

  @Override
  public void close() {
    stopTraffic();
    portalCalls.shutdownNow();
    for (Deployment<?> d : deployments) d.close();
    if (pricing != null) pricing.close(Duration.ofSeconds(10));
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // closing what a stopping demo holds
      }
    }
    scheduler.shutdownNow();
    producer.close(Duration.ofSeconds(5));
    sink.flush(Duration.ofSeconds(10));
    sink.close();
  }

  // ------------------------------------------------------------------ helpers

  /**
   * For groups whose members crash and come back: cooperative rebalancing, so that the surviving instance keeps its
   * partitions (and keeps working) while the dead one's move, instead of every member stopping for each change.
   */
  private static Map<String, Object> restartable() {
    return Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20,
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
  }

  private Consumer<byte[], byte[]> consumer(String group, Map<String, Object> overrides) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.putAll(overrides);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static void sleep(int minMillis, int maxMillis) throws InterruptedException {
    Thread.sleep(ThreadLocalRandom.current().nextInt(minMillis, maxMillis + 1));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
