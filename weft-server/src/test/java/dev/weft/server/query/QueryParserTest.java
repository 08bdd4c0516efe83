package dev.weft.server.query;

import static dev.weft.server.query.Expr.Term;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueryParserTest {

  static Query parse(String q) throws QueryException {
    return Query.parse(q);
  }

  static Term term(Field f, Op op, Value v) {
    return new Term(f, op, v);
  }

  static Field tag(String key) {
    return new Field.Tag(key);
  }

  static Value text(String t) {
    return new Value.Text(t);
  }

  static Value pattern(String... parts) {
    return new Value.Pattern(List.of(parts));
  }

  @Test
  void theSeedsQuestion() throws QueryException {
    Query q = parse("op=UpdateInventory status=failed merchant_id=4c5d6e7");
    assertThat(q.root()).isEqualTo(new Expr.And(List.of(
        term(Key.OP, Op.EQ, text("UpdateInventory")),
        term(Key.STATUS, Op.EQ, Status.FAILED),
        term(tag("merchant_id"), Op.EQ, text("4c5d6e7")))));
    assertThat(q.format()).isEqualTo("op=UpdateInventory status=failed merchant_id=4c5d6e7");
    assertThat(q.terms()).hasSize(3);
  }

  @Test
  void aSingleTermIsTheRoot() throws QueryException {
    assertThat(parse("service=inventory").root()).isEqualTo(term(Key.SERVICE, Op.EQ, text("inventory")));
  }

  @Test
  void whatTalksToATopicAndIsSlow() throws QueryException {
    Query q = parse("channel=kafka:sku-updates duration>500ms");
    assertThat(q.root()).isEqualTo(new Expr.And(List.of(
        term(Key.CHANNEL, Op.EQ, text("kafka:sku-updates")),
        term(Key.DURATION, Op.GT, new Value.Duration(500_000_000L)))));
    assertThat(parse("channel=kafka:sku-updates (duration>=2s OR queue_wait>=1m) since=24h").format())
        .isEqualTo("channel=kafka:sku-updates (duration>=2s OR queue_wait>=1m) since=1d");
  }

  @Test
  void bareValuesHoldColonsSlashesAndDots() throws QueryException {
    assertThat(parse("schema=urn:shop:SkuUpdated:v1").root())
        .isEqualTo(term(Key.SCHEMA, Op.EQ, text("urn:shop:SkuUpdated:v1")));
    assertThat(parse("channel=http:POST:/skus/{id}").root())
        .isEqualTo(term(Key.CHANNEL, Op.EQ, text("http:POST:/skus/{id}")));
    assertThat(parse("host.name=web-1.example.com").root())
        .isEqualTo(term(tag("host.name"), Op.EQ, text("web-1.example.com")));
    assertThat(parse("city=Zürich").root()).isEqualTo(term(tag("city"), Op.EQ, text("Zürich")));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "op=Update*            | op=Update*",
      "op=*Inventory         | op=*Inventory",
      "op=*Invent*           | op=*Invent*",
      "op=Up*Inv*ory         | op=Up*Inv*ory",
      "op=Up**ory            | op=Up*ory",
      "merchant_id=*         | merchant_id=*",
      "merchant_id!=*        | merchant_id!=*",
      "\"op\"=\"a*b\"        | \"op\"=a*b",
      "op=\"a\\*b\"          | op=\"a\\*b\"",
      "op=\"a b*\"           | op=\"a b*\"",
  })
  void wildcards(String query, String canonical) throws QueryException {
    assertThat(parse(query).format()).isEqualTo(canonical);
  }

  @Test
  void wildcardValues() throws QueryException {
    assertThat(parse("op=Update*").root()).isEqualTo(term(Key.OP, Op.EQ, pattern("Update", "")));
    assertThat(parse("op=*Inv*").root()).isEqualTo(term(Key.OP, Op.EQ, pattern("", "Inv", "")));
    assertThat(parse("op=a**b").root()).isEqualTo(term(Key.OP, Op.EQ, pattern("a", "b")));
    assertThat(parse("note=\"5 \\* 3 = 15\"").root()).isEqualTo(term(tag("note"), Op.EQ, text("5 * 3 = 15")));
    assertThat(parse("note=\"5 * 3\"").root()).isEqualTo(term(tag("note"), Op.EQ, pattern("5 ", " 3")));
  }

  @Test
  void quotedStringsAndEscapes() throws QueryException {
    assertThat(parse("customer=\"Ada Lovelace\"").root()).isEqualTo(term(tag("customer"), Op.EQ, text("Ada Lovelace")));
    assertThat(parse("q=\"\\\"\"").root()).isEqualTo(term(tag("q"), Op.EQ, text("\"")));
    assertThat(parse("q=\"\\\\\"").root()).isEqualTo(term(tag("q"), Op.EQ, text("\\")));
    assertThat(parse("q=\"a\\nb\\tc\\rd\"").root()).isEqualTo(term(tag("q"), Op.EQ, text("a\nb\tc\rd")));
    assertThat(parse("q=\"\\u00e9\\u0041\"").root()).isEqualTo(term(tag("q"), Op.EQ, text("éA")));
    assertThat(parse("q=\"\\ud83d\\ude00\"").root()).isEqualTo(term(tag("q"), Op.EQ, text("😀")));
    assertThat(parse("q=\"\"").root()).isEqualTo(term(tag("q"), Op.EQ, text("")));
    assertThat(parse("q=\"(x)\"").format()).isEqualTo("q=\"(x)\"");
    assertThat(parse("q=\"plain\"").format()).isEqualTo("q=plain");
    assertThat(parse("q=\"\\u0007\"").format()).isEqualTo("q=\"\\u0007\"");
  }

  @Test
  void everyOperator() throws QueryException {
    assertThat(parse("duration=1s duration!=2s duration>3s duration>=4s duration<5s duration<=6s").terms())
        .extracting(Term::op)
        .containsExactly(Op.EQ, Op.NE, Op.GT, Op.GE, Op.LT, Op.LE);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "duration>250us   | 250000",
      "duration>250ms   | 250000000",
      "duration>1.5s    | 1500000000",
      "duration>2m      | 120000000000",
      "duration>1h      | 3600000000000",
      "duration>2d      | 172800000000000",
      "duration>0.001ms | 1000",
      "duration>0s      | 0",
      "queue_wait>=007s | 7000000000",
  })
  void durations(String query, long nanos) throws QueryException {
    assertThat(parse(query).terms().get(0).value()).isEqualTo(new Value.Duration(nanos));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "duration>1500ms  | duration>1500ms",
      "duration>1.5s    | duration>1500ms",
      "duration>60s     | duration>1m",
      "duration>90s     | duration>90s",
      "duration>120m    | duration>2h",
      "duration>48h     | duration>2d",
      "duration>0ms     | duration>0s",
      "duration>1000us  | duration>1ms",
      "since=60m        | since=1h",
      "since=now        | since=now",
      "since=NOW        | since=now",
      "since=0s         | since=now",
      "until=1.5h       | until=90m",
  })
  void canonicalDurations(String query, String canonical) throws QueryException {
    assertThat(parse(query).format()).isEqualTo(canonical);
  }

  @Test
  void times() throws QueryException {
    assertThat(parse("since=1h").root()).isEqualTo(term(Key.SINCE, Op.EQ, new Value.Ago(3_600_000_000_000L)));
    assertThat(parse("until=now").root()).isEqualTo(term(Key.UNTIL, Op.EQ, new Value.Ago(0)));
    assertThat(parse("since=2024-05-01T12:00:00Z").root())
        .isEqualTo(term(Key.SINCE, Op.EQ, new Value.At(Instant.parse("2024-05-01T12:00:00Z"))));
    Query q = parse("since=2024-05-01T14:00:00.5+02:00 until=2024-05-01t12:30:00z");
    assertThat(q.format()).isEqualTo("since=2024-05-01T12:00:00.500Z until=2024-05-01T12:30:00Z");
    assertThat(((Value.At) q.terms().get(0).value()).ticks()).isEqualTo(17145648005000000L);
    assertThat(new Value.Ago(3_600_000_000_000L).resolve(Instant.parse("2024-05-01T12:00:00Z")))
        .isEqualTo(Instant.parse("2024-05-01T11:00:00Z"));
  }

  @Test
  void statusesAndEventTypesIgnoreCase() throws QueryException {
    assertThat(parse("status=ok status!=FAILED status=Abandoned status=running").terms())
        .extracting(Term::value)
        .containsExactly(Status.OK, Status.FAILED, Status.ABANDONED, Status.RUNNING);
    assertThat(parse("type=fail").root()).isEqualTo(term(Key.TYPE, Op.EQ, text("FAIL")));
    assertThat(parse("type=cache_miss").root()).isEqualTo(term(Key.TYPE, Op.EQ, text("CACHE_MISS")));
    assertThat(parse("type=log*").root()).isEqualTo(term(Key.TYPE, Op.EQ, pattern("LOG", "")));
  }

  @Test
  void reservedKeysIgnoreCaseAndQuotedKeysAreTags() throws QueryException {
    assertThat(parse("Status=failed OP=x").format()).isEqualTo("status=failed op=x");
    assertThat(parse("\"op\"=x").root()).isEqualTo(term(tag("op"), Op.EQ, text("x")));
    assertThat(parse("\"Status\"=x").format()).isEqualTo("\"Status\"=x");
    assertThat(parse("\"merchant_id\"=x").format()).isEqualTo("merchant_id=x");
    assertThat(parse("\"-op\"=x").format()).isEqualTo("\"-op\"=x");
    assertThat(parse("-x=1").root()).isEqualTo(term(tag("-x"), Op.EQ, text("1")));
    assertThat(parse("OR=1 AND=2 NOT=3").terms()).extracting(t -> ((Field.Tag) t.field()).key())
        .containsExactly("OR", "AND", "NOT");
  }

  @Test
  void traceIdsAreNormalized() throws QueryException {
    String id = "4bf92f3577b34da6a3ce929d0e0e4736";
    assertThat(parse("trace=" + id).root()).isEqualTo(term(Key.TRACE, Op.EQ, text(id)));
    assertThat(parse("trace=4BF92F3577B34DA6A3CE929D0E0E4736").root()).isEqualTo(term(Key.TRACE, Op.EQ, text(id)));
    assertThat(parse("trace=4bf92f35-77b3-4da6-a3ce-929d0e0e4736").root()).isEqualTo(term(Key.TRACE, Op.EQ, text(id)));
    assertThat(parse("trace!=\"{4bf92f35-77b3-4da6-a3ce-929d0e0e4736}\"").format()).isEqualTo("trace!=" + id);
    assertThat(parse("trace=a3ce929d0e0e4736").format()).isEqualTo("trace=0000000000000000a3ce929d0e0e4736");
  }

  @Test
  void orderingOnTagsIsNumericForBareNumbersAndTextOtherwise() throws QueryException {
    assertThat(parse("retries>3").root()).isEqualTo(term(tag("retries"), Op.GT, new Value.Number(new BigDecimal("3"))));
    assertThat(parse("temp<=-2.50").root())
        .isEqualTo(term(tag("temp"), Op.LE, new Value.Number(new BigDecimal("-2.50"))));
    assertThat(parse("retries>\"3\"").root()).isEqualTo(term(tag("retries"), Op.GT, text("3")));
    assertThat(parse("retries>\"3\"").format()).isEqualTo("retries>\"3\"");
    assertThat(parse("version>=v2").root()).isEqualTo(term(tag("version"), Op.GE, text("v2")));
    assertThat(parse("version>=1.2.3").root()).isEqualTo(term(tag("version"), Op.GE, text("1.2.3")));
    // With = and != a tag is always text: 007 is not 7.
    assertThat(parse("code=007").root()).isEqualTo(term(tag("code"), Op.EQ, text("007")));
  }

  @Test
  void orInsideParentheses() throws QueryException {
    Query q = parse("op=UpdateInventory (status=failed OR status=abandoned)");
    assertThat(q.root()).isEqualTo(new Expr.And(List.of(
        term(Key.OP, Op.EQ, text("UpdateInventory")),
        new Expr.Or(List.of(term(Key.STATUS, Op.EQ, Status.FAILED), term(Key.STATUS, Op.EQ, Status.ABANDONED))))));
    assertThat(q.format()).isEqualTo("op=UpdateInventory (status=failed OR status=abandoned)");
  }

  @Test
  void andBindsTighterThanOr() throws QueryException {
    Query q = parse("(service=a op=x OR service=b)");
    assertThat(q.root()).isEqualTo(new Expr.Or(List.of(
        new Expr.And(List.of(term(Key.SERVICE, Op.EQ, text("a")), term(Key.OP, Op.EQ, text("x")))),
        term(Key.SERVICE, Op.EQ, text("b")))));
    assertThat(q.format()).isEqualTo("(service=a op=x OR service=b)");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "'  op=a   status=ok  '                   | op=a status=ok",
      "(op=a)                                   | op=a",
      "((((op=a))))                             | op=a",
      "(op=a status=ok)                         | op=a status=ok",
      "op=a (b=1 c=2)                           | op=a b=1 c=2",
      "(a=1 OR (b=2 OR c=3))                    | (a=1 OR b=2 OR c=3)",
      "( a=1  OR  b=2 )                         | (a=1 OR b=2)",
      "(a=1 OR(b=2 c=3))                        | (a=1 OR b=2 c=3)",
      "(a=1 OR b=2)(c=3 OR d=4)                 | (a=1 OR b=2) (c=3 OR d=4)",
      "(a=1 (b=2 OR c=3) OR d=4)                | (a=1 (b=2 OR c=3) OR d=4)",
      "'op=a\tstatus=ok\nservice=b'             | op=a status=ok service=b",
      "(x=OR OR y=AND)                          | (x=OR OR y=AND)",
  })
  void groupingIsNormalized(String query, String canonical) throws QueryException {
    assertThat(parse(query).format()).isEqualTo(canonical);
  }

  @Test
  void limitsAreInclusive() throws QueryException {
    StringBuilder terms = new StringBuilder();
    for (int i = 0; i < Query.MAX_TERMS; i++) terms.append("t").append(i).append("=1 ");
    assertThat(parse(terms.toString()).terms()).hasSize(64);

    String nested = "(".repeat(16) + "a=1" + ")".repeat(16);
    assertThat(parse(nested).format()).isEqualTo("a=1");

    String longest = "note=" + "x".repeat(256);
    assertThat(parse(longest).format()).isEqualTo(longest);

    String padded = " ".repeat(Query.MAX_LENGTH - 3) + "a=1";
    assertThat(parse(padded).format()).isEqualTo("a=1");
  }

  @Test
  void toStringIsTheCanonicalForm() throws QueryException {
    Query q = parse("op=a  ( status=failed OR b>2 )");
    assertThat(q.toString()).isEqualTo("op=a (status=failed OR b>2)");
    assertThat(q.root().toString()).isEqualTo("op=a (status=failed OR b>2)");
    assertThat(q.terms().get(0).toString()).isEqualTo("op=a");
  }

  @Test
  void invalidTreesCannotBeBuilt() {
    Term a = term(Key.OP, Op.EQ, text("a"));
    assertThatThrownBy(() -> new Expr.And(List.of(a))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Expr.And(List.of(a, new Expr.And(List.of(a, a)))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Expr.Or(List.of(a, new Expr.Or(List.of(a, a)))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> term(Key.STATUS, Op.GT, Status.OK)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> term(Key.OP, Op.EQ, text(""))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> term(Key.TRACE, Op.EQ, text("abc"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> term(Key.SINCE, Op.NE, new Value.Ago(0))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> term(tag("t"), Op.GT, pattern("a", ""))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> term(tag("t"), Op.EQ, new Value.Number(BigDecimal.ONE)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Field.Tag("a b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pattern("a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pattern("a", "", "b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Value.Duration(1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Value.At(Instant.parse("+10000-01-01T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Update*    | UpdateInventory | true",
      "Update*    | Update          | true",
      "Update*    | Updat           | false",
      "*Inventory | UpdateInventory | true",
      "*Inv*      | UpdateInventory | true",
      "*Inv*      | Update          | false",
      "a*b*a      | aba             | true",
      "a*b*a      | ab              | false",
      "ab*ba      | aba             | false",
      "ab*ba      | abba            | true",
      "*          | ''              | true",
  })
  void patternsMatch(String glob, String value, boolean matches) {
    Value.Pattern p = new Value.Pattern(List.of(glob.split("\\*", -1)));
    assertThat(p.matches(value)).isEqualTo(matches);
  }
}
