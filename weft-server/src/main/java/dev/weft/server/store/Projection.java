package dev.weft.server.store;

import dev.weft.core.Header;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.EventType;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.topology.DeclaredChannel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Projects one batch of events into the store in bulk (see RATIONALE.md, "Store" and "Bulk ingest").
 *
 * <ol>
 *   <li>The raw events go through a staging table into {@code events} with {@code ON CONFLICT DO NOTHING}; the ids
 *       that were really inserted are the batch's new events. Only those are projected.
 *   <li>The new events are merged in memory, per operation and per message, with the same order-independent rules
 *       the SQL upserts use, so each key is written once per batch.
 *   <li>Each read table gets its rows through an appender into a temporary staging table and one
 *       {@code INSERT … SELECT … ON CONFLICT} statement.
 * </ol>
 *
 * Everything runs in the caller's transaction. All values are bound or appended, never spliced into SQL.
 */
final class Projection {
  private final Connection c;
  /** Runs after every write of a batch, before the commit; tests make it throw to prove the batch rolls back. */
  Runnable beforeCommit = () -> { };

  Projection(Connection c) {
    this.c = c;
  }

  /** Staging tables: the shape of each target table, as TEMP tables of the connection. */
  private static final List<String> STAGE_DDL = List.of(
      "CREATE TEMP TABLE IF NOT EXISTS stage_events AS SELECT * FROM events LIMIT 0",
      "CREATE TEMP TABLE IF NOT EXISTS stage_event_traces AS SELECT * FROM event_traces LIMIT 0",
      "CREATE TEMP TABLE IF NOT EXISTS stage_operations AS SELECT * FROM operations LIMIT 0",
      "CREATE TEMP TABLE IF NOT EXISTS stage_op_traces AS SELECT * FROM op_traces LIMIT 0",
      "CREATE TEMP TABLE IF NOT EXISTS stage_op_inputs AS SELECT * FROM op_inputs LIMIT 0",
      "CREATE TEMP TABLE IF NOT EXISTS stage_messages AS SELECT * FROM messages LIMIT 0",
      "CREATE TEMP TABLE IF NOT EXISTS stage_message_traces AS SELECT * FROM message_traces LIMIT 0",
      "CREATE TEMP TABLE IF NOT EXISTS stage_message_parents AS SELECT * FROM message_parents LIMIT 0",
      "CREATE TEMP TABLE IF NOT EXISTS stage_receives AS SELECT * FROM receives LIMIT 0",
      "CREATE TEMP TABLE IF NOT EXISTS stage_tags AS SELECT * FROM tags LIMIT 0",
      "CREATE TEMP TABLE IF NOT EXISTS stage_emitters AS SELECT * FROM emitters LIMIT 0");

  static void createStaging(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String ddl : STAGE_DDL) s.execute(ddl);
    }
  }

  // ------------------------------------------------------------------ upserts from staging

  private static final String OPS_UPSERT = "INSERT INTO operations SELECT * FROM stage_operations"
      + " ON CONFLICT (op_id) DO UPDATE SET"
      + " op = coalesce(operations.op, excluded.op),"
      + " service = coalesce(operations.service, excluded.service),"
      + " instance_id = coalesce(operations.instance_id, excluded.instance_id),"
      + " parent_op_id = coalesce(operations.parent_op_id, excluded.parent_op_id),"
      + " start_ticks = CASE WHEN operations.start_ticks IS NULL THEN excluded.start_ticks"
      + "   WHEN excluded.start_ticks IS NULL THEN operations.start_ticks"
      + "   ELSE least(operations.start_ticks, excluded.start_ticks) END,"
      + " resource = coalesce(excluded.resource, operations.resource),"
      // the end fields travel together: the incoming end wins if none was known, or if it failed and the known one not
      + " end_ticks = CASE WHEN " + endWins() + " THEN excluded.end_ticks ELSE operations.end_ticks END,"
      + " end_status = CASE WHEN " + endWins() + " THEN excluded.end_status ELSE operations.end_status END,"
      + " error_type = CASE WHEN " + endWins() + " THEN excluded.error_type ELSE operations.error_type END,"
      + " error_message = CASE WHEN " + endWins() + " THEN excluded.error_message ELSE operations.error_message END,"
      + " status = CASE WHEN operations.status = 'failed' OR excluded.status = 'failed' THEN 'failed'"
      + "   ELSE coalesce(operations.status, excluded.status) END";

  private static String endWins() {
    return "(excluded.status IS NOT NULL AND (operations.status IS NULL"
        + " OR (excluded.status = 'failed' AND operations.status <> 'failed')))";
  }

  private static final String MESSAGES_UPSERT = "INSERT INTO messages SELECT * FROM stage_messages"
      + " ON CONFLICT (message_id) DO UPDATE SET"
      + " producer = coalesce(messages.producer, excluded.producer),"
      + " schema_uri = coalesce(messages.schema_uri, excluded.schema_uri),"
      + " msg_ticks = coalesce(messages.msg_ticks, excluded.msg_ticks),"
      // the SEND's channel wins; without a SEND, the least receive channel (deterministic whatever the order)
      + " channel = CASE WHEN excluded.sent AND NOT messages.sent THEN excluded.channel"
      + "   WHEN messages.sent AND NOT excluded.sent THEN messages.channel"
      + "   ELSE least(messages.channel, excluded.channel) END,"
      + " sent = messages.sent OR excluded.sent,"
      + " send_ticks = coalesce(messages.send_ticks, excluded.send_ticks),"
      + " send_op_id = coalesce(messages.send_op_id, excluded.send_op_id),"
      + " send_service = coalesce(messages.send_service, excluded.send_service)";

  // Loss counters can be incremental: only events new by event_id (checked in this transaction) are counted.
  private static final String EMITTERS_UPSERT = "INSERT INTO emitters SELECT * FROM stage_emitters"
      + " ON CONFLICT (instance_id) DO UPDATE SET"
      + " service = least(emitters.service, excluded.service),"
      + " seq_count = emitters.seq_count + excluded.seq_count,"
      + " max_seq = greatest(emitters.max_seq, excluded.max_seq)";

  private static final String[] SET_TABLES = {"event_traces", "op_traces", "op_inputs", "message_traces",
      "message_parents", "receives", "tags"};

  // ------------------------------------------------------------------ the batch

  /** Stores the batch's raw events and projects the new ones; returns how many were new. */
  int ingest(List<TelemetryEvent> batch) throws SQLException {
    DuckDBConnection dc = c.unwrap(DuckDBConnection.class);
    // Duplicates inside the batch: the first copy is the one offered to the store.
    Map<String, TelemetryEvent> distinct = new LinkedHashMap<>();
    for (TelemetryEvent e : batch) distinct.putIfAbsent(e.eventId(), e);
    if (distinct.isEmpty()) return 0;

    List<List<Object>> raw = new ArrayList<>(distinct.size());
    for (TelemetryEvent e : distinct.values()) {
      raw.add(java.util.Arrays.asList(e.eventId(), e.timestamp(), e.eventType(), e.service(), e.instanceId(),
          e.seq() >= 0 ? e.seq() : null, e.traceId(), e.op(), e.opId(),
          e.message() == null ? null : e.message().header().messageId(), EventJson.toJson(e)));
    }
    appendRows(dc, "stage_events", raw);
    Set<String> inserted = new HashSet<>();
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery(
          "INSERT INTO events SELECT * FROM stage_events ON CONFLICT (event_id) DO NOTHING RETURNING event_id")) {
        while (rs.next()) inserted.add(rs.getString(1));
      }
      s.execute("DELETE FROM stage_events");
    }
    List<TelemetryEvent> fresh = new ArrayList<>(inserted.size());
    for (TelemetryEvent e : distinct.values()) {
      if (inserted.contains(e.eventId())) fresh.add(e);
    }
    project(dc, fresh);
    return fresh.size();
  }

  private void project(DuckDBConnection dc, List<TelemetryEvent> events) throws SQLException {
    Map<String, OpAcc> ops = new LinkedHashMap<>();
    Map<String, MsgAcc> msgs = new LinkedHashMap<>();
    Map<String, EmitterAcc> emitters = new LinkedHashMap<>();
    Sets sets = new Sets();
    List<TelemetryEvent> declares = new ArrayList<>();
    for (TelemetryEvent e : events) {
      for (String t : e.traces()) sets.eventTraces.add(List.of(e.eventId(), t));
      if (e.instanceId() != null && e.seq() >= 0) {
        emitters.computeIfAbsent(e.instanceId(), k -> new EmitterAcc(e.service())).add(e);
      }
      switch (e.eventType()) {
        case EventType.START -> {
          ops.computeIfAbsent(e.opId(), OpAcc::new).start(e);
          opCommon(e, sets);
          int i = 0;
          for (String m : e.inputs()) sets.opInputs.add(List.of(e.opId(), m, i++));
        }
        case EventType.COMPLETE, EventType.FAIL -> {
          ops.computeIfAbsent(e.opId(), OpAcc::new).end(e);
          opCommon(e, sets);
        }
        case EventType.SEND, EventType.RECEIVE -> message(e, msgs, sets);
        case EventType.DECLARE -> declares.add(e);
        default -> { } // custom events live in the events table; search reads them from there
      }
    }
    List<List<Object>> opRows = new ArrayList<>(ops.size());
    for (OpAcc o : ops.values()) opRows.add(row(o));
    appendRows(dc, "stage_operations", opRows);
    List<List<Object>> msgRows = new ArrayList<>(msgs.size());
    for (MsgAcc m : msgs.values()) msgRows.add(row(m));
    appendRows(dc, "stage_messages", msgRows);
    List<List<Object>> emitterRows = new ArrayList<>(emitters.size());
    emitters.forEach((id, acc) -> emitterRows.add(List.of(id, acc.service, acc.count, acc.maxSeq)));
    appendRows(dc, "stage_emitters", emitterRows);
    sets.stage(dc);
    try (Statement s = c.createStatement()) {
      if (!ops.isEmpty()) s.execute(OPS_UPSERT);
      if (!msgs.isEmpty()) s.execute(MESSAGES_UPSERT);
      if (!emitters.isEmpty()) s.execute(EMITTERS_UPSERT);
      for (String t : SET_TABLES) {
        // Table names come from the fixed list above, never from input.
        s.execute("INSERT INTO " + t + " SELECT * FROM stage_" + t + " ON CONFLICT DO NOTHING");
      }
      s.execute("DELETE FROM stage_operations");
      s.execute("DELETE FROM stage_messages");
      s.execute("DELETE FROM stage_emitters");
      for (String t : SET_TABLES) s.execute("DELETE FROM stage_" + t);
    }
    for (TelemetryEvent e : declares) declare(e);
    beforeCommit.run();
  }

  private static void opCommon(TelemetryEvent e, Sets sets) {
    for (String t : e.traces()) sets.opTraces.add(List.of(e.opId(), t));
    for (Map.Entry<String, String> t : e.tags().entrySet()) {
      sets.tags.add(List.of("op", e.opId(), "tag", t.getKey(), t.getValue()));
    }
  }

  private static void message(TelemetryEvent e, Map<String, MsgAcc> msgs, Sets sets) {
    Header h = e.message().header();
    String channel = e.message().channel();
    msgs.computeIfAbsent(h.messageId(), MsgAcc::new).add(e, h, channel);
    int i = 0;
    for (String t : h.correlationIds()) sets.messageTraces.add(List.of(h.messageId(), t, i++));
    i = 0;
    for (String p : h.parentIds()) sets.messageParents.add(List.of(h.messageId(), p, i++));
    for (Map.Entry<String, String> t : h.mtags().entrySet()) {
      sets.tags.add(List.of("msg", h.messageId(), "mtag", t.getKey(), t.getValue()));
    }
    for (Map.Entry<String, String> t : h.ptags().entrySet()) {
      sets.tags.add(List.of("msg", h.messageId(), "ptag", t.getKey(), t.getValue()));
    }
    if (EventType.RECEIVE.equals(e.eventType())) {
      sets.receives.add(java.util.Arrays.asList(e.eventId(), h.messageId(), e.opId(), e.service(), channel,
          e.timestamp(), e.timestamp() - h.ticksFromEpoch()));
    }
  }

  /** The rows of the set tables, deduplicated within the batch; the store dedups against earlier batches. */
  private static final class Sets {
    final Set<List<Object>> eventTraces = new LinkedHashSet<>();
    final Set<List<Object>> opTraces = new LinkedHashSet<>();
    final Set<List<Object>> opInputs = new LinkedHashSet<>();
    final Set<List<Object>> messageTraces = new LinkedHashSet<>();
    final Set<List<Object>> messageParents = new LinkedHashSet<>();
    final Set<List<Object>> receives = new LinkedHashSet<>();
    final Set<List<Object>> tags = new LinkedHashSet<>();

    void stage(DuckDBConnection dc) throws SQLException {
      appendRows(dc, "stage_event_traces", eventTraces);
      appendRows(dc, "stage_op_traces", opTraces);
      appendRows(dc, "stage_op_inputs", dedupFirst(opInputs, 2));
      appendRows(dc, "stage_message_traces", dedupFirst(messageTraces, 2));
      appendRows(dc, "stage_message_parents", dedupFirst(messageParents, 2));
      appendRows(dc, "stage_receives", receives);
      appendRows(dc, "stage_tags", tags);
    }

    /** Keeps the first row per key (the first {@code keyColumns} values), as the table's key demands. */
    private static Set<List<Object>> dedupFirst(Set<List<Object>> rows, int keyColumns) {
      Map<List<Object>, List<Object>> byKey = new LinkedHashMap<>();
      for (List<Object> r : rows) byKey.putIfAbsent(r.subList(0, keyColumns), r);
      return new LinkedHashSet<>(byKey.values());
    }

  }

  // ------------------------------------------------------------------ operations

  /** One operation's fields from this batch's events, merged by the same rules as {@link #OPS_UPSERT}. */
  private static final class OpAcc {
    final String opId;
    String op;
    String service;
    String instanceId;
    String parentOpId;
    Long startTicks;
    Long endTicks;
    String status;
    String endStatus;
    String errorType;
    String errorMessage;
    String resource;

    OpAcc(String opId) {
      this.opId = opId;
    }

    private void common(TelemetryEvent e) {
      if (op == null) op = e.op();
      if (service == null) service = e.service();
      if (instanceId == null) instanceId = e.instanceId();
      if (parentOpId == null) parentOpId = e.parentOpId();
    }

    void start(TelemetryEvent e) {
      common(e);
      startTicks = startTicks == null ? e.timestamp() : Math.min(startTicks, e.timestamp());
      String r = resourceJson(e.resource());
      if (r != null) resource = r;
    }

    void end(TelemetryEvent e) {
      common(e);
      String s = EventType.COMPLETE.equals(e.eventType()) ? "ok" : "failed";
      if (status == null || (s.equals("failed") && !status.equals("failed"))) {
        endTicks = e.timestamp();
        endStatus = e.status();
        errorType = e.error() == null ? null : e.error().type();
        errorMessage = e.error() == null ? null : e.error().message();
        status = s;
      }
    }
  }

  private static List<Object> row(OpAcc o) {
    return java.util.Arrays.asList(o.opId, o.op, o.service, o.instanceId, o.parentOpId, o.startTicks, o.endTicks,
        o.status, o.endStatus, o.errorType, o.errorMessage, o.resource);
  }

  // ------------------------------------------------------------------ messages

  /** One message's fields from this batch's SEND and RECEIVE events, merged as {@link #MESSAGES_UPSERT} does. */
  private static final class MsgAcc {
    final String messageId;
    String producer;
    String schemaUri;
    String channel;
    boolean sent;
    Long msgTicks;
    Long sendTicks;
    String sendOpId;
    String sendService;

    MsgAcc(String messageId) {
      this.messageId = messageId;
    }

    void add(TelemetryEvent e, Header h, String ch) {
      boolean send = EventType.SEND.equals(e.eventType());
      if (producer == null) producer = h.producerId();
      if (schemaUri == null) schemaUri = h.payloadSchemaUri();
      if (msgTicks == null) msgTicks = h.ticksFromEpoch();
      if (channel == null) channel = ch;
      else if (send && !sent) channel = ch;
      else if (send == sent && ch.compareTo(channel) < 0) channel = ch;
      sent |= send;
      if (send) {
        if (sendTicks == null) sendTicks = e.timestamp();
        if (sendOpId == null) sendOpId = e.opId();
        if (sendService == null) sendService = e.service();
      }
    }
  }

  private static List<Object> row(MsgAcc m) {
    return java.util.Arrays.asList(m.messageId, m.producer, m.schemaUri, m.channel, m.sent, m.msgTicks, m.sendTicks,
        m.sendOpId, m.sendService);
  }

  // ------------------------------------------------------------------ emitters

  /** Events with a seq from one emitter in this batch: their count and the highest seq. */
  private static final class EmitterAcc {
    String service;
    long count;
    long maxSeq = -1;

    EmitterAcc(String service) {
      this.service = service;
    }

    void add(TelemetryEvent e) {
      if (e.service().compareTo(service) < 0) service = e.service();
      count++;
      maxSeq = Math.max(maxSeq, e.seq());
    }
  }

  // ------------------------------------------------------------------ declarations (rare: one statement each)

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

  // ------------------------------------------------------------------ helpers

  /** Appends rows to a staging table; a row's values are String, Long, Integer, Boolean or null. */
  private static void appendRows(DuckDBConnection dc, String table, java.util.Collection<List<Object>> rows)
      throws SQLException {
    if (rows.isEmpty()) return;
    try (DuckDBAppender a = dc.createAppender("temp", "main", table)) {
      for (List<Object> r : rows) {
        a.beginRow();
        for (Object v : r) {
          if (v == null) a.appendNull();
          else if (v instanceof String s) a.append(s);
          else if (v instanceof Long l) a.append((long) l);
          else if (v instanceof Integer n) a.append((int) n);
          else if (v instanceof Boolean b) a.append((boolean) b);
          else throw new IllegalStateException("unexpected value type " + v.getClass());
        }
        a.endRow();
      }
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
