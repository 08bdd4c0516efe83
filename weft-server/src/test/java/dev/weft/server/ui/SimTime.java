package dev.weft.server.ui;

import dev.weft.core.Header;
import dev.weft.core.Ticks;
import dev.weft.core.event.MessageInfo;
import dev.weft.core.event.TelemetryEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Simulated time for fixtures made by real tracers. Tracers read the real clock; the fixture calls {@link #advance}
 * between steps, which records an anchor (real time now → simulated time). {@link #retime} then maps every
 * timestamp of the events (and the header times inside SEND/RECEIVE) through the anchors, so a flow that ran in
 * microseconds looks like one that took the queue waits and processing times the fixture chose.
 */
final class SimTime {
  private final TreeMap<Long, Long> anchors = new TreeMap<>();
  private long sim;
  private long lastReal = Long.MIN_VALUE;

  SimTime(long startSimTicks) {
    sim = startSimTicks;
    anchor();
  }

  long now() {
    return sim;
  }

  void advance(Duration d) {
    advanceTicks(d.toNanos() / 100);
  }

  void advanceMs(double ms) {
    advanceTicks(Math.max(1, Math.round(ms * Ticks.PER_MILLI)));
  }

  void advanceTicks(long ticks) {
    sim += Math.max(1, ticks);
    anchor();
  }

  /** Moves simulated time forward to {@code ticks} (never back). */
  void jumpTo(long ticks) {
    if (ticks > sim) sim = ticks;
    anchor();
  }

  private void anchor() {
    long real = Ticks.now();
    while (real <= lastReal) real = Ticks.now();
    lastReal = real;
    anchors.put(real, sim);
  }

  long map(long real) {
    Map.Entry<Long, Long> a = anchors.floorEntry(real);
    if (a == null) a = anchors.firstEntry();
    Map.Entry<Long, Long> next = anchors.higherEntry(a.getKey());
    long t = a.getValue() + Math.max(0, real - a.getKey());
    if (next != null) t = Math.min(t, Math.max(a.getValue(), next.getValue() - 1));
    return t;
  }

  List<TelemetryEvent> retime(List<TelemetryEvent> events) {
    List<TelemetryEvent> out = new ArrayList<>(events.size());
    for (TelemetryEvent e : events) {
      MessageInfo m = e.message();
      if (m != null) {
        Header h = m.header();
        m = new MessageInfo(new Header(h.headerVersion(), h.correlationIds(), h.messageId(), h.parentIds(),
            h.producerId(), h.payloadSchemaUri(), map(h.ticksFromEpoch()), h.mtags(), h.ptags()), m.channel());
      }
      out.add(new TelemetryEvent(e.v(), e.eventId(), e.eventType(), e.traceId(), e.correlationIds(),
          map(e.timestamp()), e.service(), e.instanceId(), e.seq(), e.op(), e.opId(), e.parentOpId(), e.status(),
          e.error(), e.tags(), m, e.inputs(), e.resource(), e.topology()));
    }
    return out;
  }
}
