package dev.weft.server.collector;

import dev.weft.core.event.TelemetryEvent;
import dev.weft.server.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a store from the telemetry topic: every partition is read, without a consumer group, from its first
 * retained offset to the end offset captured when the replay starts. Each poll is stored in one transaction, through
 * the same parsing and ingest path as {@link KafkaCollector}, so the result equals live ingestion. Nothing is
 * committed to Kafka: a replay does not move any group's offsets.
 */
public final class Replay {
  private static final Logger LOG = LoggerFactory.getLogger(Replay.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration NO_PROGRESS_LIMIT = Duration.ofSeconds(60);

  /** Progress after each batch: offsets covered so far out of the total to read. */
  @FunctionalInterface
  public interface Progress {
    void update(long done, long total);
  }

  /** What a replay did. {@code records}: records read; {@code badRecords}: skipped as not events or refused. */
  public record Summary(int partitions, long total, long records, long eventsIngested, long duplicates,
      long badRecords, long batches) {}

  /** A replay that could not finish; what it stored before stays stored. */
  public static final class ReplayException extends RuntimeException {
    ReplayException(String message) {
      super(message);
    }
  }

  private Replay() {}

  /**
   * Reads {@code topic} from the beginning up to its end offsets at the start of the call into {@code store}.
   *
   * @param properties extra consumer properties
   */
  public static Summary run(Store store, String bootstrapServers, String topic, Map<String, Object> properties,
      Progress progress) {
    Objects.requireNonNull(store, "store");
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "weft-replay");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.putAll(properties);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) throw new ReplayException("topic " + topic + " not found");
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo i : infos) tps.add(new TopicPartition(topic, i.partition()));
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps, Duration.ofSeconds(30));
      Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(30));
      long total = 0;
      List<TopicPartition> todo = new ArrayList<>();
      for (TopicPartition tp : tps) {
        long n = end.get(tp) - begin.get(tp);
        total += n;
        if (n > 0) todo.add(tp);
      }
      consumer.assign(todo);
      consumer.seekToBeginning(todo);
      progress.update(0, total);

      long records = 0;
      Tally tally = new Tally();
      long lastDone = -1;
      long lastMove = System.nanoTime();
      List<TopicPartition> active = new ArrayList<>(todo);
      while (!active.isEmpty()) {
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL);
        List<TelemetryEvent> batch = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : polled) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (r.offset() >= end.get(tp)) continue; // written after the replay started
          records++;
          tally.bad += KafkaCollector.Batches.parse(r.value(), KafkaCollector.Batches.where(r), LOG, batch);
          if (batch.size() >= KafkaCollector.Batches.MAX_STORE_BATCH) tally.store(store, batch);
        }
        tally.store(store, batch);
        long done = 0;
        List<TopicPartition> finished = new ArrayList<>();
        for (TopicPartition tp : active) {
          long pos = consumer.position(tp);
          if (pos >= end.get(tp)) finished.add(tp);
        }
        if (!finished.isEmpty()) {
          active.removeAll(finished);
          consumer.pause(finished);
        }
        for (TopicPartition tp : todo) {
          long pos = active.contains(tp) ? consumer.position(tp) : end.get(tp);
          done += Math.max(0, Math.min(pos, end.get(tp)) - begin.get(tp));
        }
        progress.update(done, total);
        if (done != lastDone) {
          lastDone = done;
          lastMove = System.nanoTime();
        } else if (System.nanoTime() - lastMove > NO_PROGRESS_LIMIT.toNanos()) {
          throw new ReplayException("no progress for " + NO_PROGRESS_LIMIT.toSeconds() + " s at " + done + " of "
              + total + " records; is the broker reachable?");
        }
      }
      return new Summary(tps.size(), total, records, tally.ingested, tally.dups, tally.bad, tally.batches);
    }
  }

  /** What the replay stored so far. */
  private static final class Tally {
    long ingested;
    long dups;
    long bad;
    long batches;

    /** Stores {@code batch} in one transaction and empties it; a failing store ends the replay. */
    void store(Store store, List<TelemetryEvent> batch) {
      if (batch.isEmpty()) return;
      KafkaCollector.Batches.Outcome o = KafkaCollector.Batches.ingest(store, batch, LOG);
      if (o.storeDown()) throw new ReplayException("the store failed: " + o.failure());
      ingested += o.accepted();
      dups += o.duplicates();
      bad += o.refused();
      batches++;
      batch.clear();
    }
  }
}
