package dev.weft.server.query;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Canonical text of queries, terms and values. */
final class QueryFormat {
  static final Instant MIN_INSTANT = Instant.parse("0000-01-01T00:00:00Z");
  static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59.999999999Z");

  /** Units from the largest, with their length in nanoseconds. */
  static final String[] UNITS = {"d", "h", "m", "s", "ms", "us"};
  static final long[] UNIT_NANOS = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L,
      1_000_000L, 1_000L};

  private QueryFormat() {}

  static String format(Expr root) {
    StringBuilder sb = new StringBuilder();
    if (root instanceof Expr.Or) {
      sb.append('(');
      inOr(root, sb);
      sb.append(')');
    } else {
      inAnd(root, sb);
    }
    return sb.toString();
  }

  /** Writes {@code e} where juxtaposition binds: a term, an AND as is, an OR in parentheses. */
  private static void inAnd(Expr e, StringBuilder sb) {
    if (e instanceof Expr.Term t) {
      term(t, sb);
    } else if (e instanceof Expr.And a) {
      for (int i = 0; i < a.children().size(); i++) {
        if (i > 0) sb.append(' ');
        inAnd(a.children().get(i), sb);
      }
    } else {
      sb.append('(');
      inOr(e, sb);
      sb.append(')');
    }
  }

  /** Writes {@code e} inside parentheses: OR children separated by OR; an AND binds tighter and needs none. */
  private static void inOr(Expr e, StringBuilder sb) {
    if (e instanceof Expr.Or o) {
      for (int i = 0; i < o.children().size(); i++) {
        if (i > 0) sb.append(" OR ");
        inAnd(o.children().get(i), sb);
      }
    } else {
      inAnd(e, sb);
    }
  }

  static String term(Expr.Term t) {
    StringBuilder sb = new StringBuilder();
    term(t, sb);
    return sb.toString();
  }

  private static void term(Expr.Term t, StringBuilder sb) {
    sb.append(t.field().format()).append(t.op().symbol());
    // A bare number after an ordering operator on a tag reads as a number; text that looks like one stays quoted.
    if (t.value() instanceof Value.Text text && t.op().isOrdering() && QueryParser.isNumber(text.text())) {
      quoted(text.text(), sb);
    } else {
      sb.append(t.value().format());
    }
  }

  /** True for a character a bare value may hold (besides {@code *}, which is the wildcard). */
  static boolean isBareChar(char c) {
    if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) return false;
    switch (c) {
      case '(': case ')': case '"': case '\\': case '=': case '<': case '>': case '!': case '*':
        return false;
      default:
        return true;
    }
  }

  private static boolean isBare(String s, boolean allowEmpty) {
    if (s.isEmpty()) return allowEmpty;
    for (int i = 0; i < s.length(); i++) {
      if (!isBareChar(s.charAt(i))) return false;
    }
    return true;
  }

  static String text(String s) {
    if (isBare(s, false)) return s;
    StringBuilder sb = new StringBuilder(s.length() + 2);
    quoted(s, sb);
    return sb.toString();
  }

  static String pattern(List<String> parts) {
    boolean bare = true;
    for (String p : parts) bare &= isBare(p, true);
    StringBuilder sb = new StringBuilder();
    if (bare) return String.join("*", parts);
    sb.append('"');
    for (int i = 0; i < parts.size(); i++) {
      if (i > 0) sb.append('*');
      escape(parts.get(i), sb);
    }
    return sb.append('"').toString();
  }

  private static void quoted(String s, StringBuilder sb) {
    sb.append('"');
    escape(s, sb);
    sb.append('"');
  }

  private static void escape(String s, StringBuilder sb) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': sb.append("\\\""); break;
        case '\\': sb.append("\\\\"); break;
        case '*': sb.append("\\*"); break;
        case '\n': sb.append("\\n"); break;
        case '\t': sb.append("\\t"); break;
        case '\r': sb.append("\\r"); break;
        default:
          if (Character.isISOControl(c)) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
      }
    }
  }

  /** The largest unit that divides {@code nanos} exactly: {@code 90m} stays {@code 90m}, {@code 120m} is {@code 2h}. */
  static String duration(long nanos) {
    if (nanos == 0) return "0s";
    for (int i = 0; i < UNITS.length; i++) {
      if (nanos % UNIT_NANOS[i] == 0) return (nanos / UNIT_NANOS[i]) + UNITS[i];
    }
    throw new IllegalArgumentException("not a whole number of microseconds: " + nanos);
  }

  static String instant(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant);
  }
}
