package dev.weft.core.channel;

import dev.weft.core.Envelope;
import dev.weft.core.Header;
import dev.weft.core.Result;
import dev.weft.core.carrier.Extraction;
import dev.weft.core.carrier.Propagation;
import java.util.LinkedHashMap;

/** Encoders and decoders between envelopes and {@link BinaryMessage}s, for any record-shaped medium. */
public final class BinaryCodecs {
  private BinaryCodecs() {}

  /** Writes the payload with {@code codec} and the header with {@code propagation}. */
  public static <A> Encoder<BinaryMessage, A> encoder(PayloadCodec<A> codec, Propagation propagation) {
    return envelope -> {
      BinaryMessage m = new BinaryMessage(codec.encode(envelope.payload()), new LinkedHashMap<>());
      propagation.inject(envelope.header(), m.carrier());
      return m;
    };
  }

  /**
   * Reads the header (adopting an origin when it is missing or bad, see {@link Extraction#receivedHeader}) and the
   * payload. Only an unreadable payload is an error.
   */
  public static <A> Decoder<BinaryMessage, A> decoder(Channel channel, PayloadCodec<A> codec,
      Propagation propagation) {
    return message -> {
      Extraction x = propagation.extract(message.carrier());
      Header h = x.receivedHeader(channel.schema());
      A value;
      try {
        value = codec.decode(message.payload());
      } catch (Exception e) {
        return Result.err("payload of " + channel.id() + " unreadable: " + e);
      }
      return Result.ok(new Decoded<>(Envelope.in(h, value), dev.weft.core.TraceContext.of(h), x));
    };
  }
}
