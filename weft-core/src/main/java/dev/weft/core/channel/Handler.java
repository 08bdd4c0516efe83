package dev.weft.core.channel;

import dev.weft.core.Envelope;
import dev.weft.core.Operation;
import dev.weft.core.Stage;

/**
 * Application code that handles one received message inside its operation. Returning normally completes the
 * operation (unless the handler ended it itself); throwing fails it with the exception, which then propagates.
 */
@FunctionalInterface
public interface Handler<A> {
  void handle(Envelope<Stage.In, A> message, Operation operation) throws Exception;
}
