package dev.weft.core.sink;

import dev.weft.core.event.TelemetryEvent;
import java.util.List;

/**
 * The end of the asynchronous export path: writes a batch somewhere (a file, Kafka, HTTP). It runs on the sink's own
 * thread, never on an application thread, so it may block and may throw; a throw is counted as a failed export.
 */
@FunctionalInterface
public interface BatchExporter extends AutoCloseable {
  /** Writes one batch. The list is only valid during the call. */
  void export(List<TelemetryEvent> batch) throws Exception;

  /** Releases resources after the last batch. */
  @Override
  default void close() throws Exception {}
}
