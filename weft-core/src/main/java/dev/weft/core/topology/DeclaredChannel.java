package dev.weft.core.topology;

import java.util.Objects;

/**
 * One channel a service declares: which channel, which message type, and in which direction.
 *
 * @param channel the channel id, {@code medium:name}
 * @param schema the message type sent or received ({@code payload_schema_uri}); for request/reply, the request type
 * @param replySchema for request/reply, the reply type; otherwise null
 * @param direction publish, subscribe, serve or call
 */
public record DeclaredChannel(String channel, String schema, String replySchema, Direction direction) {
  public DeclaredChannel {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(direction, "direction");
  }
}
