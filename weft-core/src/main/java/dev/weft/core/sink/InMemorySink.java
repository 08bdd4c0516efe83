package dev.weft.core.sink;

import dev.weft.core.event.TelemetryEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/** Keeps every event in memory, in arrival order. For tests and examples; it is unbounded. */
public final class InMemorySink implements TelemetrySink {
  private final ConcurrentLinkedQueue<TelemetryEvent> events = new ConcurrentLinkedQueue<>();
  private final LongAdder accepted = new LongAdder();

  @Override
  public void send(TelemetryEvent event) {
    if (event == null) return;
    accepted.increment();
    events.add(event);
  }

  /** A snapshot of the events so far. */
  public List<TelemetryEvent> events() {
    return new ArrayList<>(events);
  }

  /** The events of one type, in order. */
  public List<TelemetryEvent> ofType(String eventType) {
    List<TelemetryEvent> out = new ArrayList<>();
    for (TelemetryEvent e : events) if (e.eventType().equals(eventType)) out.add(e);
    return out;
  }

  public void clear() {
    events.clear();
  }

  @Override
  public SinkStats stats() {
    long n = accepted.sum();
    return new SinkStats(n, n, 0, 0, 0, Long.MAX_VALUE);
  }
}
