package dev.weft.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Envelope;
import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.BinaryHeaderCodec;
import dev.weft.core.channel.Channel;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.event.EventType;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkaPubSubTest {
  private static final String SCHEMA = "urn:test:SkuUpdated:v1";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final InMemorySink sink = new InMemorySink();
  private final Tracer tracer = Tracer.builder("pubsub-test").sink(sink).build();

  @Test
  void publishAndSubscribeEmitSendReceiveStartComplete() throws Exception {
    String topic = TestKafka.topic("sku", 3);
    Channel channel = KafkaChannels.topic(topic, SCHEMA);
    List<Envelope<Stage.In, String>> got = new CopyOnWriteArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer();
        KafkaSubscriber<String> sub = KafkaSubscriber.perRecord(TestKafka.consumer(), tracer, channel,
            PayloadCodec.utf8(), "UpdateInventory", (m, op) -> {
              op.tag("sku", m.payload());
              got.add(m);
            }).start()) {
      KafkaPublisher<String> pub = new KafkaPublisher<>(producer, tracer, channel, PayloadCodec.utf8());
      Envelope<Stage.Out, String> out = Envelope.prepareOrigin("pubsub-test", SCHEMA, "sku-42",
          Map.of("merchant_id", "m-7"));
      pub.publish("sku-42".getBytes(StandardCharsets.UTF_8), out, null, null).get(10, TimeUnit.SECONDS);

      assertThat(TestKafka.await(WAIT, () -> sub.stats().handled() == 1)).isTrue();
      Header sent = out.header();
      assertThat(got).hasSize(1);
      assertThat(got.get(0).payload()).isEqualTo("sku-42");
      assertThat(got.get(0).header()).isEqualTo(sent); // the header crossed Kafka intact, ptags included
      assertThat(got.get(0).header().ptags().get("merchant_id")).isEqualTo("m-7");

      TelemetryEvent send = only(EventType.SEND);
      assertThat(send.message().header().messageId()).isEqualTo(sent.messageId());
      assertThat(send.message().channel()).isEqualTo("kafka:" + topic);
      TelemetryEvent receive = only(EventType.RECEIVE);
      assertThat(receive.message().header().messageId()).isEqualTo(sent.messageId());
      assertThat(receive.message().channel()).isEqualTo("kafka:" + topic);
      // queue wait = RECEIVE timestamp - header ticks: both are there and ordered
      assertThat(receive.timestamp()).isGreaterThanOrEqualTo(sent.ticksFromEpoch());
      TelemetryEvent start = only(EventType.START);
      assertThat(start.op()).isEqualTo("UpdateInventory");
      assertThat(start.inputs()).containsExactly(sent.messageId());
      assertThat(start.traceId()).isEqualTo(sent.traceId());
      assertThat(receive.opId()).isEqualTo(start.opId());
      TelemetryEvent complete = only(EventType.COMPLETE);
      assertThat(complete.opId()).isEqualTo(start.opId());
      assertThat(complete.tags().get("sku")).isEqualTo("sku-42");
      assertThat(sub.stats()).isEqualTo(new SubscriberStats(1, 1, 0, 0, 0, 0, 1, 0));
      assertThat(sub.direction()).isEqualTo(dev.weft.core.topology.Direction.SUBSCRIBE);
    }
  }

  @Test
  void aCleanStopCommitsWhatWasHandledSoTheNextMemberStartsAfterIt() throws Exception {
    String topic = TestKafka.topic("commit", 1);
    Channel channel = KafkaChannels.topic(topic, SCHEMA);
    Map<String, Object> group = Map.of(ConsumerConfig.GROUP_ID_CONFIG, "commit-" + topic);
    List<String> first = new CopyOnWriteArrayList<>();
    List<String> second = new CopyOnWriteArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer()) {
      KafkaPublisher<String> pub = new KafkaPublisher<>(producer, tracer, channel, PayloadCodec.utf8());
      KafkaSubscriber<String> a = KafkaSubscriber.perRecord(
          TestKafka.consumer(TestKafka.broker().bootstrapServers(), group), tracer, channel, PayloadCodec.utf8(),
          "Apply", (m, op) -> first.add(m.payload())).start();
      for (int i = 0; i < 5; i++) {
        pub.publish(null, Envelope.prepareOrigin("pubsub-test", SCHEMA, "a" + i), null, null).get(10, TimeUnit.SECONDS);
      }
      assertThat(TestKafka.await(WAIT, () -> a.stats().handled() == 5)).isTrue();
      a.close();
      assertThat(a.stats().pollErrors()).isZero();

      pub.publish(null, Envelope.prepareOrigin("pubsub-test", SCHEMA, "b0"), null, null).get(10, TimeUnit.SECONDS);
      try (KafkaSubscriber<String> b = KafkaSubscriber.perRecord(
          TestKafka.consumer(TestKafka.broker().bootstrapServers(), group), tracer, channel, PayloadCodec.utf8(),
          "Apply", (m, op) -> second.add(m.payload())).start()) {
        assertThat(TestKafka.await(WAIT, () -> b.stats().handled() >= 1)).isTrue();
        Thread.sleep(300); // anything redelivered would arrive in the same poll or the next
        assertThat(second).containsExactly("b0");
        assertThat(b.stats().pollErrors()).isZero();
      }
    }
    assertThat(first).containsExactly("a0", "a1", "a2", "a3", "a4");
  }

  @Test
  void recordsCarryTheWeftHeaderAndW3cTraceparent() throws Exception {
    Channel channel = KafkaChannels.topic("any", SCHEMA);
    try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer()) {
      KafkaPublisher<String> pub = new KafkaPublisher<>(producer, tracer, channel, PayloadCodec.utf8());
      Envelope<Stage.Out, String> out = Envelope.prepareOrigin("pubsub-test", SCHEMA, "x");
      ProducerRecord<byte[], byte[]> r = pub.encode(null, out);
      assertThat(r.topic()).isEqualTo("any");
      assertThat(r.headers().lastHeader(BinaryHeaderCodec.KEY)).isNotNull();
      String tp = new String(r.headers().lastHeader("traceparent").value(), StandardCharsets.US_ASCII);
      assertThat(tp).matches("00-" + out.header().traceId() + "-[0-9a-f]{16}-01");
    }
  }

  @Test
  void handlerExceptionFailsTheOperationAndTheLoopGoesOn() throws Exception {
    String topic = TestKafka.topic("fail", 1);
    Channel channel = KafkaChannels.topic(topic, SCHEMA);
    List<String> handled = new CopyOnWriteArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer();
        KafkaSubscriber<String> sub = KafkaSubscriber.perRecord(TestKafka.consumer(), tracer, channel,
            PayloadCodec.utf8(), "Handle", (m, op) -> {
              if (m.payload().equals("boom")) throw new IllegalStateException("no stock for " + m.payload());
              handled.add(m.payload());
            }).start()) {
      KafkaPublisher<String> pub = new KafkaPublisher<>(producer, tracer, channel, PayloadCodec.utf8());
      for (String v : List.of("a", "boom", "b")) pub.publish(Envelope.prepareOrigin("pubsub-test", SCHEMA, v), null);
      producer.flush();
      assertThat(TestKafka.await(WAIT, () -> sub.stats().records() == 3)).isTrue();
      assertThat(handled).containsExactly("a", "b");
      assertThat(sub.stats().failed()).isEqualTo(1);
      assertThat(sub.stats().handled()).isEqualTo(2);
      List<TelemetryEvent> fails = sink.ofType(EventType.FAIL);
      assertThat(fails).hasSize(1);
      assertThat(fails.get(0).error().type()).contains("IllegalStateException");
      assertThat(fails.get(0).error().message()).isEqualTo("no stock for boom");
      assertThat(sink.ofType(EventType.COMPLETE)).hasSize(2);
    }
  }

  @Test
  void badHeadersBecomeCountedAdoptedOriginsAndTheLoopGoesOn() throws Exception {
    String topic = TestKafka.topic("bad", 1);
    Channel channel = KafkaChannels.topic(topic, SCHEMA);
    List<Envelope<Stage.In, String>> got = new CopyOnWriteArrayList<>();
    long decodeErrorsBefore = Faults.get(Fault.HEADER_DECODE_ERROR);
    try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer()) {
      producer.send(raw(topic, "missing", new RecordHeaders())).get(10, TimeUnit.SECONDS);
      RecordHeaders garbled = new RecordHeaders();
      garbled.add(BinaryHeaderCodec.KEY, new byte[] {0x10, 0x01, 0x7f, (byte) 0xff, 0x00, 0x42});
      producer.send(raw(topic, "garbled", garbled))
          .get(10, TimeUnit.SECONDS);
      RecordHeaders oversized = new RecordHeaders();
      byte[] big = new byte[9000];
      Arrays.fill(big, (byte) 0x10);
      oversized.add(BinaryHeaderCodec.KEY, big);
      producer.send(raw(topic, "oversized", oversized)).get(10, TimeUnit.SECONDS);
      KafkaPublisher<String> pub = new KafkaPublisher<>(producer, tracer, channel, PayloadCodec.utf8());
      Envelope<Stage.Out, String> good = Envelope.prepareOrigin("pubsub-test", SCHEMA, "good");
      pub.publish(good, null).get(10, TimeUnit.SECONDS);

      try (KafkaSubscriber<String> sub = KafkaSubscriber.perRecord(TestKafka.consumer(), tracer, channel,
          PayloadCodec.utf8(), "Handle", (m, op) -> got.add(m)).start()) {
        assertThat(TestKafka.await(WAIT, () -> sub.stats().records() == 4)).isTrue();
        SubscriberStats s = sub.stats();
        assertThat(s.handled()).isEqualTo(4);
        assertThat(s.adopted()).isEqualTo(3);
        assertThat(s.badHeaders()).isEqualTo(2);
        assertThat(s.pollErrors()).isZero();
      }
    }
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR) - decodeErrorsBefore).isGreaterThanOrEqualTo(2);
    assertThat(got).extracting(Envelope::payload).containsExactly("missing", "garbled", "oversized", "good");
    for (Envelope<Stage.In, String> e : got.subList(0, 3)) {
      assertThat(e.header().isOrigin()).isTrue();
      assertThat(e.header().producerId()).isEqualTo("unknown");
      assertThat(e.header().payloadSchemaUri()).isEqualTo(SCHEMA);
      assertThat(e.header().mtags().get("weft.adopted")).isEqualTo("none");
    }
    assertThat(got.get(0).header().mtags().get("weft.header_error")).isNull();
    assertThat(got.get(1).header().mtags().get("weft.header_error")).isNotNull();
    assertThat(got.get(2).header().mtags().get("weft.header_error")).isEqualTo("oversized");
    // each adopted message is still seen: RECEIVE and a completed operation in a trace of its own
    List<TelemetryEvent> receives = sink.ofType(EventType.RECEIVE);
    assertThat(receives).hasSize(4);
    assertThat(receives.stream().map(TelemetryEvent::traceId).distinct()).hasSize(4);
    assertThat(sink.ofType(EventType.COMPLETE)).hasSize(4);
  }

  @Test
  void anUnreadablePayloadFailsItsOperationOnly() throws Exception {
    String topic = TestKafka.topic("payload", 1);
    Channel channel = KafkaChannels.topic(topic, SCHEMA);
    PayloadCodec<Integer> ints = new PayloadCodec<>() {
      @Override
      public byte[] encode(Integer value) {
        return value.toString().getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public Integer decode(byte[] bytes) {
        return Integer.parseInt(new String(bytes, StandardCharsets.UTF_8));
      }
    };
    List<Integer> got = new CopyOnWriteArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer();
        KafkaSubscriber<Integer> sub = KafkaSubscriber.perRecord(TestKafka.consumer(), tracer, channel, ints,
            "Sum", (m, op) -> got.add(m.payload())).start()) {
      new KafkaPublisher<>(producer, tracer, channel, ints).publish(Envelope.prepareOrigin("pubsub-test", SCHEMA, 1),
          null);
      producer.send(new ProducerRecord<>(topic, "not a number".getBytes(StandardCharsets.UTF_8)));
      new KafkaPublisher<>(producer, tracer, channel, ints).publish(Envelope.prepareOrigin("pubsub-test", SCHEMA, 2),
          null);
      producer.flush();
      assertThat(TestKafka.await(WAIT, () -> sub.stats().records() == 3)).isTrue();
      assertThat(got).containsExactly(1, 2);
      assertThat(sub.stats().payloadErrors()).isEqualTo(1);
      TelemetryEvent fail = sink.ofType(EventType.FAIL).get(0);
      assertThat(fail.error().type()).isEqualTo("weft.PayloadDecodeError");
    }
  }

  @Test
  void batchFanInListsEveryInputAsParentAndUnitesTheirTraces() throws Exception {
    String in = TestKafka.topic("batch-in", 1);
    String outTopic = TestKafka.topic("batch-out", 1);
    Channel inChannel = KafkaChannels.topic(in, SCHEMA);
    Channel outChannel = KafkaChannels.topic(outTopic, "urn:test:InventoryBatch:v1");
    List<Header> published = new ArrayList<>();
    List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
    try (KafkaProducer<byte[], byte[]> producer = TestKafka.producer()) {
      KafkaPublisher<String> pub = new KafkaPublisher<>(producer, tracer, inChannel, PayloadCodec.utf8());
      for (int i = 0; i < 5; i++) {
        Envelope<Stage.Out, String> e = Envelope.prepareOrigin("pubsub-test", SCHEMA, "sku-" + i);
        published.add(e.header());
        pub.publish(e, null);
      }
      producer.flush();
      KafkaPublisher<String> outPub = new KafkaPublisher<>(producer, tracer, outChannel, PayloadCodec.utf8());
      try (KafkaSubscriber<String> sub = KafkaSubscriber.batch(TestKafka.consumer(), tracer, inChannel,
          PayloadCodec.utf8(), "ApplyBatch", (msgs, op) -> {
            batches.add(msgs.stream().map(Envelope::payload).collect(Collectors.toList()));
            outPub.publish(op.prepareOut("urn:test:InventoryBatch:v1", "applied " + msgs.size()), op);
          }).start()) {
        // records are counted when polled, the operation when the handler has finished: wait for both
        assertThat(TestKafka.await(WAIT, () -> sub.stats().records() == 5 && sub.stats().operations() >= 1)).isTrue();
        assertThat(sub.stats().operations()).isEqualTo(1);
      }
    }
    assertThat(batches).containsExactly(List.of("sku-0", "sku-1", "sku-2", "sku-3", "sku-4"));
    List<String> ids = published.stream().map(Header::messageId).toList();
    List<String> traces = published.stream().map(Header::traceId).toList();

    TelemetryEvent start = sink.ofType(EventType.START).stream().filter(e -> e.op().equals("ApplyBatch")).findFirst()
        .orElseThrow();
    assertThat(start.inputs()).containsExactlyElementsOf(ids);
    assertThat(start.traces()).containsExactlyElementsOf(traces);
    List<TelemetryEvent> receives = sink.ofType(EventType.RECEIVE);
    assertThat(receives).hasSize(5).allSatisfy(r -> assertThat(r.opId()).isEqualTo(start.opId()));
    TelemetryEvent outSend = sink.ofType(EventType.SEND).stream()
        .filter(e -> e.message().channel().equals("kafka:" + outTopic)).findFirst().orElseThrow();
    Header out = outSend.message().header();
    assertThat(out.parentIds()).containsExactlyElementsOf(ids);
    assertThat(out.correlationIds()).containsExactlyElementsOf(traces);
    assertThat(outSend.opId()).isEqualTo(start.opId());

    // and the output record on the topic carries that header
    var records = TestKafka.readUntil(TestKafka.broker().bootstrapServers(), outTopic, WAIT, l -> l.size() == 1);
    assertThat(records).hasSize(1);
    Header onWire = dev.weft.core.carrier.Propagation.defaults().extract(KafkaCarrier.of(records.get(0).headers()))
        .header();
    assertThat(onWire).isEqualTo(out);
  }

  private static ProducerRecord<byte[], byte[]> raw(String topic, String value, RecordHeaders headers) {
    return new ProducerRecord<>(topic, (Integer) null, (byte[]) null, value.getBytes(StandardCharsets.UTF_8),
        headers);
  }

  private TelemetryEvent only(String type) {
    List<TelemetryEvent> l = sink.ofType(type);
    assertThat(l).as(type).hasSize(1);
    return l.get(0);
  }
}
