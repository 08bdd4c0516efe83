package dev.weft.core.sink;

import dev.weft.core.event.EventSource;
import dev.weft.core.event.TelemetryEvent;
import java.time.Duration;

/**
 * Where a tracer's events go. The one method a sink must have is {@link #send}; like Zipkin's {@code SpanConsumer},
 * the SPI is small on purpose.
 *
 * <p>Contract: {@code send} is called on application threads, so it must never block and never throw. A sink that
 * cannot take an event drops it and counts the drop in {@link #stats()}.
 */
public interface TelemetrySink extends AutoCloseable {
  /** Accepts one event. Never blocks, never throws. */
  void send(TelemetryEvent event);

  /**
   * Accepts one part of an event source, to be rendered as an event later. The default renders it at once; an
   * asynchronous sink defers that to its own thread, which is how the tracer keeps the application thread cheap.
   */
  default void send(EventSource source, int part) {
    send(source.toEvent(part));
  }

  /** Counters of what this sink accepted, exported and dropped. */
  default SinkStats stats() {
    return SinkStats.NONE;
  }

  /**
   * Waits until every event sent before this call has been exported, or the timeout passes. Not for hot paths: for
   * shutdown hooks and tests.
   *
   * @return true if everything was exported in time
   */
  default boolean flush(Duration timeout) {
    return true;
  }

  /** Exports what is buffered, then releases resources. Never throws. */
  @Override
  default void close() {}
}
