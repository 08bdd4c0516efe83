package dev.weft.core.channel;

import java.util.Objects;

/**
 * A request/reply channel seen from the caller: it encodes requests {@code A} into medium type {@code I} and decodes
 * replies of medium type {@code O} into {@code B}.
 */
public record ReqRepClient<I, O, A, B>(Channel channel, Encoder<I, A> encoder, Decoder<O, B> decoder) {
  public ReqRepClient {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(decoder, "decoder");
    if (!channel.isRequestReply()) throw new IllegalArgumentException("channel " + channel.id() + " is not request/reply");
  }
}
