package dev.weft.server.store;

import dev.weft.core.Header;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.EventType;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.topology.DeclaredChannel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Map;

/**
 * Projects one newly stored event into the read tables. Every write is an upsert that only fills in or merges, with a
 * rule that does not depend on the order the events arrive in (see RATIONALE.md, "Store"). All values are bound as
 * parameters.
 */
final class Projection {
  private final Connection c;

  Projection(Connection c) {
    this.c = c;
  }

  /** Stores the raw event; returns false if its event_id is already there (a duplicate). */
  boolean insertRaw(TelemetryEvent e) throws SQLException {
    String messageId = e.message() == null ? null : e.message().header().messageId();
    int n = update("INSERT INTO events (event_id, ts, event_type, service, instance_id, seq, trace_id, op, op_id,"
        + " message_id, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
        e.eventId(), e.timestamp(), e.eventType(), e.service(), e.instanceId(), e.seq() >= 0 ? e.seq() : null,
        e.traceId(), e.op(), e.opId(), messageId, EventJson.toJson(e));
    if (n == 0) return false;
    for (String t : e.traces()) {
      update("INSERT INTO event_traces VALUES (?, ?) ON CONFLICT DO NOTHING", e.eventId(), t);
    }
    return true;
  }

  void project(TelemetryEvent e) throws SQLException {
    switch (e.eventType()) {
      case EventType.START -> start(e);
      case EventType.COMPLETE, EventType.FAIL -> end(e);
      case EventType.SEND, EventType.RECEIVE -> message(e);
      case EventType.DECLARE -> declare(e);
      default -> { } // custom events live in the events table; search reads them from there
    }
  }

  private void start(TelemetryEvent e) throws SQLException {
    update("INSERT INTO operations (op_id, op, service, instance_id, parent_op_id, start_ticks, resource)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (op_id) DO UPDATE SET"
        + " op = coalesce(operations.op, excluded.op),"
        + " service = coalesce(operations.service, excluded.service),"
        + " instance_id = coalesce(excluded.instance_id, operations.instance_id),"
        + " parent_op_id = coalesce(operations.parent_op_id, excluded.parent_op_id),"
        + " start_ticks = least(coalesce(operations.start_ticks, excluded.start_ticks), excluded.start_ticks),"
        + " resource = coalesce(excluded.resource, operations.resource)",
        e.opId(), e.op(), e.service(), e.instanceId(), e.parentOpId(), e.timestamp(), resourceJson(e.resource()));
    opCommon(e);
    int i = 0;
    for (String m : e.inputs()) {
      update("INSERT INTO op_inputs VALUES (?, ?, ?) ON CONFLICT DO NOTHING", e.opId(), m, i++);
    }
  }

  private void end(TelemetryEvent e) throws SQLException {
    String status = EventType.COMPLETE.equals(e.eventType()) ? "ok" : "failed";
    // failed beats ok if an operation somehow has both; otherwise the first end seen fills the fields.
    update("INSERT INTO operations (op_id, op, service, instance_id, parent_op_id, end_ticks, status, end_status,"
        + " error_type, error_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (op_id) DO UPDATE SET"
        + " op = coalesce(operations.op, excluded.op),"
        + " service = coalesce(operations.service, excluded.service),"
        + " instance_id = coalesce(operations.instance_id, excluded.instance_id),"
        + " parent_op_id = coalesce(operations.parent_op_id, excluded.parent_op_id),"
        + " end_ticks = CASE WHEN operations.status IS NULL OR (excluded.status = 'failed' AND operations.status <> 'failed')"
        + "   THEN excluded.end_ticks ELSE operations.end_ticks END,"
        + " end_status = CASE WHEN operations.status IS NULL OR (excluded.status = 'failed' AND operations.status <> 'failed')"
        + "   THEN excluded.end_status ELSE operations.end_status END,"
        + " error_type = CASE WHEN operations.status IS NULL OR (excluded.status = 'failed' AND operations.status <> 'failed')"
        + "   THEN excluded.error_type ELSE operations.error_type END,"
        + " error_message = CASE WHEN operations.status IS NULL OR (excluded.status = 'failed' AND operations.status <> 'failed')"
        + "   THEN excluded.error_message ELSE operations.error_message END,"
        + " status = CASE WHEN operations.status = 'failed' OR excluded.status = 'failed' THEN 'failed' ELSE 'ok' END",
        e.opId(), e.op(), e.service(), e.instanceId(), e.parentOpId(), e.timestamp(), status, e.status(),
        e.error() == null ? null : e.error().type(), e.error() == null ? null : e.error().message());
    opCommon(e);
  }

  private void opCommon(TelemetryEvent e) throws SQLException {
    for (String t : e.traces()) {
      update("INSERT INTO op_traces VALUES (?, ?) ON CONFLICT DO NOTHING", e.opId(), t);
    }
    tags("op", e.opId(), "tag", e.tags());
  }

  private void message(TelemetryEvent e) throws SQLException {
    Header h = e.message().header();
    String channel = e.message().channel();
    boolean send = EventType.SEND.equals(e.eventType());
    // The SEND's channel wins; without a SEND, the least receive channel (deterministic whatever the order).
    update("INSERT INTO messages (message_id, producer, schema_uri, channel, sent, msg_ticks, send_ticks, send_op_id,"
        + " send_service) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO UPDATE SET"
        + " producer = coalesce(messages.producer, excluded.producer),"
        + " schema_uri = coalesce(messages.schema_uri, excluded.schema_uri),"
        + " msg_ticks = coalesce(messages.msg_ticks, excluded.msg_ticks),"
        + " channel = CASE WHEN excluded.sent THEN excluded.channel WHEN messages.sent THEN messages.channel"
        + "   ELSE least(messages.channel, excluded.channel) END,"
        + " sent = messages.sent OR excluded.sent,"
        + " send_ticks = coalesce(messages.send_ticks, excluded.send_ticks),"
        + " send_op_id = coalesce(messages.send_op_id, excluded.send_op_id),"
        + " send_service = coalesce(messages.send_service, excluded.send_service)",
        h.messageId(), h.producerId(), h.payloadSchemaUri(), channel, send, h.ticksFromEpoch(),
        send ? e.timestamp() : null, send ? e.opId() : null, send ? e.service() : null);
    int i = 0;
    for (String t : h.correlationIds()) {
      update("INSERT INTO message_traces VALUES (?, ?, ?) ON CONFLICT DO NOTHING", h.messageId(), t, i++);
    }
    i = 0;
    for (String p : h.parentIds()) {
      update("INSERT INTO message_parents VALUES (?, ?, ?) ON CONFLICT DO NOTHING", h.messageId(), p, i++);
    }
    tags("msg", h.messageId(), "mtag", h.mtags());
    tags("msg", h.messageId(), "ptag", h.ptags());
    if (!send) {
      update("INSERT INTO receives VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", e.eventId(), h.messageId(),
          e.opId(), e.service(), channel, e.timestamp(), e.timestamp() - h.ticksFromEpoch());
    }
  }

  private void declare(TelemetryEvent e) throws SQLException {
    String service = e.topology().service();
    // Latest declaration wins: by timestamp, then event_id, so the outcome does not depend on arrival order.
    int n = update("INSERT INTO declarations VALUES (?, ?, ?) ON CONFLICT (service) DO UPDATE SET"
        + " ts = excluded.ts, event_id = excluded.event_id"
        + " WHERE excluded.ts > declarations.ts OR (excluded.ts = declarations.ts AND excluded.event_id > declarations.event_id)",
        service, e.timestamp(), e.eventId());
    if (n == 0) return;
    update("DELETE FROM declared WHERE service = ?", service);
    for (DeclaredChannel ch : e.topology().channels()) {
      update("INSERT INTO declared VALUES (?, ?, ?, ?, ?)", service, ch.channel(), ch.schema(), ch.replySchema(),
          ch.direction().wireName());
    }
  }

  /** Recomputes the loss counters of one emitter from the stored events. */
  void emitter(String instanceId) throws SQLException {
    update("INSERT OR REPLACE INTO emitters SELECT instance_id, min(service), count(DISTINCT seq), max(seq)"
        + " FROM events WHERE instance_id = ? AND seq IS NOT NULL GROUP BY instance_id", instanceId);
  }

  private void tags(String ownerKind, String owner, String kind, Map<String, String> tags) throws SQLException {
    for (Map.Entry<String, String> t : tags.entrySet()) {
      update("INSERT INTO tags VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", ownerKind, owner, kind, t.getKey(),
          t.getValue());
    }
  }

  static String resourceJson(Map<String, String> resource) {
    if (resource == null || resource.isEmpty()) return null;
    StringBuilder sb = new StringBuilder("{");
    resource.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(en -> {
      if (sb.length() > 1) sb.append(',');
      quote(sb, en.getKey());
      sb.append(':');
      quote(sb, en.getValue());
    });
    return sb.append('}').toString();
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch));
          else sb.append(ch);
        }
      }
    }
    sb.append('"');
  }

  int update(String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, java.util.Arrays.asList(args));
      return ps.executeUpdate();
    }
  }

  static void bind(PreparedStatement ps, List<?> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (a == null) ps.setNull(i + 1, Types.VARCHAR);
      else if (a instanceof String s) ps.setString(i + 1, s);
      else if (a instanceof Long l) ps.setLong(i + 1, l);
      else if (a instanceof Integer n) ps.setInt(i + 1, n);
      else if (a instanceof Boolean b) ps.setBoolean(i + 1, b);
      else if (a instanceof Double d) ps.setDouble(i + 1, d);
      else throw new IllegalArgumentException("unsupported parameter type " + a.getClass());
    }
  }
}
