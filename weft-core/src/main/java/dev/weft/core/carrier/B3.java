package dev.weft.core.carrier;

import dev.weft.core.Ids;
import dev.weft.core.Result;
import dev.weft.core.carrier.CodecError.Kind;

/**
 * Zipkin's B3 propagation, single header ({@code b3}) and multiple headers ({@code X-B3-*}), so a Brave-instrumented
 * peer continues a Weft trace and the other way round. 64-bit trace ids are left-padded to 128 bits.
 */
public final class B3 {
  public static final String SINGLE = "b3";
  public static final String TRACE_ID = "x-b3-traceid";
  public static final String SPAN_ID = "x-b3-spanid";
  public static final String PARENT_SPAN_ID = "x-b3-parentspanid";
  public static final String SAMPLED = "x-b3-sampled";
  public static final String FLAGS = "x-b3-flags";

  private B3() {}

  /**
   * A B3 context.
   *
   * @param traceId 32 lowercase hex (a 64-bit id is padded)
   * @param spanId 16 lowercase hex
   * @param parentSpanId 16 lowercase hex, or null
   * @param sampled the sampling decision, or null when deferred
   * @param debug the debug flag
   */
  public record B3Context(String traceId, String spanId, String parentSpanId, Boolean sampled, boolean debug) {}

  /** {@code TRACEID-SPANID[-SAMPLING[-PARENT]]}. */
  public static String formatSingle(B3Context c) {
    StringBuilder sb = new StringBuilder(68).append(c.traceId()).append('-').append(c.spanId());
    String sampling = c.debug() ? "d" : c.sampled() == null ? null : c.sampled() ? "1" : "0";
    if (sampling != null) {
      sb.append('-').append(sampling);
      if (c.parentSpanId() != null) sb.append('-').append(c.parentSpanId());
    }
    return sb.toString();
  }

  /** Parses the single header. A sampling-only value ({@code 0}, {@code 1}, {@code d}) carries no trace: MISSING. */
  public static Result<B3Context, CodecError> parseSingle(String value) {
    if (value == null) return Result.err(CodecError.of(Kind.MISSING, "no b3 header"));
    String v = value.trim();
    if (v.equals("0") || v.equals("1") || v.equals("d")) {
      return Result.err(CodecError.of(Kind.MISSING, "b3 carries only a sampling decision"));
    }
    String[] parts = v.split("-", -1);
    if (parts.length < 2 || parts.length > 4) {
      return Result.err(CodecError.of(Kind.MALFORMED, "b3: expected TRACEID-SPANID[-SAMPLING[-PARENT]]"));
    }
    String traceId = traceId(parts[0]);
    if (traceId == null) return Result.err(CodecError.of(Kind.INVALID_FIELD, "b3: bad trace id"));
    if (!isSpanId(parts[1])) return Result.err(CodecError.of(Kind.INVALID_FIELD, "b3: bad span id"));
    Boolean sampled = null;
    boolean debug = false;
    if (parts.length >= 3) {
      switch (parts[2]) {
        case "1": sampled = true; break;
        case "0": sampled = false; break;
        case "d": sampled = true; debug = true; break;
        default: return Result.err(CodecError.of(Kind.INVALID_FIELD, "b3: bad sampling state \"" + parts[2] + "\""));
      }
    }
    String parent = null;
    if (parts.length == 4) {
      if (!isSpanId(parts[3])) return Result.err(CodecError.of(Kind.INVALID_FIELD, "b3: bad parent span id"));
      parent = lower(parts[3]);
    }
    return Result.ok(new B3Context(traceId, lower(parts[1]), parent, sampled, debug));
  }

  /** Writes the multiple-header form. */
  public static void injectMulti(B3Context c, TextCarrier carrier) {
    carrier.put(TRACE_ID, c.traceId());
    carrier.put(SPAN_ID, c.spanId());
    if (c.parentSpanId() != null) carrier.put(PARENT_SPAN_ID, c.parentSpanId());
    if (c.debug()) carrier.put(FLAGS, "1");
    else if (c.sampled() != null) carrier.put(SAMPLED, c.sampled() ? "1" : "0");
  }

  /** Reads the multiple-header form. */
  public static Result<B3Context, CodecError> extractMulti(TextCarrier carrier) {
    String t = carrier.get(TRACE_ID);
    String s = carrier.get(SPAN_ID);
    if (t == null && s == null) return Result.err(CodecError.of(Kind.MISSING, "no X-B3 headers"));
    String traceId = t == null ? null : traceId(t.trim());
    if (traceId == null) return Result.err(CodecError.of(Kind.INVALID_FIELD, "X-B3-TraceId: bad trace id"));
    if (s == null || !isSpanId(s.trim())) return Result.err(CodecError.of(Kind.INVALID_FIELD, "X-B3-SpanId: bad span id"));
    String p = carrier.get(PARENT_SPAN_ID);
    if (p != null && !isSpanId(p.trim())) {
      return Result.err(CodecError.of(Kind.INVALID_FIELD, "X-B3-ParentSpanId: bad span id"));
    }
    String sampledText = carrier.get(SAMPLED);
    Boolean sampled = null;
    if (sampledText != null) {
      String st = sampledText.trim();
      if (st.equals("1") || st.equalsIgnoreCase("true")) sampled = true;
      else if (st.equals("0") || st.equalsIgnoreCase("false")) sampled = false;
      else return Result.err(CodecError.of(Kind.INVALID_FIELD, "X-B3-Sampled: expected 0 or 1"));
    }
    boolean debug = "1".equals(carrier.get(FLAGS) == null ? null : carrier.get(FLAGS).trim());
    return Result.ok(new B3Context(traceId, lower(s.trim()), p == null ? null : lower(p.trim()),
        debug ? Boolean.TRUE : sampled, debug));
  }

  private static String traceId(String s) {
    if ((s.length() != 16 && s.length() != 32) || !W3c.isLowerHex(s.toLowerCase(java.util.Locale.ROOT), 0, s.length())) {
      return null;
    }
    return Ids.normalize(s);
  }

  /** Span ids are accepted in either case and kept lower-case, as the record (and W3C) expects. */
  private static String lower(String spanId) {
    return spanId.toLowerCase(java.util.Locale.ROOT);
  }

  private static boolean isSpanId(String s) {
    return s.length() == 16 && W3c.isLowerHex(s.toLowerCase(java.util.Locale.ROOT), 0, 16) && !W3c.isZero(s, 0, 16);
  }
}
