package dev.weft.server.query;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * The right side of a term, typed by its key. Each type checks its own invariants, so a value built in code formats to
 * text that parses back to an equal value.
 */
public sealed interface Value
    permits Value.Text, Value.Pattern, Value.Number, Value.Duration, Value.At, Value.Ago, Status {

  /** Longest value, in UTF-16 units; a pattern counts its {@code *}s. Same as the longest tag value. */
  int MAX_LENGTH = dev.weft.core.Limits.MAX_TAG_VALUE_LENGTH;

  /** The value as a canonical query writes it. */
  String format();

  /** An exact string. Compared case-sensitively; with an ordering operator, by code point (UTF-8 byte order). */
  record Text(String text) implements Value {
    public Text {
      if (!dev.weft.core.Limits.isTagValue(text)) {
        throw new IllegalArgumentException("text must be well-formed Unicode of at most 256 characters");
      }
    }

    @Override
    public String format() {
      return QueryFormat.text(text);
    }
  }

  /**
   * A wildcard pattern: the literal {@code parts} with a {@code *} between each two, where {@code *} matches any run of
   * characters, the empty one included. {@code Update*} is {@code ["Update", ""]}, {@code *Inv*} is
   * {@code ["", "Inv", ""]}, and {@code *} alone ({@code ["", ""]}) matches any value, i.e. "the key is present".
   *
   * <p>Canonical: at least two parts, and no empty part between two stars ({@code **} is one {@code *}).
   */
  record Pattern(List<String> parts) implements Value {
    public Pattern {
      parts = List.copyOf(parts);
      if (parts.size() < 2) throw new IllegalArgumentException("a pattern has at least one '*'");
      int length = parts.size() - 1;
      for (int i = 0; i < parts.size(); i++) {
        String p = parts.get(i);
        if (!dev.weft.core.Limits.isTagValue(p)) throw new IllegalArgumentException("malformed part: " + i);
        if (p.isEmpty() && i > 0 && i < parts.size() - 1) {
          throw new IllegalArgumentException("'**' is written '*'");
        }
        length += p.length();
      }
      if (length > MAX_LENGTH) throw new IllegalArgumentException("pattern longer than " + MAX_LENGTH);
    }

    /** The pattern as {@code *}-separated text, without escaping. */
    public String glob() {
      return String.join("*", parts);
    }

    /** True if {@code s} matches: starts with the first part, ends with the last, and holds the others in order. */
    public boolean matches(String s) {
      String first = parts.get(0);
      String last = parts.get(parts.size() - 1);
      if (s.length() < first.length() + last.length()) return false;
      if (!s.startsWith(first) || !s.endsWith(last)) return false;
      int from = first.length();
      int end = s.length() - last.length();
      for (int i = 1; i < parts.size() - 1; i++) {
        int at = s.indexOf(parts.get(i), from);
        if (at < 0 || at + parts.get(i).length() > end) return false;
        from = at + parts.get(i).length();
      }
      return true;
    }

    @Override
    public String format() {
      return QueryFormat.pattern(parts);
    }
  }

  /**
   * A decimal number: the bound of an ordering comparison on a tag ({@code retries>3}). Tag values that read as a
   * number are compared numerically; others do not match.
   */
  record Number(BigDecimal number) implements Value {
    public Number {
      Objects.requireNonNull(number, "number");
      if (number.scale() < 0) throw new IllegalArgumentException("plain decimals only");
      if (number.toPlainString().length() > MAX_LENGTH) throw new IllegalArgumentException("number too long");
    }

    @Override
    public String format() {
      return number.toPlainString();
    }
  }

  /** A length of time, in nanoseconds; a whole number of microseconds, not negative. */
  record Duration(long nanos) implements Value {
    public Duration {
      if (nanos < 0 || nanos % 1000 != 0) {
        throw new IllegalArgumentException("a duration is a non-negative whole number of microseconds");
      }
    }

    public java.time.Duration toDuration() {
      return java.time.Duration.ofNanos(nanos);
    }

    @Override
    public String format() {
      return QueryFormat.duration(nanos);
    }
  }

  /** A point in time, written as RFC 3339. Years 0000 to 9999, as RFC 3339 allows. */
  record At(java.time.Instant instant) implements Value {
    public At {
      Objects.requireNonNull(instant, "instant");
      if (instant.isBefore(QueryFormat.MIN_INSTANT) || instant.isAfter(QueryFormat.MAX_INSTANT)) {
        throw new IllegalArgumentException("RFC 3339 covers the years 0000 to 9999");
      }
    }

    /** The time in 100-ns ticks since the epoch (the store's unit), rounded down. */
    public long ticks() {
      return dev.weft.core.Ticks.of(instant);
    }

    @Override
    public String format() {
      return QueryFormat.instant(instant);
    }
  }

  /**
   * A point in time relative to when the query runs: {@code nanos} before now. {@code now} is {@code Ago(0)}. A saved
   * query keeps the relative form, so {@code since=1h} always means "the last hour".
   */
  record Ago(long nanos) implements Value {
    public Ago {
      if (nanos < 0 || nanos % 1000 != 0) {
        throw new IllegalArgumentException("a relative time is a non-negative whole number of microseconds");
      }
    }

    /** The instant this value names when the query runs at {@code now}. */
    public java.time.Instant resolve(java.time.Instant now) {
      return now.minusNanos(nanos);
    }

    @Override
    public String format() {
      return nanos == 0 ? "now" : QueryFormat.duration(nanos);
    }
  }
}
