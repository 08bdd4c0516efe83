package dev.weft.core.channel;

import dev.weft.core.Limits;
import java.util.Objects;

/**
 * A named endpoint on a medium with a message type: a Kafka topic, an HTTP route, an event-store stream.
 *
 * @param medium the medium, lower-case: {@code kafka}, {@code http}, {@code jdbc}, {@code memory}
 * @param name the endpoint on that medium, e.g. the topic {@code sku-updates}
 * @param schema the message type sent on it ({@code payload_schema_uri}); for request/reply, the request type
 * @param replySchema for request/reply, the reply type; null for pub/sub
 */
public record Channel(String medium, String name, String schema, String replySchema) {
  public Channel {
    if (medium == null || !medium.matches("[a-z][a-z0-9-]{0,31}")) {
      throw new IllegalArgumentException("medium: expected a lower-case name like kafka, http or jdbc, got " + medium);
    }
    if (!Limits.isToken(name, 200)) {
      throw new IllegalArgumentException("channel name: 1..200 printable ASCII characters without spaces or , ; = \" \\");
    }
    if (!Limits.isToken(schema, Limits.MAX_SCHEMA_URI_LENGTH)) {
      throw new IllegalArgumentException("schema: a payload_schema_uri such as urn:shop:SkuUpdated:v1");
    }
    if (replySchema != null && !Limits.isToken(replySchema, Limits.MAX_SCHEMA_URI_LENGTH)) {
      throw new IllegalArgumentException("replySchema: a payload_schema_uri");
    }
  }

  /** A pub/sub channel. */
  public static Channel pubSub(String medium, String name, String schema) {
    return new Channel(medium, name, schema, null);
  }

  /** A request/reply channel. */
  public static Channel reqRep(String medium, String name, String requestSchema, String replySchema) {
    return new Channel(medium, name, requestSchema, Objects.requireNonNull(replySchema, "replySchema"));
  }

  /**
   * A legal channel name made from arbitrary text (a stream id, a topic pattern): cut to 200 characters, with every
   * character a name cannot hold (space, control, non-ASCII, {@code , ; = " \}) replaced by {@code _}. Mediums use it
   * so that an odd name still yields a channel instead of events the tracer has to drop.
   */
  public static String sanitizeName(String text) {
    if (text == null || text.isEmpty()) return "_";
    int n = Math.min(text.length(), 200);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      boolean ok = c > ' ' && c < 0x7f && c != ',' && c != ';' && c != '=' && c != '"' && c != '\\';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  /** {@code medium:name}, the channel id used in events, e.g. {@code kafka:sku-updates}. */
  public String id() {
    return medium + ":" + name;
  }

  /** True for request/reply. */
  public boolean isRequestReply() {
    return replySchema != null;
  }
}
