package dev.weft.core.event;

import dev.weft.core.Header;
import dev.weft.core.Ids;
import dev.weft.core.Limits;
import dev.weft.core.Result;
import dev.weft.core.Tags;
import dev.weft.core.Ticks;
import dev.weft.core.topology.DeclaredChannel;
import dev.weft.core.topology.DeclaredTopology;
import dev.weft.core.topology.Direction;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a {@link TelemetryEvent}, version 1, as specified in {@code docs/event-spec.md}.
 *
 * <p>Writing is deterministic (fixed field order, empty fields left out). Reading is strict about what it knows and
 * lenient about what it doesn't: unknown fields are ignored (forward compatibility), while a known field with a wrong
 * type or value gives an {@link EventError} that names the event index and the field. Reading never throws.
 */
public final class EventJson {
  /** Largest single event, in characters of JSON. */
  public static final int MAX_EVENT_CHARS = 64 * 1024;
  /** Largest {@code resource} map. */
  public static final int MAX_RESOURCE_ENTRIES = 64;
  /** Largest {@code inputs} list: a batch operation may consume this many messages. */
  public static final int MAX_INPUTS = 10_000;
  /** Largest number of declared channels in one DECLARE event. */
  public static final int MAX_DECLARED_CHANNELS = 1_000;
  /** Longest op name, service, instance id or op id. */
  public static final int MAX_NAME_LENGTH = 128;

  private EventJson() {}

  // ---------------------------------------------------------------- writing

  /** The event as one line of JSON. */
  public static String toJson(TelemetryEvent e) {
    StringBuilder sb = new StringBuilder(512);
    write(e, sb);
    return sb.toString();
  }

  /** Appends the event as one line of JSON. */
  public static void write(TelemetryEvent e, StringBuilder out) {
    out.append("{\"v\":").append(e.v());
    field(out, "event_id", e.eventId());
    field(out, "event_type", e.eventType());
    field(out, "trace_id", e.traceId());
    if (e.correlationIds().size() > 1 || (e.correlationIds().size() == 1 && !e.correlationIds().get(0).equals(e.traceId()))) {
      out.append(",\"correlation_ids\":");
      stringArray(out, e.correlationIds());
    }
    out.append(",\"timestamp\":").append(e.timestamp());
    field(out, "service", e.service());
    field(out, "instance_id", e.instanceId());
    if (e.seq() >= 0) out.append(",\"seq\":").append(e.seq());
    field(out, "op", e.op());
    field(out, "op_id", e.opId());
    field(out, "parent_op_id", e.parentOpId());
    field(out, "status", e.status());
    if (e.error() != null) {
      out.append(",\"error\":{\"type\":");
      Json.quote(out, e.error().type());
      out.append(",\"message\":");
      Json.quote(out, e.error().message());
      out.append('}');
    }
    if (!e.tags().isEmpty()) {
      out.append(",\"tags\":");
      stringMap(out, e.tags());
    }
    if (e.message() != null) {
      out.append(",\"message\":");
      writeHeader(out, e.message().header(), e.message().channel());
    }
    if (!e.inputs().isEmpty()) {
      out.append(",\"inputs\":");
      stringArray(out, e.inputs());
    }
    if (!e.resource().isEmpty()) {
      out.append(",\"resource\":");
      stringMap(out, e.resource() instanceof java.util.SortedMap<String, String> sorted && sorted.comparator() == null
          ? sorted : new java.util.TreeMap<>(e.resource()));
    }
    if (e.topology() != null) {
      out.append(",\"topology\":{\"service\":");
      Json.quote(out, e.topology().service());
      out.append(",\"channels\":[");
      boolean first = true;
      for (DeclaredChannel c : e.topology().channels()) {
        if (!first) out.append(',');
        first = false;
        out.append("{\"channel\":");
        Json.quote(out, c.channel());
        out.append(",\"schema\":");
        Json.quote(out, c.schema());
        if (c.replySchema() != null) {
          out.append(",\"reply_schema\":");
          Json.quote(out, c.replySchema());
        }
        out.append(",\"direction\":\"").append(c.direction().wireName()).append("\"}");
      }
      out.append("]}");
    }
    out.append('}');
  }

  /** Appends a header as a JSON object; {@code channel} is added when not null. */
  public static void writeHeader(StringBuilder out, Header h, String channel) {
    out.append("{\"header_version\":").append(h.headerVersion());
    out.append(",\"correlation_ids\":");
    stringArray(out, h.correlationIds());
    field(out, "message_id", h.messageId());
    out.append(",\"parent_ids\":");
    stringArray(out, h.parentIds());
    field(out, "producer_id", h.producerId());
    field(out, "payload_schema_uri", h.payloadSchemaUri());
    out.append(",\"ticks_from_epoch\":").append(h.ticksFromEpoch());
    out.append(",\"mtags\":");
    stringMap(out, h.mtags());
    out.append(",\"ptags\":");
    stringMap(out, h.ptags());
    field(out, "channel", channel);
    out.append('}');
  }

  private static void field(StringBuilder out, String name, String value) {
    if (value == null) return;
    out.append(",\"").append(name).append("\":");
    Json.quote(out, value);
  }

  private static void stringArray(StringBuilder out, List<String> values) {
    out.append('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) out.append(',');
      Json.quote(out, values.get(i));
    }
    out.append(']');
  }

  private static void stringMap(StringBuilder out, Map<String, String> map) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (!first) out.append(',');
      first = false;
      Json.quote(out, e.getKey());
      out.append(':');
      Json.quote(out, e.getValue());
    }
    out.append('}');
  }

  // ---------------------------------------------------------------- reading

  /** Reads one event. */
  public static Result<TelemetryEvent, EventError> parse(String json) {
    return parseAt(json, 0);
  }

  /**
   * Reads a batch: a JSON array of events, or NDJSON (one event per line, blank lines ignored). The whole batch is
   * refused at its first bad event, so a caller never stores part of a request.
   */
  public static Result<List<TelemetryEvent>, EventError> parseBatch(String text) {
    if (text == null) return Result.err(new EventError(0, "", "empty body"));
    int i = 0;
    while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
    if (i == text.length()) return Result.err(new EventError(0, "", "empty body: expected a JSON array or NDJSON"));
    List<TelemetryEvent> out = new ArrayList<>();
    if (text.charAt(i) == '[') {
      Object root;
      try {
        root = Json.parse(text);
      } catch (Json.ParseException e) {
        return Result.err(new EventError(0, "", "malformed JSON: " + e.getMessage()));
      } catch (StackOverflowError | RuntimeException e) {
        return Result.err(new EventError(0, "", "malformed JSON"));
      }
      List<?> list = (List<?>) root;
      for (int k = 0; k < list.size(); k++) {
        Result<TelemetryEvent, EventError> r = fromValue(list.get(k), k);
        if (r instanceof Result.Err<TelemetryEvent, EventError> err) return Result.err(err.error());
        out.add(((Result.Ok<TelemetryEvent, EventError>) r).value());
      }
      return Result.ok(out);
    }
    for (Result<TelemetryEvent, EventError> r : parseLines(text)) {
      if (r instanceof Result.Err<TelemetryEvent, EventError> err) return Result.err(err.error());
      out.add(((Result.Ok<TelemetryEvent, EventError>) r).value());
    }
    return Result.ok(out);
  }

  /**
   * Reads NDJSON line by line, each line on its own: one result per non-blank line, in order, a bad line's error
   * carrying its index among the non-blank lines. For readers that keep the good events of a batch with bad ones, such
   * as the server's Kafka collector; {@link #parseBatch} refuses the whole batch instead.
   */
  public static List<Result<TelemetryEvent, EventError>> parseLines(String text) {
    List<Result<TelemetryEvent, EventError>> out = new ArrayList<>();
    int index = 0;
    int start = 0;
    while (start <= text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl;
      String line = text.substring(start, end);
      if (!line.isBlank()) out.add(parseAt(line, index++));
      if (nl < 0) break;
      start = nl + 1;
    }
    return out;
  }

  private static Result<TelemetryEvent, EventError> parseAt(String json, int index) {
    if (json == null) return Result.err(new EventError(index, "", "empty event"));
    if (json.length() > MAX_EVENT_CHARS) {
      return Result.err(new EventError(index, "", "event larger than " + MAX_EVENT_CHARS + " characters"));
    }
    Object root;
    try {
      root = Json.parse(json);
    } catch (Json.ParseException e) {
      return Result.err(new EventError(index, "", "malformed JSON: " + e.getMessage()));
    } catch (StackOverflowError | RuntimeException e) {
      return Result.err(new EventError(index, "", "malformed JSON"));
    }
    return fromValue(root, index);
  }

  /** Converts an already-parsed JSON value (as {@link Json} produces) into an event. Never throws. */
  public static Result<TelemetryEvent, EventError> fromValue(Object value, int index) {
    try {
      return Result.ok(new Reader(index).event(value));
    } catch (Bad b) {
      return Result.err(new EventError(index, b.field, b.getMessage()));
    } catch (RuntimeException e) {
      return Result.err(new EventError(index, "", "invalid event: " + e));
    }
  }

  /** Reads a header object (e.g. {@code message} without its channel). Never throws. */
  public static Result<Header, EventError> headerFromValue(Object value) {
    try {
      return Result.ok(new Reader(0).header(value, ""));
    } catch (Bad b) {
      return Result.err(new EventError(0, b.field, b.getMessage()));
    } catch (RuntimeException e) {
      return Result.err(new EventError(0, "", "invalid header: " + e));
    }
  }

  /** A refused field; stack traces are not needed for expected bad input. */
  private static final class Bad extends Exception {
    final String field;

    Bad(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }
  }

  private static final class Reader {
    private final int index;

    Reader(int index) {
      this.index = index;
    }

    TelemetryEvent event(Object value) throws Bad {
      if (!(value instanceof Map<?, ?> m)) throw new Bad("", "expected a JSON object, got " + typeOf(value));
      Object v = m.get("v");
      if (v == null) throw new Bad("v", "required: the event format version, 1");
      if (!(v instanceof Long version)) throw new Bad("v", "expected an integer, got " + typeOf(v));
      if (version != TelemetryEvent.VERSION) {
        throw new Bad("v", "unsupported event version " + version + "; this reader understands 1");
      }
      String eventId = requiredString(m, "event_id", TelemetryEvent.MAX_EVENT_ID_LENGTH);
      String type = requiredString(m, "event_type", EventType.MAX_LENGTH);
      if (!EventType.isValid(type)) {
        throw new Bad("event_type", "expected START, COMPLETE, FAIL, SEND, RECEIVE, DECLARE or a custom UPPER_SNAKE "
            + "name, got \"" + abbreviate(type) + "\"");
      }
      String traceId = id(requiredString(m, "trace_id", 40), "trace_id");
      List<String> correlations = optionalIds(m, "correlation_ids", Limits.MAX_CORRELATION_IDS);
      if (!correlations.isEmpty() && !correlations.contains(traceId)) {
        throw new Bad("correlation_ids", "must include trace_id when given");
      }
      if (correlations.size() == 1) correlations = List.of(); // just the trace id: the same as leaving it out
      long timestamp = timestamp(m.get("timestamp"));
      String service = requiredString(m, "service", MAX_NAME_LENGTH);
      if (!Limits.isToken(service, MAX_NAME_LENGTH)) {
        throw new Bad("service", "expected printable ASCII without spaces or , ; = \" \\");
      }
      String instanceId = optionalString(m, "instance_id", MAX_NAME_LENGTH);
      long seq = -1;
      Object s = m.get("seq");
      if (s != null) {
        if (!(s instanceof Long l) || l < 0) throw new Bad("seq", "expected a non-negative integer");
        seq = (Long) s;
      }
      Tags tags = stringMap(m, "tags", Limits.MAX_TAGS);
      String op = optionalString(m, "op", MAX_NAME_LENGTH);
      if (op == null && tags.containsKey("op_name")) {
        op = tags.get("op_name"); // the seed's events carry the op name as a tag
        java.util.TreeMap<String, String> rest = new java.util.TreeMap<>(tags);
        rest.remove("op_name");
        tags = Tags.strict(rest);
      }
      if (op != null && !isPrintable(op)) throw new Bad("op", "must not contain control characters");
      if (op != null && op.length() > MAX_NAME_LENGTH) throw new Bad("tags.op_name", "longer than " + MAX_NAME_LENGTH + " characters");
      if (op != null && op.isEmpty()) throw new Bad("tags.op_name", "must not be empty");
      String opId = optionalString(m, "op_id", MAX_NAME_LENGTH);
      String parentOpId = optionalString(m, "parent_op_id", MAX_NAME_LENGTH);
      String status = optionalString(m, "status", 32);
      ErrorInfo error = error(m.get("error"));
      MessageInfo message = null;
      Object msg = m.get("message");
      if (msg != null) {
        Header h = header(msg, "message.");
        Object ch = ((Map<?, ?>) msg).get("channel");
        if (!(ch instanceof String channel) || !Limits.isToken(channel, 256)) {
          throw new Bad("message.channel", "required: the channel id, e.g. \"kafka:sku-updates\"");
        }
        message = new MessageInfo(h, channel);
      }
      List<String> inputs = optionalIds(m, "inputs", MAX_INPUTS);
      Map<String, String> resource = resource(m.get("resource"));
      DeclaredTopology topology = topology(m.get("topology"));

      switch (type) {
        case EventType.START:
        case EventType.COMPLETE:
        case EventType.FAIL:
          if (op == null) throw new Bad("op", "required on " + type + " events");
          if (opId == null) throw new Bad("op_id", "required on " + type + " events");
          // an outcome without a status says the obvious one
          if (status == null && type.equals(EventType.COMPLETE)) status = TelemetryEvent.STATUS_OK;
          if (status == null && type.equals(EventType.FAIL)) status = TelemetryEvent.STATUS_ERROR;
          break;
        case EventType.SEND:
        case EventType.RECEIVE:
          if (message == null) throw new Bad("message", "required on " + type + " events");
          break;
        case EventType.DECLARE:
          if (topology == null) throw new Bad("topology", "required on DECLARE events");
          break;
        default:
      }
      return new TelemetryEvent(TelemetryEvent.VERSION, eventId, type, traceId, correlations, timestamp, service,
          instanceId, seq, op, opId, parentOpId, status, error, tags, message, inputs, resource, topology);
    }

    Header header(Object value, String prefix) throws Bad {
      if (!(value instanceof Map<?, ?> m)) throw new Bad(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), "expected a JSON object");
      Object hv = m.get("header_version");
      if (!(hv instanceof Long version)) throw new Bad(prefix + "header_version", "required integer");
      if (version != Header.VERSION) {
        throw new Bad(prefix + "header_version", "unsupported header version " + version + "; this reader understands 1");
      }
      List<String> correlations = requiredIds(m, prefix, "correlation_ids", Limits.MAX_CORRELATION_IDS);
      if (correlations.isEmpty()) throw new Bad(prefix + "correlation_ids", "at least one is required");
      String messageId = id(requiredString(m, prefix, "message_id", 40), prefix + "message_id");
      List<String> parents = requiredIds(m, prefix, "parent_ids", Limits.MAX_PARENT_IDS);
      String producer = requiredString(m, prefix, "producer_id", Limits.MAX_PRODUCER_ID_LENGTH);
      String schema = requiredString(m, prefix, "payload_schema_uri", Limits.MAX_SCHEMA_URI_LENGTH);
      Object t = m.get("ticks_from_epoch");
      if (!(t instanceof Long ticks) || ticks < 0) {
        throw new Bad(prefix + "ticks_from_epoch", "required non-negative integer (100-ns ticks since the epoch)");
      }
      Tags mtags = stringMap(m, prefix, "mtags", Limits.MAX_TAGS);
      Tags ptags = stringMap(m, prefix, "ptags", Limits.MAX_TAGS);
      try {
        return new Header(Header.VERSION, correlations, messageId, parents, producer, schema, ticks, mtags, ptags);
      } catch (IllegalArgumentException e) {
        String msg = e.getMessage();
        int colon = msg.indexOf(':');
        String field = colon > 0 ? prefix + msg.substring(0, colon) : prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
        throw new Bad(field, colon > 0 ? msg.substring(colon + 1).trim() : msg);
      }
    }

    private long timestamp(Object t) throws Bad {
      if (t == null) throw new Bad("timestamp", "required: 100-ns ticks since the epoch, or an RFC 3339 string");
      if (t instanceof Long ticks) {
        if (ticks < 0) throw new Bad("timestamp", "must not be negative");
        return ticks;
      }
      if (t instanceof String text) {
        java.time.Instant instant;
        try {
          instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
          throw new Bad("timestamp", "not an RFC 3339 date-time: \"" + abbreviate(text) + "\"");
        }
        if (instant.getEpochSecond() < 0) throw new Bad("timestamp", "before 1970-01-01T00:00:00Z");
        try {
          // Ticks.of would wrap silently past the year 30828
          return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), Ticks.PER_SECOND), instant.getNano() / 100);
        } catch (ArithmeticException e) {
          throw new Bad("timestamp", "too far in the future for 100-ns ticks: \"" + abbreviate(text) + "\"");
        }
      }
      throw new Bad("timestamp", "expected an integer or an RFC 3339 string, got " + typeOf(t));
    }

    private ErrorInfo error(Object e) throws Bad {
      if (e == null) return null;
      if (e instanceof String s) return new ErrorInfo("error", s);
      if (!(e instanceof Map<?, ?> m)) throw new Bad("error", "expected an object {type, message}");
      Object type = m.get("type");
      Object message = m.get("message");
      if (!(type instanceof String t) || t.isEmpty()) throw new Bad("error.type", "required non-empty string");
      if (t.length() > ErrorInfo.MAX_TYPE_LENGTH) throw new Bad("error.type", "longer than " + ErrorInfo.MAX_TYPE_LENGTH);
      if (message != null && !(message instanceof String)) throw new Bad("error.message", "expected a string");
      String msg = (String) message;
      if (msg != null && msg.length() > ErrorInfo.MAX_MESSAGE_LENGTH) {
        throw new Bad("error.message", "longer than " + ErrorInfo.MAX_MESSAGE_LENGTH + " characters");
      }
      return new ErrorInfo(t, msg);
    }

    private Map<String, String> resource(Object r) throws Bad {
      if (r == null) return Map.of();
      if (!(r instanceof Map<?, ?> m)) throw new Bad("resource", "expected an object of strings");
      if (m.size() > MAX_RESOURCE_ENTRIES) throw new Bad("resource", "more than " + MAX_RESOURCE_ENTRIES + " entries");
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String k = (String) e.getKey();
        if (!Limits.isTagKey(k)) throw new Bad("resource." + abbreviate(k), "bad key: 1..64 characters of [A-Za-z0-9_.:-]");
        String v = scalar(e.getValue(), "resource." + k);
        if (v.length() > Limits.MAX_TAG_VALUE_LENGTH) throw new Bad("resource." + k, "longer than " + Limits.MAX_TAG_VALUE_LENGTH);
        out.put(k, v);
      }
      return java.util.Collections.unmodifiableMap(out);
    }

    private DeclaredTopology topology(Object t) throws Bad {
      if (t == null) return null;
      if (!(t instanceof Map<?, ?> m)) throw new Bad("topology", "expected an object {service, channels}");
      Object svc = m.get("service");
      if (!(svc instanceof String service) || !Limits.isToken(service, MAX_NAME_LENGTH)) {
        throw new Bad("topology.service", "required: the declaring service");
      }
      Object chs = m.get("channels");
      if (!(chs instanceof List<?> list)) throw new Bad("topology.channels", "required array");
      if (list.size() > MAX_DECLARED_CHANNELS) throw new Bad("topology.channels", "more than " + MAX_DECLARED_CHANNELS);
      List<DeclaredChannel> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        String f = "topology.channels[" + i + "]";
        if (!(list.get(i) instanceof Map<?, ?> c)) throw new Bad(f, "expected an object");
        String channel = requiredString(c, f + ".", "channel", 256);
        String schema = requiredString(c, f + ".", "schema", Limits.MAX_SCHEMA_URI_LENGTH);
        Object rs = c.get("reply_schema");
        if (rs != null && !(rs instanceof String)) throw new Bad(f + ".reply_schema", "expected a string");
        Object d = c.get("direction");
        Direction dir = d instanceof String ds ? Direction.fromWire(ds) : null;
        if (dir == null) throw new Bad(f + ".direction", "expected publish, subscribe, serve or call");
        out.add(new DeclaredChannel(channel, schema, (String) rs, dir));
      }
      return new DeclaredTopology(service, out);
    }

    private String requiredString(Map<?, ?> m, String name, int max) throws Bad {
      return requiredString(m, "", name, max);
    }

    private String requiredString(Map<?, ?> m, String prefix, String name, int max) throws Bad {
      Object v = m.get(name);
      if (v == null) throw new Bad(prefix + name, "required");
      if (!(v instanceof String s)) throw new Bad(prefix + name, "expected a string, got " + typeOf(v));
      if (s.isEmpty()) throw new Bad(prefix + name, "must not be empty");
      if (s.length() > max) throw new Bad(prefix + name, "longer than " + max + " characters");
      return s;
    }

    private String optionalString(Map<?, ?> m, String name, int max) throws Bad {
      Object v = m.get(name);
      if (v == null) return null;
      if (!(v instanceof String s)) throw new Bad(name, "expected a string, got " + typeOf(v));
      if (s.isEmpty()) throw new Bad(name, "must not be empty");
      if (s.length() > max) throw new Bad(name, "longer than " + max + " characters");
      return s;
    }

    private String id(String text, String field) throws Bad {
      String id = Ids.normalize(text);
      if (id == null) {
        throw new Bad(field, "expected 32 hex characters or a GUID, got \"" + abbreviate(text) + "\"");
      }
      return id;
    }

    private List<String> optionalIds(Map<?, ?> m, String name, int max) throws Bad {
      if (m.get(name) == null) return List.of();
      return requiredIds(m, "", name, max);
    }

    private List<String> requiredIds(Map<?, ?> m, String prefix, String name, int max) throws Bad {
      Object v = m.get(name);
      if (v == null) throw new Bad(prefix + name, "required array of ids");
      if (!(v instanceof List<?> list)) throw new Bad(prefix + name, "expected an array of ids, got " + typeOf(v));
      if (list.size() > max) throw new Bad(prefix + name, list.size() + " ids, at most " + max);
      List<String> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        String f = prefix + name + "[" + i + "]";
        if (!(list.get(i) instanceof String s)) throw new Bad(f, "expected a string id");
        String id = id(s, f);
        if (out.contains(id)) throw new Bad(f, "duplicate id");
        out.add(id);
      }
      return List.copyOf(out);
    }

    private Tags stringMap(Map<?, ?> m, String name, int max) throws Bad {
      return stringMap(m, "", name, max);
    }

    private Tags stringMap(Map<?, ?> m, String prefix, String name, int max) throws Bad {
      Object v = m.get(name);
      if (v == null) return Tags.empty();
      if (!(v instanceof Map<?, ?> map)) throw new Bad(prefix + name, "expected an object of strings, got " + typeOf(v));
      if (map.size() > max) throw new Bad(prefix + name, map.size() + " entries, at most " + max);
      Map<String, String> out = new java.util.TreeMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String k = (String) e.getKey();
        String f = prefix + name + "." + abbreviate(k);
        if (!Limits.isTagKey(k)) throw new Bad(f, "bad tag key: 1..64 characters of [A-Za-z0-9_.:-]");
        String s = scalar(e.getValue(), f);
        if (s.length() > Limits.MAX_TAG_VALUE_LENGTH) {
          throw new Bad(f, "value longer than " + Limits.MAX_TAG_VALUE_LENGTH + " characters");
        }
        out.put(k, s);
      }
      return Tags.strict(out);
    }

    /** Tag values are strings; numbers and booleans are accepted and kept as their JSON text. */
    private String scalar(Object v, String field) throws Bad {
      if (v instanceof String s) return s;
      if (v instanceof Long || v instanceof Boolean) return String.valueOf(v);
      if (v instanceof Double d) {
        if (d.isInfinite() || d.isNaN()) throw new Bad(field, "number out of range");
        return BigDecimalText.of(d);
      }
      throw new Bad(field, "expected a string, got " + typeOf(v));
    }
  }

  /** Renders a double without an exponent where that is exact. */
  private static final class BigDecimalText {
    static String of(double d) {
      return new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
    }
  }

  private static boolean isPrintable(String s) {
    for (int i = 0; i < s.length(); i++) if (Character.isISOControl(s.charAt(i))) return false;
    return true;
  }

  private static String typeOf(Object v) {
    if (v == null) return "null";
    if (v instanceof String) return "a string";
    if (v instanceof Long || v instanceof Double) return "a number";
    if (v instanceof Boolean) return "a boolean";
    if (v instanceof List) return "an array";
    return "an object";
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
