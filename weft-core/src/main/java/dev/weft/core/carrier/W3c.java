package dev.weft.core.carrier;

import dev.weft.core.Result;
import dev.weft.core.carrier.CodecError.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * W3C Trace Context ({@code traceparent}, {@code tracestate}) and W3C Baggage, read and written by the rules of the
 * two recommendations, so an OpenTelemetry peer continues a Weft trace and the other way round.
 */
public final class W3c {
  public static final String TRACEPARENT = "traceparent";
  public static final String TRACESTATE = "tracestate";
  public static final String BAGGAGE = "baggage";
  /** The W3C Baggage limits. */
  public static final int MAX_BAGGAGE_MEMBERS = 180;
  public static final int MAX_BAGGAGE_BYTES = 8192;
  public static final int MAX_TRACESTATE_MEMBERS = 32;

  private W3c() {}

  /**
   * A parsed {@code traceparent}.
   *
   * @param traceId 32 lowercase hex
   * @param spanId 16 lowercase hex: the caller's span (for Weft, derived from the message id)
   * @param sampled the sampled flag
   */
  public record Traceparent(String traceId, String spanId, boolean sampled) {}

  /** {@code 00-TRACEID-SPANID-FLAGS}. */
  public static String formatTraceparent(String traceId, String spanId, boolean sampled) {
    return "00-" + traceId + "-" + spanId + (sampled ? "-01" : "-00");
  }

  /** Parses a {@code traceparent}, accepting future versions as the recommendation requires. Never throws. */
  public static Result<Traceparent, CodecError> parseTraceparent(String value) {
    if (value == null) return Result.err(CodecError.of(Kind.MISSING, "no traceparent"));
    String v = value.trim();
    if (v.length() < 55) return Result.err(CodecError.of(Kind.TRUNCATED, "traceparent shorter than 55 characters"));
    String version = v.substring(0, 2);
    if (!isLowerHex(version, 0, 2) || version.equals("ff")) {
      return Result.err(CodecError.of(Kind.MALFORMED, "traceparent version \"" + version + "\" is invalid"));
    }
    if (version.equals("00") && v.length() != 55) {
      return Result.err(CodecError.of(Kind.MALFORMED, "traceparent version 00 must be 55 characters"));
    }
    if (v.length() > 55 && v.charAt(55) != '-') {
      return Result.err(CodecError.of(Kind.MALFORMED, "traceparent: unexpected data after the flags"));
    }
    if (v.charAt(2) != '-' || v.charAt(35) != '-' || v.charAt(52) != '-') {
      return Result.err(CodecError.of(Kind.MALFORMED, "traceparent: expected VERSION-TRACEID-SPANID-FLAGS"));
    }
    if (!isLowerHex(v, 3, 35) || isZero(v, 3, 35)) {
      return Result.err(CodecError.of(Kind.INVALID_FIELD, "traceparent: trace id must be 32 lowercase hex, not all zero"));
    }
    if (!isLowerHex(v, 36, 52) || isZero(v, 36, 52)) {
      return Result.err(CodecError.of(Kind.INVALID_FIELD, "traceparent: span id must be 16 lowercase hex, not all zero"));
    }
    if (!isLowerHex(v, 53, 55)) return Result.err(CodecError.of(Kind.INVALID_FIELD, "traceparent: bad flags"));
    int flags = Integer.parseInt(v.substring(53, 55), 16);
    return Result.ok(new Traceparent(v.substring(3, 35), v.substring(36, 52), (flags & 1) == 1));
  }

  /** Parses {@code tracestate} into its ordered members; an invalid list is refused whole, as the spec says. */
  public static Result<List<Map.Entry<String, String>>, CodecError> parseTracestate(String value) {
    if (value == null || value.isBlank()) return Result.ok(List.of());
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (String raw : value.split(",", -1)) {
      String member = raw.strip();
      if (member.isEmpty()) continue;
      int eq = member.indexOf('=');
      if (eq <= 0) return Result.err(CodecError.of(Kind.MALFORMED, "tracestate member without key=value"));
      String k = member.substring(0, eq);
      String val = member.substring(eq + 1);
      if (!isTracestateKey(k)) return Result.err(CodecError.of(Kind.INVALID_FIELD, "tracestate: bad key"));
      if (!isTracestateValue(val)) return Result.err(CodecError.of(Kind.INVALID_FIELD, "tracestate: bad value for " + k));
      for (Map.Entry<String, String> e : out) {
        if (e.getKey().equals(k)) return Result.err(CodecError.of(Kind.MALFORMED, "tracestate: duplicate key " + k));
      }
      out.add(Map.entry(k, val));
      if (out.size() > MAX_TRACESTATE_MEMBERS) {
        return Result.err(CodecError.of(Kind.OVERSIZED, "tracestate: more than 32 members"));
      }
    }
    return Result.ok(List.copyOf(out));
  }

  /** Formats tracestate members, dropping invalid ones and keeping at most 32. */
  public static String formatTracestate(List<Map.Entry<String, String>> members) {
    StringBuilder sb = new StringBuilder();
    int n = 0;
    for (Map.Entry<String, String> e : members) {
      if (!isTracestateKey(e.getKey()) || !isTracestateValue(e.getValue()) || n == MAX_TRACESTATE_MEMBERS) continue;
      if (n++ > 0) sb.append(',');
      sb.append(e.getKey()).append('=').append(e.getValue());
    }
    return sb.toString();
  }

  static boolean isTracestateKey(String k) {
    if (k.isEmpty() || k.length() > 256) return false;
    int at = k.indexOf('@');
    if (at >= 0) {
      if (at == 0 || at > 241 || k.length() - at - 1 > 14 || k.length() - at - 1 == 0) return false;
      for (int i = 0; i < k.length(); i++) {
        char c = k.charAt(i);
        if (i == at) continue;
        if (!keyChar(c)) return false;
      }
      return true;
    }
    char first = k.charAt(0);
    if (first < 'a' || first > 'z') return false;
    for (int i = 1; i < k.length(); i++) if (!keyChar(k.charAt(i))) return false;
    return true;
  }

  private static boolean keyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' || c == '/';
  }

  static boolean isTracestateValue(String v) {
    if (v.isEmpty() || v.length() > 256 || v.charAt(v.length() - 1) == ' ') return false;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x20 || c > 0x7e || c == ',' || c == '=') return false;
    }
    return true;
  }

  /**
   * Parses {@code baggage} into key → decoded value, in order. Member properties (after {@code ;}) are ignored, and so
   * are members with a bad key or bad percent-encoding; only a list past the W3C size limits is refused.
   * Never throws.
   */
  public static Result<Map<String, String>, CodecError> parseBaggage(String value) {
    if (value == null || value.isBlank()) return Result.ok(Map.of());
    if (value.length() > MAX_BAGGAGE_BYTES) {
      return Result.err(CodecError.of(Kind.OVERSIZED, "baggage longer than " + MAX_BAGGAGE_BYTES + " bytes"));
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String raw : value.split(",", -1)) {
      String member = raw.strip();
      if (member.isEmpty()) continue;
      int semi = member.indexOf(';');
      if (semi >= 0) member = member.substring(0, semi).strip();
      // one bad member must not cost the others: it is skipped, as OpenTelemetry's parser does
      int eq = member.indexOf('=');
      if (eq <= 0) continue;
      String k = member.substring(0, eq).strip();
      if (!isToken(k)) continue;
      String v = PercentCodec.decode(member.substring(eq + 1).strip());
      if (v == null) continue;
      out.put(k, v);
      if (out.size() > MAX_BAGGAGE_MEMBERS) {
        return Result.err(CodecError.of(Kind.OVERSIZED, "baggage: more than " + MAX_BAGGAGE_MEMBERS + " members"));
      }
    }
    return Result.ok(out);
  }

  /**
   * Formats baggage with percent-encoded values. Members that would take the header past the W3C limits (8192 bytes,
   * 180 members) are left out whole, as the recommendation requires, so a peer (or {@link #parseBaggage}) never
   * refuses the list.
   */
  public static String formatBaggage(Map<String, String> entries) {
    StringBuilder sb = new StringBuilder();
    StringBuilder member = new StringBuilder();
    int members = 0;
    for (Map.Entry<String, String> e : entries.entrySet()) {
      if (!isToken(e.getKey()) || e.getValue() == null) continue;
      if (members == MAX_BAGGAGE_MEMBERS) break;
      member.setLength(0);
      member.append(e.getKey()).append('=');
      PercentCodec.encode(e.getValue(), member);
      if (sb.length() + (sb.length() > 0 ? 1 : 0) + member.length() > MAX_BAGGAGE_BYTES) continue;
      if (sb.length() > 0) sb.append(',');
      sb.append(member);
      members++;
    }
    return sb.toString();
  }

  /** An RFC 7230 token. */
  static boolean isToken(String s) {
    if (s.isEmpty()) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) return false;
    }
    return true;
  }

  static boolean isLowerHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  }

  static boolean isZero(String s, int from, int to) {
    for (int i = from; i < to; i++) if (s.charAt(i) != '0') return false;
    return true;
  }
}
