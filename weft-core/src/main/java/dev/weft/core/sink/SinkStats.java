package dev.weft.core.sink;

/**
 * What a sink did with the events it was given. {@code accepted = exported + dropped + exportFailed + queued} once the
 * sink is idle, so nothing disappears without a count.
 *
 * @param accepted events given to {@code send}
 * @param exported events handed to the exporter successfully
 * @param dropped events refused because the buffer was full or the sink was closed
 * @param exportFailed events in batches whose export threw
 * @param queued events waiting in the buffer now
 * @param capacity the buffer's bound, in events
 */
public record SinkStats(long accepted, long exported, long dropped, long exportFailed, long queued, long capacity) {
  /** For sinks that keep no counts. */
  public static final SinkStats NONE = new SinkStats(0, 0, 0, 0, 0, 0);

  /** Events that will never be exported: dropped plus failed. */
  public long lost() {
    return dropped + exportFailed;
  }
}
