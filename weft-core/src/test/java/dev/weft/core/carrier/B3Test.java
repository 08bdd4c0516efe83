package dev.weft.core.carrier;

import static dev.weft.core.carrier.CodecTestSupport.err;
import static dev.weft.core.carrier.CodecTestSupport.kind;
import static dev.weft.core.carrier.CodecTestSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Ids;
import dev.weft.core.Result;
import dev.weft.core.carrier.B3.B3Context;
import dev.weft.core.carrier.CodecError.Kind;
import dev.weft.core.carrier.Extraction.Source;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class B3Test {
  private static final String TRACE = "80f198ee56343ba864fe8b2a57d3eff7";
  private static final String SPAN = "e457b5a2e4d86bd1";
  private static final String PARENT = "05e3ac9a4f6e3b90";

  /** Contexts as B3 can express them: debug implies sampled. */
  @Provide
  Arbitrary<B3Context> contexts() {
    Arbitrary<Boolean> sampled = Arbitraries.of(Boolean.TRUE, Boolean.FALSE).injectNull(0.3);
    Arbitrary<String> parent = WeftArbitraries.spanIds().injectNull(0.4);
    Arbitrary<String> traceIds = Arbitraries.oneOf(WeftArbitraries.ids(),
        WeftArbitraries.spanIds().map(s -> "0000000000000000" + s)); // 64-bit ids, padded
    return Combinators.combine(traceIds, WeftArbitraries.spanIds(), parent, sampled, Arbitraries.of(true, false))
        .as((t, s, p, smp, debug) -> new B3Context(t, s, p, debug ? Boolean.TRUE : smp, debug));
  }

  @Property
  void singleFormatThenParse(@ForAll("contexts") B3Context c) {
    String text = B3.formatSingle(c);
    B3Context back = ok(B3.parseSingle(text));
    // the single form writes the parent only after a sampling state, as the B3 spec lays it out
    B3Context expected = c.sampled() == null && !c.debug()
        ? new B3Context(c.traceId(), c.spanId(), null, null, false) : c;
    assertThat(back).isEqualTo(expected);
  }

  @Property
  void multiInjectThenExtract(@ForAll("contexts") B3Context c) {
    Map<String, String> map = new HashMap<>();
    B3.injectMulti(c, TextCarrier.of(map));
    assertThat(map.keySet()).allMatch(k -> k.startsWith("x-b3-"));
    assertThat(ok(B3.extractMulti(TextCarrier.of(map)))).isEqualTo(c);
  }

  @Example
  void braveStyleSingleHeaders() {
    assertThat(ok(B3.parseSingle(TRACE + "-" + SPAN + "-1")))
        .isEqualTo(new B3Context(TRACE, SPAN, null, true, false));
    assertThat(ok(B3.parseSingle(TRACE + "-" + SPAN + "-1-" + PARENT)))
        .isEqualTo(new B3Context(TRACE, SPAN, PARENT, true, false));
    assertThat(ok(B3.parseSingle(TRACE + "-" + SPAN + "-d")))
        .isEqualTo(new B3Context(TRACE, SPAN, null, true, true));
    assertThat(ok(B3.parseSingle(TRACE + "-" + SPAN + "-0")).sampled()).isFalse();
    assertThat(ok(B3.parseSingle(TRACE + "-" + SPAN)).sampled()).isNull();
    // 64-bit trace ids are left-padded to 128 bits
    assertThat(ok(B3.parseSingle("64fe8b2a57d3eff7-" + SPAN + "-1")).traceId())
        .isEqualTo("000000000000000064fe8b2a57d3eff7");
  }

  @Example
  void braveStyleHeadersAreAdoptedByPropagation() {
    Extraction x = Propagation.defaults().extract(TextCarrier.of(Map.of("b3", TRACE + "-" + SPAN + "-1")));
    assertThat(x.source()).isEqualTo(Source.B3);
    assertThat(x.context().traceId()).isEqualTo(TRACE);
    assertThat(x.foreignParentSpanId()).isEqualTo(SPAN);
    assertThat(x.hadBadHeader()).isFalse();

    Extraction x64 = Propagation.defaults().extract(TextCarrier.of(Map.of("b3", "64fe8b2a57d3eff7-" + SPAN + "-1")));
    assertThat(x64.source()).isEqualTo(Source.B3);
    assertThat(x64.context().traceId()).isEqualTo("000000000000000064fe8b2a57d3eff7");
    assertThat(Ids.isCanonical(x64.context().traceId())).isTrue();

    Map<String, String> multi = Map.of("x-b3-traceid", "64fe8b2a57d3eff7", "x-b3-spanid", SPAN,
        "x-b3-parentspanid", PARENT, "x-b3-sampled", "1");
    Extraction xm = Propagation.defaults().extract(TextCarrier.of(multi));
    assertThat(xm.source()).isEqualTo(Source.B3);
    assertThat(xm.context().traceId()).isEqualTo("000000000000000064fe8b2a57d3eff7");
    assertThat(xm.foreignParentSpanId()).isEqualTo(SPAN);

    // and through a binary (Kafka) carrier
    Map<String, byte[]> record = new HashMap<>();
    record.put("b3", (TRACE + "-" + SPAN + "-1").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Extraction xb = Propagation.defaults().extract(BinaryCarrier.of(record));
    assertThat(xb.source()).isEqualTo(Source.B3);
    assertThat(xb.context().traceId()).isEqualTo(TRACE);
  }

  @Example
  void parsedIdsAreLowercaseEvenWhenSentInUppercase() {
    B3Context c = ok(B3.parseSingle(TRACE.toUpperCase() + "-" + SPAN.toUpperCase() + "-1-" + PARENT.toUpperCase()));
    assertThat(c.traceId()).isEqualTo(TRACE);
    assertThat(c.spanId()).isEqualTo(SPAN);
    assertThat(c.parentSpanId()).isEqualTo(PARENT);
    Map<String, String> multi = Map.of("x-b3-traceid", TRACE.toUpperCase(), "x-b3-spanid", SPAN.toUpperCase(),
        "x-b3-parentspanid", PARENT.toUpperCase());
    B3Context m = ok(B3.extractMulti(TextCarrier.of(multi)));
    assertThat(m.spanId()).isEqualTo(SPAN);
    assertThat(m.parentSpanId()).isEqualTo(PARENT);
  }

  @Example
  void multiHeaderSamplingAndDebugForms() {
    Map<String, String> m = new HashMap<>(Map.of("x-b3-traceid", TRACE, "x-b3-spanid", SPAN));
    assertThat(ok(B3.extractMulti(TextCarrier.of(m))).sampled()).isNull();
    m.put("x-b3-sampled", "true");
    assertThat(ok(B3.extractMulti(TextCarrier.of(m))).sampled()).isTrue();
    m.put("x-b3-sampled", "0");
    assertThat(ok(B3.extractMulti(TextCarrier.of(m))).sampled()).isFalse();
    m.put("x-b3-flags", "1");
    B3Context debug = ok(B3.extractMulti(TextCarrier.of(m)));
    assertThat(debug.debug()).isTrue();
    assertThat(debug.sampled()).isTrue();
    m.put("x-b3-sampled", "maybe");
    assertThat(kind(B3.extractMulti(TextCarrier.of(m)))).isEqualTo(Kind.INVALID_FIELD);
  }

  @Example
  void samplingOnlyHeadersCarryNoTrace() {
    for (String s : new String[] {"0", "1", "d", " 1 "}) {
      assertThat(kind(B3.parseSingle(s))).isEqualTo(Kind.MISSING);
    }
    assertThat(kind(B3.parseSingle(null))).isEqualTo(Kind.MISSING);
    assertThat(kind(B3.extractMulti(TextCarrier.of(Map.of())))).isEqualTo(Kind.MISSING);
  }

  @Example
  void badB3IsTyped() {
    assertThat(kind(B3.parseSingle(""))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(B3.parseSingle(TRACE))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(B3.parseSingle(TRACE + "-" + SPAN + "-1-" + PARENT + "-x"))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(B3.parseSingle(TRACE + "a-" + SPAN))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(B3.parseSingle("0".repeat(32) + "-" + SPAN))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(B3.parseSingle("0".repeat(16) + "-" + SPAN))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(B3.parseSingle(TRACE + "-" + "0".repeat(16)))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(B3.parseSingle(TRACE + "-" + SPAN + "x"))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(B3.parseSingle(TRACE + "-" + SPAN + "-2"))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(B3.parseSingle(TRACE + "-" + SPAN + "-1-" + "0".repeat(16)))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(B3.parseSingle(TRACE + "-" + SPAN + "-1-xyz"))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(B3.parseSingle("\uFF11".repeat(16) + "-" + SPAN))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(B3.extractMulti(TextCarrier.of(Map.of("x-b3-spanid", SPAN))))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(B3.extractMulti(TextCarrier.of(Map.of("x-b3-traceid", TRACE))))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(B3.extractMulti(TextCarrier.of(Map.of("x-b3-traceid", TRACE, "x-b3-spanid", SPAN,
        "x-b3-parentspanid", "nope"))))).isEqualTo(Kind.INVALID_FIELD);
  }

  private static void assertParsesOrTypedError(Result<B3Context, CodecError> r) {
    assertThat(r).isNotNull();
    if (r.isOk()) {
      B3Context c = ok(r);
      assertThat(Ids.isCanonical(c.traceId())).isTrue();
      assertThat(c.spanId()).hasSize(16);
    } else {
      assertThat(err(r).message()).isNotBlank();
    }
  }

  @Property
  void randomSingleHeadersNeverThrow(@ForAll String text) {
    assertParsesOrTypedError(B3.parseSingle(text));
  }

  @Provide
  Arbitrary<String> b3Like() {
    return Arbitraries.strings().withChars("0123456789abcdefABCDEF-d \u0130\u212a").ofMaxLength(80);
  }

  @Property
  void b3LikeStringsNeverThrow(@ForAll("b3Like") String text, @ForAll("b3Like") String span,
      @ForAll("b3Like") String sampled) {
    assertParsesOrTypedError(B3.parseSingle(text));
    Map<String, String> m = new HashMap<>();
    m.put("x-b3-traceid", text);
    m.put("x-b3-spanid", span);
    m.put("x-b3-sampled", sampled);
    m.put("x-b3-parentspanid", span);
    m.put("x-b3-flags", sampled);
    assertParsesOrTypedError(B3.extractMulti(TextCarrier.of(m)));
  }

  @Property
  void randomMultiHeadersNeverThrow(@ForAll String t, @ForAll String s, @ForAll String p, @ForAll String smp) {
    Map<String, String> m = new HashMap<>();
    m.put("x-b3-traceid", t);
    m.put("x-b3-spanid", s);
    m.put("x-b3-parentspanid", p);
    m.put("x-b3-sampled", smp);
    assertParsesOrTypedError(B3.extractMulti(TextCarrier.of(m)));
  }
}
