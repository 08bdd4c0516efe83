package dev.weft.core.channel;

import dev.weft.core.Result;
import java.util.Objects;

/** A publish/subscribe channel seen from a subscriber, as the seed's {@code SubClient}: the channel and its decoder. */
public record SubClient<M, A>(Channel channel, Decoder<M, A> decoder) {
  public SubClient {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(decoder, "decoder");
  }

  public Result<Decoded<A>, String> decode(M message) {
    return decoder.decode(message);
  }
}
