package dev.weft.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.weft.core.Ids;
import dev.weft.core.Limits;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.statistics.Statistics;

class QueryPropertiesTest {

  // ---- any input: a query or a QueryException with a position, never anything else ----

  @Property(tries = 3000)
  void anyStringParsesOrFailsWithAPosition(@ForAll @StringLength(max = 300) String text) {
    parsesOrFailsCleanly(text);
  }

  @Property(tries = 5000)
  void tokensOfTheGrammarParseOrFailWithAPosition(@ForAll("tokenSoup") String text) {
    parsesOrFailsCleanly(text);
  }

  @Property(tries = 5000)
  void nearlyValidQueriesParseOrFailWithAPosition(@ForAll("nearlyValid") String text) {
    parsesOrFailsCleanly(text);
  }

  /** Terms that are mostly right, joined by spaces, ORs and parentheses, then sometimes damaged by one edit. */
  @Provide
  Arbitrary<String> nearlyValid() {
    Arbitrary<String> key = Arbitraries.of("op", "status", "duration", "queue_wait", "since", "until", "trace", "type",
        "merchant_id", "\"op\"", "channel", "retries", "Status");
    Arbitrary<String> op = Arbitraries.of("=", "=", "!=", ">", ">=", "<", "<=");
    Arbitrary<String> value = Arbitraries.of("UpdateInventory", "failed", "ok", "running", "1.5s", "250ms", "1h", "now",
        "4bf92f3577b34da6a3ce929d0e0e4736", "FAIL", "Update*", "*", "\"a b\"", "\"\\\"\"", "3", "-2.5",
        "kafka:sku-updates", "kafka:*", "2024-05-01T12:00:00Z", "\"\"", "\"5 \\* 3\"");
    Arbitrary<String> term = Combinators.combine(key, op, value).as((k, o, v) -> k + o + v);
    Arbitrary<String> sep = Arbitraries.of(" ", " ", " ", " ", " OR ", " (", ") ", "  ");
    return Combinators.combine(term.list().ofMinSize(1).ofMaxSize(8), sep.list().ofSize(8),
            Arbitraries.integers().between(0, 3), Arbitraries.strings().ofMinLength(1).ofMaxLength(2),
            Arbitraries.integers().between(0, 10_000))
        .as((terms, seps, edit, junk, at) -> {
          StringBuilder sb = new StringBuilder();
          for (int i = 0; i < terms.size(); i++) {
            if (i > 0) sb.append(seps.get(i));
            sb.append(terms.get(i));
          }
          int p = at % (sb.length() + 1);
          if (edit == 1) sb.insert(p, junk);
          if (edit == 2 && p < sb.length()) sb.deleteCharAt(p);
          return sb.toString();
        });
  }

  @Property(tries = 200)
  void longInputsParseOrFailWithAPosition(@ForAll("longSoup") String text) {
    parsesOrFailsCleanly(text);
  }

  static void parsesOrFailsCleanly(String text) {
    Query q;
    try {
      q = Query.parse(text);
    } catch (QueryException e) {
      assertThat(e.position()).isBetween(0, text.length());
      assertThat(e.column()).isBetween(1, text.length() + 1);
      assertThat(e.getMessage()).startsWith("at column " + e.column() + ": ").doesNotContain("internal error");
      assertThat(e.expected()).isNotBlank();
      assertThat(e.found()).isNotBlank();
      Statistics.collect("error");
      return;
    } catch (RuntimeException | Error e) {
      fail("unchecked exception for <" + text + ">", e);
      return;
    }
    Statistics.collect("parsed");
    // Whatever parses has a canonical form that parses back to the same query and is a fixed point.
    String canonical = q.format();
    Assume.that(canonical.length() <= Query.MAX_LENGTH);
    try {
      Query again = Query.parse(canonical);
      assertThat(again).isEqualTo(q);
      assertThat(again.format()).isEqualTo(canonical);
    } catch (QueryException e) {
      fail("canonical form <" + canonical + "> of <" + text + "> does not parse: " + e.getMessage());
    }
  }

  @Provide
  Arbitrary<String> tokenSoup() {
    Arbitrary<String> grammar = Arbitraries.of(
        "op", "service", "trace", "channel", "schema", "type", "status", "duration", "queue_wait", "since", "until",
        "Status", "merchant_id", "host.name", "OR", "AND", "NOT", "or", "-", "-op", "=", "=", "=", "!=", ">", ">=",
        "<", "<=", "!", "==", "(", "(", ")", ")", "\"", "\"", "\\", "\\\"", "\\*", "\\u", "\\u00e9", "\\ud800", "*",
        "**", " ", " ", " ", "  ", "\t", "\n", "\u00a0", "ok", "failed", "abandoned", "running", "broken", "1h",
        "30m", "1.5s", "250ms", "5", "-2.5", ".", "us", "d", "now", "2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00",
        "4bf92f3577b34da6a3ce929d0e0e4736", "4bf92f35-77b3-4da6-a3ce-929d0e0e4736", "kafka:sku-updates",
        "urn:shop:SkuUpdated:v1", "UpdateInventory", "FAIL", "x", "é", "\uD83D\uDE00", "\uD83D", "\uDE00", "\u0000",
        "\u0007", "\u2028");
    Arbitrary<String> token = Arbitraries.frequencyOf(
        Tuple.of(8, grammar),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(3)),
        Tuple.of(1, Arbitraries.strings().withChars("()\"\\*=!<> ORab1").ofMaxLength(4)));
    return token.list().ofMaxSize(40).map(parts -> String.join("", parts));
  }

  @Provide
  Arbitrary<String> longSoup() {
    Arbitrary<String> token = Arbitraries.of("a=1 ", "(", ")", " OR ", "b=\"x y\" ", "duration>1s ", "(c=2 OR d=3) ",
        "x".repeat(100), " ");
    return token.list().ofMinSize(50).ofMaxSize(1200).map(parts -> String.join("", parts));
  }

  // ---- generated trees: format, parse, equal ----

  @Property(tries = 3000)
  void formattedTreesParseBackEqual(@ForAll("queries") Query query) throws QueryException {
    Assume.that(query.terms().size() <= Query.MAX_TERMS);
    String text = query.format();
    Assume.that(text.length() <= Query.MAX_LENGTH);
    Query parsed = Query.parse(text);
    assertThat(parsed).isEqualTo(query);
    assertThat(parsed.format()).isEqualTo(text);
  }

  @Property(tries = 2000)
  void formattedTermsParseBackEqual(@ForAll("terms") Expr.Term term) throws QueryException {
    assertThat(Query.parse(term.toString()).root()).isEqualTo(term);
  }

  @Provide
  Arbitrary<Query> queries() {
    return expr(3).map(Query::new);
  }

  private Arbitrary<Expr> expr(int depth) {
    if (depth == 0) return terms().map(t -> t);
    return Arbitraries.frequencyOf(Tuple.of(2, terms().map(t -> t)), Tuple.of(2, and(depth)), Tuple.of(1, or(depth)));
  }

  private Arbitrary<Expr> and(int depth) {
    Arbitrary<Expr> child = depth <= 1 ? terms().map(t -> t)
        : Arbitraries.frequencyOf(Tuple.of(3, terms().map(t -> t)), Tuple.of(1, or(depth - 1)));
    return child.list().ofMinSize(2).ofMaxSize(4).map(Expr.And::new);
  }

  private Arbitrary<Expr> or(int depth) {
    Arbitrary<Expr> child = depth <= 1 ? terms().map(t -> t)
        : Arbitraries.frequencyOf(Tuple.of(3, terms().map(t -> t)), Tuple.of(1, and(depth - 1)));
    return child.list().ofMinSize(2).ofMaxSize(4).map(Expr.Or::new);
  }

  @Provide
  Arbitrary<Expr.Term> terms() {
    Arbitrary<Op> eqNe = Arbitraries.of(Op.EQ, Op.NE);
    Arbitrary<Op> ordering = Arbitraries.of(Op.GT, Op.GE, Op.LT, Op.LE);
    Arbitrary<Expr.Term> textKeys = Combinators.combine(
        Arbitraries.of(Key.OP, Key.SERVICE, Key.CHANNEL, Key.SCHEMA), eqNe,
        Arbitraries.<Value>oneOf(texts().filter(t -> !t.isEmpty()).map(Value.Text::new), patterns()))
        .as(Expr.Term::new);
    Arbitrary<Expr.Term> types = Combinators.combine(Arbitraries.just(Key.TYPE), eqNe, Arbitraries.<Value>oneOf(
        eventTypes().map(Value.Text::new),
        eventTypes().list().ofMinSize(2).ofMaxSize(3).map(Value.Pattern::new),
        Arbitraries.just(new Value.Pattern(List.of("", ""))))).as(Expr.Term::new);
    Arbitrary<Expr.Term> traces = Combinators.combine(Arbitraries.just(Key.TRACE), eqNe,
        Arbitraries.longs().tuple2().filter(t -> t.get1() != 0 || t.get2() != 0)
            .map(t -> (Value) new Value.Text(Ids.toHex(t.get1(), t.get2())))).as(Expr.Term::new);
    Arbitrary<Expr.Term> statuses = Combinators.combine(Arbitraries.just(Key.STATUS), eqNe,
        Arbitraries.of(Status.class).map(v -> (Value) v)).as(Expr.Term::new);
    Arbitrary<Expr.Term> durations = Combinators.combine(Arbitraries.of(Key.DURATION, Key.QUEUE_WAIT),
        Arbitraries.of(Op.class), micros().map(n -> (Value) new Value.Duration(n))).as(Expr.Term::new);
    Arbitrary<Expr.Term> times = Combinators.combine(Arbitraries.of(Key.SINCE, Key.UNTIL), Arbitraries.just(Op.EQ),
        Arbitraries.<Value>oneOf(micros().map(Value.Ago::new), instants().map(Value.At::new))).as(Expr.Term::new);
    Arbitrary<Expr.Term> tagEq = Combinators.combine(tagKeys(), eqNe,
        Arbitraries.<Value>oneOf(texts().map(Value.Text::new), patterns())).as(Expr.Term::new);
    Arbitrary<Expr.Term> tagOrder = Combinators.combine(tagKeys(), ordering,
        Arbitraries.<Value>oneOf(texts().map(Value.Text::new), numbers())).as(Expr.Term::new);
    return Arbitraries.oneOf(textKeys, types, traces, statuses, durations, times, tagEq, tagOrder);
  }

  private Arbitrary<String> texts() {
    Arbitrary<String> any = Arbitraries.strings().ofMaxLength(12).filter(Limits::isTagValue);
    Arbitrary<String> keyish = Arbitraries.strings().withChars("abcXYZ019_.:-/").ofMinLength(1).ofMaxLength(12);
    Arbitrary<String> special = Arbitraries.of("", " ", "5", "-2.5", "007", "now", "OR", "AND", "*", "a*b", "\\", "\"",
        "\u0000", "\n", "\u0085", "\u00a0", "\u2028", "(x)", "a=b", "é", "\uD83D\uDE00", "1h", "x".repeat(256));
    return Arbitraries.frequencyOf(Tuple.of(3, any), Tuple.of(3, keyish), Tuple.of(2, special));
  }

  private Arbitrary<Value> patterns() {
    Arbitrary<String> part = texts().filter(t -> t.length() < 40);
    return part.list().ofMinSize(2).ofMaxSize(4).map(parts -> {
      List<String> clean = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        String p = parts.get(i);
        if (i > 0 && i < parts.size() - 1 && p.isEmpty()) p = "m";
        clean.add(p);
      }
      return new Value.Pattern(clean);
    });
  }

  private Arbitrary<String> eventTypes() {
    Arbitrary<String> custom = Arbitraries.strings().withCharRange('A', 'Z').ofLength(1)
        .flatMap(first -> Arbitraries.strings().withCharRange('A', 'Z').withCharRange('0', '9').withChars('_')
            .ofMaxLength(10).map(rest -> first + rest));
    return Arbitraries.oneOf(Arbitraries.of("START", "COMPLETE", "FAIL", "SEND", "RECEIVE", "DECLARE"), custom);
  }

  private Arbitrary<Field> tagKeys() {
    Arbitrary<String> generated = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
        .withCharRange('0', '9').withChars("_.:-").ofMinLength(1).ofMaxLength(20);
    Arbitrary<String> tricky = Arbitraries.of("op", "Status", "TRACE", "-op", "-since", "OR", "AND", "NOT", "or",
        "-", "merchant_id", "k".repeat(64));
    return Arbitraries.frequencyOf(Tuple.of(4, generated), Tuple.of(1, tricky)).map(Field.Tag::new);
  }

  private Arbitrary<Value> numbers() {
    return Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(0, 4))
        .as((unscaled, scale) -> new Value.Number(BigDecimal.valueOf(unscaled, scale)));
  }

  private Arbitrary<Long> micros() {
    Arbitrary<Long> any = Arbitraries.longs().between(0, Long.MAX_VALUE / 1000).map(m -> m * 1000);
    Arbitrary<Long> round = Arbitraries.of(0L, 1_000L, 1_000_000L, 1_000_000_000L, 60_000_000_000L, 3_600_000_000_000L,
        86_400_000_000_000L, 90_000_000_000L, 1_500_000_000L);
    return Arbitraries.oneOf(any, round);
  }

  private Arbitrary<Instant> instants() {
    long min = QueryFormat.MIN_INSTANT.getEpochSecond();
    long max = QueryFormat.MAX_INSTANT.getEpochSecond();
    return Combinators.combine(Arbitraries.longs().between(min, max),
            Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 999_999_999)))
        .as(Instant::ofEpochSecond);
  }
}
