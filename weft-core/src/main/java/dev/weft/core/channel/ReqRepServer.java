package dev.weft.core.channel;

import java.util.Objects;

/**
 * A request/reply channel seen from the server, as the seed's {@code ReqRepServer<'i,'o,'a,'b>}: it decodes requests
 * of medium type {@code I} into {@code A} and encodes replies {@code B} into medium type {@code O}.
 */
public record ReqRepServer<I, O, A, B>(Channel channel, Decoder<I, A> decoder, Encoder<O, B> encoder) {
  public ReqRepServer {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(decoder, "decoder");
    Objects.requireNonNull(encoder, "encoder");
    if (!channel.isRequestReply()) throw new IllegalArgumentException("channel " + channel.id() + " is not request/reply");
  }
}
