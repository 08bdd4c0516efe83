package dev.weft.bench;

import dev.weft.core.Header;
import dev.weft.core.carrier.BinaryHeaderCodec;
import dev.weft.core.carrier.Propagation;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Prints the bytes each format adds to a Kafka record for the typical header of {@link HeaderBenchmark}: the sum of
 * key and value lengths of the record headers written (Kafka's own per-header varint framing, a few bytes, left out).
 */
public final class HeaderSize {
  private HeaderSize() {}

  /** Key + value bytes of every record header. */
  static int bytes(RecordHeaders headers) {
    int n = 0;
    for (org.apache.kafka.common.header.Header h : headers) {
      n += h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
    }
    return n;
  }

  /** The typical Weft header, propagated once from the typical parent. */
  static Header typicalHeader() {
    return Header.propagate(HeaderBenchmark.PRODUCER, HeaderBenchmark.SCHEMA, HeaderBenchmark.typicalParent());
  }

  /** Bytes of the binary {@code weft} header: key + value. */
  static int weftBinary() {
    RecordHeaders h = new RecordHeaders();
    Propagation.of().inject(typicalHeader(), new KafkaCarriers.WeftCarrier(h));
    return bytes(h);
  }

  /** Bytes written by {@code Propagation.defaults()}: {@code weft} + {@code traceparent}. */
  static int weftDefaults() {
    RecordHeaders h = new RecordHeaders();
    Propagation.defaults().inject(typicalHeader(), new KafkaCarriers.WeftCarrier(h));
    return bytes(h);
  }

  /** Bytes of {@code traceparent} alone, and of {@code traceparent} + {@code baggage} (3 entries). */
  static int[] w3c() {
    SpanContext sc = SpanContext.create(HeaderBenchmark.TRACE_ID, "00f067aa0ba902b7", TraceFlags.getSampled(),
        TraceState.getDefault());
    RecordHeaders tp = new RecordHeaders();
    HeaderBenchmark.W3C.inject(Context.root().with(Span.wrap(sc)), tp, KafkaCarriers.SETTER);
    RecordHeaders both = new RecordHeaders();
    HeaderBenchmark.W3C.inject(Context.root().with(Span.wrap(sc)).with(HeaderBenchmark.typicalBaggage()), both,
        KafkaCarriers.SETTER);
    return new int[] {bytes(tp), bytes(both)};
  }

  public static void main(String[] args) {
    byte[] value = BinaryHeaderCodec.encode(typicalHeader()).orElse(new byte[0]);
    int[] w3c = w3c();
    System.out.println("Typical header: 1 correlation id, 1 parent, producer \"" + HeaderBenchmark.PRODUCER
        + "\", schema \"" + HeaderBenchmark.SCHEMA + "\", ptags {merchant_id=4c5d6e7}");
    System.out.printf("  weft binary value               %4d bytes%n", value.length);
    System.out.printf("  weft (key + value)              %4d bytes%n", weftBinary());
    System.out.printf("  weft + traceparent (defaults)   %4d bytes%n", weftDefaults());
    System.out.printf("  traceparent (key + value)       %4d bytes%n", w3c[0]);
    System.out.printf("  traceparent + baggage (3)       %4d bytes%n", w3c[1]);
  }
}
