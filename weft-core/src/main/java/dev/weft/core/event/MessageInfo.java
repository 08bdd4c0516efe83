package dev.weft.core.event;

import dev.weft.core.Header;
import java.util.Objects;

/**
 * The {@code message} of a SEND or RECEIVE event: the message's header plus the channel it travelled on.
 *
 * @param header the wire header
 * @param channel the channel id, {@code medium:name}, e.g. {@code kafka:sku-updates}
 */
public record MessageInfo(Header header, String channel) {
  public MessageInfo {
    Objects.requireNonNull(header, "message header");
    Objects.requireNonNull(channel, "message.channel");
  }
}
