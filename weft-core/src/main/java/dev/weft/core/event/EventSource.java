package dev.weft.core.event;

/**
 * Something that becomes a telemetry event when an exporter reads it. The tracer hands sinks its operations as
 * sources instead of finished events, so the application thread pays only for recording the facts; building the
 * {@link TelemetryEvent} (ids as hex, the event id, the tag map) happens on the export thread, and only if the exporter
 * looks at it.
 */
public interface EventSource {
  /**
   * The event for {@code part} of this source (an operation has a START part and an end part). Called at most once per
   * part by the export path, after the part was sent.
   */
  TelemetryEvent toEvent(int part);
}
