package dev.weft.core.carrier;

import static dev.weft.core.carrier.CodecTestSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Ids;
import dev.weft.core.Tags;
import dev.weft.core.TraceContext;
import dev.weft.core.carrier.CodecError.Kind;
import dev.weft.core.carrier.Extraction.Source;
import dev.weft.core.carrier.Propagation.Format;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PropagationTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";
  private static final String TRACEPARENT = "00-" + TRACE + "-" + SPAN + "-01";

  @Provide
  Arbitrary<Header> smallHeaders() {
    return WeftArbitraries.smallHeaders();
  }

  @Provide
  Arbitrary<Header> headers() {
    return WeftArbitraries.headers();
  }

  // ------------------------------------------------------------------ inject

  @Example
  void defaultsWriteWeftAndTraceparentOnly() {
    Header h = WeftArbitraries.sampleHeader();
    Map<String, String> text = new HashMap<>();
    Propagation.defaults().inject(h, TextCarrier.of(text));
    assertThat(text).containsOnlyKeys("weft", "weft-mtags", "weft-ptags", "traceparent");
    assertThat(text.get("traceparent")).isEqualTo(
        W3c.formatTraceparent(h.traceId(), Ids.spanIdOf(h.messageId()), true));

    Map<String, byte[]> bin = new HashMap<>();
    Propagation.defaults().inject(h, BinaryCarrier.of(bin));
    assertThat(bin).containsOnlyKeys("weft", "traceparent");
    assertThat(bin.get("weft")).isEqualTo(ok(BinaryHeaderCodec.encode(h)));
    assertThat(new String(bin.get("traceparent"), StandardCharsets.UTF_8)).isEqualTo(text.get("traceparent"));
  }

  @Example
  void onlyWeftWhenAskedForNothingElse() {
    Map<String, byte[]> bin = new HashMap<>();
    Propagation.of().inject(WeftArbitraries.sampleHeader(), BinaryCarrier.of(bin));
    assertThat(bin).containsOnlyKeys("weft");
    Map<String, String> text = new HashMap<>();
    Propagation.of(Format.WEFT).inject(WeftArbitraries.sampleHeader(), TextCarrier.of(text));
    assertThat(text).containsOnlyKeys("weft", "weft-mtags", "weft-ptags");
  }

  @Example
  void everyFormatOnRequest() {
    Header h = WeftArbitraries.sampleHeader();
    Map<String, String> text = new HashMap<>();
    Propagation.of(Format.W3C, Format.W3C_BAGGAGE, Format.B3_SINGLE, Format.B3_MULTI).inject(h, TextCarrier.of(text));
    String span = Ids.spanIdOf(h.messageId());
    String parentSpan = Ids.spanIdOf(h.parentIds().get(0));
    assertThat(text).containsKeys("weft", "traceparent", "baggage", "b3", "x-b3-traceid", "x-b3-spanid",
        "x-b3-parentspanid", "x-b3-sampled");
    assertThat(text.get("b3")).isEqualTo(h.traceId() + "-" + span + "-1-" + parentSpan);
    assertThat(text.get("x-b3-traceid")).isEqualTo(h.traceId());
    assertThat(text.get("x-b3-spanid")).isEqualTo(span);
    assertThat(text.get("x-b3-parentspanid")).isEqualTo(parentSpan);
    // baggage carries the ptags whose keys are tokens (':' is not)
    assertThat(ok(W3c.parseBaggage(text.get("baggage")))).isEqualTo(Map.of("merchant_id", "m-42"));
  }

  @Example
  void baggageAloneDoesNotImplyTraceparent() {
    // Propagation.of takes exactly the given formats (plus Weft): W3C_BAGGAGE does not add traceparent
    Map<String, String> text = new HashMap<>();
    Propagation.of(Format.W3C_BAGGAGE).inject(WeftArbitraries.sampleHeader(), TextCarrier.of(text));
    assertThat(text).containsKey("baggage").doesNotContainKey("traceparent");
  }

  @Example
  void oversizedHeaderIsCountedAndTheW3cHeadersStillGo() {
    Map<String, String> big = new TreeMap<>();
    for (int i = 0; i < 32; i++) big.put("k" + i, "\u20ac".repeat(256));
    Header h = WeftArbitraries.sampleHeader().withMtags(big);
    long before = Faults.get(Fault.HEADER_ENCODE_ERROR);
    Map<String, String> text = new HashMap<>();
    Propagation.defaults().inject(h, TextCarrier.of(text));
    assertThat(text).containsOnlyKeys("traceparent");
    Map<String, byte[]> bin = new HashMap<>();
    Propagation.defaults().inject(h, BinaryCarrier.of(bin));
    assertThat(bin).containsOnlyKeys("traceparent");
    assertThat(Faults.get(Fault.HEADER_ENCODE_ERROR) - before).isGreaterThanOrEqualTo(2);
  }

  @Example
  void injectNeverThrowsIntoApplicationCode() {
    TextCarrier hostileText = new TextCarrier() {
      @Override
      public void put(String key, String value) {
        throw new UnsupportedOperationException("read-only headers");
      }

      @Override
      public String get(String key) {
        return null;
      }
    };
    BinaryCarrier hostileBin = new BinaryCarrier() {
      @Override
      public void put(String key, byte[] value) {
        throw new IllegalStateException("closed");
      }

      @Override
      public byte[] get(String key) {
        throw new IllegalStateException("closed");
      }
    };
    Header h = WeftArbitraries.sampleHeader();
    long before = Faults.get(Fault.INTERNAL_ERROR);
    Propagation.defaults().inject(h, hostileText);
    Propagation.defaults().inject(h, hostileBin);
    assertThat(Faults.get(Fault.INTERNAL_ERROR) - before).isGreaterThanOrEqualTo(2);

    Extraction x = Propagation.defaults().extract(hostileBin);
    assertThat(x.source()).isEqualTo(Source.NONE);
    assertThat(x.context()).isNotNull();
    assertThat(x.hadBadHeader()).isTrue();
  }

  // ------------------------------------------------------------------ extract

  @Property(tries = 300)
  void weftRoundTripsThroughBothCarriers(@ForAll("headers") Header h) {
    Map<String, String> text = new HashMap<>();
    Map<String, byte[]> bin = new HashMap<>();
    Propagation all = Propagation.of(Format.W3C, Format.W3C_BAGGAGE, Format.B3_SINGLE, Format.B3_MULTI);
    all.inject(h, TextCarrier.of(text));
    all.inject(h, BinaryCarrier.of(bin));
    for (Extraction x : List.of(Propagation.defaults().extract(TextCarrier.of(text)),
        Propagation.defaults().extract(BinaryCarrier.of(bin)))) {
      if (x.source() == Source.WEFT) {
        assertThat(x.header()).isEqualTo(h);
        assertThat(x.context()).isEqualTo(TraceContext.of(h));
        assertThat(x.receivedHeader("urn:ignored")).isSameAs(x.header());
        assertThat(x.error()).isNull();
      } else {
        // the Weft header did not fit: the receiver continues the trace from traceparent
        assertThat(x.source()).isEqualTo(Source.W3C);
        assertThat(x.context().traceId()).isEqualTo(h.traceId());
        assertThat(x.foreignParentSpanId()).isEqualTo(Ids.spanIdOf(h.messageId()));
      }
    }
  }

  @Example
  void preferenceIsWeftThenW3cThenB3() {
    Header h = WeftArbitraries.sampleHeader();
    Map<String, String> text = new HashMap<>();
    Propagation.of(Format.B3_SINGLE).inject(h, TextCarrier.of(text));
    text.put("traceparent", TRACEPARENT);
    assertThat(Propagation.defaults().extract(TextCarrier.of(text)).source()).isEqualTo(Source.WEFT);
    text.remove("weft");
    Extraction w3c = Propagation.defaults().extract(TextCarrier.of(text));
    assertThat(w3c.source()).isEqualTo(Source.W3C);
    assertThat(w3c.context().traceId()).isEqualTo(TRACE);
    assertThat(w3c.error()).isNull();
    assertThat(w3c.hadBadHeader()).isFalse();
    text.remove("traceparent");
    Extraction b3 = Propagation.defaults().extract(TextCarrier.of(text));
    assertThat(b3.source()).isEqualTo(Source.B3);
    assertThat(b3.context().traceId()).isEqualTo(h.traceId());
    text.remove("b3");
    Extraction none = Propagation.defaults().extract(TextCarrier.of(text));
    assertThat(none.source()).isEqualTo(Source.NONE);
    assertThat(none.hadBadHeader()).isFalse();
    assertThat(Ids.isCanonical(none.context().traceId())).isTrue();
  }

  @Example
  void foreignBaggageBecomesPtagsAndTracestateIsForwarded() {
    Map<String, String> text = new HashMap<>();
    text.put("traceparent", TRACEPARENT);
    text.put("baggage", "merchant_id=m%2042,bad key=x,userId=alice");
    text.put("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    Extraction x = Propagation.defaults().extract(TextCarrier.of(text));
    assertThat(x.source()).isEqualTo(Source.W3C);
    assertThat(x.tracestate()).isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    assertThat(x.foreignParentSpanId()).isEqualTo(SPAN);
    // the bad member is skipped; the others become ptags
    assertThat(x.context().ptags()).isEqualTo(Map.of("merchant_id", "m 42", "userId", "alice"));

    text.put("baggage", "merchant_id=m%2042,userId=alice");
    text.put("tracestate", "Invalid Key=1");
    Extraction y = Propagation.defaults().extract(TextCarrier.of(text));
    assertThat(y.context().ptags()).isEqualTo(Map.of("merchant_id", "m 42", "userId", "alice"));
    assertThat(y.tracestate()).as("an invalid tracestate is discarded").isNull();

    Header adopted = y.receivedHeader("urn:x:Y:v1");
    assertThat(adopted.traceId()).isEqualTo(TRACE);
    assertThat(adopted.producerId()).isEqualTo("unknown");
    assertThat(adopted.mtags()).containsEntry("weft.adopted", "w3c").doesNotContainKey("weft.header_error");
    assertThat(adopted.ptags()).isEqualTo(y.context().ptags());
    assertThat(adopted.isOrigin()).isTrue();
  }

  // ------------------------------------------------------------------ garbled Weft headers

  /** Non-empty bytes that the binary codec refuses. */
  @Provide
  Arbitrary<byte[]> garbledBytes() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300);
    Arbitrary<byte[]> truncated = WeftArbitraries.smallHeaders().flatMap(h -> {
      byte[] full = ok(BinaryHeaderCodec.encode(h));
      return Arbitraries.integers().between(1, Math.min(full.length - 1, 40))
          .map(n -> java.util.Arrays.copyOf(full, n));
    });
    Arbitrary<byte[]> wrongVersion = WeftArbitraries.smallHeaders().map(h -> {
      byte[] b = ok(BinaryHeaderCodec.encode(h));
      b[0] = 0x20;
      return b;
    });
    return Arbitraries.oneOf(random, truncated, wrongVersion)
        .filter(b -> !BinaryHeaderCodec.decode(b).isOk());
  }

  @Property(tries = 300)
  void garbledBinaryHeaderFallsBackToANewTrace(@ForAll("garbledBytes") byte[] garbage) {
    Map<String, byte[]> bin = new HashMap<>();
    bin.put("weft", garbage);
    long before = Faults.get(Fault.HEADER_DECODE_ERROR);
    Extraction x = Propagation.defaults().extract(BinaryCarrier.of(bin));
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR)).isGreaterThan(before);
    assertThat(x).isNotNull();
    assertThat(x.source()).isEqualTo(Source.NONE);
    assertThat(x.header()).isNull();
    assertThat(x.context()).isNotNull();
    assertThat(Ids.isCanonical(x.context().traceId())).isTrue();
    assertThat(x.hadBadHeader()).isTrue();
    assertThat(x.error().kind()).isNotEqualTo(Kind.MISSING);
    Header adopted = x.receivedHeader("urn:x:Y:v1");
    assertThat(adopted.mtags()).containsEntry("weft.adopted", "none")
        .containsEntry("weft.header_error", x.error().kind().name().toLowerCase(java.util.Locale.ROOT));
  }

  @Property(tries = 300)
  void garbledBinaryHeaderWithTraceparentContinuesTheW3cTrace(@ForAll("garbledBytes") byte[] garbage) {
    Map<String, byte[]> bin = new HashMap<>();
    bin.put("weft", garbage);
    bin.put("traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8));
    long before = Faults.get(Fault.HEADER_DECODE_ERROR);
    Extraction x = Propagation.defaults().extract(BinaryCarrier.of(bin));
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR)).isGreaterThan(before);
    assertThat(x.source()).isEqualTo(Source.W3C);
    assertThat(x.context().traceId()).isEqualTo(TRACE);
    assertThat(x.foreignParentSpanId()).isEqualTo(SPAN);
    assertThat(x.hadBadHeader()).isTrue();
  }

  @Provide
  Arbitrary<String> garbledText() {
    return Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(200),
            Arbitraries.strings().withChars("0123456789abcdef;,=.cmpstr").ofMaxLength(200),
            Arbitraries.of("2.0;c=" + TRACE, "1.0;c=nope;m=x", "1.0", "garbage", ";;;", "1.0;c=" + TRACE))
        .filter(s -> !TextHeaderCodec.decode(TextCarrier.of(Map.of("weft", s))).isOk());
  }

  @Property(tries = 300)
  void garbledTextHeaderFallsBack(@ForAll("garbledText") String garbage, @ForAll boolean withTraceparent) {
    Map<String, String> text = new HashMap<>();
    text.put("weft", garbage);
    if (withTraceparent) text.put("traceparent", TRACEPARENT);
    long before = Faults.get(Fault.HEADER_DECODE_ERROR);
    Extraction x = Propagation.defaults().extract(TextCarrier.of(text));
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR)).isGreaterThan(before);
    assertThat(x.context()).isNotNull();
    assertThat(x.hadBadHeader()).isTrue();
    if (withTraceparent) {
      assertThat(x.source()).isEqualTo(Source.W3C);
      assertThat(x.context().traceId()).isEqualTo(TRACE);
    } else {
      assertThat(x.source()).isEqualTo(Source.NONE);
    }
  }

  @Property(tries = 300)
  void garbledPtagsAlsoFallBack(@ForAll("smallHeaders") Header h, @ForAll String garbage) {
    Map<String, String> text = new HashMap<>();
    TextHeaderCodec.encode(h, TextCarrier.of(text));
    text.put("weft-ptags", "%" + garbage); // a '%' that starts no valid escape ... unless the garbage fixes it
    Extraction x = Propagation.defaults().extract(TextCarrier.of(text));
    assertThat(x).isNotNull();
    assertThat(x.context()).isNotNull();
    if (x.source() != Source.WEFT) {
      assertThat(x.source()).isEqualTo(Source.NONE);
      assertThat(x.hadBadHeader()).isTrue();
    }
  }

  @Example
  void extractFromEmptyCarriersIsANewTraceWithoutError() {
    Extraction t = Propagation.defaults().extract(TextCarrier.of(Map.of()));
    Extraction b = Propagation.defaults().extract(BinaryCarrier.of(new HashMap<>()));
    for (Extraction x : List.of(t, b)) {
      assertThat(x.source()).isEqualTo(Source.NONE);
      assertThat(x.error()).isNull();
      assertThat(x.hadBadHeader()).isFalse();
      assertThat(x.context().causes()).isEmpty();
      assertThat(x.context().ptags()).isEmpty();
      assertThat(x.receivedHeader("urn:x:Y:v1").mtags()).containsExactly(Map.entry("weft.adopted", "none"));
    }
  }

  @Example
  void anEmptyWeftRecordHeaderIsTreatedLikeNoHeader() {
    // BinaryHeaderCodec calls an empty value MISSING; the text path does not count MISSING as a decode error,
    // and the binary path must agree
    Map<String, byte[]> bin = new HashMap<>();
    bin.put("weft", new byte[0]);
    long before = Faults.get(Fault.HEADER_DECODE_ERROR);
    Extraction x = Propagation.defaults().extract(BinaryCarrier.of(bin));
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR)).isEqualTo(before);
    assertThat(x.source()).isEqualTo(Source.NONE);
    assertThat(x.hadBadHeader()).isFalse();
    Map<String, String> text = new HashMap<>();
    text.put("weft", "");
    Extraction t = Propagation.defaults().extract(TextCarrier.of(text));
    assertThat(t.hadBadHeader()).as("an empty text header is malformed, not missing").isTrue();
  }

  @Example
  void invalidTraceparentFallsThroughToB3() {
    Map<String, String> text = new HashMap<>();
    text.put("traceparent", "00-" + "0".repeat(32) + "-" + SPAN + "-01");
    text.put("b3", TRACE + "-" + SPAN + "-1");
    Extraction x = Propagation.defaults().extract(TextCarrier.of(text));
    assertThat(x.source()).isEqualTo(Source.B3);
    assertThat(x.context().traceId()).isEqualTo(TRACE);
    assertThat(x.receivedHeader("urn:x:Y:v1").mtags()).containsEntry("weft.adopted", "b3");
  }

  @Example
  void tagsAdoptedFromBaggageAreRepairedNotRefused() {
    Map<String, String> text = new HashMap<>();
    text.put("traceparent", TRACEPARENT);
    StringBuilder baggage = new StringBuilder("long=" + "x".repeat(300));
    for (int i = 0; i < 40; i++) baggage.append(",k").append(i).append("=v");
    text.put("baggage", baggage.toString());
    Extraction x = Propagation.defaults().extract(TextCarrier.of(text));
    Tags ptags = x.context().ptags();
    assertThat(ptags).hasSizeLessThanOrEqualTo(32);
    ptags.values().forEach(v -> assertThat(v.length()).isLessThanOrEqualTo(256));
  }
}
