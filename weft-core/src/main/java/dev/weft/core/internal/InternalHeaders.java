package dev.weft.core.internal;

import dev.weft.core.Header;
import dev.weft.core.Tags;
import java.util.List;

/**
 * Not API. Lets Weft's own decoders (in other packages) build a header whose ids are canonical by construction,
 * without validating them a second time. Applications use {@link Header}'s public constructor and factories.
 */
public abstract class InternalHeaders {
  private static volatile InternalHeaders instance;

  protected InternalHeaders() {}

  /** Called once by {@link Header}'s static initializer. */
  public static void register(InternalHeaders impl) {
    if (instance == null) instance = impl;
  }

  /** A header from decoded bytes: ids canonical, lists immutable. Other fields are still checked. */
  public static Header decoded(List<String> correlationIds, String messageId, List<String> parentIds,
      String producerId, String payloadSchemaUri, long ticksFromEpoch, Tags mtags, Tags ptags) {
    InternalHeaders i = instance;
    if (i == null) {
      i = Header.internals(); // initializes Header, which registers itself
    }
    return i.build(correlationIds, messageId, parentIds, producerId, payloadSchemaUri, ticksFromEpoch, mtags, ptags);
  }

  protected abstract Header build(List<String> correlationIds, String messageId, List<String> parentIds,
      String producerId, String payloadSchemaUri, long ticksFromEpoch, Tags mtags, Tags ptags);
}
