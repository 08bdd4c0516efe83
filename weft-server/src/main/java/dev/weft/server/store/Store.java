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
import java.util.HashSet;
import java.util.Set;

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

  /** Upper bounds of the batch duration buckets, in seconds. */
  static final double[] BATCH_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  private final LatencyHistogram batchDurations = new LatencyHistogram(BATCH_BUCKETS);

  /** How long each stored batch took, commit included; thread-safe, read by {@code /metrics}. */
  public LatencyHistogram batchDurations() {
    return batchDurations;
  }

  /** The storage format of a new store file: zstd for strings needs 1.2 or later (Schema); see RATIONALE. */
  static final String STORAGE_VERSION = "v1.4.0";

  /** Rows per DuckDB row group; see {@link #open}. */
  static final int ROW_GROUP_SIZE = 16_384;

  private final Connection conn;
  private final Config config;
  /** The store's file (its WAL is beside it). */
  private final Path file;

  private final Projection projection;
  private final TopologyCache topologyCache = new TopologyCache();

  private Store(Connection conn, Config config, Path file) {
    this.conn = conn;
    this.file = file;
    this.config = config;
    this.projection = new Projection(conn);
  }

  /** Opens (creating if needed) the store in {@code file}. */
  public static Store open(Path file, Config config) {
    try {
      Class.forName("org.duckdb.DuckDBDriver");
      Connection c = DriverManager.getConnection("jdbc:duckdb:");
      NativeLibraryFile.unlinkLoadedCopies(); // loaded now: its temporary copy must not outlive a kill -9
      try {
        try (java.sql.Statement st = c.createStatement()) {
          // A new file gets DuckDB 1.4's storage format, which can compress the events' JSON with zstd (Schema). A
          // file written before keeps its format: attaching it with a newer version would upgrade it in place.
          boolean fresh = !java.nio.file.Files.exists(file) || java.nio.file.Files.size(file) == 0;
          // Row groups of 16,384 rows instead of DuckDB's 122,880: a pruned read (see Locator) scans a seventh as
          // much, for about 7 % more disk. The path is a SQL string literal here, so quotes are doubled.
          st.execute("ATTACH '" + file.toAbsolutePath().toString().replace("'", "''") + "' AS weft"
              + " (ROW_GROUP_SIZE " + ROW_GROUP_SIZE + (fresh ? ", STORAGE_VERSION '" + STORAGE_VERSION + "'" : "")
              + ")");
          st.execute("USE weft");
        }
        Schema.create(c);
        Projection.createStaging(c);
        try (java.sql.Statement st = c.createStatement()) {
          // A checkpoint stalls the commit that runs it, for a time that grows with the WAL: at 10M events 64 MB
          // took 0.5-0.9 s and 256 MB 1.2-1.4 s, at the same ingest rate (RATIONALE.md, "No keys on operations and
          // messages"). Freshness wants the shorter stall.
          st.execute("SET checkpoint_threshold = '64MB'");
        }
        c.setAutoCommit(false);
        c.commit();
        Store store = new Store(c, config, file);
        store.projection.load();
        return store;
      } catch (SQLException | RuntimeException e) {
        c.close();
        throw e;
      }
    } catch (SQLException | ClassNotFoundException | java.io.IOException e) {
      throw new StoreException("cannot open store " + file + ": " + e.getMessage(), e);
    }
  }

  /** Test hook: runs one statement on the store's connection, to stage what ingest cannot (a hash collision). */
  synchronized void executeForTest(String sql) throws SQLException {
    try (java.sql.Statement st = conn.createStatement()) {
      st.execute(sql);
    }
    conn.commit();
  }

  /**
   * Test hook: receives stored in an earlier batch than their message's row. The topology reads receives only from
   * their messages' first batch on ({@link TopologyQueries}), which is exact only while this is zero.
   */
  synchronized long receivesOlderThanTheirMessageForTest() throws SQLException {
    List<Object[]> r = Rows.query(conn, false, "SELECT count(*) FROM receives r JOIN messages m"
        + " ON m.message_id = r.message_id WHERE r.batch_no < m.batch_no");
    return ((Number) r.get(0)[0]).longValue();
  }

  /**
   * Test hook: rows that break the lower bounds the topology reads prune by (Schema): an operation's receive, input,
   * own row or a message it sent (by the SEND's touch) older than its {@code first_batch}, and a message row
   * older than the {@code msg_batch} of a receive or input that names it. The reads are exact only while this is zero.
   */
  synchronized long topologyBoundsBrokenForTest() throws SQLException {
    List<Object[]> r = Rows.query(conn, false, """
        SELECT (SELECT count(*) FROM operations o JOIN receives r ON r.op_id = o.op_id WHERE r.batch_no < o.first_batch)
             + (SELECT count(*) FROM operations o JOIN op_inputs i ON i.op_id = o.op_id WHERE i.batch_no < o.first_batch)
             + (SELECT count(*) FROM operations o WHERE o.batch_no < o.first_batch)
             + (SELECT count(*) FROM operations o JOIN messages m ON m.send_op_id = o.op_id
                WHERE m.touched_batch < o.first_batch)
             + (SELECT count(*) FROM receives r JOIN messages m ON m.message_id = r.message_id
                WHERE m.batch_no < r.msg_batch)
             + (SELECT count(*) FROM op_inputs i JOIN messages m ON m.message_id = i.message_id
                WHERE m.batch_no < i.msg_batch)""");
    return ((Number) r.get(0)[0]).longValue();
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
    long started = System.nanoTime();
    try {
      int index = 0;
      for (TelemetryEvent e : batch) check(e, index++);
      Projection.Pending pending = projection.ingest(batch);
      conn.commit();
      projection.committed(pending);
      batchDurations.record(System.nanoTime() - started);
      return new IngestResult(pending.accepted, batch.size() - pending.accepted);
    } catch (SQLException | RuntimeException e) {
      rollback(e);
      topologyGeneration++; // a snapshot taken meanwhile may hold this batch's appended rows (rebuildTopology)
      try {
        projection.discardUncommitted();
      } catch (SQLException d) {
        e.addSuppressed(d);
      }
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
    // the wire's rule (docs/event-spec.md), which an event built in code could break; the store relies on it: an
    // event's own trace_id is always one of its traces (Projection, "event_traces")
    if (!e.correlationIds().isEmpty() && !e.correlationIds().contains(e.traceId())) {
      throw new IllegalArgumentException("event " + index + ", field correlation_ids: must include trace_id when"
          + " given");
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

  private long tagIndexLookups;
  private long hashMisses;
  /** Most owners of a tag pair that search resolves through the index; a pair on more is scanned. */
  static final int MAX_TAGGED = 50_000;
  private int maxTagged = MAX_TAGGED;

  private static final String OP_COLUMNS = "o.op_id, o.op, o.service, o.instance_id, o.parent_op_id, o.start_ticks,"
      + " o.end_ticks, o.end_ticks - o.start_ticks, " + SearchCompiler.STATUS_SQL + ", o.end_status, o.error_type,"
      + " o.error_message, o.resource";

  /**
   * Everything about one trace: its operations, messages, DAG edges, events, and the traces linked to it. Every read
   * is limited to the batches the {@link Locator} names for the trace, so its cost follows the trace, not the store.
   * The trace's ids are read first and bound as lists in the reads after, because DuckDB filters a bound list while it
   * scans, but runs a subquery as a join after reading every column of the pruned row groups (RATIONALE.md, "Trace
   * reads"). The reads share one transaction, so the answer is one consistent state.
   */
  public synchronized TraceView trace(String traceId) {
    Objects.requireNonNull(traceId, "traceId");
    int[] batches = projection.locator.batches(Locator.TRACE, traceId);
    if (batches.length == 0) return new TraceView(traceId, List.of(), List.of(), List.of(), List.of(), List.of());
    try {
      long cutoff = abandonCutoff(config.clock().instant());
      Prune in = new Prune(batches);
      TraceIds ids = traceIds(in, traceId);
      List<String> opIds = ids.operations();
      List<String> msgIds = ids.messages();

      // Every set row of the trace's operations and messages, in one query per chunk of ids.
      Map<String, List<Object[]>> sets = new HashMap<>();
      String[][] opParts = {
          {"ot", "op_id, trace_id, NULL::INTEGER, NULL::VARCHAR, NULL::VARCHAR", "op_traces", "op_id"},
          {"oi", "op_id, message_id, idx, NULL, NULL", "op_inputs", "op_id"}};
      String[][] msgParts = {
          {"mt", "message_id, trace_id, idx, NULL::VARCHAR, NULL::VARCHAR", "message_traces", "message_id"},
          {"mp", "message_id, parent_id, idx, NULL, NULL", "message_parents", "message_id"},
          {"tg", "owner_id, kind, NULL, key, value", "tags", "owner_id", "owner_kind = 'msg'"}};
      List<List<String>> opChunks = chunks(opIds);
      List<List<String>> msgChunks = chunks(msgIds);
      for (int i = 0; i < Math.max(opChunks.size(), msgChunks.size()); i++) {
        setRows(sets, in, opParts, i < opChunks.size() ? opChunks.get(i) : List.of(), msgParts,
            i < msgChunks.size() ? msgChunks.get(i) : List.of());
      }
      Map<String, List<String>> opTraces = grouped(sets.get("ot"));
      Map<String, List<String>> inputs = grouped(sets.get("oi"));
      Map<String, List<String>> msgTraces = grouped(sets.get("mt"));
      Map<String, List<String>> parents = grouped(sets.get("mp"));

      List<Object[]> opRows = idRows("SELECT " + OP_COLUMNS + " FROM operations o WHERE " + in.sql("o"), in,
          List.of(cutoff), "o.op_id", opIds);
      opRows.sort(byTicksThenId(5)); // start, then id; an operation without a start last
      List<OpRow> ops = new ArrayList<>();
      for (Object[] r : opRows) ops.add(opRow(r, opTraces));

      List<Object[]> msgRows = idRows("SELECT m.message_id, m.producer, m.schema_uri, m.channel, m.msg_ticks,"
          + " m.send_ticks, m.send_op_id FROM messages m WHERE " + in.sql("m"), in, List.of(), "m.message_id", msgIds);
      msgRows.sort(byTicksThenId(4)); // the header's ticks, then id
      List<MessageRow> messages = messages(msgRows, msgTraces, parents, sets.getOrDefault("tg", List.of()));

      List<Edge> edges = new ArrayList<>();
      for (String m : new java.util.TreeSet<>(parents.keySet())) {
        for (String p : parents.get(m)) edges.add(new Edge("parent", m, p));
      }
      for (String op : new java.util.TreeSet<>(inputs.keySet())) {
        for (String m : inputs.get(op)) edges.add(new Edge("input", m, op));
      }
      List<Edge> part = new ArrayList<>();
      for (MessageRow m : messages) if (m.sendOpId() != null) part.add(new Edge("output", m.sendOpId(), m.messageId()));
      part.sort(java.util.Comparator.comparing(Edge::from).thenComparing(Edge::to));
      edges.addAll(part);
      part.clear();
      for (OpRow o : ops) if (o.parentOpId() != null) part.add(new Edge("child", o.parentOpId(), o.opId()));
      part.sort(java.util.Comparator.comparing(Edge::from).thenComparing(Edge::to));
      edges.addAll(part);

      List<EventRow> events = traceEvents(in, traceId, ids.events());
      List<String> linked = linked(traceId, ops, messages);
      conn.commit();
      return new TraceView(traceId, ops, messages, edges, events, linked);
    } catch (SQLException e) {
      rollback(e);
      throw new StoreException("cannot read trace: " + e.getMessage(), e);
    }
  }

  /** Rows ordered by the ticks in column {@code col} (missing last), then by the id in column 0. */
  private static java.util.Comparator<Object[]> byTicksThenId(int col) {
    return java.util.Comparator.comparing((Object[] r) -> (Long) r[col],
        java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())).thenComparing(r -> (String) r[0]);
  }

  /**
   * A trace's operation and message ids, sorted and distinct, and the batch of each of its events that list it among
   * several traces (the others carry it as their own trace_id).
   */
  private record TraceIds(List<String> operations, List<String> messages, Map<String, Integer> events) {}

  /** The ids of the trace's rows, from the three trace tables in one query. */
  private TraceIds traceIds(Prune in, String traceId) throws SQLException {
    java.util.TreeSet<String> ops = new java.util.TreeSet<>();
    java.util.TreeSet<String> msgs = new java.util.TreeSet<>();
    Map<String, Integer> events = new HashMap<>();
    List<Object> params = in.params(traceId);
    params.addAll(in.params(traceId));
    params.addAll(in.params(traceId));
    for (Object[] r : read("SELECT 'o', op_id, NULL::BIGINT FROM op_traces WHERE " + in.sql() + " AND trace_id = ?"
        + " UNION ALL SELECT 'm', message_id, NULL FROM message_traces WHERE " + in.sql() + " AND trace_id = ?"
        + " UNION ALL SELECT 'e', event_id, batch_no FROM event_traces WHERE " + in.sql() + " AND trace_id = ?",
        params.toArray())) {
      String id = (String) r[1];
      switch ((String) r[0]) {
        case "o" -> ops.add(id);
        case "m" -> msgs.add(id);
        default -> events.put(id, ((Number) r[2]).intValue());
      }
    }
    return new TraceIds(List.copyOf(ops), List.copyOf(msgs), events);
  }

  /**
   * The set rows {@code (kind, owner, value, idx, key, value)} of a chunk of operation ids and one of message ids, in
   * one query, added to {@code sets} by kind. A part is (kind, columns, table, id column[, a further
   * condition]).
   */
  private void setRows(Map<String, List<Object[]>> sets, Prune in, String[][] opParts, List<String> opIds,
      String[][] msgParts, List<String> msgIds) throws SQLException {
    List<Object> params = new ArrayList<>();
    StringBuilder sql = new StringBuilder();
    for (int side = 0; side < 2; side++) {
      List<String> ids = side == 0 ? opIds : msgIds;
      if (ids.isEmpty()) continue;
      for (String[] p : side == 0 ? opParts : msgParts) {
        if (sql.length() > 0) sql.append(" UNION ALL ");
        // kinds, columns and tables are the callers' constants; only the prune bounds and the ids are bound
        sql.append("SELECT '").append(p[0]).append("', ").append(p[1]).append(" FROM ").append(p[2])
            .append(" WHERE ").append(in.sql()).append(" AND ").append(idIn(p[3], ids.size()));
        if (p.length > 4) sql.append(" AND ").append(p[4]);
        params.addAll(in.params());
        params.addAll(ids);
      }
    }
    if (sql.length() == 0) return;
    // a set row may repeat across batches; it is kept once here rather than by a DISTINCT, which costs DuckDB a
    // hash aggregate per part (RATIONALE.md, "Trace reads")
    Set<List<Object>> seen = new HashSet<>();
    for (Object[] r : read(sql.toString(), params.toArray())) {
      if (seen.add(java.util.Arrays.asList(r))) sets.computeIfAbsent((String) r[0], k -> new ArrayList<>()).add(r);
    }
  }

  /**
   * The trace's events in replay order, given the batch of each ({@code ids}). Most carry the trace as their own
   * {@code trace_id}, which DuckDB filters while it scans; the few that name it only among their other traces (a
   * fan-in's) are read by id, from their own batches only.
   */
  private List<EventRow> traceEvents(Prune in, String traceId, Map<String, Integer> ids) throws SQLException {
    String select = "SELECT e.event_id, e.ts, e.event_type, e.service, e.op_id, e.json FROM events e WHERE ";
    List<Object[]> rows = read(select + in.sql("e") + " AND e.trace_id = ?", in.params(traceId).toArray());
    // every event belongs to its own trace_id (Store.check); event_traces names the other events of the trace
    Map<String, Integer> rest = new java.util.TreeMap<>(ids);
    for (Object[] r : rows) rest.remove((String) r[0]);
    if (!rest.isEmpty()) {
      Prune own = new Prune(rest.values().stream().mapToInt(Integer::intValue).distinct().sorted().toArray());
      // DuckDB filters an OR of ids after the scan has read every row's JSON; a range of the ids beside it is
      // filtered in the scan, and an emitter's ids sort together (RATIONALE.md, "Trace reads")
      rows.addAll(idRows(select + own.sql("e"), own, List.of(), "e.event_id", new ArrayList<>(rest.keySet()), true));
    }
    rows.sort(byTicksThenId(1));
    List<EventRow> events = new ArrayList<>();
    for (Object[] r : rows) {
      events.add(new EventRow((String) r[0], (Long) r[1], (String) r[2], (String) r[3], (String) r[4],
          (String) r[5]));
    }
    return events;
  }

  /**
   * Rows {@code (kind, owner, value, idx, …)} grouped as {@code owner -> values}: ordered by idx (missing last), then
   * value, each value once.
   */
  private static Map<String, List<String>> grouped(List<Object[]> rows) {
    Map<String, List<String>> out = new HashMap<>();
    if (rows == null) return out;
    rows.sort((a, b) -> {
      int c = ((String) a[1]).compareTo((String) b[1]);
      if (c != 0) return c;
      c = compareNullable(a[3], b[3]);
      return c != 0 ? c : ((String) a[2]).compareTo((String) b[2]);
    });
    for (Object[] r : rows) {
      List<String> l = out.computeIfAbsent((String) r[1], k -> new ArrayList<>());
      if (!l.contains((String) r[2])) l.add((String) r[2]);
    }
    return out;
  }

  /**
   * Rows of {@code select} (which ends in a WHERE clause) whose {@code idColumn} is one of {@code ids}, in chunks,
   * with the statements kept prepared ({@link #read}), inside the caller's transaction, which the caller ends.
   * Parameters: {@code before} (placed before the select's own), the prune's, then the ids.
   */
  private List<Object[]> idRows(String select, Prune in, List<Object> before, String idColumn, List<String> ids)
      throws SQLException {
    return idRows(select, in, before, idColumn, ids, false);
  }

  /** As above; {@code ranged} adds the range of each chunk's ids, which DuckDB filters in the scan. */
  private List<Object[]> idRows(String select, Prune in, List<Object> before, String idColumn, List<String> ids,
      boolean ranged) throws SQLException {
    List<Object[]> out = new ArrayList<>();
    for (List<String> chunk : chunks(ids)) {
      List<Object> params = new ArrayList<>(before);
      params.addAll(in.params());
      String range = "";
      if (ranged) {
        range = " AND " + idColumn + " BETWEEN ? AND ?";
        params.add(java.util.Collections.min(chunk));
        params.add(java.util.Collections.max(chunk));
      }
      params.addAll(chunk);
      out.addAll(read(select + range + " AND " + idIn(idColumn, chunk.size()), params.toArray()));
    }
    return out;
  }

  /**
   * {@code owner -> values} of a set table for the given owners within the pruned batches, as {@link #grouped}
   * orders them. Table and column names are constants of the callers.
   */
  private Map<String, List<String>> pairs(Prune in, String table, String owner, String value, List<String> owners)
      throws SQLException {
    // grouped keeps each value once, so the repeats a set table may hold cost no DISTINCT in DuckDB
    return grouped(idRows("SELECT NULL, " + owner + ", " + value + ", NULL::INTEGER FROM " + table
        + " WHERE " + in.sql(), in, List.of(), owner, owners));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareNullable(Object a, Object b) {
    if (a == null) return b == null ? 0 : 1;
    if (b == null) return -1;
    return ((Comparable) a).compareTo(b);
  }

  /**
   * Traces that share an operation or a message with this one, or hold a parent or a child of one of its messages.
   * The relation is symmetric, so a fan-in links its traces both ways.
   */
  private List<String> linked(String traceId, List<OpRow> ops, List<MessageRow> messages) throws SQLException {
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    for (OpRow o : ops) out.addAll(o.traces());
    Set<String> mine = new HashSet<>();
    Set<String> parents = new java.util.TreeSet<>();
    for (MessageRow m : messages) {
      out.addAll(m.traces());
      mine.add(m.messageId());
      parents.addAll(m.parentIds());
    }
    parents.removeAll(mine);
    // one query: the traces of the parents outside this trace, and of the children of its messages
    List<String> parts = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    int[] parentBatches = projection.locator.union(Locator.MESSAGE, parents);
    if (parentBatches.length > 0) {
      Prune in = new Prune(parentBatches);
      for (List<String> chunk : chunks(new ArrayList<>(parents))) {
        parts.add("SELECT trace_id FROM message_traces WHERE " + in.sql() + " AND " + idIn("message_id", chunk.size()));
        params.addAll(in.params());
        params.addAll(chunk);
      }
    }
    List<String> ids = new ArrayList<>(mine);
    java.util.Collections.sort(ids);
    int[] childBatches = projection.locator.union(Locator.CHILDREN, ids);
    if (childBatches.length > 0) {
      Prune in = new Prune(childBatches);
      for (List<String> chunk : chunks(ids)) {
        // a child's traces were written in the same batch as its parent_id row
        parts.add("SELECT t.trace_id FROM message_parents p JOIN message_traces t ON t.message_id = p.message_id"
            + " AND t.batch_no = p.batch_no WHERE " + in.sql("p") + " AND " + in.sql("t") + " AND "
            + idIn("p.parent_id", chunk.size()));
        params.addAll(in.params());
        params.addAll(in.params());
        params.addAll(chunk);
      }
    }
    if (!parts.isEmpty()) {
      // UNION ALL: out is a set, and a UNION's distinct costs DuckDB a hash aggregate
      for (Object[] r : read(String.join(" UNION ALL ", parts), params.toArray())) out.add((String) r[0]);
    }
    out.remove(traceId);
    return new ArrayList<>(out);
  }

  private static List<MessageRow> messages(List<Object[]> rows, Map<String, List<String>> traces,
      Map<String, List<String>> parents, List<Object[]> tagRows) {
    Map<String, Map<String, String>> mtags = new HashMap<>();
    Map<String, Map<String, String>> ptags = new HashMap<>();
    List<Object[]> sorted = new ArrayList<>(tagRows);
    sorted.sort((a, b) -> {
      for (int i : new int[] {1, 2, 4, 5}) {
        int c = ((String) a[i]).compareTo((String) b[i]);
        if (c != 0) return c;
      }
      return 0;
    });
    for (Object[] r : sorted) {
      Map<String, Map<String, String>> target = "mtag".equals(r[2]) ? mtags : ptags;
      target.computeIfAbsent((String) r[1], k -> new LinkedHashMap<>())
          .merge((String) r[4], (String) r[5], (a, b) -> a + "," + b);
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

  /**
   * {@code ids} in lists of at most {@link #IN_CHUNK}, each padded to a power of two with its last id: an {@code IN}
   * list means the same with a repeat, and reads then share a few statement texts, which {@link #read} keeps
   * prepared.
   */
  private static List<List<String>> chunks(List<String> ids) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += IN_CHUNK) {
      List<String> chunk = new ArrayList<>(ids.subList(i, Math.min(ids.size(), i + IN_CHUNK)));
      String last = chunk.get(chunk.size() - 1);
      while (chunk.size() < Prune.paddedLength(chunk.size())) chunk.add(last);
      out.add(chunk);
    }
    return out;
  }

  /** Most ids matched as a disjunction of equalities rather than an {@code IN} list ({@link #idIn}). */
  static final int MAX_OR_IDS = 16;

  /**
   * {@code column} equal to one of {@code n} bound ids. DuckDB 1.4 turns an {@code IN} list into a hash join against
   * the list; a few equalities joined by {@code OR} are filtered in the scan instead, which measured 0.5 against 0.7
   * ms for 5 ids on the 10M-event store, and is slower past about 16 (RATIONALE.md, "Trace reads").
   */
  static String idIn(String column, int n) {
    if (n > MAX_OR_IDS) return column + " IN (" + placeholders(n) + ")";
    return "(" + String.join(" OR ", java.util.Collections.nCopies(n, column + " = ?")) + ")";
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
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
    try {
      SearchCompiler.Compiled c = SearchCompiler.compile(query, now, cutoff, new SearchCompiler.TagIndex() {
        @Override
        public long[] narrow(String key, String value) throws SQLException {
          return taggedOperations(key, value);
        }

        @Override
        public String[] exact(String key, String value) throws SQLException {
          return taggedOperationIds(key, value);
        }
      });
      List<Object> params = new ArrayList<>(c.params());
      String where = c.where();
      if (!c.required().isEmpty()) {
        // every match is in the smallest required set, so only the batches holding those operations are read
        long[] fewest = c.required().get(0);
        for (long[] r : c.required()) if (r.length < fewest.length) fewest = r;
        if (fewest.length == 0) return List.of();
        Prune in = new Prune(projection.locator.unionOfHashes(Locator.OP, fewest));
        where += " AND " + in.sql("o");
        params.addAll(in.params());
      }
      // The newest matches' rowids are found first and only their columns read: DuckDB reads every projected column
      // of every match before a top-N (at 10M events, 70 ms against 32 ms for the seed query's 24,000 matches).
      String order = " ORDER BY o.start_ticks DESC NULLS LAST, o.op_id";
      List<String> rejected = new ArrayList<>();
      List<Object[]> page;
      while (true) {
        List<Object> p = new ArrayList<>(params);
        String unless = "";
        if (!rejected.isEmpty()) {
          unless = " AND o.op_id NOT IN (SELECT unnest(?::VARCHAR[]))";
          p.add(rejected.toArray(new String[0]));
        }
        p.add((long) limit);
        page = read("SELECT o.rowid, o.op_id FROM operations o WHERE " + where + unless + order + " LIMIT ?",
            p.toArray());
        // A tag term was tested by hash; an operation that only shares a hash with a match is dropped here, and the
        // page read again without it (RATIONALE.md, "Search narrows by id hashes")
        List<String> ids = page.stream().map(r -> (String) r[1]).toList();
        Set<String> wrong = new java.util.LinkedHashSet<>();
        for (List<String[]> group : c.narrowed()) {
          // a match has a pair of every group
          Set<String> pass = new HashSet<>();
          for (String[] pair : group) {
            List<String> open = ids.stream().filter(id -> !pass.contains(id)).toList();
            pass.addAll(tagged(pair[0], pair[1], open));
          }
          for (String id : ids) if (!pass.contains(id)) wrong.add(id);
        }
        if (wrong.isEmpty()) break;
        rejected.addAll(wrong);
        hashMisses += wrong.size();
      }
      long[] rowids = page.stream().mapToLong(r -> (Long) r[0]).sorted().toArray();
      if (rowids.length == 0) {
        conn.commit();
        return List.of();
      }
      // Then read by rowid, in the same transaction (OP_COLUMNS binds the cutoff first). A rowid list alone is a join
      // after a scan of the whole table; with the range of the list beside it, DuckDB reads only the row groups that
      // hold them (RATIONALE.md, "Search reads the newest matches' columns only": 57 against 9 ms for 100 rowids on
      // the 10M-event store).
      List<Object> byRow = new ArrayList<>(List.of(cutoff, rowids[0], rowids[rowids.length - 1]));
      for (long r : rowids) byRow.add(r);
      return ops("SELECT " + OP_COLUMNS + " FROM operations o WHERE o.rowid BETWEEN ? AND ? AND o.rowid IN ("
          + placeholders(rowids.length) + ")" + order, byRow);
    } catch (SQLException e) {
      throw new StoreException("search failed: " + e.getMessage(), e);
    }
  }

  /**
   * The tag index behind search: the id hashes of the operations with tag {@code key=value}, their own or on an input
   * message, found by the pair's hash in the batches the {@link Locator} names for it. Comparing hashes, not strings,
   * is what makes it fast: the owners of a busy pair are spread over the whole table, and reading their ids as
   * strings took 70 of 90 ms at 10M events. A hash shared with another pair or id only adds candidates, which {@link
   * #tagged} removes. Null when the pair has more than {@link #MAX_TAGGED} owners: a set that large costs more to
   * pass and join than the scan it replaces.
   */
  private long[] taggedOperations(String key, String value) throws SQLException {
    long pair = LongHash.of(Locator.tag(key, value));
    int[] batches = projection.locator.batchesOfHash(Locator.TAG, pair);
    if (batches.length == 0) {
      tagIndexLookups++;
      return new long[0];
    }
    Prune in = new Prune(batches);
    List<Object[]> owners = rows("SELECT DISTINCT owner_kind = 'op', owner_h FROM tags WHERE " + in.sql()
        + " AND pair_h = ? LIMIT ?", in.params(pair, (long) maxTagged + 1).toArray());
    if (owners.size() > maxTagged) return null;
    tagIndexLookups++;
    java.util.stream.LongStream.Builder ops = java.util.stream.LongStream.builder();
    java.util.stream.LongStream.Builder messages = java.util.stream.LongStream.builder();
    for (Object[] r : owners) ((Boolean) r[0] ? ops : messages).add((Long) r[1]);
    long[] inputs = messages.build().toArray();
    int[] inputBatches = projection.locator.unionOfHashes(Locator.INPUT, inputs);
    if (inputBatches.length > 0) {
      Prune at = new Prune(inputBatches);
      List<Object> params = at.params();
      params.add(inputs);
      for (Object[] r : rows("SELECT DISTINCT op_h FROM op_inputs WHERE " + at.sql()
          + " AND msg_h IN (SELECT unnest(?::BIGINT[]))", params.toArray())) {
        ops.add((Long) r[0]);
      }
    }
    return ops.build().sorted().distinct().toArray();
  }

  /**
   * As {@link #taggedOperations}, the ids exactly, for a term inside OR or NOT, which no check of the page can undo.
   * Reads the owners' ids as strings: slower for a busy pair.
   */
  private String[] taggedOperationIds(String key, String value) throws SQLException {
    int[] batches = projection.locator.batches(Locator.TAG, Locator.tag(key, value));
    if (batches.length == 0) {
      tagIndexLookups++;
      return new String[0];
    }
    Prune in = new Prune(batches);
    java.util.TreeSet<String> ops = new java.util.TreeSet<>();
    List<String> messages = new ArrayList<>();
    List<Object[]> owners = rows("SELECT DISTINCT owner_kind, owner_id FROM tags WHERE " + in.sql() + " AND key = ?"
        + " AND value = ? LIMIT ?", in.params(key, value, (long) maxTagged + 1).toArray());
    if (owners.size() > maxTagged) return null;
    tagIndexLookups++;
    for (Object[] r : owners) {
      if ("op".equals(r[0])) ops.add((String) r[1]);
      else messages.add((String) r[1]);
    }
    int[] inputs = projection.locator.union(Locator.INPUT, messages);
    if (inputs.length > 0) {
      Prune at = new Prune(inputs);
      List<Object> params = at.params();
      params.add(messages.toArray(new String[0]));
      ops.addAll(strings("SELECT DISTINCT op_id FROM op_inputs WHERE " + at.sql()
          + " AND message_id IN (SELECT unnest(?::VARCHAR[]))", params.toArray()));
    }
    return ops.toArray(new String[0]);
  }

  /**
   * Of {@code opIds}, those with tag {@code key=value} of their own or on an input message, compared exactly. Reads
   * inside the caller's transaction, limited to the batches of these operations and their inputs.
   */
  private Set<String> tagged(String key, String value, List<String> opIds) throws SQLException {
    Set<String> out = new HashSet<>();
    if (opIds.isEmpty()) return out;
    long pair = LongHash.of(Locator.tag(key, value));
    int[] opBatches = projection.locator.union(Locator.OP, opIds);
    if (opBatches.length == 0) return out;
    Prune at = new Prune(opBatches);
    for (Object[] r : idRows("SELECT owner_id FROM tags WHERE pair_h = ? AND key = ? AND value = ?"
        + " AND owner_kind = 'op' AND " + at.sql(), at, List.of(pair, key, value), "owner_id", opIds)) {
      out.add((String) r[0]);
    }
    List<String> rest = opIds.stream().filter(id -> !out.contains(id)).distinct().toList();
    if (rest.isEmpty()) return out;
    Map<String, List<String>> consumers = new HashMap<>();
    for (Object[] r : idRows("SELECT op_id, message_id FROM op_inputs WHERE " + at.sql(), at, List.of(), "op_id",
        rest)) {
      consumers.computeIfAbsent((String) r[1], m -> new ArrayList<>()).add((String) r[0]);
    }
    int[] msgBatches = projection.locator.union(Locator.MESSAGE, consumers.keySet());
    if (msgBatches.length == 0) return out;
    Prune of = new Prune(msgBatches);
    for (Object[] r : idRows("SELECT owner_id FROM tags WHERE pair_h = ? AND key = ? AND value = ?"
        + " AND owner_kind = 'msg' AND " + of.sql(), of, List.of(pair, key, value), "owner_id",
        new ArrayList<>(consumers.keySet()))) {
      out.addAll(consumers.get((String) r[0]));
    }
    return out;
  }

  /** Tests: the most owners the tag index resolves; 0 makes every known pair a scan. */
  synchronized void maxTaggedForTest(int n) {
    maxTagged = n;
  }

  /** How many tag terms search answered through the tag index (for tests). */
  synchronized long tagIndexLookups() {
    return tagIndexLookups;
  }

  /** How many operations search dropped because they only shared a hash with a match (for tests). */
  synchronized long hashMisses() {
    return hashMisses;
  }

  private List<OpRow> ops(String sql, List<Object> params) throws SQLException {
    List<Object[]> rows = rows(sql, params.toArray());
    List<String> ids = new ArrayList<>();
    for (Object[] r : rows) ids.add((String) r[0]);
    int[] batches = projection.locator.union(Locator.OP, ids);
    Map<String, List<String>> traces;
    try {
      traces = batches.length == 0 ? Map.of() : pairs(new Prune(batches), "op_traces", "op_id", "trace_id", ids);
    } finally {
      conn.commit(); // pairs reads inside the caller's transaction; end it, as every other read does
    }
    List<OpRow> out = new ArrayList<>();
    for (Object[] r : rows) out.add(opRow(r, traces));
    return out;
  }

  private static OpRow opRow(Object[] r, Map<String, List<String>> traces) {
    String id = (String) r[0];
    return new OpRow(id, (String) r[1], (String) r[2], (String) r[3], (String) r[4], (Long) r[5], (Long) r[6],
        (Long) r[7], (String) r[8], (String) r[9], (String) r[10], (String) r[11], (String) r[12],
        traces.getOrDefault(id, List.of()));
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

  /**
   * The by-service topology of messages sent since {@code sinceTicks}; see {@link Topology}. A window of two hours or
   * more is read from the cached 5-minute roll-ups and starts at the bucket boundary at or before {@code sinceTicks};
   * the answer's {@code sinceTicks} says where.
   */
  public synchronized Topology.ServiceGraph topologyServices(long sinceTicks) {
    try {
      Window<TopologyParts.ServicePart> w = topologyWindow(sinceTicks, TopologyQueries.WHOLE_WINDOW,
          topologyCache::services, TopologyQueries::serviceParts);
      List<Topology.ServiceEdge> edges = TopologyParts.services(w.only(), w.abandonCutoff());
      return new Topology.ServiceGraph(w.sinceTicks(), TopologyQueries.serviceNodes(edges), edges);
    } catch (SQLException e) {
      throw new StoreException("cannot read topology: " + e.getMessage(), e);
    }
  }

  /** The by-type topology of operations started since {@code sinceTicks}; windows as {@link #topologyServices}. */
  public synchronized Topology.TypeGraph topologyTypes(long sinceTicks) {
    try {
      Window<TopologyParts.TypePart> w = topologyWindow(sinceTicks, TopologyQueries.WHOLE_WINDOW,
          topologyCache::types, TopologyQueries::typeParts);
      List<Topology.TypeEdge> edges = TopologyParts.types(w.only(), w.abandonCutoff());
      return new Topology.TypeGraph(w.sinceTicks(), TopologyQueries.typeNodes(edges), edges);
    } catch (SQLException e) {
      throw new StoreException("cannot read topology: " + e.getMessage(), e);
    }
  }

  /**
   * Topology roll-ups over time: the by-service edges (count, errors, p50/p99 of processing time and queue wait) of
   * each bucket of {@code stepTicks}, for messages sent since {@code sinceTicks}. A step that is a multiple of 5
   * minutes, over two hours or more, is read from the cached roll-ups (see {@link #topologyServices}).
   */
  public synchronized Topology.Series<Topology.ServiceBucket> topologyServiceSeries(long sinceTicks, long stepTicks) {
    return series(sinceTicks, stepTicks, topologyCache::services, TopologyQueries::serviceParts,
        (startMs, parts, cutoff) -> new Topology.ServiceBucket(startMs, TopologyParts.services(parts, cutoff)));
  }

  /** As {@link #topologyServiceSeries}, by type, for operations started since {@code sinceTicks}. */
  public synchronized Topology.Series<Topology.TypeBucket> topologyTypeSeries(long sinceTicks, long stepTicks) {
    return series(sinceTicks, stepTicks, topologyCache::types, TopologyQueries::typeParts,
        (startMs, parts, cutoff) -> new Topology.TypeBucket(startMs, TopologyParts.types(parts, cutoff)));
  }

  /** One step of a series, from the roll-ups of its buckets. */
  @FunctionalInterface
  private interface StepOf<P, B> {
    B of(long startMs, List<P> parts, long abandonCutoff);
  }

  private <P, B> Topology.Series<B> series(long sinceTicks, long stepTicks, CachedRead<P> cached,
      DirectRead<P> direct, StepOf<P, B> step) {
    checkStep(stepTicks);
    try {
      Window<P> w = topologyWindow(sinceTicks, stepTicks, cached, direct);
      long stepMs = stepTicks / dev.weft.core.Ticks.PER_MILLI;
      List<B> out = new ArrayList<>();
      w.steps().forEach((k, parts) -> out.add(step.of(k * stepMs, parts, w.abandonCutoff())));
      return new Topology.Series<>(w.sinceTicks(), stepMs, out);
    } catch (SQLException e) {
      throw new StoreException("cannot read topology: " + e.getMessage(), e);
    }
  }

  /** Windows at least this long (ticks) are read from the cache: rounding their start moves it by 4 % or less. */
  static final long CACHED_WINDOW_MIN = 2L * 3600 * dev.weft.core.Ticks.PER_SECOND;
  /** Windows longer than this are computed directly, so that the cache stays bounded. */
  static final long CACHED_WINDOW_MAX = (TopologyCache.MAX_BUCKETS - 1) * TopologyCache.WIDTH;

  /** Test hook: how many sub-buckets the topology cache's recomputes computed (TopologyCache.FINE). */
  synchronized long topologySubBucketsComputedForTest() {
    return topologyCache.computedSubBuckets();
  }

  /** How many 5-minute roll-ups the topology cache computed since the store opened. */
  public synchronized long topologyBucketsComputed() {
    return topologyCache.computedBuckets();
  }

  /** The first 5-minute bucket of the last {@code window}, or -1 when the cache does not keep such a window. */
  private long cachedWindowStart(Duration window) {
    long span = window.toNanos() / 100; // 100-ns ticks
    if (span < CACHED_WINDOW_MIN || span > CACHED_WINDOW_MAX) return -1;
    return Math.floorDiv(dev.weft.core.Ticks.of(config.clock().instant()) - span, TopologyCache.WIDTH);
  }

  /**
   * Brings the cached roll-ups of both views up to date for the last {@code window}, as a read of that window would,
   * without building an answer: the {@link TopologyWarmer} calls it so that a reader finds them computed. A window
   * the cache does not keep (under two hours, over 28 days) is left alone.
   */
  public synchronized void warmTopology(Duration window) {
    long from = cachedWindowStart(window);
    if (from < 0) return;
    long t0 = System.nanoTime();
    try {
      TopologyQueries q = topologyQueries();
      topologyCache.services(q, from, projection.lastCommitted());
      topologyCache.types(q, from, projection.lastCommitted());
    } catch (SQLException e) {
      throw new StoreException("cannot compute topology: " + e.getMessage(), e);
    } finally {
      topologyWarmNanos += System.nanoTime() - t0;
    }
  }

  /**
   * How many 5-minute buckets of the last {@code window} a read would recompute now, or -1 when they have not been
   * computed yet (the {@link TopologyWarmer} then rebuilds them off the lock instead). 0 for a window the cache does
   * not keep.
   */
  public synchronized int topologyStale(Duration window) {
    long from = cachedWindowStart(window);
    if (from < 0) return 0;
    try {
      return topologyCache.stale(topologyQueries(), from, projection.lastCommitted());
    } catch (SQLException e) {
      throw new StoreException("cannot read topology: " + e.getMessage(), e);
    }
  }

  private long topologyWarmNanos;
  /** Bumped when a failed batch's appended rows are removed: a snapshot taken before may have seen them. */
  private long topologyGeneration;
  /** The second connection {@link #rebuildTopology} reads on, outside the lock; opened on first use. */
  private Connection rebuildConn;
  /** True while a rebuild reads outside the lock; close() waits for it. */
  private boolean rebuilding;
  private boolean closed;

  /**
   * Computes the roll-ups of the last {@code window} from scratch on a second connection, <em>outside</em> the store's
   * lock, so that ingest and reads go on meanwhile, and installs them (TopologyCache.install). The commit marker is
   * read first, so every read after it sees at least the batches up to the marker; the result counts as valid only
   * as of the marker, and what later batches change (seen half-written or not at all) is left dirty for the next
   * read. A batch that fails meanwhile may have shown a read rows it then removed, so the result is dropped. Returns
   * whether it was installed. One caller at a time (the {@link TopologyWarmer}).
   */
  public boolean rebuildTopology(Duration window) {
    Connection c;
    long generation;
    long from;
    synchronized (this) {
      from = cachedWindowStart(window);
      if (closed || from < 0) return false;
      try {
        if (rebuildConn == null) {
          Connection d = ((org.duckdb.DuckDBConnection) conn).duplicate();
          try (java.sql.Statement st = d.createStatement()) {
            st.execute("USE weft");
          }
          d.setAutoCommit(false);
          rebuildConn = d;
        }
      } catch (SQLException e) {
        throw new StoreException("cannot open a second connection: " + e.getMessage(), e);
      }
      c = rebuildConn;
      generation = topologyGeneration;
      rebuilding = true;
    }
    long t0 = System.nanoTime();
    try {
      long asOf;
      Map<Long, TopologyParts.ServicePart> services;
      Map<Long, TopologyParts.TypePart> types;
      try {
        // the marker first: each read after it (its own transaction) sees at least the batches up to it
        asOf = ((Number) Rows.query(c, false, "SELECT CAST(value AS BIGINT) FROM store_meta WHERE key = 'last_batch'")
            .get(0)[0]).longValue();
        TopologyQueries q = new TopologyQueries(c, null); // the roll-ups never use the locator, which is not shared
        services = q.serviceParts(TopologyCache.WIDTH, from * TopologyCache.WIDTH, Long.MAX_VALUE, false);
        types = q.typeParts(TopologyCache.WIDTH, from * TopologyCache.WIDTH, Long.MAX_VALUE, false);
      } catch (SQLException e) {
        try {
          c.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        throw new StoreException("cannot compute topology: " + e.getMessage(), e);
      }
      synchronized (this) {
        if (closed || generation != topologyGeneration) return false;
        try {
          topologyCache.install(topologyQueries(), projection.lastCommitted(), from, services, types, asOf);
        } catch (SQLException e) {
          throw new StoreException("cannot install topology: " + e.getMessage(), e);
        }
        return true;
      }
    } finally {
      synchronized (this) {
        topologyWarmNanos += System.nanoTime() - t0;
        rebuilding = false;
        notifyAll();
      }
    }
  }

  /** Time spent in {@link #warmTopology} and {@link #rebuildTopology} since the store opened, in seconds. */
  public synchronized double topologyWarmSeconds() {
    return topologyWarmNanos / 1e9;
  }

  /** The last batch whose rows are committed; it changes exactly when the store's content does. */
  public synchronized long lastCommittedBatch() {
    return projection.lastCommitted();
  }

  /**
   * The by-service edges of the cached window from {@code sinceTicks}, computed from the whole tables, without the
   * bounds of Schema (for tests).
   */
  synchronized List<Topology.ServiceEdge> serviceEdgesUncached(long sinceTicks) throws SQLException {
    long from = Math.floorDiv(sinceTicks, TopologyCache.WIDTH) * TopologyCache.WIDTH;
    return TopologyParts.services(new TopologyQueries(conn, projection.locator, false)
        .serviceParts(TopologyQueries.WHOLE_WINDOW, from, Long.MAX_VALUE, false).values(),
        abandonCutoff(config.clock().instant()));
  }

  /** As {@link #serviceEdgesUncached}, by type. */
  synchronized List<Topology.TypeEdge> typeEdgesUncached(long sinceTicks) throws SQLException {
    long from = Math.floorDiv(sinceTicks, TopologyCache.WIDTH) * TopologyCache.WIDTH;
    return TopologyParts.types(new TopologyQueries(conn, projection.locator, false)
        .typeParts(TopologyQueries.WHOLE_WINDOW, from, Long.MAX_VALUE, false).values(),
        abandonCutoff(config.clock().instant()));
  }

  /** A cached read of one view's roll-ups, from bucket {@code from} on. */
  @FunctionalInterface
  private interface CachedRead<P> {
    java.util.NavigableMap<Long, P> read(TopologyQueries q, long from, long lastBatch) throws SQLException;
  }

  /** A direct read of one view's roll-ups. */
  @FunctionalInterface
  private interface DirectRead<P> {
    Map<Long, P> read(TopologyQueries q, long width, long lo, long hi, boolean want) throws SQLException;
  }

  /**
   * The roll-ups of a window grouped into steps of {@code step} ticks (key: the step's index since the epoch; one
   * step, index 0, for {@link TopologyQueries#WHOLE_WINDOW}), where the window starts, and the abandon cutoff.
   */
  private record Window<P>(long sinceTicks, java.util.TreeMap<Long, List<P>> steps, long abandonCutoff) {
    List<P> only() {
      return steps.isEmpty() ? List.of() : steps.firstEntry().getValue();
    }
  }

  private <P> Window<P> topologyWindow(long sinceTicks, long step, CachedRead<P> cached, DirectRead<P> direct)
      throws SQLException {
    java.time.Instant now = config.clock().instant();
    long nowTicks = dev.weft.core.Ticks.of(now);
    TopologyQueries q = topologyQueries();
    long span = nowTicks - sinceTicks;
    boolean useCache = span >= CACHED_WINDOW_MIN && span <= CACHED_WINDOW_MAX
        && (step == TopologyQueries.WHOLE_WINDOW || step % TopologyCache.WIDTH == 0);
    java.util.TreeMap<Long, List<P>> steps = new java.util.TreeMap<>();
    long since = sinceTicks;
    if (useCache) {
      long from = Math.floorDiv(sinceTicks, TopologyCache.WIDTH);
      since = from * TopologyCache.WIDTH;
      for (Map.Entry<Long, P> e : cached.read(q, from, projection.lastCommitted()).entrySet()) {
        long k = step == TopologyQueries.WHOLE_WINDOW ? 0 : e.getKey() * TopologyCache.WIDTH / step;
        steps.computeIfAbsent(k, x -> new ArrayList<>()).add(e.getValue());
      }
    } else {
      for (Map.Entry<Long, P> e : direct.read(q, step, sinceTicks, Long.MAX_VALUE, false).entrySet()) {
        steps.computeIfAbsent(e.getKey(), x -> new ArrayList<>()).add(e.getValue());
      }
    }
    return new Window<>(since, steps, abandonCutoff(now));
  }

  private static void checkStep(long stepTicks) {
    if (stepTicks < dev.weft.core.Ticks.PER_MILLI || stepTicks == TopologyQueries.WHOLE_WINDOW) {
      throw new IllegalArgumentException("step must be at least 1 ms");
    }
  }

  private TopologyQueries topologyQueries() {
    return new TopologyQueries(conn, projection.locator);
  }

  /** Declared channels against observed ones, per service; see {@link Topology.Drift}. */
  public synchronized Topology.Drift topologyDrift() {
    try {
      return topologyQueries().drift();
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
      return read.apply(new UiQueries(conn, abandonCutoff(config.clock().instant()), projection.locator));
    } catch (SQLException e) {
      throw new StoreException("cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * Row counts of every table, for diagnostics and tests: distinct rows without {@code batch_no}, i.e. the logical
   * content, which does not depend on how the events were batched.
   */
  public synchronized Map<String, Long> tableCounts() {
    return counts(t -> List.of("emitters", "declarations", "declared").contains(t) ? "SELECT count(*) FROM " + t
        : "SELECT count(*) FROM (SELECT DISTINCT * EXCLUDE (batch_no) FROM " + t + ")");
  }

  /**
   * Rows stored in each table, from DuckDB's own row counts: no table is scanned, so {@code /metrics} can call it at
   * every scrape whatever the store's size. A set table may hold a row once per batch that wrote it, so these are at
   * least the {@link #tableCounts} (which scans every table to count distinct rows, for tests and replay's summary).
   */
  public synchronized Map<String, Long> storedRows() {
    return counts(t -> "SELECT count(*) FROM " + t);
  }

  /** Each table's count, by the query {@code countOf} gives for its name. */
  private Map<String, Long> counts(java.util.function.UnaryOperator<String> countOf) {
    try {
      Map<String, Long> out = new LinkedHashMap<>();
      // Table names come from the fixed list in Schema, never from input.
      for (String t : Schema.TABLES) out.put(t, (Long) rows(countOf.apply(t)).get(0)[0]);
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot count rows: " + e.getMessage(), e);
    }
  }

  /** Bytes the store takes on disk: its file and its write-ahead log. */
  public long diskBytes() {
    long n = 0;
    for (Path p : List.of(file, file.resolveSibling(file.getFileName() + ".wal"))) {
      try {
        if (java.nio.file.Files.exists(p)) n += java.nio.file.Files.size(p);
      } catch (java.io.IOException e) {
        // the file went away between the two calls (a checkpoint removes the WAL): it takes no space
      }
    }
    return n;
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

  /** Most statements kept prepared for {@link #read}; the least recently used one is closed first. */
  static final int PREPARED_KEPT = 256;

  /**
   * Statements of the trace read, kept prepared: DuckDB plans a statement when it is prepared, which was about a
   * fifth of each of these reads (RATIONALE.md, "Trace reads"). Guarded by the store's lock.
   */
  private final Map<String, java.sql.PreparedStatement> prepared = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, java.sql.PreparedStatement> eldest) {
      if (size() <= PREPARED_KEPT) return false;
      try {
        eldest.getValue().close();
      } catch (SQLException e) {
        // closing only frees it early; the connection frees it at the latest
      }
      return true;
    }
  };

  /** As {@link #rows}, with the statement kept prepared, inside the caller's transaction, which the caller ends. */
  private List<Object[]> read(String sql, Object... params) throws SQLException {
    java.sql.PreparedStatement ps = prepared.get(sql);
    if (ps == null) {
      ps = conn.prepareStatement(sql);
      prepared.put(sql, ps);
    }
    return Rows.read(ps, true, params);
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    // a topology rebuild reads on the second connection without the lock: let it finish (it cannot be interrupted)
    while (rebuilding) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    closed = true;
    try {
      if (rebuildConn != null) rebuildConn.close();
      try (java.sql.Statement st = conn.createStatement()) {
        conn.commit();
        st.execute("CHECKPOINT"); // the file is ATTACHed, so write it out before the in-memory host goes away
      } catch (SQLException e) {
        // closing still releases the file; the WAL keeps what the checkpoint did not write
      }
      for (java.sql.PreparedStatement ps : prepared.values()) {
        try {
          ps.close();
        } catch (SQLException e) {
          // the connection's close below frees it
        }
      }
      prepared.clear();
      conn.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close store: " + e.getMessage(), e);
    }
  }
}
