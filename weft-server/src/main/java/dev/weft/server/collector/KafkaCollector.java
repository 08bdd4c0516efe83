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
 * <p>A record value holds one event or several, as NDJSON ({@link Batches#parse}); a line that is not a valid event is
 * logged (partition, offset and its place in the record), counted and skipped, so it never blocks its partition. The
 * good events of a poll go to {@link Store#ingest} in transactions of at most {@link Batches#MAX_STORE_BATCH} events,
 * and only once all of them have committed are the poll's offsets committed ({@code enable.auto.commit=false}).
 * Delivery is at least once; the store's {@code event_id} idempotency turns a redelivered batch into duplicates, so the
 * stored state is exact.
 *
 * <p>If the store refuses a batch, the batch is retried event by event: events the store refuses alone are counted as
 * bad and skipped; if it refuses every one (the store itself is failing), nothing is committed and the batch is retried
 * after a pause (or, when the collector is stopping, the partitions are rewound to the start of the poll). Nothing read is lost.
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
   * events already stored; {@code badRecords}: events skipped (not a valid event, or refused by the store; a record
   * holding several events counts each bad one);
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
    List<TelemetryEvent> batch = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : polled) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      first.putIfAbsent(tp, r.offset());
      next.put(tp, new OffsetAndMetadata(r.offset() + 1));
      bad.add(Batches.parse(r.value(), Batches.where(r), LOG, batch));
      if (batch.size() >= Batches.MAX_STORE_BATCH) {
        if (!store(batch)) {
          first.forEach(consumer::seek); // stopping: commit nothing; whoever owns these partitions re-reads them
          return;
        }
        batch.clear();
      }
    }
    if (!store(batch)) {
      first.forEach(consumer::seek);
      return;
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

  /** Stores {@code batch}, retrying while the store is down; false if the collector is stopping instead. */
  private boolean store(List<TelemetryEvent> batch) {
    while (true) {
      Batches.Outcome o = Batches.ingest(store, batch, LOG);
      if (!o.storeDown()) {
        ingested.add(o.accepted());
        duplicates.add(o.duplicates());
        bad.add(o.refused());
        return true;
      }
      storeFailures.increment();
      LOG.warn("store failed a batch of {} events; retrying in {} ms: {}", batch.size(), RETRY_PAUSE_MS,
          o.failure());
      if (!running) return false;
      sleep(RETRY_PAUSE_MS);
    }
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
        "Events from Kafka skipped: not a valid event, or refused by the store.", s.badRecords());
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

    /**
     * The most events stored in one transaction. A record may hold hundreds of events (weft-kafka's sink packs a
     * batch's events per partition), so one poll of 2,000 records is split into transactions of at most this many.
     */
    public static final int MAX_STORE_BATCH = 10_000;

    /** A record's place, for logs: {@code topic-partition@offset}. */
    public static String where(ConsumerRecord<?, ?> r) {
      return r.topic() + "-" + r.partition() + "@" + r.offset();
    }

    /**
     * Adds the events in a record value to {@code out} and returns how many were skipped. A value is NDJSON: one event
     * per line, which includes a value holding a single event; a JSON array of events is read too. Each line stands
     * alone ({@link EventJson#parseLines}), so one bad line costs only its own event; it is logged with {@code where}
     * and its index among the record's events. An array is read whole or skipped whole (and then counts as one).
     */
    public static int parse(byte[] value, String where, Logger log, List<TelemetryEvent> out) {
      if (value == null) {
        log.warn("skipping record {}: no value", where);
        return 1;
      }
      String text = new String(value, java.nio.charset.StandardCharsets.UTF_8);
      int i = 0;
      while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
      if (i == text.length()) {
        log.warn("skipping record {}: empty value", where);
        return 1;
      }
      if (text.charAt(i) == '[') {
        Result<List<TelemetryEvent>, EventError> r = EventJson.parseBatch(text);
        if (r instanceof Result.Ok<List<TelemetryEvent>, EventError> ok) {
          out.addAll(ok.value());
          return 0;
        }
        log.warn("skipping record {}: not a batch of telemetry events: {}",
            where, ((Result.Err<List<TelemetryEvent>, EventError>) r).error());
        return 1;
      }
      int skipped = 0;
      for (Result<TelemetryEvent, EventError> r : EventJson.parseLines(text)) {
        if (r instanceof Result.Ok<TelemetryEvent, EventError> ok) {
          out.add(ok.value());
        } else {
          skipped++;
          log.warn("skipping part of record {}: not a telemetry event: {}", where,
              ((Result.Err<TelemetryEvent, EventError>) r).error());
        }
      }
      return skipped;
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
