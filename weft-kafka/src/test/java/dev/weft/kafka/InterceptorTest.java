package dev.weft.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Envelope;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Scope;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.BinaryHeaderCodec;
import dev.weft.core.carrier.Propagation;
import dev.weft.core.event.EventType;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class InterceptorTest {
  private final InMemorySink sink = new InMemorySink();
  private final Tracer tracer = Tracer.builder("interceptor-test").sink(sink).build();
  private final String name = "interceptor-test-" + System.nanoTime();

  @AfterEach
  void unregister() {
    WeftTracers.unregister(name);
  }

  @Test
  @SuppressWarnings("try") // the scope only makes the operation current
  void zeroCodeProducerAndConsumerStampSendAndReceive() throws Exception {
    WeftTracers.register(name, tracer);
    String topic = TestKafka.topic("zero-code", 1);
    String bootstrap = TestKafka.broker().bootstrapServers();
    Map<String, Object> producerConf = Map.of(
        ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, WeftProducerInterceptor.class.getName(),
        WeftTracers.TRACER_NAME_CONFIG, name,
        WeftProducerInterceptor.SCHEMA_CONFIG, "urn:test:Plain:v1");
    Header parent = Header.origin("upstream", "urn:test:Cause:v1");
    Header stamped;
    try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(bootstrap, producerConf)) {
      // 1. no operation current: an origin
      producer.send(new ProducerRecord<>(topic, bytes("plain"))).get(10, TimeUnit.SECONDS);
      // 2. inside an operation handling a message: a child of that message
      Operation op = tracer.start("Handle", Envelope.in(parent, "cause"));
      try (Scope ignored = op.makeCurrent()) {
        producer.send(new ProducerRecord<>(topic, bytes("child"))).get(10, TimeUnit.SECONDS);
      }
      op.complete();
      // 3. a record that already has a header is left alone, with no second SEND
      Envelope<Stage.Out, String> own = Envelope.prepareOrigin("interceptor-test", "urn:test:Own:v1", "own");
      ProducerRecord<byte[], byte[]> withHeader = new KafkaPublisher<>(producer, tracer,
          KafkaChannels.topic(topic, "urn:test:Own:v1"), dev.weft.core.channel.PayloadCodec.utf8())
          .encode(null, own);
      producer.send(withHeader).get(10, TimeUnit.SECONDS);
      stamped = own.header();
    }

    List<TelemetryEvent> sends = sink.ofType(EventType.SEND);
    assertThat(sends).hasSize(2); // the interceptor's two; the pre-stamped record got none
    Header origin = sends.get(0).message().header();
    assertThat(origin.isOrigin()).isTrue();
    assertThat(origin.producerId()).isEqualTo("interceptor-test");
    assertThat(origin.payloadSchemaUri()).isEqualTo("urn:test:Plain:v1");
    assertThat(sends.get(0).opId()).isNull();
    Header child = sends.get(1).message().header();
    assertThat(child.parentIds()).containsExactly(parent.messageId());
    assertThat(child.correlationIds()).isEqualTo(parent.correlationIds());
    assertThat(sends.get(1).op()).isEqualTo("Handle");

    Map<String, Object> consumerConf = Map.of(
        ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, WeftConsumerInterceptor.class.getName(),
        WeftTracers.TRACER_NAME_CONFIG, name);
    List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = TestKafka.consumer(bootstrap, consumerConf)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (got.size() < 3 && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(got::add);
      }
    }
    assertThat(got).hasSize(3);
    List<Header> onWire = got.stream()
        .map(r -> Propagation.defaults().extract(KafkaCarrier.of(r.headers())).header()).toList();
    assertThat(onWire).containsExactly(origin, child, stamped);
    assertThat(got).allSatisfy(r -> assertThat(r.headers().lastHeader("traceparent")).isNotNull());
    assertThat(got).allSatisfy(r -> assertThat(r.headers().headers(BinaryHeaderCodec.KEY)).hasSize(1));

    List<TelemetryEvent> receives = sink.ofType(EventType.RECEIVE);
    assertThat(receives).hasSize(3);
    assertThat(receives).extracting(e -> e.message().header()).containsExactly(origin, child, stamped);
    assertThat(receives).allSatisfy(e -> assertThat(e.message().channel()).isEqualTo("kafka:" + topic));
  }

  @Test
  void withoutARegisteredTracerRecordsPassThroughUntouched() throws Exception {
    String topic = TestKafka.topic("untraced", 1);
    String bootstrap = TestKafka.broker().bootstrapServers();
    try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer(bootstrap, Map.of(
        ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, WeftProducerInterceptor.class.getName(),
        WeftTracers.TRACER_NAME_CONFIG, name))) {
      producer.send(new ProducerRecord<>(topic, bytes("x"))).get(10, TimeUnit.SECONDS);
    }
    var records = TestKafka.readUntil(bootstrap, topic, Duration.ofSeconds(30), l -> l.size() == 1);
    assertThat(records).hasSize(1);
    assertThat(records.get(0).headers().lastHeader(BinaryHeaderCodec.KEY)).isNull();
    assertThat(sink.events()).isEmpty();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
