package dev.weft.bench;

import dev.weft.core.Header;
import dev.weft.core.Tags;
import dev.weft.core.Ticks;
import dev.weft.core.carrier.Extraction;
import dev.weft.core.carrier.Propagation;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.IdGenerator;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One message hop through Kafka record headers: derive the outgoing trace context from the incoming one, write it
 * into a fresh {@link RecordHeaders}, and read it back on the consumer side.
 *
 * <p><b>What is compared.</b> Both sides go through their library's public propagation API, as a Kafka medium would,
 * over the same carrier adapters ({@link KafkaCarriers}):
 *
 * <ul>
 *   <li><b>weft</b>: {@link Header#propagate} (a new message id and timestamp, the parent's traces and ptags), then
 *       {@code Propagation.defaults().inject} — which writes the binary {@code weft} header <i>and</i> a W3C
 *       {@code traceparent} for foreign peers — then {@code Propagation.defaults().extract}, which decodes and
 *       validates the whole Weft header into an {@link Extraction}.
 *   <li><b>weftOnly</b>: the same with {@code Propagation.of()}, the binary {@code weft} header alone: the raw cost of
 *       Weft's own format (encode, add, lastHeader, decode) with no interop header.
 *   <li><b>w3c</b>: the OpenTelemetry analogue: a new span id for the outgoing message (a producer span), a context
 *       holding that span context and a {@link Baggage} of 3 entries, injected with
 *       {@code TextMapPropagator.composite(W3CTraceContextPropagator, W3CBaggagePropagator)} and extracted back.
 *       The 3 baggage entries carry what Weft's header carries beyond {@code traceparent}'s ids: the propagated tag
 *       {@code merchant_id}, the producer and the schema. (Weft also carries the parent message id and a timestamp,
 *       which W3C has no field for.)
 * </ul>
 *
 * The Weft side is therefore charged for more work than a bare encode/decode: it is the fair analogue of what a
 * service does per message, and {@code weftOnly} isolates the format itself.
 */
@State(Scope.Thread)
public class HeaderBenchmark {
  static final String PRODUCER = "inventory";
  static final String SCHEMA = "urn:shop:SkuUpdated:v1";
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT_MESSAGE_ID = "00f067aa0ba902b7a1b2c3d4e5f60718";
  static final String GRANDPARENT_MESSAGE_ID = "9c1d2e3f4a5b6c7d8e9fa0b1c2d3e4f5";

  static final Propagation WEFT_DEFAULT = Propagation.defaults();
  static final Propagation WEFT_ONLY = Propagation.of();
  static final TextMapPropagator W3C = TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(),
      W3CBaggagePropagator.getInstance());

  /** The received message a service reacts to: 1 trace, 1 parent, 1 ptag. */
  final Header parent = typicalParent();

  final IdGenerator ids = IdGenerator.random();
  final Baggage baggage = typicalBaggage();

  static Header typicalParent() {
    return new Header(Header.VERSION, List.of(TRACE_ID), PARENT_MESSAGE_ID, List.of(GRANDPARENT_MESSAGE_ID), PRODUCER,
        SCHEMA, Ticks.now(), Tags.empty(), Tags.of("merchant_id", "4c5d6e7"));
  }

  static Baggage typicalBaggage() {
    return Baggage.builder()
        .put("merchant_id", "4c5d6e7")
        .put("producer", PRODUCER)
        .put("schema", SCHEMA)
        .build();
  }

  @Benchmark
  public void weft(Blackhole bh) {
    bh.consume(weftHop(WEFT_DEFAULT, new RecordHeaders()));
  }

  @Benchmark
  public void weftOnly(Blackhole bh) {
    bh.consume(weftHop(WEFT_ONLY, new RecordHeaders()));
  }

  @Benchmark
  public void w3c(Blackhole bh) {
    Context out = w3cHop(new RecordHeaders());
    bh.consume(Span.fromContext(out).getSpanContext());
    bh.consume(Baggage.fromContext(out));
  }

  Extraction weftHop(Propagation propagation, RecordHeaders headers) {
    Header out = Header.propagate(PRODUCER, SCHEMA, parent);
    propagation.inject(out, new KafkaCarriers.WeftCarrier(headers));
    return propagation.extract(new KafkaCarriers.WeftCarrier(headers));
  }

  Context w3cHop(RecordHeaders headers) {
    SpanContext sc = SpanContext.create(TRACE_ID, ids.generateSpanId(), TraceFlags.getSampled(),
        TraceState.getDefault());
    Context context = Context.root().with(Span.wrap(sc)).with(baggage);
    W3C.inject(context, headers, KafkaCarriers.SETTER);
    return W3C.extract(Context.root(), headers, KafkaCarriers.GETTER);
  }
}
