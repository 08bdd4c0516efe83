package dev.weft.kafka;

import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.BatchExporter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes telemetry events to a Kafka topic as JSON ({@link EventJson}), keyed by trace id so one trace's events share
 * a partition and the partition offset orders them. Runs on the sink's worker thread (see
 * {@link KafkaTelemetrySink}).
 *
 * <p>It never throws: each event is counted exactly once, as delivered, failed (the producer refused it or gave up on
 * it) or skipped (left unsent because the producer had just refused one of the same batch: its buffer is full or the
 * cluster is unreachable, and trying each remaining event would stall the worker for {@code max.block.ms} each).
 */
public final class KafkaEventExporter implements BatchExporter {
  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final Duration closeTimeout;

  private final LongAdder delivered = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder inFlight = new LongAdder();
  private final Callback callback = this::onCompletion;
  private boolean metadataReady;

  public KafkaEventExporter(Producer<byte[], byte[]> producer, String topic, Duration closeTimeout) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
  }

  @Override
  public void export(List<TelemetryEvent> batch) {
    warmUp();
    boolean refusing = false;
    for (int i = 0; i < batch.size(); i++) {
      if (refusing) {
        skipped.add(batch.size() - i);
        return;
      }
      ProducerRecord<byte[], byte[]> record;
      try {
        TelemetryEvent e = batch.get(i);
        record = new ProducerRecord<>(topic, e.traceId().getBytes(StandardCharsets.UTF_8),
            EventJson.toJson(e).getBytes(StandardCharsets.UTF_8));
      } catch (RuntimeException ex) {
        failed.increment(); // an event that cannot be rendered is lost, and counted
        continue;
      }
      inFlight.increment();
      try {
        Future<RecordMetadata> f = producer.send(record, callback);
        // A future done already means the producer refused the record at once (buffer full after max.block.ms,
        // no metadata): the callback has counted it; don't try the rest of the batch.
        if (f.isDone()) refusing = failedNow(f);
      } catch (RuntimeException ex) {
        inFlight.decrement(); // thrown instead of reported: the callback will not run
        failed.increment();
        refusing = true;
      }
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

  private void onCompletion(RecordMetadata metadata, Exception exception) {
    if (exception == null) delivered.increment();
    else failed.increment();
    inFlight.decrement();
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
