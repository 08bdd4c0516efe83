package dev.weft.core.channel;

import dev.weft.core.Envelope;
import dev.weft.core.Stage;
import dev.weft.core.TraceContext;
import dev.weft.core.carrier.Extraction;

/**
 * A received message: the envelope, the context to continue in, and how its header was found.
 *
 * @param envelope the message, with the Weft header it carried or an adopted origin header
 * @param context the trace context: the message's traces with the message as the cause
 * @param extraction where the trace came from, and any header problem
 */
public record Decoded<A>(Envelope<Stage.In, A> envelope, TraceContext context, Extraction extraction) {
  public A value() {
    return envelope.payload();
  }
}
