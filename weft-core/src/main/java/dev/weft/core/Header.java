package dev.weft.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Weft wire header, version 1: the seed's {@code Header} record, carried by every message.
 *
 * <p>Immutable and validated: the public constructor refuses anything outside {@link Limits} with an
 * {@link IllegalArgumentException} that names the field, which is what decoders turn into a typed error. The factories
 * {@link #origin} and {@link #propagate} are the tracing path: they repair data-dependent excess (too many parents,
 * oversized tags) by the documented rules instead of throwing, and count each repair as a {@link Fault}.
 *
 * <p>Fields: {@code header_version} (this library writes {@value #VERSION}); {@code correlation_ids}, the traces the
 * message belongs to, primary first; {@code message_id}; {@code parent_ids}, the causes (empty for an origin, several
 * for a fan-in); {@code producer_id}; {@code payload_schema_uri}, the message type; {@code ticks_from_epoch}, 100-ns
 * ticks since the Unix epoch; {@code mtags}, message-scoped tags; {@code ptags}, propagated tags.
 */
public final class Header {
  private final int headerVersion;
  private final List<String> correlationIds;
  private final String messageId;
  private final List<String> parentIds;
  private final String producerId;
  private final String payloadSchemaUri;
  private final long ticksFromEpoch;
  private final Tags mtags;
  private final Tags ptags;

  /** The header version this library writes. */
  public static final int VERSION = 1;

  private static final dev.weft.core.internal.InternalHeaders INTERNALS = new dev.weft.core.internal.InternalHeaders() {
    @Override
    protected Header build(List<String> correlationIds, String messageId, List<String> parentIds, String producerId,
        String payloadSchemaUri, long ticksFromEpoch, Tags mtags, Tags ptags) {
      return Header.decoded(correlationIds, messageId, parentIds, producerId, payloadSchemaUri, ticksFromEpoch, mtags,
          ptags);
    }
  };

  static {
    dev.weft.core.internal.InternalHeaders.register(INTERNALS);
  }

  /** Not API: the bridge {@link dev.weft.core.internal.InternalHeaders} uses. */
  public static dev.weft.core.internal.InternalHeaders internals() {
    return INTERNALS;
  }

  /** Validates every field; see {@link Limits}. Throws {@link IllegalArgumentException} naming the field. */
  public Header(int headerVersion, List<String> correlationIds, String messageId, List<String> parentIds,
      String producerId, String payloadSchemaUri, long ticksFromEpoch, Tags mtags, Tags ptags) {
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
    checkProducerAndSchema(producerId, payloadSchemaUri);
    if (ticksFromEpoch < 0) throw new IllegalArgumentException("ticks_from_epoch: must not be negative");
    this.headerVersion = headerVersion;
    this.correlationIds = correlationIds;
    this.messageId = messageId;
    this.parentIds = parentIds;
    this.producerId = producerId;
    this.payloadSchemaUri = payloadSchemaUri;
    this.ticksFromEpoch = ticksFromEpoch;
    this.mtags = mtags == null ? Tags.empty() : mtags;
    this.ptags = ptags == null ? Tags.empty() : ptags;
  }

  /**
   * The trusted path, for values that are valid by construction: ids this library generated or decoded from raw bytes,
   * lists that are already immutable, and producer/schema strings checked by the caller. Skipping the re-validation is
   * what keeps a header hop cheap (see RATIONALE.md).
   */
  private Header(List<String> correlationIds, String messageId, List<String> parentIds, String producerId,
      String payloadSchemaUri, long ticksFromEpoch, Tags mtags, Tags ptags, boolean trusted) {
    this.headerVersion = VERSION;
    this.correlationIds = correlationIds;
    this.messageId = messageId;
    this.parentIds = parentIds;
    this.producerId = producerId;
    this.payloadSchemaUri = payloadSchemaUri;
    this.ticksFromEpoch = ticksFromEpoch;
    this.mtags = mtags;
    this.ptags = ptags;
  }

  /**
   * A header from a decoder that produced its ids from raw bytes (so they are canonical) and its lists immutable. The
   * remaining checks are the cheap ones: counts, tokens, ticks, duplicate ids.
   */
  static Header decoded(List<String> correlationIds, String messageId, List<String> parentIds, String producerId,
      String payloadSchemaUri, long ticksFromEpoch, Tags mtags, Tags ptags) {
    if (correlationIds.isEmpty()) throw new IllegalArgumentException("correlation_ids: at least one is required");
    if (correlationIds.size() > Limits.MAX_CORRELATION_IDS || parentIds.size() > Limits.MAX_PARENT_IDS
        || (correlationIds.size() > 1 && hasDuplicates(correlationIds)) || (parentIds.size() > 1 && hasDuplicates(parentIds))
        || !Limits.isToken(producerId, Limits.MAX_PRODUCER_ID_LENGTH)
        || !Limits.isToken(payloadSchemaUri, Limits.MAX_SCHEMA_URI_LENGTH) || ticksFromEpoch < 0) {
      // the slow path names the exact field
      return new Header(VERSION, correlationIds, messageId, parentIds, producerId, payloadSchemaUri, ticksFromEpoch,
          mtags, ptags);
    }
    return new Header(correlationIds, messageId, parentIds, producerId, payloadSchemaUri, ticksFromEpoch, mtags, ptags,
        true);
  }

  private static boolean hasDuplicates(List<String> ids) {
    for (int i = 1; i < ids.size(); i++) {
      for (int j = 0; j < i; j++) if (ids.get(i).equals(ids.get(j))) return true;
    }
    return false;
  }

  public int headerVersion() {
    return headerVersion;
  }

  public List<String> correlationIds() {
    return correlationIds;
  }

  public String messageId() {
    return messageId;
  }

  public List<String> parentIds() {
    return parentIds;
  }

  public String producerId() {
    return producerId;
  }

  public String payloadSchemaUri() {
    return payloadSchemaUri;
  }

  public long ticksFromEpoch() {
    return ticksFromEpoch;
  }

  public Tags mtags() {
    return mtags;
  }

  public Tags ptags() {
    return ptags;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof Header h)) return false;
    return headerVersion == h.headerVersion && ticksFromEpoch == h.ticksFromEpoch && messageId.equals(h.messageId)
        && correlationIds.equals(h.correlationIds) && parentIds.equals(h.parentIds) && producerId.equals(h.producerId)
        && payloadSchemaUri.equals(h.payloadSchemaUri) && mtags.equals(h.mtags) && ptags.equals(h.ptags);
  }

  @Override
  public int hashCode() {
    return messageId.hashCode();
  }

  @Override
  public String toString() {
    return "Header[header_version=" + headerVersion + ", correlation_ids=" + correlationIds + ", message_id="
        + messageId + ", parent_ids=" + parentIds + ", producer_id=" + producerId + ", payload_schema_uri="
        + payloadSchemaUri + ", ticks_from_epoch=" + ticksFromEpoch + ", mtags=" + mtags + ", ptags=" + ptags + "]";
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
    checkProducerAndSchema(producerId, payloadSchemaUri);
    return new Header(parent.correlationIds, Ids.newId(), List.of(parent.messageId), producerId, payloadSchemaUri,
        Ticks.now(), Tags.empty(), parent.ptags, true);
  }

  private static void checkProducerAndSchema(String producerId, String payloadSchemaUri) {
    if (!Limits.isToken(producerId, Limits.MAX_PRODUCER_ID_LENGTH)) {
      throw new IllegalArgumentException("producer_id: expected 1.." + Limits.MAX_PRODUCER_ID_LENGTH
          + " printable ASCII characters without spaces or , ; = \" \\");
    }
    if (!Limits.isToken(payloadSchemaUri, Limits.MAX_SCHEMA_URI_LENGTH)) {
      throw new IllegalArgumentException("payload_schema_uri: expected 1.." + Limits.MAX_SCHEMA_URI_LENGTH
          + " printable ASCII characters without spaces or , ; = \" \\");
    }
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
      checkProducerAndSchema(producerId, payloadSchemaUri);
      return new Header(p.correlationIds, Ids.newId(), List.of(p.messageId), producerId, payloadSchemaUri,
          Ticks.now(), m, p.ptags, true);
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
