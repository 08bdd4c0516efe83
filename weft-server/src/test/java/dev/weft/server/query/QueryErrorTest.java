package dev.weft.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every error the parser gives, with its exact position and message. */
class QueryErrorTest {

  static QueryException error(String query) {
    QueryException e = catchThrowableOfType(QueryException.class, () -> Query.parse(query));
    assertThat(e).as("an error for <%s>", query).isNotNull();
    return e;
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        // structure
        Arguments.of("", 0, "at column 1: empty query; expected a term such as op=UpdateInventory"),
        Arguments.of("   ", 3, "at column 4: empty query; expected a term such as op=UpdateInventory"),
        Arguments.of(")", 0, "at column 1: expected a key, found ')'"),
        Arguments.of("op=a)", 4, "at column 5: unbalanced ')': there is no '(' to close"),
        Arguments.of("op=a )", 5, "at column 6: unbalanced ')': there is no '(' to close"),
        Arguments.of("()", 1, "at column 2: empty parentheses; expected a term inside"),
        Arguments.of("op=a ( )", 7, "at column 8: empty parentheses; expected a term inside"),
        Arguments.of("(op=a OR op=b", 13, "at column 14: expected ')' to close the '(' at column 1, found end of query"),
        Arguments.of("a=1 ((b=2)", 10, "at column 11: expected ')' to close the '(' at column 5, found end of query"),
        Arguments.of("op=a b=2 (", 10, "at column 11: expected a term after '(', found end of query"),
        Arguments.of("op=a OR op=b", 5,
            "at column 6: OR works only inside parentheses, e.g. (status=failed OR status=abandoned)"),
        Arguments.of("OR op=b", 0,
            "at column 1: OR works only inside parentheses, e.g. (status=failed OR status=abandoned)"),
        Arguments.of("(op=a OR)", 8, "at column 9: expected a term after OR, found ')'"),
        Arguments.of("(op=a OR ", 9, "at column 10: expected a term after OR, found end of query"),
        Arguments.of("(op=a OR OR op=b)", 9, "at column 10: expected a term after OR, found OR"),
        Arguments.of("(OR op=a)", 1, "at column 2: expected a term before OR"),
        Arguments.of("op=a AND op=b", 5,
            "at column 6: there is no AND keyword; terms separated by spaces must all match already"),
        Arguments.of("NOT op=a", 0,
            "at column 1: there is no NOT; negate a term by its operator instead, e.g. status!=ok"),
        Arguments.of("-status=failed", 0,
            "at column 1: there is no '-' negation; negate the operator instead: status!=x rather than -status=x"),
        Arguments.of("(op=a or op=b)", 6, "at column 7: write OR in capitals, inside parentheses: (a=1 OR b=2)"),
        // keys and operators
        Arguments.of("=x", 0, "at column 1: expected a key, found '='"),
        Arguments.of("!x=1", 0, "at column 1: expected a key, found '!'"),
        Arguments.of("op", 2, "at column 3: expected an operator (=, !=, <, <=, > or >=) after 'op', found end of query"),
        Arguments.of("op UpdateInventory", 2,
            "at column 3: expected an operator (=, !=, <, <=, > or >=) after 'op', found a space"),
        Arguments.of("op!x", 2, "at column 3: expected an operator (=, !=, <, <=, > or >=) after 'op', found '!'"),
        Arguments.of("mérchant=1", 1,
            "at column 2: 'é' cannot appear in a key; a key is 1 to 64 characters of [A-Za-z0-9_.:-]"),
        Arguments.of("\"a b\"=1", 0,
            "at column 1: invalid tag key '\"a b\"'; a key is 1 to 64 characters of [A-Za-z0-9_.:-]"),
        Arguments.of("\"\"=1", 0, "at column 1: invalid tag key '\"\"'; a key is 1 to 64 characters of [A-Za-z0-9_.:-]"),
        Arguments.of("k".repeat(65) + "=1", 0, "at column 1: key is 65 characters long; the limit is 64"),
        Arguments.of("status>failed", 6, "at column 7: operator '>' does not apply to status; use = or !="),
        Arguments.of("op>a", 2, "at column 3: operator '>' does not apply to op; use = or !="),
        Arguments.of("trace<=abc", 5, "at column 6: operator '<=' does not apply to trace; use = or !="),
        Arguments.of("since!=1h", 5, "at column 6: operator '!=' does not apply to since; use ="),
        Arguments.of("until>=1h", 5, "at column 6: operator '>=' does not apply to until; use ="),
        // values
        Arguments.of("op=", 3, "at column 4: expected a value after '=', found end of query"),
        Arguments.of("status=ok op=", 13, "at column 14: expected a value after '=', found end of query"),
        Arguments.of("op= x", 3, "at column 4: expected a value after '=', found a space"),
        Arguments.of("(op=)", 4, "at column 5: expected a value after '=', found ')'"),
        Arguments.of("op==a", 3, "at column 4: expected a value after '=', found '='; write = rather than =="),
        Arguments.of("op=\u0007", 3, "at column 4: expected a value after '=', found U+0007"),
        Arguments.of("op=a=b", 4,
            "at column 5: unexpected '=' in a value; quote a value that holds spaces or any of ( ) \" \\ = < > !"),
        Arguments.of("op=a(b)", 4,
            "at column 5: unexpected '(' in a value; quote a value that holds spaces or any of ( ) \" \\ = < > !"),
        Arguments.of("op=\"a\"b=1", 6, "at column 7: expected a space after the value, found 'b'"),
        Arguments.of("op=\"abc", 7, "at column 8: expected '\"' to close the string at column 4, found end of query"),
        Arguments.of("op=\"abc\\", 8, "at column 9: expected '\"' to close the string at column 4, found end of query"),
        Arguments.of("op=\"a\\q\"", 5, "at column 6: unknown escape '\\q'; expected \\\", \\\\, \\*, \\n, \\r, \\t or \\uXXXX"),
        Arguments.of("op=\"\\u12\"", 4, "at column 5: expected four hex digits after '\\u', found '\"'"),
        Arguments.of("op=\"a\nb\"", 5,
            "at column 6: control character U+000A in a string; write it as an escape such as \\n or \\u0007"),
        Arguments.of("op=\"\\ud800\"", 3,
            "at column 4: the string holds a \\u escape of half a surrogate pair without its other half"),
        Arguments.of("op=a\ud800", 4, "at column 5: malformed text: U+D800 is half a surrogate pair"),
        Arguments.of("op=\"\"", 3, "at column 4: empty value; op needs a name"),
        Arguments.of("status=broken", 7, "at column 8: unknown status 'broken'; expected ok, failed, abandoned or running"),
        Arguments.of("status=fail*", 7, "at column 8: unknown status 'fail*'; expected ok, failed, abandoned or running"),
        Arguments.of("duration>5", 10, "at column 11: missing unit after '5'; expected us, ms, s, m, h or d"),
        Arguments.of("duration>1.5", 12, "at column 13: missing unit after '1.5'; expected us, ms, s, m, h or d"),
        Arguments.of("duration>5x", 10, "at column 11: unknown unit 'x'; expected us, ms, s, m, h or d"),
        Arguments.of("duration>5H", 10, "at column 11: unknown unit 'H'; expected us, ms, s, m, h or d"),
        Arguments.of("duration>\"5H\"", 9, "at column 10: unknown unit 'H'; expected us, ms, s, m, h or d"),
        Arguments.of("duration>fast", 9, "at column 10: expected a duration such as 250ms, 1.5s or 2h, found 'fast'"),
        Arguments.of("duration>.5s", 9, "at column 10: expected a duration such as 250ms, 1.5s or 2h, found '.5s'"),
        Arguments.of("duration>5.s", 9, "at column 10: expected a duration such as 250ms, 1.5s or 2h, found '5.s'"),
        Arguments.of("queue_wait<=*", 12, "at column 13: expected a duration such as 250ms, 1.5s or 2h, found '*'"),
        Arguments.of("duration>0.5us", 9, "at column 10: duration '0.5us' is finer than a microsecond, the smallest step"),
        Arguments.of("duration>999999999d", 9, "at column 10: duration '999999999d' is too large; the limit is 106751d"),
        Arguments.of("trace=abc", 6, "at column 7: expected a trace id: 32 hex characters or a GUID, found 'abc'"),
        Arguments.of("trace=00000000000000000000000000000000", 6,
            "at column 7: expected a trace id: 32 hex characters or a GUID, found '00000000000000000000000000000000'"),
        Arguments.of("trace=4bf9*", 6,
            "at column 7: wildcards do not apply to trace; expected a trace id: 32 hex characters or a GUID"),
        Arguments.of("type=fail-ed", 5, "at column 6: unknown event type 'fail-ed'; expected START, COMPLETE, FAIL, "
            + "SEND, RECEIVE, DECLARE or a custom UPPER_SNAKE name"),
        Arguments.of("since=yesterday", 6, "at column 7: expected a time: an RFC 3339 timestamp such as "
            + "2024-05-01T12:00:00Z, a duration ago such as 1h, or now, found 'yesterday'"),
        Arguments.of("since=2024-05-01", 6, "at column 7: expected a time: an RFC 3339 timestamp such as "
            + "2024-05-01T12:00:00Z, a duration ago such as 1h, or now, found '2024-05-01'"),
        Arguments.of("until=2024-13-01T00:00:00Z", 6, "at column 7: expected a time: an RFC 3339 timestamp such as "
            + "2024-05-01T12:00:00Z, a duration ago such as 1h, or now, found '2024-13-01T00:00:00Z'"),
        Arguments.of("since=2024-05-01T12:00:00", 6, "at column 7: expected a time: an RFC 3339 timestamp such as "
            + "2024-05-01T12:00:00Z, a duration ago such as 1h, or now, found '2024-05-01T12:00:00'"),
        Arguments.of("since=9999-12-31T23:59:59-01:00", 6,
            "at column 7: time '9999-12-31T23:59:59-01:00' is outside the years 0000 to 9999"),
        Arguments.of("since=2h*", 6, "at column 7: expected a time: an RFC 3339 timestamp such as "
            + "2024-05-01T12:00:00Z, a duration ago such as 1h, or now, found '2h*'"),
        Arguments.of("retries>3*", 8, "at column 9: wildcards work only with = and !=; found '3*'"),
        Arguments.of("note=" + "x".repeat(257), 5, "at column 6: value is 257 characters long; the limit is 256"),
        Arguments.of("note=" + "x".repeat(300), 5, "at column 6: value is 300 characters long; the limit is 256"),
        // columns count code points
        Arguments.of("city=\uD83D\uDE00 x", 9, "at column 9: expected an operator (=, !=, <, <=, > or >=) "
            + "after 'x', found end of query"),
        // shown text is cut
        Arguments.of("status=" + "b".repeat(50), 7, "at column 8: unknown status '" + "b".repeat(40)
            + "...'; expected ok, failed, abandoned or running"));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void error(String query, int position, String message) {
    QueryException e = error(query);
    assertThat(e.getMessage()).isEqualTo(message);
    assertThat(e.position()).isEqualTo(position);
    assertThat(e.detail()).isEqualTo(message.substring(message.indexOf(": ") + 2));
    assertThat(e.expected()).isNotBlank();
    assertThat(e.found()).isNotBlank();
  }

  @Test
  void expectedAndFound() {
    QueryException e = error("status=broken");
    assertThat(e.column()).isEqualTo(8);
    assertThat(e.expected()).isEqualTo("ok, failed, abandoned or running");
    assertThat(e.found()).isEqualTo("'broken'");
    e = error("op=");
    assertThat(e.expected()).isEqualTo("a value after '='");
    assertThat(e.found()).isEqualTo("end of query");
  }

  @Test
  void nullIsAnEmptyQuery() {
    assertThat(error(null).getMessage()).isEqualTo("at column 1: empty query; expected a term such as op=UpdateInventory");
  }

  @Test
  void tooLong() {
    String q = "a=1 " + " ".repeat(Query.MAX_LENGTH);
    QueryException e = error(q);
    assertThat(e.position()).isEqualTo(4096);
    assertThat(e.getMessage()).isEqualTo("at column 4097: query is 4100 characters long; the limit is 4096");
  }

  @Test
  void tooDeep() {
    String q = "(".repeat(17) + "a=1" + ")".repeat(17);
    QueryException e = error(q);
    assertThat(e.position()).isEqualTo(16);
    assertThat(e.getMessage()).isEqualTo("at column 17: parentheses nested deeper than 16 levels");
  }

  @Test
  void tooManyTerms() {
    StringBuilder q = new StringBuilder();
    for (int i = 0; i < 65; i++) q.append("t=").append(i).append(' ');
    QueryException e = error(q.toString());
    assertThat(e.position()).isEqualTo(q.indexOf("t=64"));
    assertThat(e.getMessage()).isEqualTo("at column " + (q.indexOf("t=64") + 1)
        + ": too many terms; a query holds at most 64");
  }

  @Test
  void pointerShowsTheColumn() {
    QueryException e = error("op=a status=broken");
    assertThat(e.pointer("op=a status=broken")).isEqualTo("op=a status=broken\n            ^");
  }
}
