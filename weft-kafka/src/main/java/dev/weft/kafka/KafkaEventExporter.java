package dev.weft.kafka;

import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.BatchExporter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.utils.Utils;

/**
 * Writes telemetry events to a Kafka topic as NDJSON ({@link EventJson}, one event per line), several events per
 * record. Every event goes to the partition its trace id selects, exactly as if it had been sent alone keyed by its
 * trace id (Kafka's default murmur2 partitioner), so one trace's events share a partition and their order in it is
 * their emission order. The events of one batch bound for one partition travel in one record: the producer, the
 * broker and the collector then handle tens of records per batch instead of one per event, which is most of what
 * telemetry costs them (see RATIONALE.md). Runs on the sink's worker thread (see {@link KafkaTelemetrySink}).
 *
 * <p>It never throws: each event is counted exactly once, as delivered, failed (the producer refused its record or
 * gave up on it) or skipped (left unsent because the producer had just refused a record of the same batch: its buffer
 * is full or the cluster is unreachable, and trying each remaining record would stall the worker for
 * {@code max.block.ms} each).
 */
public final class KafkaEventExporter implements BatchExporter {
  /**
   * The most characters of NDJSON in one record. Far below the producer's {@code max.request.size} and the broker's
   * {@code message.max.bytes} (1 MiB each by default) even if every character took 3 bytes of UTF-8.
   */
  static final int MAX_RECORD_CHARS = 128 * 1024;

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final Duration closeTimeout;

  private final LongAdder delivered = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder inFlight = new LongAdder();
  private final int maxRecordChars;
  private final StringBuilder text = new StringBuilder(16 * 1024); // reused: only the worker thread exports
  private boolean metadataReady;

  public KafkaEventExporter(Producer<byte[], byte[]> producer, String topic, Duration closeTimeout) {
    this(producer, topic, closeTimeout, MAX_RECORD_CHARS);
  }

  /**
   * @param maxRecordChars the most characters of NDJSON packed into one record (at most {@value #MAX_RECORD_CHARS});
   *     keep it well below the producer's {@code buffer.memory}, or a record could never fit there
   */
  public KafkaEventExporter(Producer<byte[], byte[]> producer, String topic, Duration closeTimeout,
      int maxRecordChars) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
    this.maxRecordChars = Math.max(1, Math.min(maxRecordChars, MAX_RECORD_CHARS));
  }

  @Override
  public void export(List<TelemetryEvent> batch) {
    int partitions = partitionCount();
    // Group by partition, keeping each group in batch order. Without metadata (the broker is away) each trace is its
    // own group, sent keyed by trace id, and the producer places it once it can.
    Map<Object, List<TelemetryEvent>> groups = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      TelemetryEvent e = batch.get(i);
      Object group = partitions > 0 ? (Object) partitionFor(e.traceId(), partitions) : e.traceId();
      groups.computeIfAbsent(group, g -> new ArrayList<>()).add(e);
    }
    boolean refusing = false;
    for (Map.Entry<Object, List<TelemetryEvent>> g : groups.entrySet()) {
      List<TelemetryEvent> events = g.getValue();
      if (refusing) {
        skipped.add(events.size());
        continue;
      }
      text.setLength(0);
      int packed = 0;
      for (int i = 0; i < events.size() && !refusing; i++) {
        int mark = text.length();
        try {
          if (packed > 0) text.append('\n');
          EventJson.write(events.get(i), text);
          packed++;
        } catch (RuntimeException ex) {
          text.setLength(mark);
          failed.increment(); // an event that cannot be rendered is lost, and counted
        }
        if (packed > 0 && (text.length() >= maxRecordChars || i == events.size() - 1)) {
          refusing = !send(g.getKey(), packed);
          if (refusing) skipped.add(events.size() - 1 - i);
          text.setLength(0);
          packed = 0;
        }
      }
    }
  }

  /** Sends the {@code count} events in {@link #text} as one record; false if the producer refused it at once. */
  private boolean send(Object group, int count) {
    byte[] value = text.toString().getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> record = group instanceof Integer partition
        ? new ProducerRecord<>(topic, partition, null, value)
        : new ProducerRecord<>(topic, ((String) group).getBytes(StandardCharsets.UTF_8), value);
    inFlight.add(count);
    try {
      Future<RecordMetadata> f = producer.send(record, (metadata, exception) -> {
        if (exception == null) delivered.add(count);
        else failed.add(count);
        inFlight.add(-count);
      });
      // A future done already means the producer refused the record at once (buffer full after max.block.ms,
      // no metadata): the callback has counted it; don't try the rest of the batch.
      return !f.isDone() || !failedNow(f);
    } catch (RuntimeException ex) {
      inFlight.add(-count); // thrown instead of reported: the callback will not run
      failed.add(count);
      return false;
    }
  }

  /**
   * The partition Kafka's default partitioner gives a record keyed by {@code traceId} (murmur2 of its UTF-8 bytes), so
   * packed and single-event records of one trace land together.
   */
  static int partitionFor(String traceId, int partitions) {
    return Utils.toPositive(Utils.murmur2(traceId.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** The topic's partition count, or 0 when it is not known (no metadata yet). */
  private int partitionCount() {
    warmUp();
    if (!metadataReady) return 0;
    try {
      List<PartitionInfo> infos = producer.partitionsFor(topic); // the producer's cached metadata
      return infos == null ? 0 : infos.size();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static boolean failedNow(Future<RecordMetadata> f) {
    try {
      f.get();
      return false;
    } catch (Exception e) {
      return true;
    }
  }

  /** Fetches the topic's metadata once, so that the first batch does not race the topic's auto-creation. */
  private void warmUp() {
    if (metadataReady) return;
    try {
      producer.partitionsFor(topic);
      metadataReady = true;
    } catch (RuntimeException e) {
      // not reachable yet: the sends will report it, and the next batch tries again
    }
  }

  /** Waits until no record is in flight, or the timeout passes. */
  boolean awaitIdle(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.sum() > 0) {
      if (System.nanoTime() > deadline) return false;
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    producer.close(closeTimeout); // what is still unsent after the timeout fails through the callbacks, counted
  }

  /** This exporter's counters. */
  public ExportStats stats() {
    return new ExportStats(delivered.sum(), failed.sum(), skipped.sum(), inFlight.sum());
  }

  /**
   * What the exporter did with the events it was given. Once idle, {@code delivered + failed + skipped} is every
   * event it was handed.
   *
   * @param delivered acknowledged by the broker
   * @param failed refused by the producer or not delivered in time ({@code delivery.timeout.ms})
   * @param skipped left unsent after the producer refused an earlier event of the same batch
   * @param inFlight handed to the producer, outcome not known yet
   */
  public record ExportStats(long delivered, long failed, long skipped, long inFlight) {
    /** Events that will never reach the topic. */
    public long lost() {
      return failed + skipped;
    }
  }
}
