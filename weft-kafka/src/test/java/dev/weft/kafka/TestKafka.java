package dev.weft.kafka;

import dev.weft.core.Result;
import dev.weft.core.event.EventError;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.testsupport.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Clients and waits shared by the tests. */
final class TestKafka {
  private TestKafka() {}

  static KafkaBroker broker() {
    return KafkaBroker.shared();
  }

  /** A fresh topic name; created with {@code partitions} partitions. */
  static String topic(String prefix, int partitions) {
    String t = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    broker().createTopic(t, partitions);
    return t;
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrap, Map<String, Object> extra) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.putAll(extra);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static KafkaProducer<byte[], byte[]> producer() {
    return producer(broker().bootstrapServers(), Map.of());
  }

  static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, Map<String, Object> extra) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.putAll(extra);
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  static KafkaConsumer<byte[], byte[]> consumer() {
    return consumer(broker().bootstrapServers(), Map.of());
  }

  /** Reads {@code topic} from the start until {@code done} holds for what was read, or the timeout passes. */
  static List<ConsumerRecord<byte[], byte[]>> readUntil(String bootstrap, String topic, Duration timeout,
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, Map.of())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(out) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) out.add(r);
      }
    }
    return out;
  }

  /** Waits until {@code condition} holds; false if it never did within the timeout. */
  static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) return true;
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }

  /** A telemetry event as read from the topic, with the partition its record was on. */
  record Read(int partition, TelemetryEvent event) {}

  /**
   * Every event in telemetry records (NDJSON, one or more per record), in log order; fails the test on a line that
   * does not parse.
   */
  static List<Read> events(List<ConsumerRecord<byte[], byte[]>> records) {
    List<Read> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      for (String line : new String(r.value(), StandardCharsets.UTF_8).split("\n")) {
        Result<TelemetryEvent, EventError> parsed = EventJson.parse(line);
        if (!(parsed instanceof Result.Ok<TelemetryEvent, EventError> ok)) {
          throw new AssertionError("not an event at " + r.partition() + "@" + r.offset() + ": " + parsed);
        }
        out.add(new Read(r.partition(), ok.value()));
      }
    }
    return out;
  }
}
