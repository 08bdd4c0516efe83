package dev.weft.server.collector;

import dev.weft.core.Result;
import dev.weft.core.event.EventError;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.server.api.Metrics;
import dev.weft.server.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the telemetry topic as a member of a consumer group and writes what it reads into a {@link Store}.
 *
 * <p>Each poll becomes one batch: every record is parsed with {@link EventJson#parse}; a record that does not parse is
 * logged (partition and offset), counted and skipped, so it never blocks its partition. The good events go to
 * {@link Store#ingest} in one transaction, and only once that transaction has committed are the offsets committed
 * ({@code enable.auto.commit=false}). Delivery is at least once; the store's {@code event_id} idempotency turns a
 * redelivered batch into duplicates, so the stored state is exact.
 *
 * <p>If the store refuses a batch, the batch is retried event by event: events the store refuses alone are counted as
 * bad and skipped; if it refuses every one (the store itself is failing), nothing is committed, the partitions are
 * rewound to the start of the batch and the batch is retried after a pause. Nothing read is lost.
 *
 * <p>Several server instances with the same group id share the topic's partitions. The collector runs on its own
 * thread; {@link #close()} stops it between batches and leaves the group.
 */
public final class KafkaCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaCollector.class);

  /** The default consumer group: {@value}. */
  public static final String DEFAULT_GROUP = "weft-server";
  /** The default topic: {@value}, as weft-kafka's telemetry sink writes. */
  public static final String DEFAULT_TOPIC = "weft.telemetry";

  /**
   * @param bootstrapServers Kafka's {@code bootstrap.servers}
   * @param topic the telemetry topic
   * @param groupId the consumer group shared by the server instances
   * @param properties extra consumer properties (they override the collector's defaults, except auto commit)
   */
  public record Config(String bootstrapServers, String topic, String groupId, Map<String, Object> properties) {
    public Config {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(groupId, "groupId");
      properties = Map.copyOf(properties);
    }

    public static Config of(String bootstrapServers) {
      return new Config(bootstrapServers, DEFAULT_TOPIC, DEFAULT_GROUP, Map.of());
    }

    public Config withTopic(String t) {
      return new Config(bootstrapServers, t, groupId, properties);
    }

    public Config withGroupId(String g) {
      return new Config(bootstrapServers, topic, g, properties);
    }
  }

  /**
   * Counts since start. {@code records}: records read; {@code eventsIngested}: events newly stored; {@code duplicates}:
   * events already stored; {@code badRecords}: records skipped (unparseable, or refused by the store);
   * {@code batches}: batches committed; {@code storeFailures}: batches the store failed and that were retried;
   * {@code lag}: records behind the end of the assigned partitions after the last poll (-1 before it is known).
   */
  public record Stats(long records, long eventsIngested, long duplicates, long badRecords, long batches,
      long storeFailures, long lag) {}

  private static final Duration POLL = Duration.ofMillis(200);
  private static final long RETRY_PAUSE_MS = 1000;

  private final Store store;
  private final Config config;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Metrics.Source metricsSource = this::renderMetrics;
  private volatile boolean running = true;

  private final LongAdder records = new LongAdder();
  private final LongAdder ingested = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder bad = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final LongAdder storeFailures = new LongAdder();
  private final AtomicLong lag = new AtomicLong(-1);

  private KafkaCollector(Store store, Config config) {
    this.store = store;
    this.config = config;
    this.consumer = new KafkaConsumer<>(consumerProperties(config), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "weft-collector-" + config.topic());
    this.thread.setDaemon(true);
  }

  /** Joins the group and starts collecting on a new thread. */
  public static KafkaCollector start(Store store, Config config) {
    KafkaCollector c = new KafkaCollector(Objects.requireNonNull(store, "store"), Objects.requireNonNull(config));
    Metrics.register(store, c.metricsSource);
    c.thread.start();
    return c;
  }

  static Map<String, Object> consumerProperties(Config config) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "weft-collector");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"); // a new group reads the whole retained log
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.putAll(config.properties());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // offsets follow the store's commits, never a timer
    return p;
  }

  public Config config() {
    return config;
  }

  /** Partitions this instance owned after its last poll: its share of the group. */
  public int assignedPartitions() {
    return assigned;
  }

  public Stats stats() {
    return new Stats(records.sum(), ingested.sum(), duplicates.sum(), bad.sum(), batches.sum(), storeFailures.sum(),
        lag.get());
  }

  /** Stops after the batch in progress (committing it), leaves the group and waits for the thread to end. */
  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      if (!finished.await(30, TimeUnit.SECONDS)) LOG.warn("collector thread did not stop within 30 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Metrics.unregister(store, metricsSource);
  }

  private volatile int assigned;

  private void run() {
    try {
      consumer.subscribe(List.of(config.topic()));
      while (running) {
        ConsumerRecords<byte[], byte[]> polled;
        try {
          polled = consumer.poll(POLL);
        } catch (WakeupException e) {
          break;
        }
        assigned = consumer.assignment().size();
        if (!polled.isEmpty()) handle(polled);
        updateLag();
      }
    } catch (WakeupException e) {
      // close() during a commit: the batch is stored, its offsets may not be; it will come back as duplicates.
    } catch (RuntimeException e) {
      LOG.error("collector on topic {} stopped: {}", config.topic(), e.toString(), e);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(10));
      } catch (RuntimeException e) {
        LOG.warn("closing the collector's consumer: {}", e.toString());
      }
      finished.countDown();
    }
  }

  private void handle(ConsumerRecords<byte[], byte[]> polled) {
    Map<TopicPartition, Long> first = new LinkedHashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new LinkedHashMap<>();
    List<TelemetryEvent> batch = new ArrayList<>(polled.count());
    for (ConsumerRecord<byte[], byte[]> r : polled) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      first.putIfAbsent(tp, r.offset());
      next.put(tp, new OffsetAndMetadata(r.offset() + 1));
      TelemetryEvent e = parse(r);
      if (e != null) batch.add(e);
    }
    while (true) {
      Batches.Outcome o = Batches.ingest(store, batch, LOG);
      if (!o.storeDown()) {
        ingested.add(o.accepted());
        duplicates.add(o.duplicates());
        bad.add(o.refused());
        break;
      }
      storeFailures.increment();
      LOG.warn("store failed a batch of {} events; retrying in {} ms: {}", batch.size(), RETRY_PAUSE_MS,
          o.failure());
      if (!running) {
        // Stopping: commit nothing; whoever owns these partitions next re-reads the batch.
        first.forEach(consumer::seek);
        return;
      }
      sleep(RETRY_PAUSE_MS);
    }
    records.add(polled.count());
    try {
      consumer.commitSync(next);
      batches.increment();
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // The partitions moved to another member, which re-reads from the last commit: duplicates only.
      LOG.info("offsets not committed ({}); the batch will be redelivered as duplicates", e.getMessage());
    }
  }

  private TelemetryEvent parse(ConsumerRecord<byte[], byte[]> r) {
    String where = r.topic() + "-" + r.partition() + "@" + r.offset();
    TelemetryEvent e = Batches.parse(r.value(), where, LOG);
    if (e == null) bad.increment();
    return e;
  }

  private void updateLag() {
    long total = 0;
    for (TopicPartition tp : consumer.assignment()) {
      OptionalLong l = consumer.currentLag(tp);
      if (l.isEmpty()) return; // not known yet: keep the previous value
      total += l.getAsLong();
    }
    lag.set(total);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void renderMetrics(StringBuilder out) {
    Stats s = stats();
    Metrics.counter(out, "weft_collector_records_total", "Kafka records read by the collector.", s.records());
    Metrics.counter(out, "weft_collector_events_ingested_total", "Events from Kafka newly stored.",
        s.eventsIngested());
    Metrics.counter(out, "weft_collector_duplicates_total",
        "Events from Kafka already stored (redelivery or a producer retry).", s.duplicates());
    Metrics.counter(out, "weft_collector_bad_records_total",
        "Kafka records skipped: not a valid event, or refused by the store.", s.badRecords());
    Metrics.counter(out, "weft_collector_store_failures_total", "Batches the store failed; retried.",
        s.storeFailures());
    Metrics.gauge(out, "weft_collector_lag_records",
        "Records behind the end of the collector's partitions (-1 until known).", s.lag());
  }

  /** Parsing and ingesting shared by the collector and {@code weft replay}. */
  public static final class Batches {
    private Batches() {}

    /**
     * What a batch did. {@code refused}: events the store refused one by one (skipped). {@code storeDown}: the store
     * refused everything; nothing was stored and {@code failure} says why.
     */
    public record Outcome(int accepted, int duplicates, int refused, boolean storeDown, String failure) {}

    /** The event in a record value, or null (logged with {@code where}) when it is not one. */
    public static TelemetryEvent parse(byte[] value, String where, Logger log) {
      if (value == null) {
        log.warn("skipping record {}: no value", where);
        return null;
      }
      String text = new String(value, java.nio.charset.StandardCharsets.UTF_8);
      Result<TelemetryEvent, EventError> r = EventJson.parse(text);
      if (r instanceof Result.Ok<TelemetryEvent, EventError> ok) return ok.value();
      EventError err = ((Result.Err<TelemetryEvent, EventError>) r).error();
      log.warn("skipping record {}: not a telemetry event: {}", where, err);
      return null;
    }

    /**
     * Stores {@code batch} in one transaction. If the store refuses it, stores its events one by one and skips those
     * refused alone; if every one is refused, reports the store as down and nothing is stored.
     */
    public static Outcome ingest(Store store, List<TelemetryEvent> batch, Logger log) {
      if (batch.isEmpty()) return new Outcome(0, 0, 0, false, null);
      try {
        Store.IngestResult r = store.ingest(batch);
        return new Outcome(r.accepted(), r.duplicates(), 0, false, null);
      } catch (Store.StoreException whole) {
        if (batch.size() == 1) return new Outcome(0, 0, 0, true, whole.getMessage());
        int accepted = 0;
        int dups = 0;
        List<String> refused = new ArrayList<>();
        String lastFailure = null;
        for (TelemetryEvent e : batch) {
          try {
            Store.IngestResult r = store.ingest(List.of(e));
            accepted += r.accepted();
            dups += r.duplicates();
          } catch (Store.StoreException one) {
            refused.add(e.eventId());
            lastFailure = one.getMessage();
          }
        }
        if (refused.size() == batch.size()) return new Outcome(0, 0, 0, true, whole.getMessage());
        for (String id : refused) log.warn("skipping event {}: refused by the store ({})", id, lastFailure);
        return new Outcome(accepted, dups, refused.size(), false, null);
      }
    }
  }
}
