package dev.weft.core.carrier;

import static dev.weft.core.carrier.CodecTestSupport.err;
import static dev.weft.core.carrier.CodecTestSupport.kind;
import static dev.weft.core.carrier.CodecTestSupport.ok;
import static dev.weft.core.carrier.CodecTestSupport.textSize;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Header;
import dev.weft.core.Ids;
import dev.weft.core.Limits;
import dev.weft.core.Result;
import dev.weft.core.Tags;
import dev.weft.core.carrier.CodecError.Kind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

class TextHeaderCodecTest {
  private static final String T1 = "0af7651916cd43dd8448eb211c80319c";
  private static final String T2 = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String M = "b7ad6b7169203331b7ad6b7169203331";
  private static final String MAIN = "1.0;c=" + T1 + "," + T2 + ";m=" + M + ";pr=svc;s=urn:x:Y:v1;t=42";

  @Provide
  Arbitrary<Header> headers() {
    return WeftArbitraries.headers();
  }

  @Provide
  Arbitrary<Header> smallHeaders() {
    return WeftArbitraries.smallHeaders();
  }

  private static Result<Header, CodecError> decode(String main, String mtags, String ptags) {
    Map<String, String> m = new HashMap<>();
    if (main != null) m.put("weft", main);
    if (mtags != null) m.put("weft-mtags", mtags);
    if (ptags != null) m.put("weft-ptags", ptags);
    return TextHeaderCodec.decode(TextCarrier.of(m));
  }

  private static Result<Header, CodecError> decode(String main) {
    return decode(main, null, null);
  }

  // ------------------------------------------------------------------ round trip

  @Property(tries = 500)
  void encodeThenDecodeIsIdentityOrOversized(@ForAll("headers") Header h) {
    Map<String, String> map = new HashMap<>();
    int expected = textSize(h);
    Result<Integer, CodecError> r = TextHeaderCodec.encode(h, TextCarrier.of(map));
    if (r.isOk()) {
      Statistics.label("outcome").collect("encoded");
      assertThat(ok(r)).isEqualTo(expected).isLessThanOrEqualTo(Limits.MAX_ENCODED_BYTES);
      assertThat(map).containsKey("weft");
      assertThat(map.keySet()).isSubsetOf("weft", "weft-mtags", "weft-ptags");
      assertThat(map.containsKey("weft-mtags")).isEqualTo(!h.mtags().isEmpty());
      assertThat(map.containsKey("weft-ptags")).isEqualTo(!h.ptags().isEmpty());
      // every value is printable ASCII: safe for any HTTP stack
      map.values().forEach(v -> assertThat(v).matches("[\\x21-\\x7e]*"));
      assertThat(ok(TextHeaderCodec.decode(TextCarrier.of(map)))).isEqualTo(h);
    } else {
      Statistics.label("outcome").collect("oversized");
      assertThat(kind(r)).isEqualTo(Kind.OVERSIZED);
      assertThat(expected).isGreaterThan(Limits.MAX_ENCODED_BYTES);
      assertThat(map).as("nothing is written when the header does not fit").isEmpty();
    }
    Statistics.label("outcome").coverage(c -> {
      c.check("encoded").count(n -> n > 0);
      c.check("oversized").count(n -> n > 0);
    });
  }

  @Property(tries = 500)
  void smallHeadersAlwaysRoundTrip(@ForAll("smallHeaders") Header h) {
    Map<String, String> map = new HashMap<>();
    assertThat(ok(TextHeaderCodec.encode(h, TextCarrier.of(map)))).isEqualTo(textSize(h));
    assertThat(ok(TextHeaderCodec.decode(TextCarrier.of(map)))).isEqualTo(h);
  }

  @Example
  void wireFormatMatchesTheSpec() {
    Header h = new Header(1, List.of(T1, T2), M, List.of(T2), "svc", "urn:x:Y:v1", 42,
        Tags.strict(Map.of("note", "a b,c=d;e%\u00e9", "plain", "x-y_z.~")), Tags.strict(Map.of("m", "1")));
    Map<String, String> map = new HashMap<>();
    ok(TextHeaderCodec.encode(h, TextCarrier.of(map)));
    assertThat(map.get("weft")).isEqualTo("1.0;c=" + T1 + "," + T2 + ";m=" + M + ";p=" + T2
        + ";pr=svc;s=urn:x:Y:v1;t=42");
    assertThat(map.get("weft-mtags")).isEqualTo("note=a%20b%2Cc%3Dd%3Be%25%C3%A9,plain=x-y_z.~");
    assertThat(map.get("weft-ptags")).isEqualTo("m=1");
  }

  @Example
  void sampleRoundTrips() {
    Header h = WeftArbitraries.sampleHeader();
    Map<String, String> map = new HashMap<>();
    ok(TextHeaderCodec.encode(h, TextCarrier.of(map)));
    assertThat(ok(TextHeaderCodec.decode(TextCarrier.of(map)))).isEqualTo(h);
  }

  @Example
  void decoderIsLenientAboutIdFormsAndWhitespace() {
    String guid = T2.substring(0, 8) + "-" + T2.substring(8, 12) + "-" + T2.substring(12, 16) + "-"
        + T2.substring(16, 20) + "-" + T2.substring(20);
    Header h = ok(decode("  1.0; c=" + T1.toUpperCase() + " , {" + guid.toUpperCase() + "} ;m=" + M.toUpperCase()
        + ";p=;pr=svc;s=urn:x;t=1 ", " a=1 , b = x%20y ,", ""));
    assertThat(h.correlationIds()).containsExactly(T1, T2);
    assertThat(h.messageId()).isEqualTo(M);
    assertThat(h.parentIds()).isEmpty();
    assertThat(h.mtags()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "x y"));
    assertThat(h.ptags()).isEmpty();
    // 64-bit ids are left-padded
    Header h64 = ok(decode("1.0;c=a3ce929d0e0e4736;m=" + M + ";pr=svc;s=urn:x;t=1"));
    assertThat(h64.traceId()).isEqualTo("0000000000000000a3ce929d0e0e4736");
  }

  @Example
  void rawNonAsciiNextToPercentEscapesIsKept() {
    // the encoder never writes raw non-ASCII, but a lenient decoder must not corrupt it either
    Header h = ok(decode(MAIN, "e=%41\u00e9\uD83D\uDE00%42", null));
    assertThat(h.mtags().get("e")).isEqualTo("A\u00e9\uD83D\uDE00B");
    assertThat(ok(decode(MAIN, "e=\uD83D\uDE00", null)).mtags().get("e")).isEqualTo("\uD83D\uDE00");
  }

  // ------------------------------------------------------------------ versions

  @Example
  void majorVersionTwoIsUnsupported() {
    assertThat(kind(decode(MAIN.replace("1.0;", "2.0;")))).isEqualTo(Kind.UNSUPPORTED_VERSION);
    assertThat(kind(decode(MAIN.replace("1.0;", "0.9;")))).isEqualTo(Kind.UNSUPPORTED_VERSION);
    assertThat(kind(decode(MAIN.replace("1.0;", "10.0;")))).isEqualTo(Kind.UNSUPPORTED_VERSION);
    assertThat(kind(decode("2.0;anything;at all"))).isEqualTo(Kind.UNSUPPORTED_VERSION);
  }

  @Example
  void newerMinorVersionWithUnknownFieldsDecodes() {
    Header h = ok(decode("1.7;c=" + T1 + ";m=" + M + ";pr=svc;s=urn:x:Y:v1;t=42;x=unknown;sig=abc==;x=again"));
    assertThat(h).isEqualTo(new Header(1, List.of(T1), M, List.of(), "svc", "urn:x:Y:v1", 42, null, null));
    Header h2 = ok(decode("1.12;zz=first;c=" + T1 + ";m=" + M + ";pr=svc;s=urn:x:Y:v1;t=42"));
    assertThat(h2.messageId()).isEqualTo(M);
  }

  @Example
  void badVersionTextIsMalformed() {
    for (String v : new String[] {"", "x", "1.x", "one.zero", "1..0", "v1.0", "1.0.0"}) {
      String main = MAIN.replaceFirst("1\\.0", v);
      assertThat(kind(decode(main))).as(main).isEqualTo(Kind.MALFORMED);
    }
  }

  // ------------------------------------------------------------------ malformed input

  @Example
  void missingCarrierEntryIsMissing() {
    assertThat(kind(decode(null))).isEqualTo(Kind.MISSING);
    assertThat(kind(decode(null, "a=1", "b=2"))).isEqualTo(Kind.MISSING);
  }

  @Example
  void missingAndDuplicateFieldsAreMalformed() {
    String[][] missing = {
      {"1.0;m=" + M + ";pr=svc;s=u;t=1", "correlation_ids"},
      {"1.0;c=" + T1 + ";pr=svc;s=u;t=1", "message_id"},
      {"1.0;c=" + T1 + ";m=" + M + ";s=u;t=1", "producer_id"},
      {"1.0;c=" + T1 + ";m=" + M + ";pr=svc;t=1", "payload_schema_uri"},
      {"1.0;c=" + T1 + ";m=" + M + ";pr=svc;s=u", "ticks_from_epoch"},
      {"1.0", "correlation_ids"},
    };
    for (String[] c : missing) {
      CodecError e = err(decode(c[0]));
      assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
      assertThat(e.message()).startsWith(c[1]);
    }
    for (String dup : new String[] {";c=" + T2, ";m=" + M, ";pr=x", ";s=y", ";t=5", ";p=" + T2 + ";p=" + T2}) {
      assertThat(kind(decode(MAIN + dup))).as(dup).isEqualTo(Kind.MALFORMED);
    }
    assertThat(kind(decode(MAIN + ";novalue"))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(decode(MAIN + ";=x"))).isEqualTo(Kind.MALFORMED);
  }

  @Example
  void badFieldValuesAreInvalidAndNamed() {
    Object[][] cases = {
      {"1.0;c=" + T1 + ",nope;m=" + M + ";pr=svc;s=u;t=1", "correlation_ids[1]"},
      {"1.0;c=;m=" + M + ";pr=svc;s=u;t=1", "correlation_ids[0]"},
      {"1.0;c=" + T1 + ",;m=" + M + ";pr=svc;s=u;t=1", "correlation_ids[1]"},
      {"1.0;c=" + T1 + "," + T1 + ";m=" + M + ";pr=svc;s=u;t=1", "correlation_ids[1]"},
      {"1.0;c=" + T1 + ";m=" + M + ";p=" + T2 + ",zz;pr=svc;s=u;t=1", "parent_ids[1]"},
      {"1.0;c=" + T1 + ";m=xyz;pr=svc;s=u;t=1", "message_id"},
      {"1.0;c=" + T1 + ";m=00000000000000000000000000000000;pr=svc;s=u;t=1", "message_id"},
      {"1.0;c=" + T1 + ";m=" + M + ";pr=svc;s=u;t=abc", "ticks_from_epoch"},
      {"1.0;c=" + T1 + ";m=" + M + ";pr=svc;s=u;t=-1", "ticks_from_epoch"},
      {"1.0;c=" + T1 + ";m=" + M + ";pr=svc;s=u;t=99999999999999999999", "ticks_from_epoch"},
      {"1.0;c=" + T1 + ";m=" + M + ";pr=;s=u;t=1", "producer_id"},
      {"1.0;c=" + T1 + ";m=" + M + ";pr=a\"b;s=u;t=1", "producer_id"},
      {"1.0;c=" + T1 + ";m=" + M + ";pr=caf\u00e9;s=u;t=1", "producer_id"},
      {"1.0;c=" + T1 + ";m=" + M + ";pr=svc;s=" + "u".repeat(257) + ";t=1", "payload_schema_uri"},
    };
    for (Object[] c : cases) {
      CodecError e = err(decode((String) c[0]));
      assertThat(e.kind()).as(e.toString()).isEqualTo(Kind.INVALID_FIELD);
      assertThat(e.message()).as(e.toString()).startsWith((String) c[1]);
    }
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 33; i++) many.add(Ids.toHex(1, i + 1));
    CodecError tooMany = err(decode("1.0;c=" + String.join(",", many) + ";m=" + M + ";pr=svc;s=u;t=1"));
    assertThat(tooMany.kind()).isEqualTo(Kind.INVALID_FIELD);
    assertThat(tooMany.message()).startsWith("correlation_ids");
  }

  @Example
  void badTagsAreTyped() {
    assertThat(kind(decode(MAIN, "novalue", null))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(decode(MAIN, "=v", null))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(decode(MAIN, "a=1,a=2", null))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(decode(MAIN, null, "a=%G1"))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(decode(MAIN, null, "a=%4"))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(decode(MAIN, null, "a=%"))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(decode(MAIN, null, "a=%C3%28"))).isEqualTo(Kind.MALFORMED); // invalid UTF-8
    assertThat(kind(decode(MAIN, null, "a=%ED%A0%80"))).isEqualTo(Kind.MALFORMED); // encoded surrogate
    assertThat(kind(decode(MAIN, null, "a=%\uFF14\uFF11"))).isEqualTo(Kind.MALFORMED); // full-width digits
    assertThat(kind(decode(MAIN, "bad key=1", null))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(decode(MAIN, "k=" + "v".repeat(257), null))).isEqualTo(Kind.INVALID_FIELD);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 33; i++) many.append(i == 0 ? "" : ",").append("k").append(i).append("=v");
    CodecError e = err(decode(MAIN, null, many.toString()));
    assertThat(e.kind()).isEqualTo(Kind.INVALID_FIELD);
    assertThat(e.message()).startsWith("ptags");
    // empty and blank tag headers are no tags
    assertThat(ok(decode(MAIN, "", " ")).mtags()).isEmpty();
    assertThat(ok(decode(MAIN, ",,", null)).mtags()).isEmpty();
    assertThat(ok(decode(MAIN, "k=", null)).mtags()).containsEntry("k", "");
  }

  @Example
  void moreThan8KiBOfTextIsOversized() {
    String big = "k=" + "v".repeat(Limits.MAX_ENCODED_BYTES);
    assertThat(kind(decode(MAIN, null, big))).isEqualTo(Kind.OVERSIZED);
    assertThat(kind(decode(MAIN + ";x=" + "y".repeat(Limits.MAX_ENCODED_BYTES)))).isEqualTo(Kind.OVERSIZED);
  }

  private static final EnumSet<Kind> DECODE_KINDS = EnumSet.of(Kind.TRUNCATED, Kind.MALFORMED,
      Kind.UNSUPPORTED_VERSION, Kind.OVERSIZED, Kind.INVALID_FIELD);

  private static void assertDecodesOrTypedError(String main, String mtags, String ptags) {
    Result<Header, CodecError> r = decode(main, mtags, ptags);
    assertThat(r).isNotNull();
    if (r instanceof Result.Err<Header, CodecError> e) {
      assertThat(DECODE_KINDS).contains(e.error().kind());
      assertThat(e.error().message()).doesNotContain("Exception");
    } else {
      Header h = ok(r);
      assertThat(TextHeaderCodec.encode(h, TextCarrier.of(new HashMap<>())).isOk()).isTrue();
    }
  }

  @Property
  void randomStringsNeverThrow(@ForAll String main, @ForAll String ptags) {
    assertDecodesOrTypedError(main, null, ptags);
  }

  @Provide
  Arbitrary<String> weftLike() {
    Arbitrary<String> piece = Arbitraries.oneOf(
        Arbitraries.of("1.0", "1.9", "2.0", ";", ",", "=", "c=", "m=", "p=", "pr=", "s=", "t=", "%", "%2", "%C3",
            " ", "-", "{", "}", T1, T2, M, T1.toUpperCase(), "00000000000000000000000000000000", "0", "-1",
            "9223372036854775807", "9223372036854775808", "\u00e9", "\uD83D\uDE00", "\uD800"),
        Arbitraries.strings().ofMaxLength(6));
    return piece.list().ofMaxSize(40).map(l -> String.join("", l));
  }

  @Property
  void weftLikeStringsNeverThrow(@ForAll("weftLike") String main, @ForAll("weftLike") String mtags,
      @ForAll("weftLike") String ptags) {
    assertDecodesOrTypedError(main, mtags, ptags);
    assertDecodesOrTypedError("1.0;c=" + T1 + ";m=" + M + ";pr=svc;s=u;t=1;" + main, mtags, ptags);
  }

  @Example
  void aCarrierThatThrowsIsMalformedNotAnException() {
    TextCarrier hostile = new TextCarrier() {
      @Override
      public void put(String key, String value) {
        throw new IllegalStateException("read-only");
      }

      @Override
      public String get(String key) {
        throw new IllegalStateException("boom");
      }
    };
    assertThat(kind(TextHeaderCodec.decode(hostile))).isEqualTo(Kind.MALFORMED);
  }
}
