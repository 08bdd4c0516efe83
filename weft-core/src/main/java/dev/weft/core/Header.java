package dev.weft.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Weft wire header, version 1: the seed's {@code Header} record, carried by every message.
 *
 * <p>Immutable and validated: the canonical constructor refuses anything outside {@link Limits} with an
 * {@link IllegalArgumentException} that names the field, which is what decoders turn into a typed error. The factories
 * {@link #origin} and {@link #propagate} are the tracing path: they repair data-dependent excess (too many parents,
 * oversized tags) by the documented rules instead of throwing, and count each repair as a {@link Fault}.
 *
 * @param headerVersion major format version; this library writes {@value #VERSION}
 * @param correlationIds the traces this message belongs to: an ordered set, the first is the primary trace id
 * @param messageId a new id for each message
 * @param parentIds message ids of the causes: empty for an origin, several for a fan-in
 * @param producerId the service (and where useful the instance) that produced the message
 * @param payloadSchemaUri the message type, e.g. {@code urn:shop:SkuUpdated:v1}
 * @param ticksFromEpoch when the message was produced, in 100-ns ticks since the Unix epoch
 * @param mtags message-scoped tags
 * @param ptags propagated tags, copied to every descendant message
 */
public record Header(
    int headerVersion,
    List<String> correlationIds,
    String messageId,
    List<String> parentIds,
    String producerId,
    String payloadSchemaUri,
    long ticksFromEpoch,
    Tags mtags,
    Tags ptags) {

  /** The header version this library writes. */
  public static final int VERSION = 1;

  /** Validates every field; see {@link Limits}. */
  public Header {
    if (headerVersion != VERSION) {
      throw new IllegalArgumentException("header_version: unsupported version " + headerVersion + ", expected " + VERSION);
    }
    correlationIds = List.copyOf(Objects.requireNonNull(correlationIds, "correlation_ids"));
    if (correlationIds.isEmpty()) throw new IllegalArgumentException("correlation_ids: at least one is required");
    checkIds("correlation_ids", correlationIds, Limits.MAX_CORRELATION_IDS);
    if (!Ids.isCanonical(messageId)) {
      throw new IllegalArgumentException("message_id: expected 32 lowercase hex characters, not all zero");
    }
    parentIds = List.copyOf(Objects.requireNonNull(parentIds, "parent_ids"));
    checkIds("parent_ids", parentIds, Limits.MAX_PARENT_IDS);
    if (!Limits.isToken(producerId, Limits.MAX_PRODUCER_ID_LENGTH)) {
      throw new IllegalArgumentException("producer_id: expected 1.." + Limits.MAX_PRODUCER_ID_LENGTH
          + " printable ASCII characters without spaces or , ; = \" \\");
    }
    if (!Limits.isToken(payloadSchemaUri, Limits.MAX_SCHEMA_URI_LENGTH)) {
      throw new IllegalArgumentException("payload_schema_uri: expected 1.." + Limits.MAX_SCHEMA_URI_LENGTH
          + " printable ASCII characters without spaces or , ; = \" \\");
    }
    if (ticksFromEpoch < 0) throw new IllegalArgumentException("ticks_from_epoch: must not be negative");
    mtags = mtags == null ? Tags.empty() : mtags;
    ptags = ptags == null ? Tags.empty() : ptags;
  }

  private static void checkIds(String field, List<String> ids, int max) {
    int n = ids.size();
    if (n > max) throw new IllegalArgumentException(field + ": " + n + " ids, at most " + max);
    for (int i = 0; i < n; i++) {
      String id = ids.get(i);
      if (!Ids.isCanonical(id)) {
        throw new IllegalArgumentException(field + "[" + i + "]: expected 32 lowercase hex characters, not all zero");
      }
      for (int j = 0; j < i; j++) {
        if (ids.get(j).equals(id)) throw new IllegalArgumentException(field + "[" + i + "]: duplicate id");
      }
    }
  }

  /** The primary trace id: the first correlation id. */
  public String traceId() {
    return correlationIds.get(0);
  }

  /** True if this message has no parents. */
  public boolean isOrigin() {
    return parentIds.isEmpty();
  }

  /** A new origin: a fresh correlation id, no parents, no tags. */
  public static Header origin(String producerId, String payloadSchemaUri) {
    return origin(producerId, payloadSchemaUri, Tags.empty(), Tags.empty());
  }

  /** A new origin with tags; tags are validated leniently (bad entries dropped and counted). */
  public static Header origin(String producerId, String payloadSchemaUri, Map<String, String> mtags,
      Map<String, String> ptags) {
    return new Header(VERSION, List.of(Ids.newId()), Ids.newId(), List.of(), producerId, payloadSchemaUri, Ticks.now(),
        Tags.lenient(mtags), Tags.lenient(ptags));
  }

  /** A header caused by one parent. */
  public static Header propagate(String producerId, String payloadSchemaUri, Header parent) {
    Objects.requireNonNull(parent, "parent");
    return new Header(VERSION, parent.correlationIds, Ids.newId(), List.of(parent.messageId), producerId,
        payloadSchemaUri, Ticks.now(), Tags.empty(), parent.ptags);
  }

  /** A header caused by several parents: a fan-in. See {@link #propagate(String, String, List, Map)}. */
  public static Header propagate(String producerId, String payloadSchemaUri, Header... parents) {
    return propagate(producerId, payloadSchemaUri, List.of(parents), Tags.empty());
  }

  /**
   * A header caused by zero, one or several parents.
   *
   * <ul>
   *   <li>{@code correlation_ids}: the ordered union of the parents' correlation ids, first occurrence first; past
   *       {@link Limits#MAX_CORRELATION_IDS} the rest are left off.
   *   <li>{@code parent_ids}: the parents' message ids in order, duplicates removed; past
   *       {@link Limits#MAX_PARENT_IDS} the rest are left off (the consuming operation's {@code inputs} keep them all).
   *   <li>{@code ptags}: merged in parent order, and the <b>first</b> parent holding a key wins, so the primary flow's
   *       baggage is never overridden by a side input. Past {@link Limits#MAX_TAGS} later keys are dropped.
   *   <li>{@code message_id} and {@code ticks_from_epoch} are new; {@code mtags} are the given ones.
   * </ul>
   *
   * With no parents this is an {@link #origin}. Each truncation counts a {@link Fault}.
   */
  public static Header propagate(String producerId, String payloadSchemaUri, List<Header> parents,
      Map<String, String> mtags) {
    Objects.requireNonNull(parents, "parents");
    Tags m = Tags.lenient(mtags);
    if (parents.isEmpty()) return origin(producerId, payloadSchemaUri, m, Tags.empty());
    if (parents.size() == 1) {
      Header p = parents.get(0);
      return new Header(VERSION, p.correlationIds, Ids.newId(), List.of(p.messageId), producerId, payloadSchemaUri,
          Ticks.now(), m, p.ptags);
    }
    LinkedHashSet<String> correlations = new LinkedHashSet<>();
    LinkedHashSet<String> parentIds = new LinkedHashSet<>();
    Tags ptags = Tags.empty();
    for (Header p : parents) {
      correlations.addAll(p.correlationIds);
      parentIds.add(p.messageId);
      ptags = ptags.mergeKeepingMine(p.ptags);
    }
    return new Header(VERSION, capped(correlations, Limits.MAX_CORRELATION_IDS), Ids.newId(),
        capped(parentIds, Limits.MAX_PARENT_IDS), producerId, payloadSchemaUri, Ticks.now(), m, ptags);
  }

  private static List<String> capped(LinkedHashSet<String> ids, int max) {
    List<String> list = new ArrayList<>(Math.min(ids.size(), max));
    for (String id : ids) {
      if (list.size() == max) {
        Faults.count(Fault.HEADER_TRUNCATED, ids.size() - max);
        break;
      }
      list.add(id);
    }
    return list;
  }

  /** This header with other message tags. */
  public Header withMtags(Map<String, String> newMtags) {
    return new Header(headerVersion, correlationIds, messageId, parentIds, producerId, payloadSchemaUri,
        ticksFromEpoch, Tags.lenient(newMtags), ptags);
  }

  /** This header with other propagated tags. */
  public Header withPtags(Map<String, String> newPtags) {
    return new Header(headerVersion, correlationIds, messageId, parentIds, producerId, payloadSchemaUri,
        ticksFromEpoch, mtags, Tags.lenient(newPtags));
  }

  /** This header with one propagated tag set, e.g. {@code merchant_id} at the origin of a flow. */
  public Header withPtag(String key, String value) {
    return withPtags(ptags.with(key, value));
  }

  /** This header with one message tag set. */
  public Header withMtag(String key, String value) {
    return withMtags(mtags.with(key, value));
  }
}
