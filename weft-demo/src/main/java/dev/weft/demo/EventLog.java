package dev.weft.demo;

import dev.weft.core.event.TelemetryEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The events the demo keeps for its summary: all of them up to a bound, then counts only. */
final class EventLog {
  private final int retain;
  private final List<TelemetryEvent> events = new ArrayList<>();
  private final AtomicLong count = new AtomicLong();

  EventLog(int retain) {
    this.retain = retain;
  }

  synchronized void add(TelemetryEvent e) {
    count.incrementAndGet();
    if (events.size() < retain) events.add(e);
  }

  long count() {
    return count.get();
  }

  synchronized List<TelemetryEvent> events() {
    return new ArrayList<>(events);
  }
}
