package dev.weft.core.carrier;

import dev.weft.core.Header;
import dev.weft.core.TraceContext;

/**
 * What a receiver learned from a carrier.
 *
 * @param source which format supplied the trace
 * @param header the Weft header, when {@code source} is {@link Source#WEFT}; otherwise null
 * @param context the context to continue in: the message's traces, a foreign trace adopted from W3C or B3 (with
 *     baggage as ptags), or a new trace when the carrier had nothing usable. Never null.
 * @param foreignParentSpanId the caller's span id from {@code traceparent} or B3, or null
 * @param tracestate the received {@code tracestate}, to forward unchanged, or null
 * @param error why a Weft header that was present could not be used (then the context comes from the next format, or
 *     is new), or null
 */
public record Extraction(Source source, Header header, TraceContext context, String foreignParentSpanId,
    String tracestate, CodecError error) {

  /** Which format supplied the trace. */
  public enum Source {
    WEFT,
    W3C,
    B3,
    /** Nothing usable: the receiver starts a new origin. */
    NONE
  }

  /**
   * The header of the received message: the Weft header it carried, or, when it had none or a bad one, an origin
   * adopted by the receiver. An adopted header continues the foreign trace (or a new one), has producer
   * {@code unknown}, carries the foreign baggage as ptags, and says how it came about in the mtag
   * {@code weft.adopted} ({@code w3c}, {@code b3}, {@code none}) and, for a discarded header, {@code weft.header_error}.
   */
  public Header receivedHeader(String payloadSchemaUri) {
    if (header != null) return header;
    java.util.Map<String, String> mtags = new java.util.TreeMap<>();
    mtags.put("weft.adopted", source.name().toLowerCase(java.util.Locale.ROOT));
    if (hadBadHeader()) mtags.put("weft.header_error", error.kind().name().toLowerCase(java.util.Locale.ROOT));
    return new Header(Header.VERSION, context.correlationIds(), dev.weft.core.Ids.newId(), java.util.List.of(),
        "unknown", payloadSchemaUri, dev.weft.core.Ticks.now(), dev.weft.core.Tags.lenient(mtags), context.ptags());
  }

  /** True if the carrier held a Weft header that had to be discarded. */
  public boolean hadBadHeader() {
    return error != null && error.kind() != CodecError.Kind.MISSING;
  }
}
