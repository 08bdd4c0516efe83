package dev.weft.core;

import java.util.List;
import java.util.Objects;

/**
 * The in-process trace state, as the seed's {@code TraceContext}: the trace id, the current operation, and local tags.
 * Local tags stay in the process: no carrier encoding ever writes them.
 *
 * @param traceId the primary trace (correlation) id
 * @param correlationIds every trace the current work belongs to, primary first
 * @param op the current operation's name, or null outside an operation
 * @param opId the current operation's id, or null
 * @param tags local tags: never written to a carrier
 * @param causes headers of the messages that caused the current work; outgoing messages propagate from them
 * @param ptags propagated tags that outgoing messages carry besides their causes' (adopted from a foreign
 *     {@code baggage}, or set by the current operation)
 */
public record TraceContext(String traceId, List<String> correlationIds, String op, String opId, Tags tags,
    List<Header> causes, Tags ptags) {

  public TraceContext {
    Objects.requireNonNull(traceId, "traceId");
    correlationIds = correlationIds == null || correlationIds.isEmpty() ? List.of(traceId) : List.copyOf(correlationIds);
    tags = tags == null ? Tags.empty() : tags;
    causes = causes == null ? List.of() : List.copyOf(causes);
    ptags = ptags == null ? Tags.empty() : ptags;
  }

  /** A context for a new trace, outside any operation. */
  public static TraceContext newTrace() {
    return new TraceContext(Ids.newId(), null, null, null, Tags.empty(), List.of(), Tags.empty());
  }

  /** The context of a received message: its traces, and the message as the cause. */
  public static TraceContext of(Header received) {
    return new TraceContext(received.traceId(), received.correlationIds(), null, null, Tags.empty(),
        List.of(received), Tags.empty());
  }

  /** This context with a local tag added. Local tags never leave the process. */
  public TraceContext withLocalTag(String key, String value) {
    return new TraceContext(traceId, correlationIds, op, opId, tags.with(key, value), causes, ptags);
  }

  /**
   * The header of a message produced in this context: propagated from the causes, or an origin in this context's
   * traces when there are none, with this context's ptags added (they win over the causes' on a clash: they were set on purpose here).
   */
  public Header headerFor(String producerId, String payloadSchemaUri, java.util.Map<String, String> mtags) {
    Header h = causes.isEmpty()
        ? new Header(Header.VERSION, correlationIds, Ids.newId(), List.of(), producerId, payloadSchemaUri, Ticks.now(),
            Tags.lenient(mtags), ptags)
        : Header.propagate(producerId, payloadSchemaUri, causes, mtags);
    if (!causes.isEmpty() && !ptags.isEmpty()) h = h.withPtags(ptags.mergeKeepingMine(h.ptags()));
    return h;
  }
}
