package dev.weft.core.event;

import dev.weft.core.Tags;
import dev.weft.core.topology.DeclaredTopology;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable fact about an operation or a message: the unit of the telemetry log, JSON version 1 (see
 * {@code docs/event-spec.md}).
 *
 * <p>Fields are nullable where the contract makes them optional; {@code seq} is {@code -1} when absent. Weft's own
 * emitters derive {@code event_id} from {@code instance_id} and {@code seq}, which makes it unique and stable across
 * redelivery: the same event sent twice has the same id, so the server counts it once.
 */
public record TelemetryEvent(
    int v,
    String eventId,
    String eventType,
    String traceId,
    List<String> correlationIds,
    long timestamp,
    String service,
    String instanceId,
    long seq,
    String op,
    String opId,
    String parentOpId,
    String status,
    ErrorInfo error,
    Tags tags,
    MessageInfo message,
    List<String> inputs,
    Map<String, String> resource,
    DeclaredTopology topology) implements EventSource {

  /** The event format version. */
  public static final int VERSION = 1;
  /** Longest {@code event_id}. */
  public static final int MAX_EVENT_ID_LENGTH = 64;
  /** Status written on COMPLETE. */
  public static final String STATUS_OK = "ok";
  /** Status written on FAIL for an error. */
  public static final String STATUS_ERROR = "error";
  /** Status written on FAIL when an operation was closed without an outcome. */
  public static final String STATUS_NO_OUTCOME = "no_outcome";

  public TelemetryEvent {
    Objects.requireNonNull(eventId, "event_id");
    Objects.requireNonNull(eventType, "event_type");
    Objects.requireNonNull(traceId, "trace_id");
    Objects.requireNonNull(service, "service");
    correlationIds = correlationIds == null ? List.of() : correlationIds;
    tags = tags == null ? Tags.empty() : tags;
    inputs = inputs == null ? List.of() : inputs;
    resource = resource == null ? Map.of() : resource;
  }

  /** An event is its own source. */
  @Override
  public TelemetryEvent toEvent(int part) {
    return this;
  }

  /** Every trace this event belongs to: {@code correlation_ids} if given, else just the trace id. */
  public List<String> traces() {
    return correlationIds.isEmpty() ? List.of(traceId) : correlationIds;
  }

  public static Builder builder(String eventType) {
    return new Builder(eventType);
  }

  /** For events with many optional parts: custom annotations, foreign emitters, tests. */
  public static final class Builder {
    private String eventId;
    private final String eventType;
    private String traceId;
    private List<String> correlationIds = List.of();
    private long timestamp = dev.weft.core.Ticks.now();
    private String service;
    private String instanceId;
    private long seq = -1;
    private String op;
    private String opId;
    private String parentOpId;
    private String status;
    private ErrorInfo error;
    private Tags tags = Tags.empty();
    private MessageInfo message;
    private List<String> inputs = List.of();
    private Map<String, String> resource = Map.of();
    private DeclaredTopology topology;

    private Builder(String eventType) {
      this.eventType = eventType;
    }

    public Builder eventId(String v) { this.eventId = v; return this; }
    public Builder traceId(String v) { this.traceId = v; return this; }
    public Builder correlationIds(List<String> v) { this.correlationIds = List.copyOf(v); return this; }
    public Builder timestamp(long ticks) { this.timestamp = ticks; return this; }
    public Builder service(String v) { this.service = v; return this; }
    public Builder instanceId(String v) { this.instanceId = v; return this; }
    public Builder seq(long v) { this.seq = v; return this; }
    public Builder op(String v) { this.op = v; return this; }
    public Builder opId(String v) { this.opId = v; return this; }
    public Builder parentOpId(String v) { this.parentOpId = v; return this; }
    public Builder status(String v) { this.status = v; return this; }
    public Builder error(ErrorInfo v) { this.error = v; return this; }
    public Builder tags(Map<String, String> v) { this.tags = Tags.lenient(v); return this; }
    public Builder message(MessageInfo v) { this.message = v; return this; }
    public Builder inputs(List<String> v) { this.inputs = List.copyOf(v); return this; }
    public Builder resource(Map<String, String> v) { this.resource = Map.copyOf(v); return this; }
    public Builder topology(DeclaredTopology v) { this.topology = v; return this; }

    public TelemetryEvent build() {
      String id = eventId != null ? eventId
          : instanceId != null && seq >= 0 ? instanceId + "-" + seq : dev.weft.core.Ids.newId();
      return new TelemetryEvent(VERSION, id, eventType, traceId, correlationIds, timestamp, service, instanceId, seq,
          op, opId, parentOpId, status, error, tags, message, inputs, resource, topology);
    }
  }
}
