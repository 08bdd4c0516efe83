package dev.weft.core;

import dev.weft.core.event.EventType;
import dev.weft.core.event.MessageInfo;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.SinkStats;
import dev.weft.core.sink.TelemetrySink;
import dev.weft.core.topology.DeclaredTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts operations and emits the telemetry events of one service: START, COMPLETE, FAIL, SEND, RECEIVE, DECLARE and
 * custom types.
 *
 * <p>Each tracer is one emitter: it has its own {@code instance_id} and numbers its events with a gap-free
 * {@code seq}, so a receiver that sees a gap knows telemetry was lost. Nothing here throws into application code:
 * faults are swallowed and counted (see {@link #stats()}).
 */
public final class Tracer implements AutoCloseable {
  private final String service;
  private final String instanceId;
  private final TelemetrySink sink;
  private final Map<String, String> resource;
  private final AtomicLong seq = new AtomicLong();
  private final ThreadLocal<Operation> current = new ThreadLocal<>();

  private Tracer(Builder b) {
    this.service = b.service;
    this.instanceId = b.instanceId != null ? b.instanceId : Ids.newId();
    this.sink = b.sink;
    // sorted once here, so that the writer need not sort it for every START event
    this.resource = Collections.unmodifiableSortedMap(
        new TreeMap<>(b.resource != null ? Map.copyOf(b.resource) : Resource.detect()));
  }

  /** A builder for the service named {@code service} (its producer id). */
  public static Builder builder(String service) {
    return new Builder(service);
  }

  /** Tracer options. */
  public static final class Builder {
    private final String service;
    private TelemetrySink sink;
    private Map<String, String> resource;
    private String instanceId;

    private Builder(String service) {
      if (!Limits.isToken(service, Limits.MAX_PRODUCER_ID_LENGTH)) {
        throw new IllegalArgumentException("service: expected 1.." + Limits.MAX_PRODUCER_ID_LENGTH
            + " printable ASCII characters without spaces or , ; = \" \\, got \"" + service + "\"");
      }
      this.service = service;
    }

    /** Where events go. Required. */
    public Builder sink(TelemetrySink sink) {
      this.sink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /** Resource attributes; default {@link Resource#detect()}. */
    public Builder resource(Map<String, String> resource) {
      this.resource = Objects.requireNonNull(resource, "resource");
      return this;
    }

    /** The emitter's instance id; default a random id. */
    public Builder instanceId(String instanceId) {
      // event ids are instanceId-seq and must fit in 64 characters with a 19-digit seq
      if (!Limits.isToken(instanceId, 40)) throw new IllegalArgumentException("instanceId: 1..40 token characters");
      this.instanceId = instanceId;
      return this;
    }

    public Tracer build() {
      if (sink == null) throw new IllegalStateException("a sink is required: Tracer.builder(name).sink(...)");
      return new Tracer(this);
    }
  }

  /** The service name: the producer id of every message this tracer prepares. */
  public String service() {
    return service;
  }

  /** This emitter's instance id. */
  public String instanceId() {
    return instanceId;
  }

  /** The resource attributes sent on START and DECLARE events. */
  public Map<String, String> resource() {
    return resource;
  }

  // ------------------------------------------------------------------ starting operations

  /** Starts an operation in a new trace, with no inputs: the beginning of a flow, such as an HTTP request. */
  public Operation start(String name) {
    return startFrom(name, null, List.of(Ids.newId()), List.of(), Tags.empty());
  }

  /**
   * Starts an operation in a context: inside the context's operation (as a child), consuming the context's causes.
   */
  public Operation start(String name, TraceContext context) {
    if (context == null) {
      Faults.count(Fault.BAD_ARGUMENT);
      return start(name);
    }
    return startFrom(name, context.opId(), context.correlationIds(), context.causes(), context.ptags());
  }

  /** Starts an operation that handles one received message. */
  public Operation start(String name, Envelope<?, ?> input) {
    if (input == null) {
      Faults.count(Fault.BAD_ARGUMENT);
      return start(name);
    }
    Header h = input.header();
    return startFrom(name, parentOpIdHere(), h.correlationIds(), List.of(h), h.ptags());
  }

  /**
   * Starts an operation over several messages: a fan-in (join, batch, aggregate). Its inputs are all of them; it
   * belongs to the union of their traces; its outputs list every one as a parent.
   */
  public Operation start(String name, Collection<? extends Envelope<?, ?>> inputs) {
    if (inputs == null || inputs.isEmpty()) {
      if (inputs == null) Faults.count(Fault.BAD_ARGUMENT);
      return start(name);
    }
    List<Header> headers = new ArrayList<>(inputs.size());
    for (Envelope<?, ?> e : inputs) if (e != null) headers.add(e.header());
    return startFromHeaders(name, headers);
  }

  /** Starts an operation over the given message headers. */
  public Operation startFromHeaders(String name, List<Header> inputs) {
    if (inputs == null || inputs.isEmpty()) return start(name);
    if (inputs.size() == 1) {
      Header h = inputs.get(0);
      return startFrom(name, parentOpIdHere(), h.correlationIds(), List.of(h), h.ptags());
    }
    LinkedHashSet<String> traces = new LinkedHashSet<>();
    Tags ptags = Tags.empty();
    for (Header h : inputs) {
      traces.addAll(h.correlationIds());
      ptags = ptags.mergeKeepingMine(h.ptags());
    }
    return startFrom(name, parentOpIdHere(), List.copyOf(traces), List.copyOf(inputs), ptags);
  }

  Operation startChild(String name, Operation parent) {
    return startFrom(name, parent.id(), parent.correlationIds, List.of(), parent.ptags);
  }

  private String parentOpIdHere() {
    Operation cur = current.get();
    return cur == null ? null : cur.id();
  }

  private Operation startFrom(String name, String parentOpId, List<String> traces, List<Header> inputs, Tags ptags) {
    String opName = cleanName(name);
    Operation op = new Operation(this, opName, parentOpId, traces, inputs, ptags);
    try {
      emitStart(op);
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
    }
    return op;
  }

  /** Op names reach the event log and the UI: at most 128 characters, no control characters. */
  private static String cleanName(String name) {
    if (name == null || name.isEmpty()) {
      Faults.count(Fault.BAD_ARGUMENT);
      return "unnamed";
    }
    String n = name.length() > 128 ? name.substring(0, 128) : name;
    boolean clean = n == name;
    for (int i = 0; i < n.length() && clean; i++) if (Character.isISOControl(n.charAt(i))) clean = false;
    if (clean) return n;
    Faults.count(Fault.BAD_ARGUMENT);
    StringBuilder sb = new StringBuilder(n.length());
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      sb.append(Character.isISOControl(c) ? '?' : c);
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ current operation

  /** The operation made current on this thread, or null. */
  public Operation current() {
    return current.get();
  }

  Scope makeCurrent(Operation op) {
    Operation previous = current.get();
    current.set(op);
    return () -> current.set(previous);
  }

  // ------------------------------------------------------------------ events

  private long nextSeq() {
    return seq.getAndIncrement();
  }

  String eventId(long s) {
    return instanceId + "-" + s;
  }

  private static List<String> extraTraces(List<String> traces) {
    return traces.size() > 1 ? traces : List.of();
  }

  /** Most input ids one START event lists; the event reader's bound. */
  static final int MAX_INPUTS = dev.weft.core.event.EventJson.MAX_INPUTS;

  static List<String> inputIds(List<Header> inputs) {
    int n = inputs.size();
    if (n == 0) return List.of();
    if (n > MAX_INPUTS) {
      Faults.count(Fault.HEADER_TRUNCATED, n - MAX_INPUTS);
      n = MAX_INPUTS;
    }
    if (n == 1) return List.of(inputs.get(0).messageId());
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) ids[i] = inputs.get(i).messageId();
    return List.of(ids);
  }

  void emitStart(Operation op) {
    op.startSeq = nextSeq();
    send(op, Operation.START);
  }

  void emitEnd(Operation op) {
    op.setEndSeq(nextSeq());
    send(op, Operation.END);
  }

  void emitCustom(String eventType, Operation op, Map<String, String> tags) {
    try {
      if (!EventType.isValid(eventType) || EventType.isStandard(eventType)) {
        Faults.count(Fault.BAD_ARGUMENT);
        return;
      }
      long s = nextSeq();
      send(new TelemetryEvent(TelemetryEvent.VERSION, eventId(s), eventType, op.correlationIds.get(0),
          extraTraces(op.correlationIds), Ticks.now(), service, instanceId, s, op.name, op.id(), op.parentOpId, null,
          null, Tags.lenient(tags), null, List.of(), Map.of(), null));
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
    }
  }

  /** Emits a custom event in a context, outside any operation object. */
  public void event(String eventType, TraceContext context, Map<String, String> tags) {
    try {
      if (context == null || !EventType.isValid(eventType) || EventType.isStandard(eventType)) {
        Faults.count(Fault.BAD_ARGUMENT);
        return;
      }
      long s = nextSeq();
      send(new TelemetryEvent(TelemetryEvent.VERSION, eventId(s), eventType, context.traceId(),
          extraTraces(context.correlationIds()), Ticks.now(), service, instanceId, s, context.op(), context.opId(),
          null, null, null, Tags.lenient(tags), null, List.of(), Map.of(), null));
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
    }
  }

  /**
   * Emits SEND: a message left on a channel. Mediums call this when they hand the message to the transport.
   *
   * @param sender the operation that produced it, or null
   */
  public void sent(Header header, String channel, Operation sender) {
    message(EventType.SEND, header, channel, sender, Ticks.now());
  }

  /**
   * Emits RECEIVE: a message arrived from a channel. The server derives the queue wait from the message's
   * {@code ticks_from_epoch} and this event's timestamp.
   *
   * @param receiver the operation that will handle it, or null
   */
  public void received(Header header, String channel, Operation receiver) {
    message(EventType.RECEIVE, header, channel, receiver, Ticks.now());
  }

  private void message(String type, Header header, String channel, Operation op, long ticks) {
    try {
      if (header == null || !Limits.isToken(channel, 256)) {
        Faults.count(Fault.BAD_ARGUMENT);
        return;
      }
      long s = nextSeq();
      send(new TelemetryEvent(TelemetryEvent.VERSION, eventId(s), type, header.traceId(),
          extraTraces(header.correlationIds()), ticks, service, instanceId, s, op == null ? null : op.name,
          op == null ? null : op.id(), null, null, null, Tags.empty(), new MessageInfo(header, channel), List.of(),
          Map.of(), null));
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
    }
  }

  /**
   * Emits DECLARE: this service's declared topology, usually once at start-up. Its trace id is a fresh one: a
   * declaration belongs to no business flow.
   */
  public void declare(DeclaredTopology topology) {
    try {
      if (topology == null || !Limits.isToken(topology.service(), 128)) {
        Faults.count(Fault.BAD_ARGUMENT);
        return;
      }
      long s = nextSeq();
      send(new TelemetryEvent(TelemetryEvent.VERSION, eventId(s), EventType.DECLARE, Ids.newId(), List.of(),
          Ticks.now(), service, instanceId, s, null, null, null, null, null, Tags.empty(), null, List.of(), resource,
          topology));
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
    }
  }

  private void send(TelemetryEvent e) {
    try {
      sink.send(e);
    } catch (RuntimeException ex) {
      Faults.count(Fault.SINK_ERROR);
    }
  }

  private void send(Operation op, int part) {
    try {
      sink.send(op, part);
    } catch (RuntimeException ex) {
      Faults.count(Fault.SINK_ERROR);
    }
  }

  // ------------------------------------------------------------------ lifecycle and stats

  /** What this tracer did and what it swallowed. */
  public TracerStats stats() {
    return new TracerStats(seq.get(), sink.stats(), Faults.snapshot());
  }

  /** Waits until the sink exported everything emitted so far. */
  public boolean flush(Duration timeout) {
    try {
      return sink.flush(timeout);
    } catch (RuntimeException e) {
      Faults.count(Fault.SINK_ERROR);
      return false;
    }
  }

  /** Closes the sink, exporting what it holds. */
  @Override
  public void close() {
    try {
      sink.close();
    } catch (RuntimeException e) {
      Faults.count(Fault.SINK_ERROR);
    }
  }

  /**
   * A tracer's counters.
   *
   * @param eventsEmitted events handed to the sink (the next {@code seq})
   * @param sink the sink's own counters, including drops
   * @param faults faults swallowed in this process, by kind
   */
  public record TracerStats(long eventsEmitted, SinkStats sink, Map<Fault, Long> faults) {}
}
