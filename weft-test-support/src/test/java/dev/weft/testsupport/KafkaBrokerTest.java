package dev.weft.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class KafkaBrokerTest {

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void startsProducesConsumesAndSurvivesRestartAndKill() throws Exception {
    long t0 = System.nanoTime();
    try (KafkaBroker broker = KafkaBroker.start()) {
      long startMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
      assertThat(broker.isRunning()).isTrue();
      assertThat(startMs).as("start-up time in ms").isLessThan(60_000);

      broker.createTopic("smoke", 1);
      produce(broker, "one");
      assertThat(consumeAll(broker, 1)).containsExactly("one");

      broker.restart();
      int portBefore = broker.port();
      assertThat(broker.isRunning()).isTrue();
      assertThat(broker.port()).isEqualTo(portBefore);
      produce(broker, "two");
      assertThat(consumeAll(broker, 2)).containsExactly("one", "two"); // the data directory survived the restart

      broker.kill();
      assertThat(broker.isRunning()).isFalse();
      broker.restart();
      produce(broker, "three");
      assertThat(consumeAll(broker, 3)).containsExactly("one", "two", "three");
      assertThat(broker.logFile()).exists();
    }
  }

  @Test
  void classpathHoldsTheBroker() {
    assertThat(KafkaBroker.classpath()).anyMatch(e -> e.contains("kafka_2.13"));
  }

  private static void produce(KafkaBroker broker, String value) throws Exception {
    Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("smoke", value)).get(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> consumeAll(KafkaBroker broker, int expected) {
    Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.GROUP_ID_CONFIG, "smoke-" + System.nanoTime());
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of("smoke"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (out.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) out.add(r.value());
      }
    }
    return out;
  }
}
