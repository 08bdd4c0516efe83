package dev.weft.server.store;

import dev.weft.core.event.TelemetryEvent;
import dev.weft.server.query.Query;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The embedded store: an append-only table of telemetry events keyed by {@code event_id}, and the read tables
 * projected from it (operations, messages, receives, tags, emitters, declared topology), in one DuckDB file.
 *
 * <p>{@link #ingest} writes one batch in one transaction: all of it or nothing. It is idempotent by {@code event_id},
 * and the projection converges to the same state whatever order the events arrive in. Every SQL statement binds user
 * values as parameters. Methods are synchronized: one connection, one writer.
 */
public final class Store implements AutoCloseable {

  /**
   * @param abandonAfter an operation with a START but no COMPLETE or FAIL is abandoned once this much time has passed
   *     since its start
   * @param clock the clock that decides "now" for abandoned operations and relative times ({@code since=1h})
   */
  public record Config(Duration abandonAfter, Clock clock) {
    public Config {
      Objects.requireNonNull(abandonAfter, "abandonAfter");
      Objects.requireNonNull(clock, "clock");
      if (abandonAfter.isNegative()) throw new IllegalArgumentException("abandonAfter must not be negative");
    }

    /** Abandoned after one hour, by the system clock. */
    public static Config defaults() {
      return new Config(Duration.ofHours(1), Clock.systemUTC());
    }
  }

  /** What one {@link #ingest} did: events newly stored, and events whose {@code event_id} was already stored. */
  public record IngestResult(int accepted, int duplicates) {}

  /** One operation. {@code status} is ok, failed, running or abandoned (derived at read time). Ticks may be null. */
  public record OpRow(String opId, String op, String service, String instanceId, String parentOpId, Long startTicks,
      Long endTicks, Long durationTicks, String status, String endStatus, String errorType, String errorMessage,
      String resource, List<String> traces) {}

  /** One message. {@code msgTicks} is the header's ticks_from_epoch. */
  public record MessageRow(String messageId, String producer, String schema, String channel, Long msgTicks,
      Long sendTicks, String sendOpId, List<String> traces, List<String> parentIds, Map<String, String> mtags,
      Map<String, String> ptags) {}

  /**
   * An edge of the trace's DAG. {@code kind}: {@code parent} (message {@code from} was caused by message {@code to}),
   * {@code input} (message {@code from} is consumed by operation {@code to}), {@code output} (operation {@code from}
   * sent message {@code to}), {@code child} (operation {@code from} is the parent operation of {@code to}).
   */
  public record Edge(String kind, String from, String to) {}

  /** One stored event: the exact JSON written by {@code EventJson.toJson}, plus columns for ordering. */
  public record EventRow(String eventId, long ticks, String eventType, String service, String opId, String json) {}

  /** Everything known about one trace. Lists are in a stable order. */
  public record TraceView(String traceId, List<OpRow> operations, List<MessageRow> messages, List<Edge> edges,
      List<EventRow> events, List<String> linkedTraces) {}

  /** Telemetry loss of one emitter: {@code lost = maxSeq + 1 - seqCount}. */
  public record EmitterLoss(String instanceId, String service, long seqCount, long maxSeq, long lost) {}

  /** A failure of the store: a batch that did not commit, or a read that failed. Nothing partial is left behind. */
  public static final class StoreException extends RuntimeException {
    StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Longest result of a search. */
  public static final int MAX_LIMIT = 10_000;

  private final Connection conn;
  private final Config config;

  private final Projection projection;

  private Store(Connection conn, Config config) {
    this.conn = conn;
    this.config = config;
    this.projection = new Projection(conn);
  }

  /** Opens (creating if needed) the store in {@code file}. */
  public static Store open(Path file, Config config) {
    try {
      Class.forName("org.duckdb.DuckDBDriver");
      Connection c = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
      try {
        Schema.create(c);
        Projection.createStaging(c);
        try (java.sql.Statement st = c.createStatement()) {
          // A checkpoint rewrites the indexes; at DuckDB's default (16 MB of WAL) it ran every few batches and took
          // more than half of the ingest time. 256 MB bounds the WAL replayed after a crash to a few seconds.
          st.execute("SET checkpoint_threshold = '256MB'");
        }
        c.setAutoCommit(false);
        c.commit();
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      return new Store(c, config);
    } catch (SQLException | ClassNotFoundException e) {
      throw new StoreException("cannot open store " + file + ": " + e.getMessage(), e);
    }
  }

  /** Test hook: runs after a batch is fully written, just before its commit. */
  void beforeCommitForTest(Runnable hook) {
    projection.beforeCommit = hook;
  }

  /** Writes everything to the main file now (DuckDB CHECKPOINT), for a backup or a size measurement. */
  public synchronized void checkpoint() {
    try (java.sql.Statement st = conn.createStatement()) {
      conn.commit();
      st.execute("CHECKPOINT");
    } catch (SQLException e) {
      throw new StoreException("checkpoint failed: " + e.getMessage(), e);
    }
  }

  public Config config() {
    return config;
  }

  // ------------------------------------------------------------------ ingest

  /**
   * Stores a batch in one transaction. Events whose {@code event_id} is already stored, or that appear earlier in the
   * batch, are counted as duplicates and not projected again. Any failure rolls the whole batch back and throws.
   */
  public synchronized IngestResult ingest(List<TelemetryEvent> batch) {
    Objects.requireNonNull(batch, "batch");
    try {
      int index = 0;
      for (TelemetryEvent e : batch) check(e, index++);
      int accepted = projection.ingest(batch);
      conn.commit();
      return new IngestResult(accepted, batch.size() - accepted);
    } catch (SQLException | RuntimeException e) {
      rollback(e);
      throw new StoreException("batch not stored: " + e.getMessage(), e);
    }
  }

  /** What the projection relies on; the JSON reader already enforces it for parsed events. */
  private static void check(TelemetryEvent e, int index) {
    if (e == null) throw new IllegalArgumentException("event " + index + ": null");
    String t = e.eventType();
    boolean opEvent = t.equals("START") || t.equals("COMPLETE") || t.equals("FAIL");
    if (opEvent && (e.opId() == null || e.op() == null)) {
      throw new IllegalArgumentException("event " + index + ", field op_id: required on " + t + " events");
    }
    if ((t.equals("SEND") || t.equals("RECEIVE")) && e.message() == null) {
      throw new IllegalArgumentException("event " + index + ", field message: required on " + t + " events");
    }
    if (t.equals("DECLARE") && e.topology() == null) {
      throw new IllegalArgumentException("event " + index + ", field topology: required on DECLARE events");
    }
    if (e.eventId().isEmpty() || e.eventId().length() > TelemetryEvent.MAX_EVENT_ID_LENGTH) {
      throw new IllegalArgumentException("event " + index + ", field event_id: 1 to 64 characters");
    }
  }

  private void rollback(Exception cause) {
    try {
      conn.rollback();
    } catch (SQLException r) {
      cause.addSuppressed(r);
    }
  }

  // ------------------------------------------------------------------ reads

  private long abandonCutoff(java.time.Instant now) {
    return dev.weft.core.Ticks.of(now.minus(config.abandonAfter()));
  }

  private static final String OP_COLUMNS = "o.op_id, o.op, o.service, o.instance_id, o.parent_op_id, o.start_ticks,"
      + " o.end_ticks, o.end_ticks - o.start_ticks, " + SearchCompiler.STATUS_SQL + ", o.end_status, o.error_type,"
      + " o.error_message, o.resource";

  /** Everything about one trace: its operations, messages, DAG edges, events, and the traces linked to it. */
  public synchronized TraceView trace(String traceId) {
    Objects.requireNonNull(traceId, "traceId");
    try {
      long cutoff = abandonCutoff(config.clock().instant());
      List<OpRow> ops = ops("SELECT " + OP_COLUMNS + " FROM operations o WHERE o.op_id IN"
          + " (SELECT op_id FROM op_traces WHERE trace_id = ?) ORDER BY o.start_ticks NULLS LAST, o.op_id",
          List.of(cutoff, traceId));
      List<MessageRow> messages = messages(traceId);
      List<Edge> edges = new ArrayList<>();
      for (Object[] r : rows("SELECT p.message_id, p.parent_id FROM message_parents p WHERE p.message_id IN"
          + " (SELECT message_id FROM message_traces WHERE trace_id = ?) ORDER BY p.message_id, p.idx", traceId)) {
        edges.add(new Edge("parent", (String) r[0], (String) r[1]));
      }
      for (Object[] r : rows("SELECT i.message_id, i.op_id FROM op_inputs i WHERE i.op_id IN"
          + " (SELECT op_id FROM op_traces WHERE trace_id = ?) ORDER BY i.op_id, i.idx", traceId)) {
        edges.add(new Edge("input", (String) r[0], (String) r[1]));
      }
      for (Object[] r : rows("SELECT m.send_op_id, m.message_id FROM messages m WHERE m.send_op_id IS NOT NULL AND"
          + " m.message_id IN (SELECT message_id FROM message_traces WHERE trace_id = ?)"
          + " ORDER BY m.send_op_id, m.message_id", traceId)) {
        edges.add(new Edge("output", (String) r[0], (String) r[1]));
      }
      for (Object[] r : rows("SELECT o.parent_op_id, o.op_id FROM operations o WHERE o.parent_op_id IS NOT NULL AND"
          + " o.op_id IN (SELECT op_id FROM op_traces WHERE trace_id = ?) ORDER BY o.parent_op_id, o.op_id", traceId)) {
        edges.add(new Edge("child", (String) r[0], (String) r[1]));
      }
      List<EventRow> events = new ArrayList<>();
      for (Object[] r : rows("SELECT e.event_id, e.ts, e.event_type, e.service, e.op_id, e.json FROM events e"
          + " WHERE e.event_id IN (SELECT event_id FROM event_traces WHERE trace_id = ?) ORDER BY e.ts, e.event_id",
          traceId)) {
        events.add(new EventRow((String) r[0], (Long) r[1], (String) r[2], (String) r[3], (String) r[4],
            (String) r[5]));
      }
      return new TraceView(traceId, ops, messages, edges, events, linked(traceId));
    } catch (SQLException e) {
      throw new StoreException("cannot read trace: " + e.getMessage(), e);
    }
  }

  /**
   * Traces that share an operation or a message with this one, or hold a parent or a child of one of its messages.
   * The relation is symmetric, so a fan-in links its traces both ways.
   */
  private List<String> linked(String traceId) throws SQLException {
    String sql = """
        WITH my_ops AS (SELECT op_id FROM op_traces WHERE trace_id = ?),
             my_msgs AS (SELECT message_id FROM message_traces WHERE trace_id = ?),
             near_msgs AS (
               SELECT message_id FROM my_msgs
               UNION SELECT p.parent_id FROM message_parents p WHERE p.message_id IN (SELECT message_id FROM my_msgs)
               UNION SELECT p.message_id FROM message_parents p WHERE p.parent_id IN (SELECT message_id FROM my_msgs))
        SELECT DISTINCT trace_id FROM (
          SELECT trace_id FROM op_traces WHERE op_id IN (SELECT op_id FROM my_ops)
          UNION SELECT trace_id FROM message_traces WHERE message_id IN (SELECT message_id FROM near_msgs))
        WHERE trace_id <> ? ORDER BY trace_id""";
    List<String> out = new ArrayList<>();
    for (Object[] r : rows(sql, traceId, traceId, traceId)) out.add((String) r[0]);
    return out;
  }

  private List<MessageRow> messages(String traceId) throws SQLException {
    List<Object[]> rows = rows("SELECT m.message_id, m.producer, m.schema_uri, m.channel, m.msg_ticks, m.send_ticks,"
        + " m.send_op_id FROM messages m WHERE m.message_id IN (SELECT message_id FROM message_traces WHERE trace_id = ?)"
        + " ORDER BY m.msg_ticks NULLS LAST, m.message_id", traceId);
    List<String> ids = new ArrayList<>();
    for (Object[] r : rows) ids.add((String) r[0]);
    Map<String, List<String>> traces = lists("message_traces", "message_id", "trace_id", "idx, trace_id", ids);
    Map<String, List<String>> parents = lists("message_parents", "message_id", "parent_id", "idx, parent_id", ids);
    Map<String, Map<String, String>> mtags = new HashMap<>();
    Map<String, Map<String, String>> ptags = new HashMap<>();
    for (List<String> chunk : chunks(ids)) {
      List<Object> params = new ArrayList<>(chunk);
      for (Object[] r : rows("SELECT owner_id, kind, key, value FROM tags WHERE owner_kind = 'msg' AND owner_id IN ("
          + placeholders(chunk.size()) + ") ORDER BY owner_id, kind, key, value", params.toArray())) {
        Map<String, Map<String, String>> target = "mtag".equals(r[1]) ? mtags : ptags;
        target.computeIfAbsent((String) r[0], k -> new LinkedHashMap<>())
            .merge((String) r[2], (String) r[3], (a, b) -> a + "," + b);
      }
    }
    List<MessageRow> out = new ArrayList<>();
    for (Object[] r : rows) {
      String id = (String) r[0];
      out.add(new MessageRow(id, (String) r[1], (String) r[2], (String) r[3], (Long) r[4], (Long) r[5],
          (String) r[6], traces.getOrDefault(id, List.of()), parents.getOrDefault(id, List.of()),
          mtags.getOrDefault(id, Map.of()), ptags.getOrDefault(id, Map.of())));
    }
    return out;
  }

  /** Most ids bound in one {@code IN (…)} list. */
  private static final int IN_CHUNK = 500;

  private static List<List<String>> chunks(List<String> ids) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += IN_CHUNK) out.add(ids.subList(i, Math.min(ids.size(), i + IN_CHUNK)));
    return out;
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  /**
   * {@code owner -> values} from a two-column set table, for many owners in a few queries. Table and column names
   * are constants of the callers; the ids are bound.
   */
  private Map<String, List<String>> lists(String table, String ownerColumn, String valueColumn, String order,
      List<String> owners) throws SQLException {
    Map<String, List<String>> out = new HashMap<>();
    for (List<String> chunk : chunks(owners)) {
      for (Object[] r : rows("SELECT " + ownerColumn + ", " + valueColumn + " FROM " + table + " WHERE "
          + ownerColumn + " IN (" + placeholders(chunk.size()) + ") ORDER BY " + ownerColumn + ", " + order,
          chunk.toArray())) {
        out.computeIfAbsent((String) r[0], k -> new ArrayList<>()).add((String) r[1]);
      }
    }
    return out;
  }

  /**
   * The operations that match {@code query}, newest start first, at most {@code limit} (1 to {@link #MAX_LIMIT}),
   * each with its trace ids. "Now" comes from the configured clock.
   */
  public synchronized List<OpRow> search(Query query, int limit) {
    return search(query, limit, config.clock().instant());
  }

  /** As {@link #search(Query, int)}, with an explicit "now" for abandoned operations and relative times. */
  public synchronized List<OpRow> search(Query query, int limit, java.time.Instant now) {
    Objects.requireNonNull(query, "query");
    if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
    long cutoff = abandonCutoff(now);
    SearchCompiler.Compiled c = SearchCompiler.compile(query, now, cutoff);
    List<Object> params = new ArrayList<>();
    params.add(cutoff);
    params.addAll(c.params());
    params.add((long) limit);
    try {
      return ops("SELECT " + OP_COLUMNS + " FROM operations o WHERE " + c.where()
          + " ORDER BY o.start_ticks DESC NULLS LAST, o.op_id LIMIT ?", params);
    } catch (SQLException e) {
      throw new StoreException("search failed: " + e.getMessage(), e);
    }
  }

  private List<OpRow> ops(String sql, List<Object> params) throws SQLException {
    List<Object[]> rows = rows(sql, params.toArray());
    List<String> ids = new ArrayList<>();
    for (Object[] r : rows) ids.add((String) r[0]);
    Map<String, List<String>> traces = lists("op_traces", "op_id", "trace_id", "trace_id", ids);
    List<OpRow> out = new ArrayList<>();
    for (Object[] r : rows) {
      String id = (String) r[0];
      out.add(new OpRow(id, (String) r[1], (String) r[2], (String) r[3], (String) r[4], (Long) r[5], (Long) r[6],
          (Long) r[7], (String) r[8], (String) r[9], (String) r[10], (String) r[11], (String) r[12],
          traces.getOrDefault(id, List.of())));
    }
    return out;
  }

  /** Telemetry loss per emitter, from the gaps in its {@code seq} numbers. */
  public synchronized List<EmitterLoss> loss() {
    try {
      List<EmitterLoss> out = new ArrayList<>();
      for (Object[] r : rows("SELECT instance_id, service, seq_count, max_seq FROM emitters ORDER BY instance_id")) {
        long count = (Long) r[2];
        long max = (Long) r[3];
        out.add(new EmitterLoss((String) r[0], (String) r[1], count, max, max + 1 - count));
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot read emitters: " + e.getMessage(), e);
    }
  }

  /** The by-service topology of messages sent since {@code sinceTicks}; see {@link Topology}. */
  public synchronized Topology.ServiceGraph topologyServices(long sinceTicks) {
    try {
      return new TopologyQueries(conn).services(sinceTicks, abandonCutoff(config.clock().instant()));
    } catch (SQLException e) {
      throw new StoreException("cannot read topology: " + e.getMessage(), e);
    }
  }

  /** The by-type topology of operations started since {@code sinceTicks}; see {@link Topology}. */
  public synchronized Topology.TypeGraph topologyTypes(long sinceTicks) {
    try {
      return new TopologyQueries(conn).types(sinceTicks, abandonCutoff(config.clock().instant()));
    } catch (SQLException e) {
      throw new StoreException("cannot read topology: " + e.getMessage(), e);
    }
  }

  /**
   * Topology roll-ups over time: the by-service edges (count, errors, p50/p99 of processing time and queue wait) of
   * each bucket of {@code stepTicks}, for messages sent since {@code sinceTicks}.
   */
  public synchronized Topology.Series<Topology.ServiceBucket> topologyServiceSeries(long sinceTicks, long stepTicks) {
    checkStep(stepTicks);
    try {
      return new Topology.Series<>(sinceTicks, stepTicks / 10_000, new TopologyQueries(conn).serviceBuckets(
          sinceTicks, stepTicks, abandonCutoff(config.clock().instant())));
    } catch (SQLException e) {
      throw new StoreException("cannot read topology: " + e.getMessage(), e);
    }
  }

  /** As {@link #topologyServiceSeries}, by type, for operations started since {@code sinceTicks}. */
  public synchronized Topology.Series<Topology.TypeBucket> topologyTypeSeries(long sinceTicks, long stepTicks) {
    checkStep(stepTicks);
    try {
      return new Topology.Series<>(sinceTicks, stepTicks / 10_000, new TopologyQueries(conn).typeBuckets(
          sinceTicks, stepTicks, abandonCutoff(config.clock().instant())));
    } catch (SQLException e) {
      throw new StoreException("cannot read topology: " + e.getMessage(), e);
    }
  }

  private static void checkStep(long stepTicks) {
    if (stepTicks < 10_000 || stepTicks == TopologyQueries.WHOLE_WINDOW) {
      throw new IllegalArgumentException("step must be at least 1 ms");
    }
  }

  /** Declared channels against observed ones, per service; see {@link Topology.Drift}. */
  public synchronized Topology.Drift topologyDrift() {
    try {
      return new TopologyQueries(conn).drift();
    } catch (SQLException e) {
      throw new StoreException("cannot read declared topology: " + e.getMessage(), e);
    }
  }

  /** Every service that emitted an event, sorted. */
  public synchronized List<String> services() {
    try {
      return strings("SELECT DISTINCT service FROM events ORDER BY service");
    } catch (SQLException e) {
      throw new StoreException("cannot read services: " + e.getMessage(), e);
    }
  }

  /** The distinct values of a tag key (operation tags, mtags and ptags), sorted, at most {@code limit}. */
  public synchronized List<String> tagValues(String key, int limit) {
    try {
      return strings("SELECT DISTINCT value FROM tags WHERE key = ? ORDER BY value LIMIT ?", key, (long) limit);
    } catch (SQLException e) {
      throw new StoreException("cannot read tag values: " + e.getMessage(), e);
    }
  }

  /** As {@link #tagValues(String, int)}, at most 100. */
  public List<String> tagValues(String key) {
    return tagValues(key, 100);
  }

  // ------------------------------------------------------------------ web UI reads (UiQueries.java)

  /** Runs one of the web UI's reads ({@link UiQueries}) on the store's connection, under its lock. */
  public synchronized <T> T uiRead(UiQueries.Read<T> read) {
    try {
      return read.apply(new UiQueries(conn, abandonCutoff(config.clock().instant())));
    } catch (SQLException e) {
      throw new StoreException("cannot read: " + e.getMessage(), e);
    }
  }

  /** Row counts of every table, for diagnostics and tests. */
  public synchronized Map<String, Long> tableCounts() {
    try {
      Map<String, Long> out = new LinkedHashMap<>();
      for (String t : Schema.TABLES) {
        // Table names come from the fixed list in Schema, never from input.
        out.put(t, (Long) rows("SELECT count(*) FROM " + t).get(0)[0]);
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot count rows: " + e.getMessage(), e);
    }
  }

  /**
   * One entry of the event log: its cursor and its exact JSON. Cursors grow in ingest order (DuckDB's row id of the
   * append-only events table), so "everything after cursor c" is a stable way to follow the log.
   */
  public record LogEntry(long cursor, String json) {}

  /** Longest page of {@link #eventPage} and {@link #eventsAfter}. */
  public static final int MAX_EVENT_PAGE = 10_000;

  /** Events matching {@code filter} with a timestamp at or after {@code sinceTicks}, newest first, at most limit. */
  public synchronized List<LogEntry> eventPage(EventFilter filter, long sinceTicks, int limit) {
    return logEntries("e.ts >= ? AND " + filter.where() + " ORDER BY e.ts DESC, e.event_id DESC LIMIT ?",
        sinceTicks, filter, limit);
  }

  /** Events matching {@code filter} stored after {@code cursor}, in ingest order, at most limit. */
  public synchronized List<LogEntry> eventsAfter(EventFilter filter, long cursor, int limit) {
    return logEntries("e.rowid > ? AND " + filter.where() + " ORDER BY e.rowid LIMIT ?", cursor, filter, limit);
  }

  /** The cursor of the last stored event; -1 when the log is empty. */
  public synchronized long lastEventCursor() {
    try {
      Object v = rows("SELECT max(rowid) FROM events").get(0)[0];
      return v == null ? -1 : (Long) v;
    } catch (SQLException e) {
      throw new StoreException("cannot read events: " + e.getMessage(), e);
    }
  }

  private List<LogEntry> logEntries(String tail, long bound, EventFilter filter, int limit) {
    Objects.requireNonNull(filter, "filter");
    if (limit < 1 || limit > MAX_EVENT_PAGE) throw new IllegalArgumentException("limit must be 1.." + MAX_EVENT_PAGE);
    List<Object> params = new ArrayList<>();
    params.add(bound);
    params.addAll(filter.params());
    params.add((long) limit);
    try {
      List<LogEntry> out = new ArrayList<>();
      for (Object[] r : rows("SELECT e.rowid, e.json FROM events e WHERE " + tail, params.toArray())) {
        out.add(new LogEntry((Long) r[0], (String) r[1]));
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot read events: " + e.getMessage(), e);
    }
  }

  /** The stored events in replay order (timestamp, then event_id): the exact JSON lines. */
  public synchronized List<String> eventLog() {
    try {
      return strings("SELECT json FROM events ORDER BY ts, event_id");
    } catch (SQLException e) {
      throw new StoreException("cannot read events: " + e.getMessage(), e);
    }
  }

  private List<String> strings(String sql, Object... params) throws SQLException {
    List<String> out = new ArrayList<>();
    for (Object[] r : rows(sql, params)) out.add((String) r[0]);
    return out;
  }

  private List<Object[]> rows(String sql, Object... params) throws SQLException {
    return Rows.query(conn, true, sql, params);
  }

  @Override
  public synchronized void close() {
    try {
      conn.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close store: " + e.getMessage(), e);
    }
  }
}
