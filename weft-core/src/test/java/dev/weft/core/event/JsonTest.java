package dev.weft.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.core.carrier.WeftArbitraries;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class JsonTest {

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder();
    Json.quote(sb, s);
    return sb.toString();
  }

  @Example
  void parsesEveryJsonType() throws Exception {
    Object v = Json.parse(" {\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\", \"i\":-42, \"z\":0,"
        + "\"d\":1.5e3, \"e\":-0.25, \"t\":true, \"f\":false, \"n\":null, \"a\":[1,[],{}], \"o\":{\"k\":\"v\"}} ");
    assertThat(v).isInstanceOf(Map.class);
    Map<?, ?> m = (Map<?, ?>) v;
    assertThat(m.get("s")).isEqualTo("a\"b\\c/d\b\f\n\r\t\u00e9\uD83D\uDE00");
    assertThat(m.get("i")).isEqualTo(-42L);
    assertThat(m.get("z")).isEqualTo(0L);
    assertThat(m.get("d")).isEqualTo(1500.0);
    assertThat(m.get("e")).isEqualTo(-0.25);
    assertThat(m.get("t")).isEqualTo(true);
    assertThat(m.get("f")).isEqualTo(false);
    assertThat(m.containsKey("n")).isTrue();
    assertThat(m.get("n")).isNull();
    assertThat(m.get("a")).isEqualTo(List.of(1L, List.of(), Map.of()));
    assertThat(m.get("o")).isEqualTo(Map.of("k", "v"));
    assertThat(m.keySet().stream().map(String::valueOf).toList()).containsExactly("s", "i", "z", "d", "e", "t", "f", "n", "a", "o");
    assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
  }

  @Example
  void refusesInvalidJsonWithAPosition() {
    String[] bad = {
      "", " ", "{", "}", "[", "[1,]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "{'a':1}",
      "\"unterminated", "\"bad escape \\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"tab\there\"", "01", "-", "1.", "1e",
      "+1", ".5", "NaN", "Infinity", "tru", "nul", "1 2", "{}{}", "{\"a\":1,\"a\":2}", "99999999999999999999",
      "\"\\u\uFF11\uFF12\uFF13\uFF14\"", // full-width digits are not hex
    };
    for (String b : bad) {
      assertThatThrownBy(() -> Json.parse(b)).as("parse(%s)", b).isInstanceOf(Json.ParseException.class)
          .satisfies(e -> assertThat(((Json.ParseException) e).position()).isBetween(0, b.length()));
    }
  }

  @Example
  void deepNestingIsAnErrorNotAStackOverflow() {
    for (String open : new String[] {"[", "{\"a\":"}) {
      String deep = open.repeat(10_000) + "1";
      assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(Json.ParseException.class)
          .hasMessageContaining("nesting");
    }
    String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    assertThat(catching(ok)).isNull();
    String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
    assertThat(catching(tooDeep)).isNotNull();
  }

  private static Exception catching(String text) {
    try {
      Json.parse(text);
      return null;
    } catch (Json.ParseException e) {
      return e;
    }
  }

  @Example
  void quoteEscapesWhatJsonRequires() {
    assertThat(quote("a\"b\\c\n\r\t\u0000\u001f\u2028\u2029 \u00e9/")).isEqualTo(
        "\"a\\\"b\\\\c\\n\\r\\t\\u0000\\u001f\\u2028\\u2029 \u00e9/\"");
  }

  @Provide
  Arbitrary<String> wellFormed() {
    return WeftArbitraries.unicode(300);
  }

  @Property
  void quoteThenParseIsIdentity(@ForAll("wellFormed") String s) throws Exception {
    assertThat(Json.parse(quote(s))).isEqualTo(s);
  }

  @Property
  void quoteThenParseIsIdentityForAnyJavaString(@ForAll String s) throws Exception {
    assertThat(Json.parse(quote(s))).isEqualTo(s);
  }

  @Property
  void quotedTextSurvivesUtf8(@ForAll String s) throws Exception {
    // events are written to files and HTTP bodies as UTF-8: even a lone surrogate must survive that
    String json = quote(s);
    String viaUtf8 = new String(json.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    assertThat(viaUtf8).isEqualTo(json);
    assertThat(Json.parse(viaUtf8)).isEqualTo(s);
  }

  @Provide
  Arbitrary<String> withLoneSurrogates() {
    return Arbitraries.oneOf(
            Arbitraries.chars().range('\uD800', '\uDFFF').map(String::valueOf),
            Arbitraries.of("\uD83D\uDE00", "a", "\u00e9", "\"", "\\"))
        .list().ofMaxSize(20).map(l -> String.join("", l));
  }

  @Property
  void loneSurrogatesAreEscapedSoTheTextIsValidUtf8(@ForAll("withLoneSurrogates") String s) throws Exception {
    String json = quote(s);
    byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
    String viaUtf8 = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(utf8)).toString();
    assertThat(viaUtf8).isEqualTo(json);
    assertThat(Json.parse(viaUtf8)).isEqualTo(s);
  }

  @Example
  void loneSurrogateExamples() {
    assertThat(quote("\uD800")).isEqualTo("\"\\ud800\"");
    assertThat(quote("x\uDC00y")).isEqualTo("\"x\\udc00y\"");
    assertThat(quote("\uD83D\uDE00")).isEqualTo("\"\uD83D\uDE00\"");
    assertThat(quote("\uDE00\uD83D")).isEqualTo("\"\\ude00\\ud83d\"");
  }

  @Property
  void randomTextNeverThrowsAnythingButParseException(@ForAll String text) {
    try {
      Json.parse(text);
    } catch (Json.ParseException e) {
      assertThat(e.position()).isBetween(0, text.length());
    }
  }

  @Provide
  Arbitrary<String> jsonLike() {
    return Arbitraries.oneOf(
            Arbitraries.of("{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\u00", "1", "-", ".", "e", "E", "+",
                "0", "true", "false", "null", " ", "\"k\"", "\"v\"", "\n", "\uD800", "\u00e9"),
            Arbitraries.strings().ofMaxLength(3))
        .list().ofMaxSize(60).map(l -> String.join("", l));
  }

  @Property
  void jsonLikeTextNeverThrowsAnythingButParseException(@ForAll("jsonLike") String text) {
    randomTextNeverThrowsAnythingButParseException(text);
  }
}
