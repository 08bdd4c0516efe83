package dev.weft.core.channel;

import dev.weft.core.Envelope;
import dev.weft.core.Stage;

/**
 * Turns an outgoing envelope into a medium's message type {@code M} (a Kafka record, an HTTP request, a row), writing
 * its header into the medium's carrier. Takes only {@link Stage.Out}: an envelope that was never prepared for output
 * does not compile.
 */
@FunctionalInterface
public interface Encoder<M, A> {
  M encode(Envelope<Stage.Out, A> envelope) throws Exception;
}
