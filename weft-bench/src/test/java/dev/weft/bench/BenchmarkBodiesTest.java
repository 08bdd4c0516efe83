package dev.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Header;
import dev.weft.core.carrier.Extraction;
import dev.weft.core.sink.SinkStats;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import java.time.Duration;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/** Runs each benchmark body once outside JMH and checks it does the work it claims to measure. */
class BenchmarkBodiesTest {
  private Blackhole bh;

  @BeforeEach
  void blackhole() {
    bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
  }

  @Test
  void weftOperationReachesTheExporter() {
    OperationBenchmark bench = new OperationBenchmark();
    OperationBenchmark.WeftState s = new OperationBenchmark.WeftState();
    s.setup();
    try {
      assertThat(s.tracer.flush(Duration.ofSeconds(10))).isTrue(); // the parent's START
      SinkStats before = s.sink.stats();
      bench.weft(s, bh);
      bench.weft(s, bh);
      assertThat(s.tracer.flush(Duration.ofSeconds(10))).isTrue();
      SinkStats after = s.sink.stats();
      // START and COMPLETE per operation
      assertThat(after.accepted() - before.accepted()).isEqualTo(4);
      assertThat(after.exported() - before.exported()).isEqualTo(4);
      assertThat(after.dropped()).isZero();
      assertThat(s.invocations).isEqualTo(2);
      assertThat(s.tracer.stats().eventsEmitted()).isEqualTo(5); // + the parent's START
    } finally {
      s.tearDown();
    }
  }

  @Test
  void otelSpanReachesTheExporter() {
    OperationBenchmark bench = new OperationBenchmark();
    OperationBenchmark.OtelState s = new OperationBenchmark.OtelState();
    s.setup();
    try {
      bench.otel(s, bh);
      bench.otel(s, bh);
      assertThat(s.provider.forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(s.exporter.spans.sum()).isEqualTo(2);
      assertThat(s.invocations).isEqualTo(2);
    } finally {
      s.tearDown();
    }
  }

  @Test
  void braveSpanReachesTheSender() {
    OperationBenchmark bench = new OperationBenchmark();
    OperationBenchmark.BraveState s = new OperationBenchmark.BraveState();
    s.setup();
    try {
      bench.brave(s, bh);
      bench.brave(s, bh);
      s.handler.flush();
      // flush() drains the queue, but Brave's own flusher thread may hold the spans mid-send: wait for it (bounded)
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (s.sender.spans.sum() < 2 && System.nanoTime() < deadline) {
        s.handler.flush();
        Thread.onSpinWait();
      }
      assertThat(s.sender.spans.sum()).isEqualTo(2);
      assertThat(s.dropped.sum()).isZero();
      assertThat(s.invocations).isEqualTo(2);
    } finally {
      s.tearDown();
    }
  }

  @Test
  void weftHeaderSurvivesTheRecordHeaders() {
    HeaderBenchmark bench = new HeaderBenchmark();
    RecordHeaders headers = new RecordHeaders();
    Extraction x = bench.weftHop(HeaderBenchmark.WEFT_DEFAULT, headers);

    assertThat(x.source()).isEqualTo(Extraction.Source.WEFT);
    Header got = x.header();
    assertThat(got.traceId()).isEqualTo(HeaderBenchmark.TRACE_ID);
    assertThat(got.parentIds()).containsExactly(HeaderBenchmark.PARENT_MESSAGE_ID);
    assertThat(got.producerId()).isEqualTo(HeaderBenchmark.PRODUCER);
    assertThat(got.payloadSchemaUri()).isEqualTo(HeaderBenchmark.SCHEMA);
    assertThat(got.ptags()).containsExactlyEntriesOf(java.util.Map.of("merchant_id", "4c5d6e7"));
    assertThat(got.messageId()).isNotEqualTo(HeaderBenchmark.PARENT_MESSAGE_ID);
    // what was written is exactly what was read: the decoded header re-encodes to the same bytes
    assertThat(dev.weft.core.carrier.BinaryHeaderCodec.encode(got).orElse(null))
        .isEqualTo(headers.lastHeader("weft").value());
    // defaults also write traceparent, derived from the same message
    assertThat(new String(headers.lastHeader("traceparent").value(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("00-" + got.traceId() + "-" + got.messageId().substring(16) + "-01");

    bench.weft(bh);
    bench.weftOnly(bh);
  }

  @Test
  void weftOnlyWritesOneHeader() {
    HeaderBenchmark bench = new HeaderBenchmark();
    RecordHeaders headers = new RecordHeaders();
    Extraction x = bench.weftHop(HeaderBenchmark.WEFT_ONLY, headers);
    assertThat(x.source()).isEqualTo(Extraction.Source.WEFT);
    assertThat(headers.toArray()).extracting(org.apache.kafka.common.header.Header::key).containsExactly("weft");
    assertThat(x.header().parentIds()).containsExactly(HeaderBenchmark.PARENT_MESSAGE_ID);
  }

  @Test
  void w3cContextSurvivesTheRecordHeaders() {
    HeaderBenchmark bench = new HeaderBenchmark();
    RecordHeaders headers = new RecordHeaders();
    Context out = bench.w3cHop(headers);

    SpanContext sc = Span.fromContext(out).getSpanContext();
    assertThat(sc.isValid()).isTrue();
    assertThat(sc.isRemote()).isTrue();
    assertThat(sc.isSampled()).isTrue();
    assertThat(sc.getTraceId()).isEqualTo(HeaderBenchmark.TRACE_ID);
    assertThat(Baggage.fromContext(out).asMap()).hasSize(3);
    assertThat(Baggage.fromContext(out).getEntryValue("schema")).isEqualTo(HeaderBenchmark.SCHEMA);
    assertThat(Baggage.fromContext(out).getEntryValue("merchant_id")).isEqualTo("4c5d6e7");

    bench.w3c(bh);
  }

  @Test
  void headerSizesAreMeasured() {
    int weft = HeaderSize.weftBinary();
    int[] w3c = HeaderSize.w3c();
    // "weft" key (4) + binary value
    assertThat(weft).isEqualTo(4 + dev.weft.core.carrier.BinaryHeaderCodec.encode(HeaderSize.typicalHeader())
        .orElse(null).length);
    assertThat(weft).isLessThanOrEqualTo(160); // the size budget of a typical header
    assertThat(w3c[0]).isEqualTo("traceparent".length() + 55);
    assertThat(w3c[1]).isGreaterThan(w3c[0]);
    assertThat(HeaderSize.weftDefaults()).isEqualTo(weft + w3c[0]);
    HeaderSize.main(new String[0]);
  }
}
