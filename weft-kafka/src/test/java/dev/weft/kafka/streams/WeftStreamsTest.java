package dev.weft.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Envelope;
import dev.weft.core.Header;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.Propagation;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.event.EventType;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import dev.weft.kafka.KafkaCarrier;
import dev.weft.kafka.KafkaChannels;
import dev.weft.kafka.KafkaPublisher;
import dev.weft.testsupport.KafkaBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** A real Kafka Streams application on a real broker: a stream-stream join and a windowed count, traced. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WeftStreamsTest {
  private static final String ORDER = "urn:test:Order:v1";
  private static final String PAYMENT = "urn:test:Payment:v1";
  private static final String PAID = "urn:test:PaidOrder:v1";
  private static final String CLICK = "urn:test:Click:v1";
  private static final String COUNT = "urn:test:ClickCount:v1";

  private final InMemorySink sink = new InMemorySink();
  private final Tracer tracer = Tracer.builder("streams-test").sink(sink).build();
  private final InMemorySink appSink = new InMemorySink();
  private final Tracer app = Tracer.builder("shop").sink(appSink).build();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String orders = "orders-" + suffix;
  private final String payments = "payments-" + suffix;
  private final String paid = "paid-" + suffix;
  private final String clicks = "clicks-" + suffix;
  private final String counts = "click-counts-" + suffix;
  private KafkaBroker broker;
  private KafkaStreams streams;
  private KafkaProducer<byte[], byte[]> producer;
  private Path stateDir;

  @BeforeAll
  void startStreams() throws Exception {
    broker = KafkaBroker.shared();
    for (String t : List.of(orders, payments, paid, clicks, counts)) broker.createTopic(t, 1);
    stateDir = Files.createDirectories(Path.of("target", "streams-state", suffix)).toAbsolutePath();

    WeftStreams weft = WeftStreams.of(tracer);
    Serde<String> str = Serdes.String();
    StreamsBuilder b = new StreamsBuilder();
    KStream<String, Traced<String>> orderStream =
        b.stream(orders, Consumed.with(str, str)).processValues(weft.receive(orders, ORDER));
    KStream<String, Traced<String>> paymentStream =
        b.stream(payments, Consumed.with(str, str)).processValues(weft.receive(payments, PAYMENT));
    orderStream
        .join(paymentStream, weft.joiner("MatchPayment", PAID, (String o, String p) -> o + " paid by " + p),
            JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMinutes(5)),
            StreamJoined.with(str, WeftSerdes.traced(str), WeftSerdes.traced(str)))
        .processValues(weft.send(paid))
        .to(paid, Produced.with(str, str));

    b.stream(clicks, Consumed.with(str, str))
        .processValues(weft.<String, String>receive(clicks, CLICK))
        .groupByKey(Grouped.with(str, WeftSerdes.traced(str)))
        .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
        .aggregate(weft.initializer(() -> 0L), weft.<String, String>counter("CountClick"),
            Materialized.with(str, WeftSerdes.aggregate(Serdes.Long())))
        .toStream()
        .map((windowed, agg) -> KeyValue.pair(windowed.key(), agg))
        .mapValues(weft.<Long>emit("EmitClickCount", COUNT))
        .processValues(weft.<String, Long>send(counts))
        .to(counts, Produced.with(str, Serdes.Long()));

    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "weft-streams-test-" + suffix);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0); // every update is emitted at once
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    streams = new KafkaStreams(b.build(), p);
    streams.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) Thread.sleep(50);
    assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);

    Map<String, Object> pc = new HashMap<>();
    pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    pc.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    producer = new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  void stopStreams() throws Exception {
    if (producer != null) producer.close(Duration.ofSeconds(5));
    if (streams != null) {
      streams.close(Duration.ofSeconds(20)); // its state stays under target/
    }
  }

  @Test
  void aJoinedRecordListsBothInputsAsParentsAndBelongsToBothTraces() throws Exception {
    Envelope<Stage.Out, String> order = Envelope.prepareOrigin("shop", ORDER, "order o-1",
        Map.of("merchant_id", "m-1"));
    Envelope<Stage.Out, String> payment = Envelope.prepareOrigin("payments", PAYMENT, "card 42");
    publish(orders, ORDER, "o-1", order, null);
    publish(payments, PAYMENT, "o-1", payment, null);

    List<ConsumerRecord<byte[], byte[]>> out = read(paid, l -> !l.isEmpty());
    assertThat(out).hasSize(1);
    ConsumerRecord<byte[], byte[]> r = out.get(0);
    assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("order o-1 paid by card 42");
    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("o-1");
    Header h = Propagation.defaults().extract(KafkaCarrier.of(r.headers())).header();
    assertThat(h).as("Weft header on the joined record").isNotNull();
    assertThat(h.parentIds()).containsExactly(order.header().messageId(), payment.header().messageId());
    assertThat(h.correlationIds()).containsExactly(order.header().traceId(), payment.header().traceId());
    assertThat(h.ptags().get("merchant_id")).isEqualTo("m-1"); // baggage follows the flow through the join
    assertThat(h.producerId()).isEqualTo("streams-test");
    assertThat(h.payloadSchemaUri()).isEqualTo(PAID);
    assertThat(r.headers().headers("weft")).hasSize(1); // the input's header was replaced, not duplicated

    TelemetryEvent start = sink.ofType(EventType.START).stream().filter(e -> e.op().equals("MatchPayment"))
        .findFirst().orElseThrow();
    assertThat(start.inputs()).containsExactly(order.header().messageId(), payment.header().messageId());
    assertThat(sink.ofType(EventType.RECEIVE)).extracting(e -> e.message().header().messageId())
        .contains(order.header().messageId(), payment.header().messageId());
    assertThat(sink.ofType(EventType.SEND)).extracting(e -> e.message().header()).contains(h);
    assertThat(sink.ofType(EventType.COMPLETE)).anySatisfy(e -> assertThat(e.opId()).isEqualTo(start.opId()));
  }

  @Test
  void aWindowedCountListsEveryCountedMessageAsParent() throws Exception {
    long windowStart = (System.currentTimeMillis() / 60_000) * 60_000;
    List<Header> sent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Envelope<Stage.Out, String> click = Envelope.prepareOrigin("web", CLICK, "click " + i);
      sent.add(click.header());
      publish(clicks, CLICK, "user-1", click, windowStart + 1_000 + i); // same one-minute window
    }
    List<ConsumerRecord<byte[], byte[]>> out = read(counts, l -> l.stream().anyMatch(r -> count(r) == 3));
    ConsumerRecord<byte[], byte[]> three = out.stream().filter(r -> count(r) == 3).findFirst().orElseThrow();
    assertThat(out).extracting(WeftStreamsTest::count).containsExactly(1L, 2L, 3L);
    Header h = Propagation.defaults().extract(KafkaCarrier.of(three.headers())).header();
    assertThat(h).isNotNull();
    assertThat(h.parentIds()).containsExactlyElementsOf(sent.stream().map(Header::messageId).toList());
    assertThat(h.correlationIds()).containsExactlyElementsOf(sent.stream().map(Header::traceId).toList());
    assertThat(h.payloadSchemaUri()).isEqualTo(COUNT);

    // each click was folded in an operation of its own; the emitted count came from a fan-in over all three
    assertThat(sink.ofType(EventType.START).stream().filter(e -> e.op().equals("CountClick")))
        .extracting(TelemetryEvent::inputs)
        .containsExactly(List.of(sent.get(0).messageId()), List.of(sent.get(1).messageId()),
            List.of(sent.get(2).messageId()));
    TelemetryEvent emit = sink.ofType(EventType.START).stream()
        .filter(e -> e.op().equals("EmitClickCount") && e.inputs().size() == 3).findFirst().orElseThrow();
    assertThat(emit.inputs()).containsExactlyElementsOf(sent.stream().map(Header::messageId).toList());
    assertThat(sink.ofType(EventType.SEND)).extracting(e -> e.message().header()).contains(h);
  }

  private void publish(String topic, String schema, String key, Envelope<Stage.Out, String> e, Long timestamp)
      throws Exception {
    KafkaPublisher<String> pub = new KafkaPublisher<>(producer, app, KafkaChannels.topic(topic, schema),
        PayloadCodec.utf8());
    ProducerRecord<byte[], byte[]> r = pub.encode(key.getBytes(StandardCharsets.UTF_8), e);
    producer.send(new ProducerRecord<>(r.topic(), null, timestamp, r.key(), r.value(), r.headers()))
        .get(10, TimeUnit.SECONDS);
  }

  private static long count(ConsumerRecord<byte[], byte[]> r) {
    return ByteBuffer.wrap(r.value()).getLong();
  }

  private List<ConsumerRecord<byte[], byte[]>> read(String topic,
      java.util.function.Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!done.test(out) && System.nanoTime() < deadline) consumer.poll(Duration.ofMillis(200)).forEach(out::add);
    }
    return out;
  }
}
