package dev.weft.server.cli;

import java.time.Duration;
import java.util.Locale;

/** Parses the durations ({@code 1h}, {@code 90s}) and sizes ({@code 5MiB}) of command-line options. */
final class Units {
  private Units() {}

  /** {@code 500ms}, {@code 30s}, {@code 15m}, {@code 1h}, {@code 2d}, or ISO-8601 ({@code PT1H}). */
  static Duration duration(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.equals("0")) return Duration.ZERO; // zero needs no unit
    if (s.startsWith("p")) {
      try {
        return nonNegative(Duration.parse(s.toUpperCase(Locale.ROOT)), text);
      } catch (java.time.format.DateTimeParseException e) {
        throw bad(text, "a duration such as 30m, 1h or 2d");
      }
    }
    int i = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
    if (i == 0 || i > 12) throw bad(text, "a duration such as 30m, 1h or 2d");
    long n = Long.parseLong(s.substring(0, i));
    Duration d = switch (s.substring(i)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> throw bad(text, "a duration with a unit ms, s, m, h or d, such as 1h");
    };
    return nonNegative(d, text);
  }

  private static Duration nonNegative(Duration d, String text) {
    if (d.isNegative()) throw bad(text, "a duration that is not negative");
    return d;
  }

  /** {@code 1048576}, {@code 512k}/{@code 512KiB}, {@code 5m}/{@code 5MiB}, {@code 1g}/{@code 1GiB} (binary units). */
  static long size(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
    if (i == 0 || i > 12) throw bad(text, "a size such as 5MiB, 512KiB or 1048576");
    long n = Long.parseLong(s.substring(0, i));
    long mult = switch (s.substring(i).trim()) {
      case "", "b" -> 1;
      case "k", "kb", "kib" -> 1024;
      case "m", "mb", "mib" -> 1024 * 1024;
      case "g", "gb", "gib" -> 1024L * 1024 * 1024;
      default -> throw bad(text, "a size with a unit B, KiB, MiB or GiB, such as 5MiB");
    };
    return Math.multiplyExact(n, mult);
  }

  private static IllegalArgumentException bad(String text, String expected) {
    return new IllegalArgumentException("'" + text + "' is not " + expected);
  }
}
