package dev.weft.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Envelope;
import dev.weft.core.Operation;
import dev.weft.core.Result;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.event.EventError;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.EventSource;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import dev.weft.core.sink.SinkStats;
import dev.weft.core.sink.TelemetrySink;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkaTelemetrySinkTest {

  /** Sends every event to both sinks: what the tracer emitted, and what reached Kafka. */
  private record Tee(TelemetrySink a, TelemetrySink b) implements TelemetrySink {
    @Override
    public void send(TelemetryEvent event) {
      a.send(event);
      b.send(event);
    }

    @Override
    public void send(EventSource source, int part) {
      a.send(source, part);
      b.send(source, part);
    }

    @Override
    public boolean flush(Duration timeout) {
      return b.flush(timeout);
    }

    @Override
    public void close() {
      b.close();
    }
  }

  @Test
  void deliversEveryEventAsNdjsonOnItsTracesPartition() throws Exception {
    String bootstrap = TestKafka.broker().bootstrapServers();
    String topic = "weft.telemetry." + UUID.randomUUID().toString().substring(0, 8); // auto-created on first send
    InMemorySink emitted = new InMemorySink();
    KafkaTelemetrySink kafka = KafkaTelemetrySink.create(bootstrap, topic);
    try (Tracer tracer = Tracer.builder("sink-test").sink(new Tee(emitted, kafka)).build()) {
      for (int i = 0; i < 20; i++) {
        try (Operation op = tracer.start("Job")) {
          Envelope<Stage.Out, String> out = op.prepareOut("urn:test:Done:v1", "x");
          tracer.sent(out.header(), "kafka:done", op);
          op.tag("i", i);
          if (i % 5 == 0) op.fail("BAD_INPUT", "input " + i);
          else op.complete();
        }
      }
      assertThat(tracer.flush(Duration.ofSeconds(30))).isTrue();
      SinkStats s = kafka.stats();
      assertThat(s.accepted()).isEqualTo(60);
      assertThat(s.exported()).isEqualTo(60);
      assertThat(s.lost()).isZero();
      assertThat(s.queued()).isZero();
    }

    List<ConsumerRecord<byte[], byte[]>> records = TestKafka.readUntil(bootstrap, topic, Duration.ofSeconds(30),
        l -> TestKafka.events(l).size() >= 60);
    List<TestKafka.Read> read = TestKafka.events(records);
    assertThat(read).hasSize(60);
    // packed: the 60 events of one batch travel in at most one record per partition
    int partitions = records.stream().mapToInt(ConsumerRecord::partition).max().orElse(0) + 1;
    assertThat(records.size()).isLessThan(60);
    Map<String, TelemetryEvent> sent = emitted.events().stream()
        .collect(Collectors.toMap(TelemetryEvent::eventId, Function.identity()));
    for (TestKafka.Read r : read) {
      assertThat(r.event()).isEqualTo(sent.get(r.event().eventId())); // the JSON round trip is lossless
    }
    // one trace's events share a partition, the one a record keyed by the trace id would get, in emission order
    int topicPartitions;
    try (Admin admin = TestKafka.broker().admin()) {
      topicPartitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    }
    assertThat(partitions).isLessThanOrEqualTo(topicPartitions);
    Map<String, List<TestKafka.Read>> byTrace = read.stream()
        .collect(Collectors.groupingBy(r -> r.event().traceId()));
    assertThat(byTrace).hasSize(20);
    byTrace.forEach((trace, l) -> {
      assertThat(l).allSatisfy(r -> assertThat(r.partition())
          .isEqualTo(KafkaEventExporter.partitionFor(trace, topicPartitions)));
      assertThat(l.stream().map(r -> r.event().seq())).isSorted();
    });
  }

  @Test
  void aDeadBrokerNeverBlocksTheApplicationAndEveryEventIsAccountedFor() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort(); // nothing listens there once closed
    }
    KafkaTelemetrySink kafka = KafkaTelemetrySink.builder("127.0.0.1:" + deadPort).topic("nowhere").capacity(1024)
        .maxBlock(Duration.ofMillis(100)).closeTimeout(Duration.ofMillis(500)).build();
    Tracer tracer = Tracer.builder("dead-broker").sink(kafka).build();
    long worst = 0;
    for (int i = 0; i < 5_000; i++) {
      long t0 = System.nanoTime();
      tracer.start("Tick").complete();
      worst = Math.max(worst, System.nanoTime() - t0);
    }
    tracer.close();
    SinkStats s = kafka.stats();
    assertThat(s.accepted()).isEqualTo(10_000);
    assertThat(s.exported()).isZero();
    assertThat(s.queued()).isZero();
    assertThat(s.dropped() + s.exportFailed()).isEqualTo(10_000);
    assertThat(s.dropped()).isPositive(); // the ring filled while the worker waited on the producer
    // blocking on the dead broker would cost the producer's max.block (100 ms) on every emit, and 5,000 emits would
    // run into the test's timeout; the per-emit bound only leaves room for a GC pause on a loaded machine
    assertThat(TimeUnit.NANOSECONDS.toMillis(worst)).as("slowest emit, ms").isLessThan(1000);
  }
}
