package dev.weft.core;

import dev.weft.core.event.ErrorInfo;
import dev.weft.core.event.EventSource;
import dev.weft.core.event.EventType;
import dev.weft.core.event.TelemetryEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * Work a service does: started, then completed or failed. Latency is computed from the two; inputs are the messages
 * it consumes (several for a fan-in) and its outputs are the messages it {@linkplain #prepareOut prepares}.
 *
 * <p>Every method is safe to call from application code: nothing throws, and a misuse (a tag after the end, a second
 * outcome) is ignored and counted in {@link Faults}. Use it with try-with-resources; closing an operation that has no
 * outcome reports a FAIL with status {@value TelemetryEvent#STATUS_NO_OUTCOME}:
 *
 * <pre>{@code
 * try (Operation op = tracer.start("UpdateInventory", envelope)) {
 *   op.tag("sku", sku);
 *   ...
 *   op.complete();
 * }
 * }</pre>
 *
 * An operation is meant to be used by one thread at a time; its outcome is decided once, atomically.
 *
 * <p>The operation is also the {@link EventSource} of its own START and end events: the application thread records
 * facts in plain fields, and the events are built on the sink's thread (see {@code RATIONALE.md}).
 */
public final class Operation implements AutoCloseable, EventSource {
  /** The parts of the event source: START and the end event (COMPLETE or FAIL). */
  static final int START = 0;
  static final int END = 1;

  private static final int RUNNING = 0;
  private static final int ENDED = 1;
  private static final AtomicIntegerFieldUpdater<Operation> STATE =
      AtomicIntegerFieldUpdater.newUpdater(Operation.class, "state");

  final Tracer tracer;
  final String name;
  private final long idBits;
  private String idText; // formatted on first use; a benign race, since Strings are immutable
  final String parentOpId;
  final List<String> correlationIds;
  final List<Header> inputs;
  private final Tags startPtags;
  Tags ptags;
  final long startNanos; // the one clock read at the start; ticks are derived from it when rendering
  long startSeq;

  private String[] tagKv; // key, value, key, value...
  private int tagCount;
  private volatile int state;
  private long durationNanos = -1;
  private long endSeq;
  private String status;
  private ErrorInfo error;

  Operation(Tracer tracer, String name, String parentOpId, List<String> correlationIds, List<Header> inputs,
      Tags ptags) {
    this.tracer = tracer;
    this.name = name;
    long bits = java.util.concurrent.ThreadLocalRandom.current().nextLong();
    this.idBits = bits == 0 ? 1 : bits;
    this.parentOpId = parentOpId;
    this.correlationIds = correlationIds;
    this.inputs = inputs;
    this.startPtags = ptags;
    this.ptags = ptags;
    this.startNanos = System.nanoTime();
  }

  /** The operation's name. */
  public String name() {
    return name;
  }

  /** The operation instance id: 16 hex characters. */
  public String id() {
    String id = idText;
    if (id == null) idText = id = Ids.toHex(idBits);
    return id;
  }

  /** The primary trace id. */
  public String traceId() {
    return correlationIds.get(0);
  }

  /** Every trace this operation belongs to. */
  public List<String> correlationIds() {
    return correlationIds;
  }

  /** The headers of the messages this operation consumes. */
  public List<Header> inputs() {
    return inputs;
  }

  /** True until complete, fail or close. */
  public boolean isRunning() {
    return state == RUNNING;
  }

  /** Elapsed time: up to now while running, start to end once ended. Monotonic. */
  public long durationNanos() {
    long d = durationNanos;
    return d >= 0 ? d : System.nanoTime() - startNanos;
  }

  /**
   * Sets a tag, emitted with the outcome. Keys are 1..64 characters of {@code [A-Za-z0-9_.:-]}; values are cut at 256
   * characters. Setting a key twice keeps the last value.
   */
  public Operation tag(String key, String value) {
    try {
      if (state != RUNNING) {
        Faults.count(Fault.OPERATION_ALREADY_ENDED);
        return this;
      }
      if (!Limits.isTagKey(key) || value == null) {
        Faults.count(Fault.TAG_DROPPED);
        return this;
      }
      if (!Limits.isTagValue(value)) {
        Faults.count(Fault.TAG_DROPPED);
        value = Limits.cleanTagValue(value);
      }
      String[] kv = tagKv;
      if (kv == null) tagKv = kv = new String[8];
      int n = tagCount;
      for (int i = 0; i < n; i++) {
        if (kv[2 * i].equals(key)) {
          kv[2 * i + 1] = value;
          return this;
        }
      }
      if (n == Limits.MAX_TAGS) {
        Faults.count(Fault.TAG_DROPPED);
        return this;
      }
      if (2 * n == kv.length) tagKv = kv = java.util.Arrays.copyOf(kv, kv.length * 2);
      kv[2 * n] = key;
      kv[2 * n + 1] = value;
      tagCount = n + 1;
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
    }
    return this;
  }

  /** Sets a numeric tag. */
  public Operation tag(String key, long value) {
    return tag(key, Long.toString(value));
  }

  /**
   * Sets a propagated tag: every message this operation prepares carries it, and so do their descendants. It also
   * appears in the outcome's tags, so it is searchable.
   */
  public Operation ptag(String key, String value) {
    try {
      if (state != RUNNING) {
        Faults.count(Fault.OPERATION_ALREADY_ENDED);
        return this;
      }
      ptags = ptags.with(key, value);
      tag(key, value);
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
    }
    return this;
  }

  /** Emits a custom event (an annotation or a log line) inside this operation, e.g. {@code CACHE_MISS}. */
  public Operation event(String eventType, Map<String, String> tags) {
    tracer.emitCustom(eventType, this, tags);
    return this;
  }

  /** The context of this operation, to hand to code that prepares messages or starts child operations. */
  public TraceContext context() {
    return new TraceContext(correlationIds.get(0), correlationIds, name, id(), Tags.empty(), inputs, ptags);
  }

  /** A child operation in the same process and traces: its {@code parent_op_id} is this operation. */
  public Operation child(String childName) {
    return tracer.startChild(childName, this);
  }

  /**
   * An output message of this operation: its header is propagated from every input (so a fan-in lists them all as
   * parents), or is an origin in this operation's trace if there are none, and carries this operation's ptags.
   */
  public <Q> Envelope<Stage.Out, Q> prepareOut(String payloadSchemaUri, Q payload) {
    return prepareOut(payloadSchemaUri, payload, Map.of());
  }

  /** An output message with message tags. */
  public <Q> Envelope<Stage.Out, Q> prepareOut(String payloadSchemaUri, Q payload, Map<String, String> mtags) {
    Header h = context().headerFor(tracer.service(), payloadSchemaUri, mtags);
    return Envelope.prepareOutFromHeaders(h, payload);
  }

  /**
   * The header an output of this operation would carry, without an envelope: for mediums that write headers into
   * records themselves (interceptors, stream processors).
   */
  public Header outputHeader(String payloadSchemaUri) {
    return context().headerFor(tracer.service(), payloadSchemaUri, Map.of());
  }

  /** Ends the operation successfully. Emits COMPLETE. */
  public void complete() {
    end(TelemetryEvent.STATUS_OK, null);
  }

  /** Ends the operation with an exception: the error type is its class name, the message its message. Emits FAIL. */
  public void fail(Throwable error) {
    end(TelemetryEvent.STATUS_ERROR, error == null ? new ErrorInfo("unknown", "") : ErrorInfo.of(error));
  }

  /** Ends the operation with a domain error, e.g. {@code fail("OUT_OF_STOCK", "sku 42 has 0 left")}. Emits FAIL. */
  public void fail(String errorType, String message) {
    end(TelemetryEvent.STATUS_ERROR, new ErrorInfo(errorType == null || errorType.isEmpty() ? "error" : errorType,
        message));
  }

  /** Ends the operation if it has no outcome yet, reporting that it had none. */
  @Override
  public void close() {
    if (state != RUNNING) return;
    if (end(TelemetryEvent.STATUS_NO_OUTCOME,
        new ErrorInfo("weft.NoOutcome", "operation closed without complete() or fail()"))) {
      Faults.count(Fault.OPERATION_NO_OUTCOME);
    }
  }

  /** Makes this the current operation of this thread until the scope closes. */
  public Scope makeCurrent() {
    return tracer.makeCurrent(this);
  }

  private boolean end(String endStatus, ErrorInfo endError) {
    try {
      if (!STATE.compareAndSet(this, RUNNING, ENDED)) {
        Faults.count(Fault.OPERATION_ALREADY_ENDED);
        return false;
      }
      durationNanos = System.nanoTime() - startNanos;
      status = endStatus;
      error = endError;
      tracer.emitEnd(this);
      return true;
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
      return false;
    }
  }

  void setEndSeq(long seq) {
    endSeq = seq;
  }

  // ------------------------------------------------------------------ rendering, on the sink's thread

  @Override
  public TelemetryEvent toEvent(int part) {
    List<String> extra = correlationIds.size() > 1 ? correlationIds : List.of();
    if (part == START) {
      return new TelemetryEvent(TelemetryEvent.VERSION, tracer.eventId(startSeq), EventType.START,
          correlationIds.get(0), extra, Ticks.fromNanoTime(startNanos), tracer.service(), tracer.instanceId(), startSeq, name, id(),
          parentOpId, null, null, startPtags, null, Tracer.inputIds(inputs), tracer.resource(), null);
    }
    String type = TelemetryEvent.STATUS_OK.equals(status) ? EventType.COMPLETE : EventType.FAIL;
    Tags tags = tagCount == 0 ? Tags.empty() : Tags.ofInterleaved(tagKv, tagCount);
    return new TelemetryEvent(TelemetryEvent.VERSION, tracer.eventId(endSeq), type, correlationIds.get(0), extra,
        Ticks.fromNanoTime(startNanos + durationNanos), tracer.service(), tracer.instanceId(), endSeq, name, id(), parentOpId,
        status, error, tags, null, List.of(), Map.of(), null);
  }

  @Override
  public String toString() {
    return "Operation{" + name + " " + id() + " trace=" + traceId() + (isRunning() ? " running" : " ended") + "}";
  }
}
