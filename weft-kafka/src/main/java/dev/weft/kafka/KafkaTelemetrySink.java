package dev.weft.kafka;

import dev.weft.core.event.EventSource;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.AsyncBatchingSink;
import dev.weft.core.sink.SinkStats;
import dev.weft.core.sink.TelemetrySink;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends telemetry events to a Kafka topic (default {@value #DEFAULT_TOPIC}) as NDJSON, on the partition their trace
 * id selects, several events per record ({@link KafkaEventExporter}).
 *
 * <p>Two bounded buffers stand between the application and the broker, and neither ever blocks an application
 * thread:
 *
 * <ol>
 *   <li>weft-core's {@link AsyncBatchingSink} ring ({@code capacity} events): {@link #send} is a lock-free offer that
 *       drops and counts when the ring is full;
 *   <li>the Kafka producer's {@code buffer.memory}: its worker thread hands batches to the producer, which retries
 *       while the broker is away. When that buffer is full the worker waits at most {@code max.block.ms}, then counts
 *       the rest of the batch as lost; meanwhile the ring fills and drops.
 * </ol>
 *
 * When the broker returns, the producer delivers what it buffered and the sink goes on. Every event is counted exactly
 * once: {@link #stats()} keeps {@code accepted = exported + dropped + exportFailed + queued}, where {@code exported}
 * means acknowledged by the broker and {@code queued} includes events inside the producer. Events lost are also
 * visible downstream as gaps in each emitter's {@code seq}.
 */
public final class KafkaTelemetrySink implements TelemetrySink {
  /** The default topic: {@value}. */
  public static final String DEFAULT_TOPIC = "weft.telemetry";

  private final AsyncBatchingSink ring;
  private final KafkaEventExporter exporter;

  private KafkaTelemetrySink(Builder b) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "weft-telemetry");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true); // retries after a broker restart write no duplicates
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"); // event JSON shrinks several-fold
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, b.bufferMemory);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, b.maxBlock.toMillis());
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) b.deliveryTimeout.toMillis());
    p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    p.putAll(b.producerProperties);
    Producer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    // a packed record must fit the producer's buffer several times over, or a small buffer would refuse it outright
    int maxRecordChars = (int) Math.min(KafkaEventExporter.MAX_RECORD_CHARS, b.bufferMemory / 8);
    this.exporter = new KafkaEventExporter(producer, b.topic, b.closeTimeout, maxRecordChars);
    this.ring = AsyncBatchingSink.builder(exporter).capacity(b.capacity).maxBatchSize(b.maxBatchSize)
        .linger(b.linger).name("kafka-" + b.topic).build();
  }

  /** A sink writing to {@value #DEFAULT_TOPIC} with the default bounds. */
  public static KafkaTelemetrySink create(String bootstrapServers) {
    return builder(bootstrapServers).build();
  }

  /** A sink writing to {@code topic} with the default bounds. */
  public static KafkaTelemetrySink create(String bootstrapServers, String topic) {
    return builder(bootstrapServers).topic(topic).build();
  }

  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /** Options. The defaults hold about 8k events in the ring and 4 MiB in the producer. */
  public static final class Builder {
    private final String bootstrapServers;
    private String topic = DEFAULT_TOPIC;
    private int capacity = 8192;
    private int maxBatchSize = 512;
    private Duration linger = Duration.ofMillis(100);
    private long bufferMemory = 4L << 20;
    private Duration maxBlock = Duration.ofSeconds(1);
    private Duration deliveryTimeout = Duration.ofMinutes(2);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private final Map<String, Object> producerProperties = new HashMap<>();

    private Builder(String bootstrapServers) {
      this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    }

    /** The topic; default {@value KafkaTelemetrySink#DEFAULT_TOPIC}. */
    public Builder topic(String topic) {
      this.topic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /** Events the ring holds; default 8192. */
    public Builder capacity(int capacity) {
      this.capacity = capacity;
      return this;
    }

    /** Events per batch handed to the producer; default 512. */
    public Builder maxBatchSize(int maxBatchSize) {
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    /** How long a partial batch waits in the ring; default 100 ms. */
    public Builder linger(Duration linger) {
      this.linger = Objects.requireNonNull(linger, "linger");
      return this;
    }

    /** The producer's {@code buffer.memory}: bytes it holds while the broker is away; default 4 MiB. */
    public Builder bufferMemory(long bytes) {
      this.bufferMemory = bytes;
      return this;
    }

    /** The producer's {@code max.block.ms}: the longest the sink's worker (never the application) waits; 1 s. */
    public Builder maxBlock(Duration maxBlock) {
      this.maxBlock = Objects.requireNonNull(maxBlock, "maxBlock");
      return this;
    }

    /** The producer's {@code delivery.timeout.ms}: how long an event may wait for the broker; default 2 min. */
    public Builder deliveryTimeout(Duration deliveryTimeout) {
      this.deliveryTimeout = Objects.requireNonNull(deliveryTimeout, "deliveryTimeout");
      return this;
    }

    /** How long {@link KafkaTelemetrySink#close()} waits for the producer; default 5 s. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
      return this;
    }

    /** Any other producer property (security, client id...). Overrides the sink's own settings. */
    public Builder producerProperty(String key, Object value) {
      producerProperties.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    public KafkaTelemetrySink build() {
      return new KafkaTelemetrySink(this);
    }
  }

  @Override
  public void send(TelemetryEvent event) {
    ring.send(event);
  }

  @Override
  public void send(EventSource source, int part) {
    ring.send(source, part);
  }

  /**
   * Counters over both buffers: {@code exported} counts events the broker acknowledged; {@code exportFailed} events
   * the producer refused, skipped or gave up on; {@code queued} events in the ring or inside the producer.
   */
  @Override
  public SinkStats stats() {
    SinkStats r = ring.stats();
    KafkaEventExporter.ExportStats x = exporter.stats();
    return new SinkStats(r.accepted(), x.delivered(), r.dropped(), r.exportFailed() + x.lost(),
        r.queued() + x.inFlight(), r.capacity());
  }

  /** The producer side's own counters. */
  public KafkaEventExporter.ExportStats exportStats() {
    return exporter.stats();
  }

  /** Waits until every event sent so far was acknowledged or counted as lost, or the timeout passes. */
  @Override
  public boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!ring.flush(timeout)) return false;
    return exporter.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  /** Exports what the ring holds, then closes the producer (waiting up to its close timeout). */
  @Override
  public void close() {
    ring.close();
  }
}
