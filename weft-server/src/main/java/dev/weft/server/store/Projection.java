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
 * Projects one batch of events into the store in bulk (see RATIONALE.md, "Store", "Bulk ingest" and "Layout 2").
 *
 * <ol>
 *   <li>Duplicates are found in memory ({@link EventIds}); only new events are written and projected.
 *   <li>The new events are merged in memory, per operation and per message, with the same order-independent rules
 *       the SQL merges use, so each key is written once per batch.
 *   <li>The append-only tables (events, traces, inputs, parents, receives, tags) get their rows straight from DuckDB
 *       appenders. Operations and messages go through a staging table, then one {@code UPDATE … FROM} for the ids
 *       the locator already knows and one {@code INSERT … SELECT} for the rest; emitters through one {@code INSERT …
 *       ON CONFLICT}.
 * </ol>
 *
 * Everything runs in the caller's transaction; the in-memory indexes change only in {@link #committed}, after the
 * commit. Every row carries the batch's {@code batch_no}. All values are bound or appended, never spliced into SQL.
 */
final class Projection {
  private final Connection c;
  /** Runs after every write of a batch, before the commit; tests make it throw to prove the batch rolls back. */
  Runnable beforeCommit = () -> { };

  final EventIds ids = new EventIds();
  final Locator locator = new Locator();
  /** The batch number the next batch that stores anything gets. */
  private long nextBatch = 1;

  Projection(Connection c) {
    this.c = c;
  }

  /** Staging tables for the three upserted tables, as TEMP tables of the connection. */
  private static final List<String> STAGE_DDL = List.of(
      "CREATE TEMP TABLE IF NOT EXISTS stage_operations AS SELECT * FROM operations LIMIT 0",
      "CREATE TEMP TABLE IF NOT EXISTS stage_messages AS SELECT * FROM messages LIMIT 0",
      "CREATE TEMP TABLE IF NOT EXISTS stage_emitters AS SELECT * FROM emitters LIMIT 0");

  static void createStaging(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String ddl : STAGE_DDL) s.execute(ddl);
    }
  }

  // ------------------------------------------------------------------ upserts from staging

  /*
   * Operations and messages have no key: DuckDB rewrites a table's whole ART index at every checkpoint, which at 10M
   * events stalled a commit for 3.6 s (RATIONALE.md, "No keys on operations and messages"). A row that may exist is
   * found through the locator and merged by an UPDATE limited to its batches; the rest are inserted. Each merge rule
   * below is the one the in-memory accumulators apply within a batch.
   */
  private static final String OPS_MERGE = "UPDATE operations SET"
      + " op = coalesce(operations.op, s.op),"
      + " service = coalesce(operations.service, s.service),"
      + " instance_id = coalesce(operations.instance_id, s.instance_id),"
      + " parent_op_id = coalesce(operations.parent_op_id, s.parent_op_id),"
      + " start_ticks = CASE WHEN operations.start_ticks IS NULL THEN s.start_ticks"
      + "   WHEN s.start_ticks IS NULL THEN operations.start_ticks"
      + "   ELSE least(operations.start_ticks, s.start_ticks) END,"
      + " resource = coalesce(s.resource, operations.resource),"
      // the end fields travel together: the incoming end wins if none was known, or if it failed and the known one not
      + " end_ticks = CASE WHEN " + endWins() + " THEN s.end_ticks ELSE operations.end_ticks END,"
      + " end_status = CASE WHEN " + endWins() + " THEN s.end_status ELSE operations.end_status END,"
      + " error_type = CASE WHEN " + endWins() + " THEN s.error_type ELSE operations.error_type END,"
      + " error_message = CASE WHEN " + endWins() + " THEN s.error_message ELSE operations.error_message END,"
      + " status = CASE WHEN operations.status = 'failed' OR s.status = 'failed' THEN 'failed'"
      + "   ELSE coalesce(operations.status, s.status) END,"
      // the topology cache finds what a batch changed by this (TopologyQueries.dirty)
      + " touched_batch = s.touched_batch,"
      // a lower bound that only falls; least() skips the NULL of a row written before the column
      + " first_batch = least(operations.first_batch, s.first_batch)"
      // batch_no is not updated: the row stays where it was first written, and the locator learns that batch
      + " FROM stage_operations s WHERE operations.op_id = s.op_id AND ";

  private static String endWins() {
    return "(s.status IS NOT NULL AND (operations.status IS NULL"
        + " OR (s.status = 'failed' AND operations.status <> 'failed')))";
  }

  /**
   * The merge rule of each column of a message that the roll-ups read, in the order of the table; an expression over
   * the stored row ({@code messages}) and the staged one ({@code s}).
   */
  private static final List<Map.Entry<String, String>> MESSAGE_FIELDS = List.of(
      Map.entry("producer", "coalesce(messages.producer, s.producer)"),
      Map.entry("schema_uri", "coalesce(messages.schema_uri, s.schema_uri)"),
      // the SEND's channel wins; without a SEND, the least receive channel (deterministic whatever the order)
      Map.entry("channel", "CASE WHEN s.sent AND NOT messages.sent THEN s.channel"
          + " WHEN messages.sent AND NOT s.sent THEN messages.channel ELSE least(messages.channel, s.channel) END"),
      Map.entry("sent", "messages.sent OR s.sent"),
      Map.entry("msg_ticks", "coalesce(messages.msg_ticks, s.msg_ticks)"),
      Map.entry("send_ticks", "coalesce(messages.send_ticks, s.send_ticks)"),
      Map.entry("send_op_id", "coalesce(messages.send_op_id, s.send_op_id)"),
      Map.entry("send_service", "coalesce(messages.send_service, s.send_service)"));

  private static final String MESSAGES_MERGE = messagesMerge();

  /**
   * The fields by {@link #MESSAGE_FIELDS}; {@code touched_batch} is the batch, and {@code shape_batch} too when a
   * field changes. Most merges only add a receive to a message sent earlier and change no field, and then the
   * operations that consumed it need no new roll-up (TopologyQueries.dirty).
   */
  private static String messagesMerge() {
    StringBuilder set = new StringBuilder("UPDATE messages SET ");
    StringBuilder changed = new StringBuilder();
    for (Map.Entry<String, String> f : MESSAGE_FIELDS) {
      set.append(f.getKey()).append(" = ").append(f.getValue()).append(", ");
      if (changed.length() > 0) changed.append(" OR ");
      changed.append('(').append(f.getValue()).append(") IS DISTINCT FROM messages.").append(f.getKey());
    }
    return set.append("touched_batch = s.touched_batch, shape_batch = CASE WHEN ").append(changed)
        .append(" THEN s.touched_batch ELSE messages.shape_batch END")
        .append(" FROM stage_messages s WHERE messages.message_id = s.message_id AND ").toString();
  }

  // Loss counters can be incremental: only events new by event_id (checked in this transaction) are counted.
  private static final String EMITTERS_UPSERT = "INSERT INTO emitters SELECT * FROM stage_emitters"
      + " ON CONFLICT (instance_id) DO UPDATE SET"
      + " service = least(emitters.service, excluded.service),"
      + " seq_count = emitters.seq_count + excluded.seq_count,"
      + " max_seq = greatest(emitters.max_seq, excluded.max_seq)";

  // ------------------------------------------------------------------ memory: load, and apply after a commit

  /** Rebuilds the in-memory indexes from the tables; run once when the store opens. */
  void load() throws SQLException {
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT CAST(value AS BIGINT) FROM store_meta WHERE key = 'last_batch'")) {
        rs.next();
        nextBatch = rs.getLong(1) + 1;
      }
    }
    discardUncommitted();
    try (Statement s = c.createStatement()) {
      // Conventional ids (instance_id-seq) as ranges. An emitter whose seqs have no gap (its count fills its range;
      // a seq is stored once, as its event_id is) is one range, from a plain aggregate; only the others need the gaps
      // and islands, whose sort over every event took 2 of the 15-20 s of opening a 10M-event store.
      try (ResultSet rs = s.executeQuery("WITH conventional AS (SELECT instance_id, seq FROM events"
          + " WHERE event_id = instance_id || '-' || CAST(seq AS VARCHAR)),"
          + " spans AS (SELECT instance_id, min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM conventional"
          + " GROUP BY instance_id)"
          + " SELECT instance_id, lo, hi FROM spans WHERE n = hi - lo + 1"
          + " UNION ALL SELECT instance_id, min(seq), max(seq) FROM (SELECT c.instance_id, c.seq,"
          + " c.seq - row_number() OVER (PARTITION BY c.instance_id ORDER BY c.seq) AS g FROM conventional c"
          + " JOIN spans USING (instance_id) WHERE spans.n <> spans.hi - spans.lo + 1) GROUP BY instance_id, g")) {
        while (rs.next()) ids.addRange(rs.getString(1), rs.getLong(2), rs.getLong(3));
      }
      try (ResultSet rs = s.executeQuery("SELECT event_id FROM events"
          + " WHERE event_id IS DISTINCT FROM instance_id || '-' || CAST(seq AS VARCHAR)")) {
        while (rs.next()) ids.add(rs.getString(1));
      }
      load(s, Locator.TRACE, "SELECT trace_id, batch_no FROM events UNION SELECT trace_id, batch_no FROM event_traces"
          + " UNION SELECT trace_id, batch_no FROM op_traces"
          + " UNION SELECT trace_id, batch_no FROM message_traces"
          + " UNION SELECT t.trace_id, o.batch_no FROM op_traces t JOIN operations o ON o.op_id = t.op_id"
          + " UNION SELECT t.trace_id, m.batch_no FROM message_traces t JOIN messages m ON m.message_id = t.message_id");
      load(s, Locator.MESSAGE, "SELECT message_id, batch_no FROM message_traces"
          + " UNION SELECT message_id, batch_no FROM messages");
      load(s, Locator.CHILDREN, "SELECT DISTINCT parent_id, batch_no FROM message_parents");
      // a sent message's row is never newer than its SEND: the operation's first_batch stays a lower bound of it
      load(s, Locator.OP, "SELECT op_id, batch_no FROM op_traces UNION SELECT op_id, batch_no FROM operations"
          + " UNION SELECT op_id, batch_no FROM receives WHERE op_id IS NOT NULL"
          + " UNION SELECT send_op_id, batch_no FROM messages WHERE send_op_id IS NOT NULL");
      // inputs and tag pairs by their stored hashes: no strings to read
      loadHashes(s, Locator.INPUT, "SELECT DISTINCT msg_h, batch_no FROM op_inputs");
      loadHashes(s, Locator.TAG, "SELECT DISTINCT pair_h, batch_no FROM tags");
    }
    c.commit();
  }

  private void load(Statement s, char kind, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) locator.add(kind, rs.getString(1), rs.getLong(2));
    }
  }

  private void loadHashes(Statement s, char kind, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) locator.addHash(kind, rs.getLong(1), rs.getLong(2));
    }
  }

  /**
   * Removes the appended rows of batches that never committed (a crash or a failure between the appenders and the
   * commit), and empties the staging tables. Runs when the store opens and after a failed batch.
   */
  void discardUncommitted() throws SQLException {
    c.rollback(); // no earlier transaction may stay open with a snapshot older than the deletes
    try (Statement s = c.createStatement()) {
      for (String t : Schema.APPENDED) {
        // Table names come from the fixed list in Schema, never from input.
        s.execute("DELETE FROM " + t + " WHERE batch_no >= " + nextBatch);
      }
      s.execute("DELETE FROM stage_operations");
      s.execute("DELETE FROM stage_messages");
      s.execute("DELETE FROM stage_emitters");
    }
    c.commit();
  }

  /** What a batch changes in memory once its transaction has committed. */
  static final class Pending {
    final int accepted;
    final List<String> newIds;
    long[] keys = new long[64];
    int[] batches = new int[64];
    int pairs;

    Pending(int accepted, List<String> newIds) {
      this.accepted = accepted;
      this.newIds = newIds;
    }

    void locate(char kind, String id, long batch) {
      if (pairs == keys.length) {
        keys = java.util.Arrays.copyOf(keys, pairs * 2);
        batches = java.util.Arrays.copyOf(batches, pairs * 2);
      }
      keys[pairs] = Locator.key(kind, LongHash.of(id));
      batches[pairs++] = (int) batch;
    }
  }

  /** The last batch that committed (0 before the first). */
  long lastCommitted() {
    return nextBatch - 1;
  }

  /** Applies a committed batch to the in-memory indexes. */
  void committed(Pending p) {
    if (p.accepted == 0) return;
    for (String id : p.newIds) ids.add(id);
    for (int i = 0; i < p.pairs; i++) locator.add(p.keys[i], p.batches[i]);
    nextBatch++;
  }

  // ------------------------------------------------------------------ the batch

  /** Writes the batch's new events and projects them; {@link #committed} must follow the commit. */
  Pending ingest(List<TelemetryEvent> batch) throws SQLException {
    DuckDBConnection dc = c.unwrap(DuckDBConnection.class);
    // Duplicates inside the batch: the first copy is the one offered to the store.
    Map<String, TelemetryEvent> distinct = new LinkedHashMap<>();
    for (TelemetryEvent e : batch) distinct.putIfAbsent(e.eventId(), e);
    List<TelemetryEvent> fresh = new ArrayList<>(distinct.size());
    List<String> maybe = new ArrayList<>();
    for (TelemetryEvent e : distinct.values()) {
      EventIds.Split split = EventIds.split(e.eventId());
      if (!ids.contains(e.eventId(), split)) fresh.add(e);
      else if (split == null) maybe.add(e.eventId());
    }
    if (!maybe.isEmpty()) {
      // A hash hit is confirmed against the table: a collision must not drop an event.
      Set<String> stored = storedIds(maybe);
      fresh.clear();
      for (TelemetryEvent e : distinct.values()) {
        EventIds.Split split = EventIds.split(e.eventId());
        if (!ids.contains(e.eventId(), split) || (split == null && !stored.contains(e.eventId()))) fresh.add(e);
      }
    }
    List<String> newIds = new ArrayList<>(fresh.size());
    for (TelemetryEvent e : fresh) newIds.add(e.eventId());
    Pending pending = new Pending(fresh.size(), newIds);
    if (fresh.isEmpty()) return pending;

    // Appenders commit on their own, and the statements below must see their rows: end any transaction the reads
    // above opened, so the batch's transaction starts (and takes its snapshot) after the last append.
    c.commit();
    long b = nextBatch;
    List<List<Object>> raw = new ArrayList<>(fresh.size());
    for (TelemetryEvent e : fresh) {
      raw.add(java.util.Arrays.asList(e.eventId(), e.timestamp(), e.eventType(), e.service(), e.instanceId(),
          e.seq() >= 0 ? e.seq() : null, e.traceId(), e.op(), e.opId(),
          e.message() == null ? null : e.message().header().messageId(), EventJson.toJson(e), b));
    }
    appendRows(dc, "events", raw);
    project(dc, fresh, b, pending);
    return pending;
  }

  private Set<String> storedIds(List<String> candidates) throws SQLException {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < candidates.size(); i += 500) {
      List<String> chunk = candidates.subList(i, Math.min(candidates.size(), i + 500));
      String sql = "SELECT event_id FROM events WHERE event_id IN ("
          + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        bind(ps, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private void project(DuckDBConnection dc, List<TelemetryEvent> events, long b, Pending pending)
      throws SQLException {
    Map<String, OpAcc> ops = new LinkedHashMap<>();
    Map<String, MsgAcc> msgs = new LinkedHashMap<>();
    Map<String, EmitterAcc> emitters = new LinkedHashMap<>();
    Sets sets = new Sets();
    List<TelemetryEvent> declares = new ArrayList<>();
    Set<String> traces = new HashSet<>();
    for (TelemetryEvent e : events) {
      // An event belongs to its own trace_id (Store.check makes it one of its traces), which the events row holds;
      // event_traces lists the traces of the events that have more than one, about a sixth of them in the shop.
      List<String> eventTraces = e.traces();
      for (String t : eventTraces) {
        if (eventTraces.size() > 1) sets.eventTraces.add(List.of(e.eventId(), t));
        traces.add(t);
      }
      if (e.instanceId() != null && e.seq() >= 0) {
        emitters.computeIfAbsent(e.instanceId(), k -> new EmitterAcc(e.service())).add(e);
      }
      switch (e.eventType()) {
        case EventType.START -> {
          ops.computeIfAbsent(e.opId(), OpAcc::new).start(e);
          opCommon(e, sets, ops, pending, b);
          int i = 0;
          for (String m : e.inputs()) {
            sets.opInputs.add(List.of(e.opId(), m, i++, LongHash.of(e.opId()), LongHash.of(m)));
            pending.locate(Locator.INPUT, m, b);
          }
        }
        case EventType.COMPLETE, EventType.FAIL -> {
          ops.computeIfAbsent(e.opId(), OpAcc::new).end(e);
          opCommon(e, sets, ops, pending, b);
        }
        case EventType.SEND, EventType.RECEIVE -> {
          message(e, msgs, sets, pending, b);
          Header h = e.message().header();
          traces.addAll(h.correlationIds());
          pending.locate(Locator.MESSAGE, h.messageId(), b);
          for (String p : h.parentIds()) pending.locate(Locator.CHILDREN, p, b);
          if (e.opId() != null) pending.locate(Locator.OP, e.opId(), b);
        }
        case EventType.DECLARE -> declares.add(e);
        default -> { } // custom events live in the events table; search reads them from there
      }
    }
    for (String t : traces) pending.locate(Locator.TRACE, t, b);
    List<List<Object>> opRows = new ArrayList<>(ops.size());
    for (OpAcc o : ops.values()) opRows.add(row(o, b, firstBatch(Locator.OP, o.opId, b)));
    appendRows(dc, "temp", "stage_operations", opRows);
    List<List<Object>> msgRows = new ArrayList<>(msgs.size());
    for (MsgAcc m : msgs.values()) msgRows.add(row(m, b));
    appendRows(dc, "temp", "stage_messages", msgRows);
    List<List<Object>> emitterRows = new ArrayList<>(emitters.size());
    emitters.forEach((id, acc) -> emitterRows.add(List.of(id, acc.service, acc.count, acc.maxSeq)));
    appendRows(dc, "temp", "stage_emitters", emitterRows);
    sets.append(dc, b, m -> firstBatch(Locator.MESSAGE, m, b));
    try (Statement s = c.createStatement()) {
      if (!ops.isEmpty()) {
        // An operation first written by an earlier batch stays in that batch: its traces must find it there.
        for (Merged r : merge("operations", "op_id", OPS_MERGE, Locator.OP, ops.keySet())) {
          for (String t : ops.get(r.id()).traces) pending.locate(Locator.TRACE, t, r.batch());
        }
      }
      if (!msgs.isEmpty()) {
        // the locator knows the message's own batch already (that is how the row was found); its traces are new there
        for (Merged r : merge("messages", "message_id", MESSAGES_MERGE, Locator.MESSAGE, msgs.keySet())) {
          for (String t : msgs.get(r.id()).correlationIds) pending.locate(Locator.TRACE, t, r.batch());
        }
      }
      if (!emitters.isEmpty()) s.execute(EMITTERS_UPSERT);
      // The commit marker: the appended rows of batch b count from the moment this commits.
      s.execute("UPDATE store_meta SET value = '" + b + "' WHERE key = 'last_batch'");
      s.execute("DELETE FROM stage_operations");
      s.execute("DELETE FROM stage_messages");
      s.execute("DELETE FROM stage_emitters");
    }
    for (TelemetryEvent e : declares) declare(e);
    beforeCommit.run();
  }

  /** The least batch with a row of {@code id}, this batch {@code b} included: the bounds of Schema. */
  private long firstBatch(char kind, String id, long b) {
    return Math.min(locator.first(kind, id), b);
  }

  private static void opCommon(TelemetryEvent e, Sets sets, Map<String, OpAcc> ops, Pending pending, long b) {
    OpAcc acc = ops.get(e.opId());
    pending.locate(Locator.OP, e.opId(), b);
    for (String t : e.traces()) {
      sets.opTraces.add(List.of(e.opId(), t));
      acc.traces.add(t);
    }
    for (Map.Entry<String, String> t : e.tags().entrySet()) {
      sets.tags.add(tagRow("op", e.opId(), "tag", t));
      pending.locate(Locator.TAG, Locator.tag(t.getKey(), t.getValue()), b);
    }
  }

  /** A tags row without its batch: the owner, the pair, and their hashes (Schema). */
  private static List<Object> tagRow(String ownerKind, String ownerId, String kind, Map.Entry<String, String> t) {
    return List.of(ownerKind, ownerId, kind, t.getKey(), t.getValue(), LongHash.of(Locator.tag(t.getKey(),
        t.getValue())), LongHash.of(ownerId));
  }

  private static void message(TelemetryEvent e, Map<String, MsgAcc> msgs, Sets sets, Pending pending, long b) {
    Header h = e.message().header();
    String channel = e.message().channel();
    MsgAcc acc = msgs.computeIfAbsent(h.messageId(), MsgAcc::new);
    acc.add(e, h, channel);
    acc.correlationIds.addAll(h.correlationIds());
    int i = 0;
    for (String t : h.correlationIds()) sets.messageTraces.add(List.of(h.messageId(), t, i++));
    i = 0;
    for (String p : h.parentIds()) sets.messageParents.add(List.of(h.messageId(), p, i++));
    for (Map.Entry<String, String> t : h.mtags().entrySet()) {
      sets.tags.add(tagRow("msg", h.messageId(), "mtag", t));
      pending.locate(Locator.TAG, Locator.tag(t.getKey(), t.getValue()), b);
    }
    for (Map.Entry<String, String> t : h.ptags().entrySet()) {
      sets.tags.add(tagRow("msg", h.messageId(), "ptag", t));
      pending.locate(Locator.TAG, Locator.tag(t.getKey(), t.getValue()), b);
    }
    if (EventType.RECEIVE.equals(e.eventType())) {
      sets.receives.add(java.util.Arrays.asList(e.eventId(), h.messageId(), e.opId(), e.service(), channel,
          e.timestamp(), e.timestamp() - h.ticksFromEpoch()));
    }
  }

  /**
   * The rows of the set tables, deduplicated within the batch. Across batches a row may repeat (an operation's START
   * and COMPLETE in two batches both give its traces); reads treat these tables as sets.
   */
  private static final class Sets {
    final Set<List<Object>> eventTraces = new LinkedHashSet<>();
    final Set<List<Object>> opTraces = new LinkedHashSet<>();
    final Set<List<Object>> opInputs = new LinkedHashSet<>();
    final Set<List<Object>> messageTraces = new LinkedHashSet<>();
    final Set<List<Object>> messageParents = new LinkedHashSet<>();
    final Set<List<Object>> receives = new LinkedHashSet<>();
    final Set<List<Object>> tags = new LinkedHashSet<>();

    /** {@code msgBatch}: the lower bound of a message row's batch that inputs and receives carry. */
    void append(DuckDBConnection dc, long b, java.util.function.Function<String, Long> msgBatch)
        throws SQLException {
      appendRows(dc, "event_traces", withBatch(eventTraces, b, null));
      appendRows(dc, "op_traces", withBatch(opTraces, b, null));
      appendRows(dc, "op_inputs", withBatch(dedupFirst(opInputs, 2), b, r -> msgBatch.apply((String) r.get(1))));
      appendRows(dc, "message_traces", withBatch(dedupFirst(messageTraces, 2), b, null));
      appendRows(dc, "message_parents", withBatch(dedupFirst(messageParents, 2), b, null));
      appendRows(dc, "receives", withBatch(receives, b, r -> msgBatch.apply((String) r.get(1))));
      appendRows(dc, "tags", withBatch(tags, b, null));
    }

    /** The rows with the batch, then the {@code after} column if given. */
    private static List<List<Object>> withBatch(Set<List<Object>> rows, long b,
        java.util.function.Function<List<Object>, Object> after) {
      List<List<Object>> out = new ArrayList<>(rows.size());
      for (List<Object> r : rows) {
        List<Object> row = new ArrayList<>(r.size() + 2);
        row.addAll(r);
        row.add(b);
        if (after != null) row.add(after.apply(r));
        out.add(row);
      }
      return out;
    }

    /** Keeps the first row per key (the first {@code keyColumns} values), as the table's key demands. */
    private static Set<List<Object>> dedupFirst(Set<List<Object>> rows, int keyColumns) {
      Map<List<Object>, List<Object>> byKey = new LinkedHashMap<>();
      for (List<Object> r : rows) byKey.putIfAbsent(r.subList(0, keyColumns), r);
      return new LinkedHashSet<>(byKey.values());
    }

  }

  // ------------------------------------------------------------------ operations

  /** One operation's fields from this batch's events, merged by the same rules as {@link #OPS_MERGE}. */
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
    final Set<String> traces = new LinkedHashSet<>();

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

  /** {@code firstBatch}: at most the batch of any row of the operation, this one's included (Schema). */
  private static List<Object> row(OpAcc o, long b, long firstBatch) {
    return java.util.Arrays.asList(o.opId, o.op, o.service, o.instanceId, o.parentOpId, o.startTicks, o.endTicks,
        o.status, o.endStatus, o.errorType, o.errorMessage, o.resource, b, b, firstBatch, LongHash.of(o.opId));
  }

  // ------------------------------------------------------------------ messages

  /** One message's fields from this batch's SEND and RECEIVE events, merged as {@link #MESSAGES_MERGE} does. */
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
    final Set<String> correlationIds = new LinkedHashSet<>();

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

  private static List<Object> row(MsgAcc m, long b) {
    return java.util.Arrays.asList(m.messageId, m.producer, m.schemaUri, m.channel, m.sent, m.msgTicks, m.sendTicks,
        m.sendOpId, m.sendService, b, b, b);
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

  /** A stored row that a staged one was merged into: its id and the batch that first wrote it. */
  private record Merged(String id, long batch) {}

  /**
   * Moves the staged rows of {@code table} into it: rows whose id the locator knows are merged into the stored row by
   * {@code mergeSql} (an UPDATE … FROM the staging table, limited to those ids' batches), the others are inserted.
   * The locator knows every stored id (a hash collision only adds batches to read), so no id is inserted twice.
   * Returns the rows merged, which stay in the batch that first wrote them.
   */
  private List<Merged> merge(String table, String idColumn, String mergeSql, char kind, Set<String> staged)
      throws SQLException {
    List<Merged> merged = new ArrayList<>();
    int[] known = locator.union(kind, staged);
    if (known.length > 0) {
      Prune in = new Prune(known);
      // table and column names are the callers' constants; the batches are bound
      try (PreparedStatement ps = c.prepareStatement(mergeSql + in.sql(table) + " RETURNING " + table + "."
          + idColumn + ", " + table + ".batch_no")) {
        bind(ps, in.params());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) merged.add(new Merged(rs.getString(1), rs.getLong(2)));
        }
      }
    }
    String stage = "stage_" + table;
    if (merged.isEmpty()) {
      update("INSERT INTO " + table + " SELECT * FROM " + stage);
    } else {
      String[] ids = merged.stream().map(Merged::id).toArray(String[]::new);
      update("INSERT INTO " + table + " SELECT * FROM " + stage + " WHERE " + idColumn
          + " NOT IN (SELECT unnest(?::VARCHAR[]))", (Object) ids);
    }
    return merged;
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

  /** Appends rows to a table of the store; a row's values are String, Long, Integer, Boolean or null. */
  private static void appendRows(DuckDBConnection dc, String table, java.util.Collection<List<Object>> rows)
      throws SQLException {
    appendRows(dc, null, table, rows);
  }

  /** As above, into the catalog {@code temp} (the staging tables) or, with null, the store's own. */
  private static void appendRows(DuckDBConnection dc, String catalog, String table,
      java.util.Collection<List<Object>> rows) throws SQLException {
    if (rows.isEmpty()) return;
    try (DuckDBAppender a = catalog == null ? dc.createAppender(DuckDBConnection.DEFAULT_SCHEMA, table)
        : dc.createAppender(catalog, "main", table)) {
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
      else if (a instanceof String[] list) ps.setArray(i + 1, ps.getConnection().createArrayOf("VARCHAR", list));
      else if (a instanceof long[] list) {
        ps.setArray(i + 1, ps.getConnection().createArrayOf("BIGINT", java.util.Arrays.stream(list).boxed()
            .toArray(Long[]::new)));
      }
      else throw new IllegalArgumentException("unsupported parameter type " + a.getClass());
    }
  }
}
