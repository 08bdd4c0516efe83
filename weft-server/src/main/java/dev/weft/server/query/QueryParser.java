package dev.weft.server.query;

import dev.weft.core.Ids;
import dev.weft.core.Limits;
import dev.weft.core.event.EventType;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-written recursive-descent parser over the characters of the query (the grammar is in
 * {@code docs/query-language.md}). Recursion is bounded by {@link Query#MAX_DEPTH}, so no input can overflow the
 * stack; every problem is a {@link QueryException}.
 */
final class QueryParser {
  private static final String OPERATORS = "=, !=, <, <=, > or >=";
  private static final String UNITS = "us, ms, s, m, h or d";
  private static final String TIME_FORMS =
      "a time: an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, a duration ago such as 1h, or now";
  private static final String TRACE_FORM = "a trace id: 32 hex characters or a GUID";
  private static final String EVENT_TYPES =
      "START, COMPLETE, FAIL, SEND, RECEIVE, DECLARE or a custom UPPER_SNAKE name";
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

  private final String s;
  private final int len;
  private int pos;
  private int depth;
  private int terms;

  private QueryParser(String s) {
    this.s = s;
    this.len = s.length();
  }

  static Query parse(String text) throws QueryException {
    if (text == null) text = "";
    QueryParser p = new QueryParser(text);
    if (text.length() > Query.MAX_LENGTH) {
      throw p.error(Query.MAX_LENGTH, "at most " + Query.MAX_LENGTH + " characters", text.length() + " characters",
          "query is " + text.length() + " characters long; the limit is " + Query.MAX_LENGTH);
    }
    try {
      return p.query();
    } catch (RuntimeException e) {
      // A safety net: the tests check it is never reached. A parser must not throw into its caller.
      throw p.error(0, "a query", "an internal error", "internal error: " + e);
    }
  }

  // ---- structure ----

  private Query query() throws QueryException {
    skipWs();
    if (atEnd()) {
      throw error(pos, "a term", "end of query", "empty query; expected a term such as op=UpdateInventory");
    }
    Expr root = conjunction();
    if (!atEnd()) {
      if (peek() == ')') {
        throw error(pos, "a term or the end of the query", "')'", "unbalanced ')': there is no '(' to close");
      }
      throw orAtTopLevel();
    }
    return new Query(root);
  }

  /** Factors separated by whitespace; stops before the end, a ')' or an OR. */
  private Expr conjunction() throws QueryException {
    List<Expr> items = new ArrayList<>();
    while (true) {
      items.add(factor());
      skipWs();
      if (atEnd() || peek() == ')' || isOrKeyword()) return Expr.and(items);
    }
  }

  private Expr factor() throws QueryException {
    char c = peek();
    if (c == '(') return group();
    if (c == ')') {
      if (depth == 0) throw error(pos, "a key", "')'", "expected a key, found ')'");
      throw error(pos, "a term", "')'", "empty parentheses; expected a term inside");
    }
    if (isOrKeyword()) {
      if (depth == 0) throw orAtTopLevel();
      throw error(pos, "a term", "OR", "expected a term, found OR");
    }
    return term();
  }

  private QueryException orAtTopLevel() {
    return error(pos, "a term", "OR",
        "OR works only inside parentheses, e.g. (status=failed OR status=abandoned)");
  }

  private Expr group() throws QueryException {
    int open = pos;
    if (depth == Query.MAX_DEPTH) {
      throw error(open, "at most " + Query.MAX_DEPTH + " levels of parentheses", "'('",
          "parentheses nested deeper than " + Query.MAX_DEPTH + " levels");
    }
    pos++;
    depth++;
    skipWs();
    if (atEnd()) throw error(pos, "a term", "end of query", "expected a term after '(', found end of query");
    if (peek() == ')') throw error(pos, "a term", "')'", "empty parentheses; expected a term inside");
    if (isOrKeyword()) throw error(pos, "a term", "OR", "expected a term before OR");
    List<Expr> alternatives = new ArrayList<>();
    alternatives.add(conjunction());
    while (true) {
      if (atEnd()) {
        throw error(pos, "')'", "end of query",
            "expected ')' to close the '(' at column " + column(open) + ", found end of query");
      }
      if (peek() == ')') {
        pos++;
        depth--;
        return Expr.or(alternatives);
      }
      // isOrKeyword() holds: conjunction() stops only at the end, ')' or OR.
      pos += 2;
      skipWs();
      if (atEnd() || peek() == ')' || isOrKeyword()) {
        throw error(pos, "a term", describe(pos), "expected a term after OR, found " + describe(pos));
      }
      alternatives.add(conjunction());
    }
  }

  private Expr.Term term() throws QueryException {
    int start = pos;
    if (++terms > Query.MAX_TERMS) {
      throw error(start, "at most " + Query.MAX_TERMS + " terms", "term " + terms,
          "too many terms; a query holds at most " + Query.MAX_TERMS);
    }
    Field field;
    String keyText;
    char c = peek();
    if (c == '"') {
      Raw raw = quoted();
      keyText = s.substring(start, pos);
      String key = raw.parts.size() == 1 ? raw.parts.get(0) : null;
      if (key == null || !Limits.isTagKey(key)) {
        throw error(start, "a tag key", show(keyText),
            "invalid tag key " + show(keyText) + "; a key is 1 to 64 characters of [A-Za-z0-9_.:-]");
      }
      field = new Field.Tag(key);
    } else if (isKeyChar(c)) {
      while (!atEnd() && isKeyChar(peek())) pos++;
      keyText = s.substring(start, pos);
      if (atEnd() || isWs(peek()) || peek() == '(' || peek() == ')') {
        if (keyText.equals("NOT") || keyText.equalsIgnoreCase("not")) {
          throw error(start, "a term", show(keyText),
              "there is no NOT; negate a term by its operator instead, e.g. status!=ok");
        }
        if (keyText.equalsIgnoreCase("and")) {
          throw error(start, "a term", show(keyText),
              "there is no AND keyword; terms separated by spaces must all match already");
        }
        if (keyText.equalsIgnoreCase("or")) {
          throw error(start, "a term", show(keyText), "write OR in capitals, inside parentheses: (a=1 OR b=2)");
        }
      }
      if (keyText.length() > Limits.MAX_TAG_KEY_LENGTH) {
        throw error(start, "a key of at most 64 characters", keyText.length() + " characters",
            "key is " + keyText.length() + " characters long; the limit is 64");
      }
      Key reserved = Key.lookup(keyText);
      if (reserved != null) {
        field = reserved;
      } else if (keyText.startsWith("-") && Key.lookup(keyText.substring(1)) != null) {
        String k = Key.lookup(keyText.substring(1)).key();
        throw error(start, "a key", "'-'",
            "there is no '-' negation; negate the operator instead: " + k + "!=x rather than -" + k + "=x");
      } else {
        field = new Field.Tag(keyText);
      }
    } else {
      throw error(start, "a key", describe(start), "expected a key, found " + describe(start));
    }

    int opPos = pos;
    Op op = readOp();
    if (op == null) {
      if (!atEnd() && (isBareChar(peek()) || peek() == '*')) {
        throw error(pos, "a key character or an operator", describe(pos),
            describe(pos) + " cannot appear in a key; a key is 1 to 64 characters of [A-Za-z0-9_.:-]");
      }
      throw error(pos, "an operator", describe(pos),
          "expected an operator (" + OPERATORS + ") after " + show(keyText) + ", found " + describe(pos));
    }
    if (field instanceof Key key && !key.allows(op)) {
      throw error(opPos, list(key), "'" + op.symbol() + "'",
          "operator '" + op.symbol() + "' does not apply to " + key.key() + "; use " + list(key));
    }

    int valueStart = pos;
    if (atEnd() || !(peek() == '"' || peek() == '*' || isBareChar(peek()))) {
      String hint = op == Op.EQ && !atEnd() && peek() == '=' ? "; write = rather than ==" : "";
      throw error(pos, "a value after '" + op.symbol() + "'", describe(pos),
          "expected a value after '" + op.symbol() + "', found " + describe(pos) + hint);
    }
    Raw raw = peek() == '"' ? quoted() : bare();
    if (!atEnd() && !isWs(peek()) && peek() != ')') {
      if (raw.quoted) {
        throw error(pos, "a space after the value", describe(pos),
            "expected a space after the value, found " + describe(pos));
      }
      throw error(pos, "a space after the value", describe(pos), "unexpected " + describe(pos)
          + " in a value; quote a value that holds spaces or any of ( ) \" \\ = < > !");
    }
    String shown = show(s.substring(valueStart, pos));
    if (raw.length > Value.MAX_LENGTH) {
      throw error(valueStart, "a value of at most " + Value.MAX_LENGTH + " characters", raw.length + " characters",
          "value is " + raw.length + " characters long; the limit is " + Value.MAX_LENGTH);
    }
    Value value = field instanceof Key key
        ? reservedValue(key, raw, valueStart, shown)
        : tagValue(op, raw, valueStart, shown);
    return new Expr.Term(field, op, value);
  }

  // ---- values ----

  private Value tagValue(Op op, Raw raw, int at, String shown) throws QueryException {
    if (!op.isOrdering()) return raw.isPattern() ? new Value.Pattern(collapse(raw.parts)) : new Value.Text(raw.text());
    if (raw.isPattern()) {
      throw error(at, "a value without '*'", shown, "wildcards work only with = and !=; found " + shown);
    }
    String text = raw.text();
    if (!raw.quoted && isNumber(text)) return new Value.Number(new BigDecimal(text));
    return new Value.Text(text);
  }

  private Value reservedValue(Key key, Raw raw, int at, String shown) throws QueryException {
    switch (key.kind()) {
      case TEXT: {
        if (raw.isPattern()) return new Value.Pattern(collapse(raw.parts));
        if (raw.text().isEmpty()) {
          throw error(at, "a non-empty value", shown, "empty value; " + key.key() + " needs a name");
        }
        return new Value.Text(raw.text());
      }
      case EVENT_TYPE: {
        List<String> upper = new ArrayList<>();
        boolean ok = true;
        for (String part : raw.parts) {
          String u = asciiUpper(part);
          upper.add(u);
          ok &= isEventTypeFragment(u);
        }
        if (!raw.isPattern()) ok &= EventType.isValid(upper.get(0));
        if (!ok) {
          throw error(at, EVENT_TYPES, shown, "unknown event type " + shown + "; expected " + EVENT_TYPES);
        }
        return raw.isPattern() ? new Value.Pattern(collapse(upper)) : new Value.Text(upper.get(0));
      }
      case TRACE: {
        if (raw.isPattern()) {
          throw error(at, TRACE_FORM, shown, "wildcards do not apply to trace; expected " + TRACE_FORM);
        }
        String id = Ids.normalize(raw.text());
        if (id == null) throw error(at, TRACE_FORM, shown, "expected " + TRACE_FORM + ", found " + shown);
        return new Value.Text(id);
      }
      case STATUS: {
        Status status = raw.isPattern() ? null : Status.lookup(raw.text());
        if (status == null) {
          throw error(at, "ok, failed, abandoned or running", shown,
              "unknown status " + shown + "; expected ok, failed, abandoned or running");
        }
        return status;
      }
      case DURATION: {
        if (raw.isPattern()) throw notDuration(at, shown);
        return new Value.Duration(nanos(raw, at, shown));
      }
      case TIME: {
        if (raw.isPattern()) throw error(at, TIME_FORMS, shown, "expected " + TIME_FORMS + ", found " + shown);
        String text = raw.text();
        if (text.equalsIgnoreCase("now")) return new Value.Ago(0);
        if (looksLikeDuration(text)) return new Value.Ago(nanos(raw, at, shown));
        return new Value.At(instant(text, at, shown));
      }
      default:
        throw new IllegalStateException("unknown kind " + key.kind());
    }
  }

  private QueryException notDuration(int at, String shown) {
    return error(at, "a duration such as 250ms, 1.5s or 2h", shown,
        "expected a duration such as 250ms, 1.5s or 2h, found " + shown);
  }

  /** {@code digits [. digits] unit}, as nanoseconds: a whole number of microseconds that fits a long. */
  private long nanos(Raw raw, int at, String shown) throws QueryException {
    String text = raw.text();
    int n = text.length();
    int i = 0;
    while (i < n && isDigit(text.charAt(i))) i++;
    if (i == 0) throw notDuration(at, shown);
    if (i < n && text.charAt(i) == '.') {
      int f = ++i;
      while (i < n && isDigit(text.charAt(i))) i++;
      if (i == f) throw notDuration(at, shown);
    }
    String number = text.substring(0, i);
    String unit = text.substring(i);
    int unitAt = raw.quoted ? at : at + i;
    if (unit.isEmpty()) {
      throw error(unitAt, "a unit: " + UNITS, "end of value",
          "missing unit after '" + number + "'; expected " + UNITS);
    }
    long unitNanos = -1;
    for (int u = 0; u < QueryFormat.UNITS.length; u++) {
      if (QueryFormat.UNITS[u].equals(unit)) unitNanos = QueryFormat.UNIT_NANOS[u];
    }
    if (unitNanos < 0) {
      throw error(unitAt, "a unit: " + UNITS, show(unit), "unknown unit " + show(unit) + "; expected " + UNITS);
    }
    BigDecimal value = new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos));
    if (value.compareTo(MAX_NANOS) > 0) {
      throw error(at, "a duration of at most 106751d", shown, "duration " + shown + " is too large; the limit is 106751d");
    }
    if (value.remainder(THOUSAND).signum() != 0) {
      throw error(at, "a whole number of microseconds", shown,
          "duration " + shown + " is finer than a microsecond, the smallest step");
    }
    return value.longValueExact();
  }

  private Instant instant(String text, int at, String shown) throws QueryException {
    boolean shape = text.length() >= 5 && text.charAt(4) == '-';
    for (int i = 0; shape && i < 4; i++) shape = isDigit(text.charAt(i));
    Instant instant = null;
    if (shape) {
      try {
        instant = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      } catch (DateTimeException e) {
        instant = null;
      }
    }
    if (instant == null) throw error(at, TIME_FORMS, shown, "expected " + TIME_FORMS + ", found " + shown);
    if (instant.isBefore(QueryFormat.MIN_INSTANT) || instant.isAfter(QueryFormat.MAX_INSTANT)) {
      throw error(at, "a time from year 0000 to 9999", shown, "time " + shown + " is outside the years 0000 to 9999");
    }
    return instant;
  }

  // ---- lexical ----

  /** A value as written: its literal parts between wildcard stars, with escapes resolved. */
  private record Raw(List<String> parts, boolean quoted, int length) {
    boolean isPattern() {
      return parts.size() > 1;
    }

    String text() {
      return parts.get(0);
    }
  }

  private Raw bare() throws QueryException {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int length = 0;
    while (!atEnd()) {
      char c = peek();
      if (c == '*') {
        parts.add(cur.toString());
        cur.setLength(0);
      } else if (isBareChar(c)) {
        checkSurrogate();
        cur.append(c);
      } else {
        break;
      }
      pos++;
      length++;
    }
    parts.add(cur.toString());
    return new Raw(parts, false, length);
  }

  /** A double-quoted string from the opening quote at {@code pos}; leaves {@code pos} after the closing quote. */
  private Raw quoted() throws QueryException {
    int open = pos++;
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int length = 0;
    while (true) {
      if (atEnd()) throw unterminated(open);
      char c = peek();
      if (c == '"') {
        pos++;
        break;
      }
      if (c == '\\') {
        if (pos + 1 >= len) throw unterminated(open);
        char e = s.charAt(pos + 1);
        switch (e) {
          case '"': case '\\': case '*': cur.append(e); break;
          case 'n': cur.append('\n'); break;
          case 't': cur.append('\t'); break;
          case 'r': cur.append('\r'); break;
          case 'u': {
            int v = 0;
            for (int i = pos + 2; i < pos + 6; i++) {
              int d = i < len ? Character.digit(s.charAt(i), 16) : -1;
              if (d < 0 || s.charAt(i) > 'f') {
                throw error(pos, "four hex digits after \\u", describe(i), "expected four hex digits after '\\u', found "
                    + describe(i));
              }
              v = v * 16 + d;
            }
            cur.append((char) v);
            pos += 6;
            length++;
            continue;
          }
          default:
            throw error(pos, "an escape", "'\\" + printable(e) + "'", "unknown escape '\\" + printable(e)
                + "'; expected \\\", \\\\, \\*, \\n, \\r, \\t or \\uXXXX");
        }
        pos += 2;
        length++;
        continue;
      }
      if (Character.isISOControl(c)) {
        String code = String.format("U+%04X", (int) c);
        throw error(pos, "an escape", code, "control character " + code
            + " in a string; write it as an escape such as \\n or \\u0007");
      }
      if (c == '*') {
        parts.add(cur.toString());
        cur.setLength(0);
      } else {
        checkSurrogate();
        cur.append(c);
      }
      pos++;
      length++;
    }
    parts.add(cur.toString());
    for (String part : parts) {
      if (!Limits.isTagValue(part) && part.length() <= Value.MAX_LENGTH) {
        throw error(open, "well-formed Unicode", "a lone surrogate",
            "the string holds a \\u escape of half a surrogate pair without its other half");
      }
    }
    return new Raw(parts, true, length);
  }

  private QueryException unterminated(int open) {
    return error(len, "'\"'", "end of query",
        "expected '\"' to close the string at column " + column(open) + ", found end of query");
  }

  /** Refuses a lone surrogate at {@code pos}; a high surrogate followed by a low one is a pair and passes. */
  private void checkSurrogate() throws QueryException {
    char c = peek();
    boolean lone = Character.isLowSurrogate(c) && (pos == 0 || !Character.isHighSurrogate(s.charAt(pos - 1)))
        || Character.isHighSurrogate(c) && (pos + 1 >= len || !Character.isLowSurrogate(s.charAt(pos + 1)));
    if (lone) {
      throw error(pos, "well-formed Unicode", describe(pos), "malformed text: " + describe(pos)
          + " is half a surrogate pair");
    }
  }

  private Op readOp() {
    if (atEnd()) return null;
    char c = peek();
    char next = pos + 1 < len ? s.charAt(pos + 1) : 0;
    switch (c) {
      case '=':
        pos++;
        return Op.EQ;
      case '!':
        if (next != '=') return null;
        pos += 2;
        return Op.NE;
      case '>':
        pos += next == '=' ? 2 : 1;
        return next == '=' ? Op.GE : Op.GT;
      case '<':
        pos += next == '=' ? 2 : 1;
        return next == '=' ? Op.LE : Op.LT;
      default:
        return null;
    }
  }

  /** A standalone {@code OR} at {@code pos}: followed by the end, whitespace or a parenthesis. */
  private boolean isOrKeyword() {
    if (!s.startsWith("OR", pos)) return false;
    if (pos + 2 == len) return true;
    char c = s.charAt(pos + 2);
    return isWs(c) || c == '(' || c == ')';
  }

  private void skipWs() {
    while (!atEnd() && isWs(peek())) pos++;
  }

  private boolean atEnd() {
    return pos >= len;
  }

  private char peek() {
    return s.charAt(pos);
  }

  /** What is at {@code p}, for a message: {@code end of query}, {@code a space}, {@code OR}, {@code 'x'}, U+0007. */
  private String describe(int p) {
    if (p >= len) return "end of query";
    char c = s.charAt(p);
    if (c == ' ') return "a space";
    if (c == '\t') return "a tab";
    if (c == '\n' || c == '\r') return "a line break";
    if (isWs(c)) return String.format("a space (U+%04X)", (int) c);
    if (p == pos && isOrKeyword()) return "OR";
    int cp = s.codePointAt(p);
    if (Character.isLowSurrogate(c) || Character.isHighSurrogate(c) && cp == c) return String.format("U+%04X", cp);
    if (Character.isISOControl(cp)) return String.format("U+%04X", cp);
    return "'" + new String(Character.toChars(cp)) + "'";
  }

  private static String printable(char c) {
    return Character.isISOControl(c) || Character.isSurrogate(c) || isWs(c) ? String.format("u%04x", (int) c)
        : String.valueOf(c);
  }

  /** Text from the query, quoted for a message and cut at 40 characters. */
  private static String show(String text) {
    StringBuilder sb = new StringBuilder("'");
    int n = Math.min(text.length(), 40);
    if (n < text.length() && Character.isHighSurrogate(text.charAt(n - 1))) n--;
    sb.append(text, 0, n);
    if (n < text.length()) sb.append("...");
    return sb.append('\'').toString();
  }

  private static String list(Key key) {
    List<String> ops = new ArrayList<>();
    for (Op op : key.operators()) ops.add(op.symbol());
    if (ops.size() == 1) return ops.get(0);
    return String.join(", ", ops.subList(0, ops.size() - 1)) + " or " + ops.get(ops.size() - 1);
  }

  private int column(int p) {
    return s.codePointCount(0, Math.min(p, len)) + 1;
  }

  private QueryException error(int p, String expected, String found, String detail) {
    return new QueryException(p, column(p), expected, found, detail);
  }

  // ---- character classes, shared with QueryFormat and Expr.Term ----

  static boolean isWs(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c);
  }

  static boolean isKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '_' || c == '.' || c == '-' || c == ':';
  }

  static boolean isBareChar(char c) {
    return QueryFormat.isBareChar(c);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** {@code -?[0-9]+(\.[0-9]+)?}: what a bare bound of an ordering comparison on a tag reads as a number. */
  static boolean isNumber(String t) {
    int i = t.startsWith("-") ? 1 : 0;
    int d = i;
    while (i < t.length() && isDigit(t.charAt(i))) i++;
    if (i == d) return false;
    if (i == t.length()) return true;
    if (t.charAt(i) != '.') return false;
    int f = ++i;
    while (i < t.length() && isDigit(t.charAt(i))) i++;
    return i > f && i == t.length();
  }

  /** {@code [0-9]+(\.[0-9]*)?[A-Za-z]*}: a value of since/until read as a duration ago rather than a timestamp. */
  private static boolean looksLikeDuration(String t) {
    int i = 0;
    while (i < t.length() && isDigit(t.charAt(i))) i++;
    if (i == 0) return false;
    if (i < t.length() && t.charAt(i) == '.') i++;
    while (i < t.length() && isDigit(t.charAt(i))) i++;
    while (i < t.length() && ((t.charAt(i) >= 'a' && t.charAt(i) <= 'z') || (t.charAt(i) >= 'A' && t.charAt(i) <= 'Z'))) {
      i++;
    }
    return i == t.length();
  }

  /** Characters of an event type: {@code [A-Z0-9_]*}. */
  static boolean isEventTypeFragment(String t) {
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
  }

  private static String asciiUpper(String t) {
    char[] out = t.toCharArray();
    for (int i = 0; i < out.length; i++) {
      if (out[i] >= 'a' && out[i] <= 'z') out[i] = (char) (out[i] - 32);
    }
    return new String(out);
  }

  /** Drops the empty parts between two stars: {@code a**b} is {@code a*b}. */
  private static List<String> collapse(List<String> parts) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      if (i == 0 || i == parts.size() - 1 || !parts.get(i).isEmpty()) out.add(parts.get(i));
    }
    return out;
  }
}
