package dev.weft.core.channel;

import dev.weft.core.carrier.BinaryCarrier;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message as most mediums hold it: payload bytes and binary headers. It is the in-memory medium's message type and
 * the model the Kafka and event-store mediums follow.
 */
public record BinaryMessage(byte[] payload, Map<String, byte[]> headers) {
  public BinaryMessage {
    headers = headers == null ? new LinkedHashMap<>() : headers;
  }

  public BinaryCarrier carrier() {
    return BinaryCarrier.of(headers);
  }
}
