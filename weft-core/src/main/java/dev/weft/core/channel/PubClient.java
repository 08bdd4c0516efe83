package dev.weft.core.channel;

import dev.weft.core.Envelope;
import dev.weft.core.Stage;
import java.util.Objects;

/**
 * A publish/subscribe channel seen from a publisher, as the seed's {@code PubClient}: the channel and the encoder for
 * its messages. A medium's publisher holds one and sends what {@link #encode} makes.
 */
public record PubClient<M, A>(Channel channel, Encoder<M, A> encoder) {
  public PubClient {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(encoder, "encoder");
  }

  public M encode(Envelope<Stage.Out, A> envelope) throws Exception {
    return encoder.encode(envelope);
  }
}
