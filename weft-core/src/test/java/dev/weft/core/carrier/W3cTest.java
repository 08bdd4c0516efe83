package dev.weft.core.carrier;

import static dev.weft.core.carrier.CodecTestSupport.err;
import static dev.weft.core.carrier.CodecTestSupport.kind;
import static dev.weft.core.carrier.CodecTestSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Result;
import dev.weft.core.Tags;
import dev.weft.core.carrier.CodecError.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class W3cTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";
  private static final String VALID = "00-" + TRACE + "-" + SPAN + "-01";

  // ------------------------------------------------------------------ traceparent

  @Provide
  Arbitrary<String> traceIds() {
    return WeftArbitraries.ids();
  }

  @Provide
  Arbitrary<String> spanIds() {
    return WeftArbitraries.spanIds();
  }

  @Property
  void traceparentFormatThenParse(@ForAll("traceIds") String traceId, @ForAll("spanIds") String spanId,
      @ForAll boolean sampled) {
    String text = W3c.formatTraceparent(traceId, spanId, sampled);
    assertThat(text).hasSize(55).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    assertThat(ok(W3c.parseTraceparent(text))).isEqualTo(new W3c.Traceparent(traceId, spanId, sampled));
  }

  @Example
  void traceparentSpecExamples() {
    assertThat(ok(W3c.parseTraceparent(VALID))).isEqualTo(new W3c.Traceparent(TRACE, SPAN, true));
    assertThat(ok(W3c.parseTraceparent("00-" + TRACE + "-" + SPAN + "-00")).sampled()).isFalse();
    // other flag bits are ignored; only bit 0 is "sampled"
    assertThat(ok(W3c.parseTraceparent("00-" + TRACE + "-" + SPAN + "-03")).sampled()).isTrue();
    assertThat(ok(W3c.parseTraceparent("00-" + TRACE + "-" + SPAN + "-02")).sampled()).isFalse();
    // surrounding whitespace (an HTTP stack may keep it)
    assertThat(ok(W3c.parseTraceparent("  " + VALID + " ")).traceId()).isEqualTo(TRACE);
  }

  @Example
  void futureTraceparentVersionsAreReadAsVersion00() {
    assertThat(ok(W3c.parseTraceparent("cc-" + TRACE + "-" + SPAN + "-01")).traceId()).isEqualTo(TRACE);
    assertThat(ok(W3c.parseTraceparent("cc-" + TRACE + "-" + SPAN + "-01-what-the-future-holds")).spanId())
        .isEqualTo(SPAN);
    assertThat(kind(W3c.parseTraceparent("cc-" + TRACE + "-" + SPAN + "-01.what"))).isEqualTo(Kind.MALFORMED);
  }

  @Example
  void badTraceparentsAreTyped() {
    assertThat(kind(W3c.parseTraceparent(null))).isEqualTo(Kind.MISSING);
    assertThat(kind(W3c.parseTraceparent(""))).isEqualTo(Kind.TRUNCATED);
    assertThat(kind(W3c.parseTraceparent(VALID.substring(0, 54)))).isEqualTo(Kind.TRUNCATED);
    assertThat(kind(W3c.parseTraceparent(VALID + "-00"))).isEqualTo(Kind.MALFORMED); // 00 must be 55 long
    assertThat(kind(W3c.parseTraceparent("ff" + VALID.substring(2)))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(W3c.parseTraceparent("0A" + VALID.substring(2)))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(W3c.parseTraceparent("zz" + VALID.substring(2)))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(W3c.parseTraceparent(VALID.replace('-', '_')))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(W3c.parseTraceparent("00-" + TRACE.toUpperCase() + "-" + SPAN + "-01")))
        .isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(W3c.parseTraceparent("00-" + "0".repeat(32) + "-" + SPAN + "-01")))
        .isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(W3c.parseTraceparent("00-" + TRACE + "-" + "0".repeat(16) + "-01")))
        .isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(W3c.parseTraceparent("00-" + TRACE + "-" + SPAN.toUpperCase() + "-01")))
        .isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(W3c.parseTraceparent("00-" + TRACE + "-" + SPAN + "-0g"))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(W3c.parseTraceparent("00-" + TRACE + "-" + SPAN + "-\uFF10\uFF11")))
        .isEqualTo(Kind.INVALID_FIELD);
  }

  @Property
  void randomTraceparentsNeverThrow(@ForAll String text) {
    assertParsesOrTypedError(W3c.parseTraceparent(text));
  }

  @Provide
  Arbitrary<String> traceparentLike() {
    return Arbitraries.strings().withChars("0123456789abcdefABCDEF-fx ").ofMinLength(50).ofMaxLength(70);
  }

  @Property
  void traceparentLikeStringsNeverThrow(@ForAll("traceparentLike") String text) {
    Result<W3c.Traceparent, CodecError> r = W3c.parseTraceparent(text);
    assertParsesOrTypedError(r);
    if (r.isOk()) {
      W3c.Traceparent tp = ok(r);
      assertThat(tp.traceId()).matches("[0-9a-f]{32}");
      assertThat(tp.spanId()).matches("[0-9a-f]{16}");
    }
  }

  private static void assertParsesOrTypedError(Result<?, CodecError> r) {
    assertThat(r).isNotNull();
    if (!r.isOk()) {
      CodecError e = err(r);
      assertThat(e.kind()).isNotNull();
      assertThat(e.message()).isNotBlank();
    }
  }

  // ------------------------------------------------------------------ baggage

  /** Baggage keys Weft can carry: legal tag keys that are also RFC 7230 tokens (no ':'). */
  @Provide
  Arbitrary<String> baggageKeys() {
    return Arbitraries.strings().withChars(WeftArbitraries.TAG_KEY_CHARS.replace(":", "")).ofMinLength(1)
        .ofMaxLength(64);
  }

  @Provide
  Arbitrary<Map<String, String>> baggage() {
    return Arbitraries.maps(baggageKeys(), WeftArbitraries.unicode(256)).ofMaxSize(32)
        .map(m -> (Map<String, String>) new TreeMap<>(m));
  }

  @Property(tries = 500)
  void baggageFormatThenParse(@ForAll("baggage") Map<String, String> entries) {
    String text = W3c.formatBaggage(entries);
    assertThat(text).matches("[\\x21-\\x7e]*"); // baggage-octets and separators only, never a space
    assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(W3c.MAX_BAGGAGE_BYTES);
    Map<String, String> back = ok(W3c.parseBaggage(text));
    // every member written comes back exactly; members are only ever left out whole, past the 8 KiB limit
    back.forEach((k, v) -> assertThat(entries).containsEntry(k, v));
    int full = fullBaggageLength(entries);
    if (full <= W3c.MAX_BAGGAGE_BYTES) assertThat(back).isEqualTo(entries);
    else assertThat(back.size()).isLessThan(entries.size());
  }

  private static int fullBaggageLength(Map<String, String> entries) {
    int n = Math.max(0, entries.size() - 1);
    for (Map.Entry<String, String> e : entries.entrySet()) {
      n += e.getKey().length() + 1 + CodecTestSupport.percentEncodedLength(e.getValue());
    }
    return n;
  }

  @Property
  void baggageOfLegalPtagsRoundTripsWhereKeysAreTokens(@ForAll("smallTags") Tags ptags) {
    Map<String, String> back = ok(W3c.parseBaggage(W3c.formatBaggage(ptags)));
    Map<String, String> expected = new TreeMap<>();
    ptags.forEach((k, v) -> {
      if (!k.contains(":")) expected.put(k, v); // ':' is not an RFC 7230 token character
    });
    assertThat(back).isEqualTo(expected);
  }

  @Provide
  Arbitrary<Tags> smallTags() {
    return Arbitraries.maps(WeftArbitraries.tagKeys(), WeftArbitraries.unicode(40)).ofMaxSize(8).map(Tags::strict);
  }

  @Example
  void baggageSpecExamples() {
    Map<String, String> m = ok(W3c.parseBaggage(
        "userId=alice, serverNode = DF%2028 , isProduction=false;meta=1;prop, x=caf%C3%A9"));
    assertThat(m).containsExactly(Map.entry("userId", "alice"), Map.entry("serverNode", "DF 28"),
        Map.entry("isProduction", "false"), Map.entry("x", "caf\u00e9"));
    assertThat(ok(W3c.parseBaggage(null))).isEmpty();
    assertThat(ok(W3c.parseBaggage(" "))).isEmpty();
    assertThat(ok(W3c.parseBaggage("a=1,,b=2,"))).containsOnlyKeys("a", "b");
    assertThat(ok(W3c.parseBaggage("k="))).containsEntry("k", "");
    Map<String, String> ordered = new LinkedHashMap<>();
    ordered.put("b", "x y");
    ordered.put("a", "1,2;3=4%");
    assertThat(W3c.formatBaggage(ordered)).isEqualTo("b=x%20y,a=1%2C2%3B3%3D4%25");
  }

  @Example
  void badBaggageMembersAreSkippedAndOnlyOversizeIsRefused() {
    // like OpenTelemetry's parser: one bad member costs only itself
    assertThat(W3c.parseBaggage("novalue,a=1").orElse(null)).isEqualTo(Map.of("a", "1"));
    assertThat(W3c.parseBaggage("=v,a=1").orElse(null)).isEqualTo(Map.of("a", "1"));
    assertThat(W3c.parseBaggage("a b=v,a=1").orElse(null)).isEqualTo(Map.of("a", "1"));
    assertThat(W3c.parseBaggage("k:x=v,a=1").orElse(null)).isEqualTo(Map.of("a", "1"));
    assertThat(W3c.parseBaggage("k=%ZZ,a=1").orElse(null)).isEqualTo(Map.of("a", "1"));
    assertThat(W3c.parseBaggage("k=%C3,a=1").orElse(null)).isEqualTo(Map.of("a", "1"));
    assertThat(kind(W3c.parseBaggage("k=" + "v".repeat(8200)))).isEqualTo(Kind.OVERSIZED);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 181; i++) many.append(i == 0 ? "" : ",").append("k").append(i).append("=1");
    assertThat(kind(W3c.parseBaggage(many.toString()))).isEqualTo(Kind.OVERSIZED);
  }

  @Example
  void formatBaggageSkipsKeysThatAreNotTokensAndNullValues() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("ok", "1");
    m.put("tenant:env", "prod");
    m.put("sp ace", "x");
    m.put("nul", null);
    assertThat(W3c.formatBaggage(m)).isEqualTo("ok=1");
  }

  @Example
  void formatBaggageNeverExceedsTheW3cLimits() {
    Map<String, String> big = new TreeMap<>();
    for (int i = 0; i < 32; i++) big.put("key" + i, "\u20ac".repeat(256)); // 2304 chars each when encoded
    String text = W3c.formatBaggage(big);
    assertThat(text.length()).isLessThanOrEqualTo(W3c.MAX_BAGGAGE_BYTES);
    Map<String, String> back = ok(W3c.parseBaggage(text));
    assertThat(back).isNotEmpty();
    back.forEach((k, v) -> assertThat(big).containsEntry(k, v));

    Map<String, String> manySmall = new TreeMap<>();
    for (int i = 0; i < 300; i++) manySmall.put("k" + i, "v");
    assertThat(ok(W3c.parseBaggage(W3c.formatBaggage(manySmall)))).hasSize(W3c.MAX_BAGGAGE_MEMBERS);
  }

  @Property
  void randomBaggageNeverThrows(@ForAll String text) {
    assertParsesOrTypedError(W3c.parseBaggage(text));
  }

  @Provide
  Arbitrary<String> baggageLike() {
    return Arbitraries.oneOf(Arbitraries.of("=", ",", ";", "%", "%2", "%C3", "%E2%82", "k", "v", " ", "\u00e9",
        "\uD83D\uDE00", "\uD800", "%41"), Arbitraries.strings().ofMaxLength(5)).list().ofMaxSize(40)
        .map(l -> String.join("", l));
  }

  @Property
  void baggageLikeStringsNeverThrow(@ForAll("baggageLike") String text) {
    assertParsesOrTypedError(W3c.parseBaggage(text));
  }

  // ------------------------------------------------------------------ tracestate

  @Provide
  Arbitrary<String> simpleKeys() {
    return Combinators.combine(Arbitraries.chars().range('a', 'z'),
            Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789_-*/").ofMaxLength(40))
        .as((first, rest) -> first + rest);
  }

  @Provide
  Arbitrary<String> tenantKeys() {
    Arbitrary<String> tenant = Combinators.combine(
            Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789").ofLength(1),
            Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789_-*/").ofMaxLength(30))
        .as((a, b) -> a + b);
    Arbitrary<String> system = Combinators.combine(Arbitraries.chars().range('a', 'z'),
            Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789_-*/").ofMaxLength(13))
        .as((a, b) -> a + b);
    return Combinators.combine(tenant, system).as((t, s) -> t + "@" + s);
  }

  /** A tracestate value: printable ASCII except ',' and '=', 1..256 characters, not ending in a space. */
  @Provide
  Arbitrary<String> tracestateValues() {
    return Combinators.combine(
            Arbitraries.strings().withCharRange(' ', '~').excludeChars(',', '=').ofMaxLength(60),
            Arbitraries.strings().withCharRange('!', '~').excludeChars(',', '=').ofLength(1))
        .as((a, b) -> a.trim().isEmpty() ? b : a.stripLeading() + b);
  }

  @Provide
  Arbitrary<List<Map.Entry<String, String>>> tracestates() {
    Arbitrary<String> keys = Arbitraries.oneOf(simpleKeys(), tenantKeys());
    return Arbitraries.maps(keys, tracestateValues()).ofMaxSize(W3c.MAX_TRACESTATE_MEMBERS)
        .map(m -> {
          List<Map.Entry<String, String>> out = new ArrayList<>();
          m.forEach((k, v) -> out.add(Map.entry(k, v)));
          return out;
        });
  }

  @Property
  void tracestateFormatThenParse(@ForAll("tracestates") List<Map.Entry<String, String>> members) {
    String text = W3c.formatTracestate(members);
    assertThat(ok(W3c.parseTracestate(text))).containsExactlyElementsOf(members);
  }

  @Example
  void tracestateSpecExamples() {
    assertThat(ok(W3c.parseTracestate("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")))
        .containsExactly(Map.entry("rojo", "00f067aa0ba902b7"), Map.entry("congo", "t61rcWkgMzE"));
    assertThat(ok(W3c.parseTracestate("  rojo=1 ,, congo=2\t"))).hasSize(2);
    assertThat(ok(W3c.parseTracestate("fw529a3039@dt=abc"))).containsExactly(Map.entry("fw529a3039@dt", "abc"));
    assertThat(ok(W3c.parseTracestate(null))).isEmpty();
    assertThat(ok(W3c.parseTracestate(""))).isEmpty();
  }

  @Example
  void badTracestatesAreTyped() {
    assertThat(kind(W3c.parseTracestate("novalue"))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(W3c.parseTracestate("=x"))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(W3c.parseTracestate("a=1,a=2"))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(W3c.parseTracestate("Rojo=1"))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(W3c.parseTracestate("1abc=1"))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(W3c.parseTracestate("@sys=1"))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(W3c.parseTracestate("t@=1"))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(W3c.parseTracestate("t@systemnameistoolong=1"))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(W3c.parseTracestate("a=" + "x".repeat(257)))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(W3c.parseTracestate("a=x\u00e9"))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(W3c.parseTracestate("a="))).isEqualTo(Kind.INVALID_FIELD);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 33; i++) many.append(i == 0 ? "" : ",").append("k").append(i).append("=1");
    assertThat(kind(W3c.parseTracestate(many.toString()))).isEqualTo(Kind.OVERSIZED);
  }

  @Example
  void formatTracestateDropsInvalidMembersAndKeeps32() {
    List<Map.Entry<String, String>> members = new ArrayList<>();
    members.add(Map.entry("Bad", "1"));
    for (int i = 0; i < 40; i++) members.add(Map.entry("k" + i, "v" + i));
    members.add(Map.entry("ok", "a,b"));
    String text = W3c.formatTracestate(members);
    List<Map.Entry<String, String>> back = ok(W3c.parseTracestate(text));
    assertThat(back).hasSize(32);
    assertThat(back.get(0)).isEqualTo(Map.entry("k0", "v0"));
  }

  @Property
  void randomTracestatesNeverThrow(@ForAll String text) {
    assertParsesOrTypedError(W3c.parseTracestate(text));
  }
}
