package dev.weft.core.carrier;

import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Ids;
import dev.weft.core.Result;
import dev.weft.core.Tags;
import dev.weft.core.TraceContext;
import dev.weft.core.carrier.Extraction.Source;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Writes a header into a carrier in the chosen formats, and reads the best one back. Mediums use only this.
 *
 * <p>Writing: the Weft header always (binary for record headers, text for HTTP), plus W3C {@code traceparent} by
 * default so an OpenTelemetry or Brave peer continues the trace; B3 and W3C {@code baggage} on request. Reading
 * prefers the Weft header, then {@code traceparent} (with {@code baggage} adopted as ptags), then B3. A bad Weft
 * header is never an exception: it is counted as {@link Fault#HEADER_DECODE_ERROR} and the next format, or a new
 * origin, is used.
 */
public final class Propagation {
  /** The formats a carrier can hold. */
  public enum Format {
    WEFT,
    W3C,
    W3C_BAGGAGE,
    B3_SINGLE,
    B3_MULTI
  }

  private static final Propagation DEFAULTS = new Propagation(EnumSet.of(Format.WEFT, Format.W3C));
  private final EnumSet<Format> inject;

  private Propagation(EnumSet<Format> inject) {
    this.inject = inject;
  }

  /** Weft plus W3C {@code traceparent}. */
  public static Propagation defaults() {
    return DEFAULTS;
  }

  /** The given formats; Weft is always included. */
  public static Propagation of(Format... formats) {
    EnumSet<Format> set = EnumSet.of(Format.WEFT);
    set.addAll(List.of(formats));
    return new Propagation(set);
  }

  // ------------------------------------------------------------------ inject

  /** Writes the header into record headers. Never throws. */
  public void inject(Header h, BinaryCarrier carrier) {
    try {
      Result<byte[], CodecError> bytes = BinaryHeaderCodec.encode(h);
      if (bytes instanceof Result.Ok<byte[], CodecError> ok) carrier.put(BinaryHeaderCodec.KEY, ok.value());
      else Faults.count(Fault.HEADER_ENCODE_ERROR);
      if (inject.contains(Format.W3C)) carrier.put(W3c.TRACEPARENT, traceparentBytes(h));
      if (inject.size() > (inject.contains(Format.W3C) ? 2 : 1)) injectForeign(h, carrier.asText(), false);
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
    }
  }

  /** Writes the header into text headers. Never throws. */
  public void inject(Header h, TextCarrier carrier) {
    try {
      if (!TextHeaderCodec.encode(h, carrier).isOk()) Faults.count(Fault.HEADER_ENCODE_ERROR);
      injectForeign(h, carrier, true);
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
    }
  }

  /** {@code 00-TRACEID-SPANID-01} written straight into bytes: the hot path of every Kafka send. */
  static byte[] traceparentBytes(Header h) {
    byte[] out = new byte[55];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    String trace = h.traceId();
    for (int i = 0; i < 32; i++) out[3 + i] = (byte) trace.charAt(i);
    out[35] = '-';
    String msg = h.messageId();
    int from = isZero(msg, 16, 32) ? 0 : 16; // the span id is the low half of the message id (Ids.spanIdOf)
    for (int i = 0; i < 16; i++) out[36 + i] = (byte) msg.charAt(from + i);
    out[52] = '-';
    out[53] = '0';
    out[54] = '1';
    return out;
  }

  private static boolean isZero(String s, int from, int to) {
    for (int i = from; i < to; i++) if (s.charAt(i) != '0') return false;
    return true;
  }

  private void injectForeign(Header h, TextCarrier carrier, boolean withTraceparent) {
    String spanId = Ids.spanIdOf(h.messageId());
    if (withTraceparent && inject.contains(Format.W3C)) {
      carrier.put(W3c.TRACEPARENT, W3c.formatTraceparent(h.traceId(), spanId, true));
    }
    if (inject.contains(Format.W3C_BAGGAGE) && !h.ptags().isEmpty()) {
      carrier.put(W3c.BAGGAGE, W3c.formatBaggage(h.ptags()));
    }
    if (inject.contains(Format.B3_SINGLE) || inject.contains(Format.B3_MULTI)) {
      String parent = h.parentIds().isEmpty() ? null : Ids.spanIdOf(h.parentIds().get(0));
      B3.B3Context b3 = new B3.B3Context(h.traceId(), spanId, parent, Boolean.TRUE, false);
      if (inject.contains(Format.B3_SINGLE)) carrier.put(B3.SINGLE, B3.formatSingle(b3));
      if (inject.contains(Format.B3_MULTI)) B3.injectMulti(b3, carrier);
    }
  }

  // ------------------------------------------------------------------ extract

  /** Reads record headers. Never throws; the context is never null. */
  public Extraction extract(BinaryCarrier carrier) {
    try {
      byte[] bytes = carrier.get(BinaryHeaderCodec.KEY);
      CodecError error = null;
      if (bytes != null) {
        Result<Header, CodecError> r = BinaryHeaderCodec.decode(bytes);
        if (r instanceof Result.Ok<Header, CodecError> ok) return weft(ok.value());
        error = ((Result.Err<Header, CodecError>) r).error();
        if (error.kind() == CodecError.Kind.MISSING) error = null; // an empty value, as on the text path
        else Faults.count(Fault.HEADER_DECODE_ERROR);
      }
      return extractForeign(carrier.asText(), error);
    } catch (RuntimeException e) {
      Faults.count(Fault.HEADER_DECODE_ERROR);
      return none(CodecError.of(CodecError.Kind.MALFORMED, "carrier failed: " + e.getClass().getSimpleName()));
    }
  }

  /** Reads text headers. Never throws; the context is never null. */
  public Extraction extract(TextCarrier carrier) {
    try {
      Result<Header, CodecError> r = TextHeaderCodec.decode(carrier);
      if (r instanceof Result.Ok<Header, CodecError> ok) return weft(ok.value());
      CodecError error = ((Result.Err<Header, CodecError>) r).error();
      if (error.kind() == CodecError.Kind.MISSING) error = null;
      else Faults.count(Fault.HEADER_DECODE_ERROR);
      return extractForeign(carrier, error);
    } catch (RuntimeException e) {
      Faults.count(Fault.HEADER_DECODE_ERROR);
      return none(CodecError.of(CodecError.Kind.MALFORMED, "carrier failed: " + e.getClass().getSimpleName()));
    }
  }

  private static Extraction weft(Header h) {
    return new Extraction(Source.WEFT, h, TraceContext.of(h), null, null, null);
  }

  private static Extraction extractForeign(TextCarrier carrier, CodecError weftError) {
    // W3C baggage is adopted as ptags whatever supplies the trace (traceparent, B3, or nothing)
    Tags ptags = Tags.empty();
    Result<Map<String, String>, CodecError> bag = W3c.parseBaggage(carrier.get(W3c.BAGGAGE));
    if (bag instanceof Result.Ok<Map<String, String>, CodecError> b) ptags = Tags.lenient(b.value());
    Result<W3c.Traceparent, CodecError> tp = W3c.parseTraceparent(carrier.get(W3c.TRACEPARENT));
    if (tp instanceof Result.Ok<W3c.Traceparent, CodecError> ok) {
      String state = carrier.get(W3c.TRACESTATE);
      if (state != null && !W3c.parseTracestate(state).isOk()) state = null; // invalid: discard, per the spec
      return new Extraction(Source.W3C, null, foreign(ok.value().traceId(), ptags), ok.value().spanId(), state,
          weftError);
    }
    Result<B3.B3Context, CodecError> b3 = B3.parseSingle(carrier.get(B3.SINGLE));
    if (!b3.isOk()) b3 = B3.extractMulti(carrier);
    if (b3 instanceof Result.Ok<B3.B3Context, CodecError> ok) {
      return new Extraction(Source.B3, null, foreign(ok.value().traceId(), ptags), ok.value().spanId(), null,
          weftError);
    }
    return new Extraction(Source.NONE, null, foreign(Ids.newId(), ptags), null, null, weftError);
  }

  private static TraceContext foreign(String traceId, Tags ptags) {
    return new TraceContext(traceId, null, null, null, Tags.empty(), List.of(), ptags);
  }

  private static Extraction none(CodecError error) {
    return new Extraction(Source.NONE, null, TraceContext.newTrace(), null, null, error);
  }
}
