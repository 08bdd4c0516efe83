package dev.weft.core.carrier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Header;
import dev.weft.core.Ids;
import dev.weft.core.Tags;
import dev.weft.core.carrier.Extraction.Source;
import dev.weft.core.carrier.Propagation.Format;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Cross-checks Weft's W3C codecs against OpenTelemetry's own propagators, in both directions. */
class OtelInteropTest {
  private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };
  private static final TextMapSetter<Map<String, String>> SETTER = Map::put;

  /** Keys legal both as Weft tag keys and as W3C baggage tokens. */
  private static Arbitrary<String> commonKeys() {
    return Arbitraries.strings().withChars(WeftArbitraries.TAG_KEY_CHARS.replace(":", "")).ofMinLength(1)
        .ofMaxLength(64);
  }

  /** Headers whose ptags fit in baggage (keys are tokens, values non-empty, total well under 8 KiB). */
  @Provide
  Arbitrary<Header> headers() {
    Arbitrary<Tags> ptags = Arbitraries.maps(commonKeys(), WeftArbitraries.unicode(48).filter(v -> !v.isEmpty()))
        .ofMaxSize(12).map(Tags::strict);
    return WeftArbitraries.headers(WeftArbitraries.tags(4), ptags);
  }

  private static Map<String, String> otelBaggage(Map<String, String> carrier) {
    Context ctx = W3CBaggagePropagator.getInstance().extract(Context.root(), carrier, GETTER);
    Map<String, String> out = new TreeMap<>();
    Baggage.fromContext(ctx).forEach((k, e) -> out.put(k, e.getValue()));
    return out;
  }

  // ------------------------------------------------------------------ Weft -> OpenTelemetry

  @Property(tries = 300)
  void otelContinuesAWeftTrace(@ForAll("headers") Header h) {
    Map<String, String> carrier = new HashMap<>();
    Propagation.of(Format.W3C, Format.W3C_BAGGAGE).inject(h, TextCarrier.of(carrier));

    Context ctx = W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, GETTER);
    SpanContext sc = Span.fromContext(ctx).getSpanContext();
    assertThat(sc.isValid()).isTrue();
    assertThat(sc.isRemote()).isTrue();
    assertThat(sc.getTraceId()).isEqualTo(h.traceId());
    assertThat(sc.getSpanId()).isEqualTo(Ids.spanIdOf(h.messageId()));
    assertThat(sc.isSampled()).isTrue();

    assertThat(otelBaggage(carrier)).isEqualTo(new TreeMap<>(h.ptags()));
  }

  @Property(tries = 100)
  void otelContinuesAWeftTraceThroughKafkaHeaders(@ForAll("headers") Header h) {
    Map<String, byte[]> record = new HashMap<>();
    Propagation.of(Format.W3C, Format.W3C_BAGGAGE).inject(h, BinaryCarrier.of(record));
    Map<String, String> asText = new HashMap<>();
    record.forEach((k, v) -> {
      if (!k.equals(BinaryHeaderCodec.KEY)) asText.put(k, new String(v, StandardCharsets.UTF_8));
    });
    SpanContext sc = Span.fromContext(
        W3CTraceContextPropagator.getInstance().extract(Context.root(), asText, GETTER)).getSpanContext();
    assertThat(sc.getTraceId()).isEqualTo(h.traceId());
    assertThat(sc.getSpanId()).isEqualTo(Ids.spanIdOf(h.messageId()));
    assertThat(otelBaggage(asText)).isEqualTo(new TreeMap<>(h.ptags()));
  }

  @Example
  void weftPtagsThatAreNotBaggageTokensStayInTheWeftHeader() {
    Header h = WeftArbitraries.sampleHeader(); // ptags: merchant_id, tenant:env
    Map<String, String> carrier = new HashMap<>();
    Propagation.of(Format.W3C, Format.W3C_BAGGAGE).inject(h, TextCarrier.of(carrier));
    assertThat(otelBaggage(carrier)).isEqualTo(Map.of("merchant_id", "m-42"));
    assertThat(Propagation.defaults().extract(TextCarrier.of(carrier)).header().ptags())
        .containsEntry("tenant:env", "prod");
  }

  // ------------------------------------------------------------------ OpenTelemetry -> Weft

  @Provide
  Arbitrary<SpanContext> spanContexts() {
    return Combinators.combine(WeftArbitraries.ids(), WeftArbitraries.spanIds(), Arbitraries.of(true, false))
        .as((t, s, sampled) -> SpanContext.createFromRemoteParent(t, s,
            sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault()));
  }

  @Provide
  Arbitrary<Map<String, String>> baggageEntries() {
    return Arbitraries.maps(commonKeys(), WeftArbitraries.unicode(256).filter(v -> !v.isEmpty()))
        .ofMaxSize(12);
  }

  @Property(tries = 300)
  void weftContinuesAnOtelTrace(@ForAll("spanContexts") SpanContext sc,
      @ForAll("baggageEntries") Map<String, String> entries) {
    BaggageBuilder bb = Baggage.builder();
    entries.forEach(bb::put);
    Context ctx = Context.root().with(Span.wrap(sc)).with(bb.build());
    Map<String, String> carrier = new HashMap<>();
    W3CTraceContextPropagator.getInstance().inject(ctx, carrier, SETTER);
    W3CBaggagePropagator.getInstance().inject(ctx, carrier, SETTER);

    Extraction x = Propagation.defaults().extract(TextCarrier.of(carrier));
    assertThat(x.source()).isEqualTo(Source.W3C);
    assertThat(x.hadBadHeader()).isFalse();
    assertThat(x.context().traceId()).isEqualTo(sc.getTraceId());
    assertThat(x.foreignParentSpanId()).isEqualTo(sc.getSpanId());
    assertThat(x.context().ptags()).isEqualTo(new TreeMap<>(entries));

    Header adopted = x.receivedHeader("urn:x:Y:v1");
    assertThat(adopted.traceId()).isEqualTo(sc.getTraceId());
    assertThat(adopted.ptags()).isEqualTo(new TreeMap<>(entries));
  }

  @Example
  void weftForwardsOtelTracestate() {
    SpanContext sc = SpanContext.createFromRemoteParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
        TraceFlags.getSampled(), TraceState.builder().put("rojo", "00f067aa0ba902b7").put("congo", "t61rcWkgMzE")
            .build());
    Map<String, String> carrier = new HashMap<>();
    W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(sc)), carrier, SETTER);
    Extraction x = Propagation.defaults().extract(TextCarrier.of(carrier));
    assertThat(x.tracestate()).isEqualTo(carrier.get("tracestate"));
    assertThat(W3c.parseTracestate(x.tracestate()).isOk()).isTrue();
  }

  @Property(tries = 200)
  void traceparentTextIsIdenticalToOtels(@ForAll("spanContexts") SpanContext sc) {
    Map<String, String> carrier = new HashMap<>();
    W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(sc)), carrier, SETTER);
    assertThat(carrier.get("traceparent"))
        .isEqualTo(W3c.formatTraceparent(sc.getTraceId(), sc.getSpanId(), sc.isSampled()));
  }
}
