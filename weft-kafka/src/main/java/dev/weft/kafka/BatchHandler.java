package dev.weft.kafka;

import dev.weft.core.Envelope;
import dev.weft.core.Operation;
import dev.weft.core.Stage;
import java.util.List;

/**
 * Application code that handles several received messages in one operation: a fan-in. The operation's inputs are all
 * of them, so {@link Operation#prepareOut} gives an output whose header lists every one as a parent and belongs to
 * the union of their traces. Returning normally completes the operation (unless the handler ended it); throwing fails
 * it, and the subscriber goes on with the next batch.
 */
@FunctionalInterface
public interface BatchHandler<A> {
  void handle(List<Envelope<Stage.In, A>> messages, Operation operation) throws Exception;
}
