package dev.weft.core;

import dev.weft.core.event.ErrorInfo;
import dev.weft.core.event.TelemetryEvent;
import java.util.Arrays;
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
 */
public final class Operation implements AutoCloseable {
  private static final int RUNNING = 0;
  private static final int ENDED = 1;
  private static final AtomicIntegerFieldUpdater<Operation> STATE =
      AtomicIntegerFieldUpdater.newUpdater(Operation.class, "state");

  final Tracer tracer;
  final String name;
  final String id;
  final String parentOpId;
  final List<String> correlationIds;
  final List<Header> inputs;
  final long startTicks;
  final long startNanos;
  Tags ptags;
  private String[] tagKeys;
  private String[] tagValues;
  private int tagCount;
  private volatile int state;
  private long durationNanos = -1;

  Operation(Tracer tracer, String name, String parentOpId, List<String> correlationIds, List<Header> inputs,
      Tags ptags) {
    this.tracer = tracer;
    this.name = name;
    this.id = Ids.newShortId();
    this.parentOpId = parentOpId;
    this.correlationIds = correlationIds;
    this.inputs = inputs;
    this.ptags = ptags;
    this.startNanos = System.nanoTime();
    this.startTicks = Ticks.now();
  }

  /** The operation's name. */
  public String name() {
    return name;
  }

  /** The operation instance id: 16 hex characters. */
  public String id() {
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
      if (tagKeys == null) {
        tagKeys = new String[4];
        tagValues = new String[4];
      }
      for (int i = 0; i < tagCount; i++) {
        if (tagKeys[i].equals(key)) {
          tagValues[i] = value;
          return this;
        }
      }
      if (tagCount == Limits.MAX_TAGS) {
        Faults.count(Fault.TAG_DROPPED);
        return this;
      }
      if (tagCount == tagKeys.length) {
        tagKeys = Arrays.copyOf(tagKeys, tagCount * 2);
        tagValues = Arrays.copyOf(tagValues, tagCount * 2);
      }
      tagKeys[tagCount] = key;
      tagValues[tagCount] = value;
      tagCount++;
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
    return new TraceContext(correlationIds.get(0), correlationIds, name, id, Tags.empty(), inputs, ptags);
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

  private boolean end(String status, ErrorInfo error) {
    try {
      if (!STATE.compareAndSet(this, RUNNING, ENDED)) {
        Faults.count(Fault.OPERATION_ALREADY_ENDED);
        return false;
      }
      durationNanos = System.nanoTime() - startNanos;
      Tags tags = tagCount == 0 ? Tags.empty() : Tags.ofTrustedArrays(tagKeys, tagValues, tagCount);
      tracer.emitEnd(this, status, error, tags);
      return true;
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
      return false;
    }
  }

  @Override
  public String toString() {
    return "Operation{" + name + " " + id + " trace=" + traceId() + (isRunning() ? " running" : " ended") + "}";
  }
}
