package dev.weft.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The topology reads: the roll-ups of time buckets by service and by type ({@link TopologyParts}), which buckets
 * recent batches may have changed, and declared against observed. Grouping and binning run in DuckDB; every value is
 * bound as a parameter. The caller (Store) holds the connection's lock. See RATIONALE.md, "Topology" and "Topology
 * roll-ups".
 */
final class TopologyQueries {
  /** Filters the bucket expression (the {@code %s}) to the buckets listed in {@code topo_want}; one more {@code ?}. */
  private static final String WANT = " AND (%s // ?) IN (SELECT b FROM topo_want)";

  /**
   * The first batch that wrote a message of the by-service messages' side. Parameters: lo, hi (and the width with
   * {@link #WANT}).
   */
  private static final String SERVICE_MESSAGES_FIRST_BATCH_SQL =
      "SELECT min(m.batch_no) FROM messages m WHERE m.channel IS NOT NULL AND m.msg_ticks >= ? AND m.msg_ticks < ?%s";

  /**
   * By service, the messages' side, bucketed by the message's header ticks. Parameters: width, lo, hi, (the width
   * again with {@link #WANT}), the first batch ({@link #SERVICE_MESSAGES_FIRST_BATCH_SQL}). Three levels: per channel
   * (distinct messages sent: a message has one row), per edge (distinct messages received) and per edge and
   * queue-wait bin (receives); the second and third read the receives of the first's messages once. Receives are
   * read from the messages' first batch on: a RECEIVE writes its message's row in its own batch when no earlier one
   * did, so no receive of a message is older than the message's row, and DuckDB skips the row groups before
   * (RATIONALE.md, "Topology roll-ups").
   */
  private static final String SERVICE_MESSAGES_SQL = """
      WITH ms AS MATERIALIZED (
        SELECT m.message_id, m.msg_ticks // ? AS b, coalesce(m.send_service, m.producer) AS p, m.channel AS c
        FROM messages m WHERE m.channel IS NOT NULL AND m.msg_ticks >= ? AND m.msg_ticks < ?%s),
      rs AS MATERIALIZED (
        SELECT ms.b, ms.p, ms.c, r.service AS cons, ms.message_id, %s AS k
        FROM receives r JOIN ms ON ms.message_id = r.message_id WHERE r.batch_no >= ?)
      SELECT b, p, c, NULL, NULL, 3, count(*), 0 FROM ms GROUP BY b, p, c
      UNION ALL SELECT b, p, c, cons, NULL, 1, count(DISTINCT message_id), count(*) FROM rs GROUP BY b, p, c, cons
      UNION ALL SELECT b, p, c, cons, k, 0, 0, count(*) FROM rs GROUP BY b, p, c, cons, k""";

  /** The time of an operation: its start, or its end while the START is unknown. */
  private static final String OP_TIME = "coalesce(o.start_ticks, o.end_ticks)";

  /**
   * The operations of the buckets: parameters lo, hi (and the width with {@link #WANT}); {@code %1$s} is
   * {@link #OP_TIME}, {@code %2$s} the {@link #WANT} filter or nothing.
   */
  private static final String OPS_OF_BUCKETS = "%1$s >= ? AND %1$s < ?%2$s";

  /**
   * The least {@code first_batch} of the buckets' operations: no row of theirs (receives, inputs, their SENDs) is
   * older (Schema). NULL when the buckets have no operation. Parameters: lo, hi, width, twice. The operation's time
   * is {@link #OP_TIME}, spelled out as two ranges on plain columns: DuckDB skips row groups by a column's min/max
   * only for a range on the column itself, and a bound is read under live ingest, over a few recent seconds.
   */
  private static final String OPS_FIRST_BATCH_SQL = """
      SELECT min(f) FROM (
        SELECT min(coalesce(o.first_batch, 0)) AS f FROM operations o
        WHERE o.start_ticks >= ? AND o.start_ticks < ?%1$s
        UNION ALL
        SELECT min(coalesce(o.first_batch, 0)) FROM operations o
        WHERE o.start_ticks IS NULL AND o.end_ticks >= ? AND o.end_ticks < ?%2$s)""".formatted(
      WANT.formatted("o.start_ticks"), WANT.formatted("o.end_ticks"));

  /**
   * The least {@code msg_batch} of the messages that the buckets' operations received, or with {@code %3$s} also
   * listed as inputs: no such message's row is older. NULL when there are none. Parameters: the operations' first
   * batch for receives, (for inputs,) and for operations, then as {@link #OPS_OF_BUCKETS}.
   */
  private static final String CONSUMED_FIRST_BATCH_SQL = "SELECT min(coalesce(x.msg_batch, 0))"
      + " FROM (SELECT op_id, msg_batch FROM receives WHERE batch_no >= ?%3$s) x"
      + " WHERE x.op_id IN (SELECT o.op_id FROM operations o WHERE o.batch_no >= ? AND " + OPS_OF_BUCKETS + ")";
  private static final String AND_INPUTS =
      " UNION ALL SELECT op_id, msg_batch FROM op_inputs WHERE batch_no >= ?";

  /**
   * By service, the receiving operations' side, bucketed by the operation's time. Per edge: distinct operations,
   * failed ones, the start ticks of the open ones; per edge and duration bin: operations. Parameters: width, the
   * operations' first batch (for receives, then operations), the received messages' first batch, then as
   * {@link #OPS_OF_BUCKETS}.
   */
  private static final String SERVICE_OPS_SQL = """
      WITH x AS (
        SELECT DISTINCT %1$s // ? AS b, coalesce(m.send_service, m.producer) AS p, m.channel AS c,
               r.service AS cons, o.op_id, o.start_ticks AS s, o.end_ticks - o.start_ticks AS d, o.status
        FROM operations o JOIN (SELECT * FROM receives WHERE batch_no >= ?) r ON r.op_id = o.op_id
        JOIN messages m ON m.message_id = r.message_id
        WHERE o.batch_no >= ? AND m.batch_no >= ? AND m.channel IS NOT NULL AND %1$s >= ? AND %1$s < ?%2$s),
      y AS (SELECT *, CASE WHEN d IS NULL THEN NULL ELSE %3$s END AS k FROM x)
      SELECT b, p, c, cons, k, grouping(k), count(*), count(*) FILTER (WHERE status = 'failed'),
             list(s) FILTER (WHERE status IS NULL)
      FROM y GROUP BY GROUPING SETS ((b, p, c, cons), (b, p, c, cons, k))""";

  /**
   * The sent messages' filter of {@link #TYPES_SQL} for a read of listed buckets; NULL is a row written before
   * {@code touched_batch} existed. Over a whole window it skips little and costs a quarter of a second at 10M events.
   */
  private static final String SENT_SINCE = "(touched_batch >= ? OR touched_batch IS NULL) AND";

  /**
   * By type, bucketed by the operation's time. An operation's input types come from its START's inputs and its
   * receives, its output types from what it sent. Parameters: width, the operations' first batch, lo, hi (the width
   * with {@link #WANT}), the first batch again for inputs and receives, the consumed messages' first batch, and the
   * first batch for the sent messages, which a SEND touched at or after it ({@link #SENT_SINCE}, with bounds only).
   */
  private static final String TYPES_SQL = """
      WITH ops AS (
        SELECT %1$s // ? AS b, o.op_id, o.op, o.service, o.start_ticks AS s, o.end_ticks - o.start_ticks AS d,
               o.status
        FROM operations o WHERE o.batch_no >= ? AND %1$s >= ? AND %1$s < ?%2$s),
      ins AS (
        SELECT DISTINCT x.op_id, m.schema_uri
        FROM (SELECT op_id, message_id FROM op_inputs WHERE batch_no >= ? AND op_id IN (SELECT op_id FROM ops)
              UNION SELECT op_id, message_id FROM receives WHERE batch_no >= ? AND op_id IN (SELECT op_id FROM ops)) x
        JOIN messages m ON m.message_id = x.message_id
        WHERE m.batch_no >= ? AND m.schema_uri IS NOT NULL),
      outs AS (
        SELECT DISTINCT send_op_id AS op_id, schema_uri FROM messages
        WHERE %4$s send_op_id IN (SELECT op_id FROM ops)
          AND schema_uri IS NOT NULL),
      j AS (
        SELECT ops.b, ins.schema_uri AS inp, ops.service, ops.op, outs.schema_uri AS outp, ops.op_id, ops.s,
               ops.status, CASE WHEN ops.d IS NULL THEN NULL ELSE %3$s END AS k
        FROM ops LEFT JOIN ins ON ins.op_id = ops.op_id LEFT JOIN outs ON outs.op_id = ops.op_id)
      SELECT b, inp, service, op, outp, k, grouping(k), count(*), count(*) FILTER (WHERE status = 'failed'),
             list(s) FILTER (WHERE status IS NULL)
      FROM j GROUP BY GROUPING SETS ((b, inp, service, op, outp), (b, inp, service, op, outp, k))""";

  /**
   * The messages that batches after {@code ?} wrote, with their bucket, whether their row is older than those
   * batches, the operation that sent them, and whether those batches changed a field the roll-ups read
   * ({@code shape_batch}). Parameters: width, then the batch three times.
   */
  private static final String TOUCHED_MESSAGES_SQL =
      "SELECT message_id, msg_ticks // ?, batch_no <= ?, send_op_id, coalesce(shape_batch > ?, false) FROM messages"
          + " WHERE touched_batch > ?";
  /** The operations whose rows batches after {@code ?} wrote, with both their buckets (parameters: width twice). */
  private static final String TOUCHED_OPS_SQL =
      "SELECT op_id, start_ticks // ?, end_ticks // ? FROM operations WHERE touched_batch > ?";
  /** The operations that batches after {@code ?} stored a receive of. */
  private static final String NEW_RECEIVERS_SQL =
      "SELECT DISTINCT op_id FROM receives WHERE batch_no > ? AND op_id IS NOT NULL";

  /** A bucket wider than any tick value: the whole window in one bucket. */
  static final long WHOLE_WINDOW = Long.MAX_VALUE;

  /**
   * The by-service roll-ups of the buckets of {@code width} ticks in {@code [lo, hi)}; with {@code want}, only those
   * listed in {@code topo_want} ({@link #want}). Buckets without traffic are absent.
   */
  Map<Long, TopologyParts.ServicePart> serviceParts(long width, long lo, long hi, boolean want)
      throws SQLException {
    Map<Long, ServiceBuilder> parts = new TreeMap<>();
    String wantMessages = want ? WANT.formatted("m.msg_ticks") : "";
    Object first = rows(SERVICE_MESSAGES_FIRST_BATCH_SQL.formatted(wantMessages), withWant(want, width, lo, hi))
        .get(0)[0];
    String msgSql = SERVICE_MESSAGES_SQL.formatted(wantMessages, Bins.sql("r.queue_wait"));
    List<Object> msgParams = new ArrayList<>(List.of(width, lo, hi));
    if (want) msgParams.add(width);
    msgParams.add(first == null ? 0L : asLong(first));
    for (Object[] r : rows(msgSql, msgParams.toArray())) {
      ServiceBuilder p = parts.computeIfAbsent(asLong(r[0]), k -> new ServiceBuilder());
      int grouping = ((Number) r[5]).intValue();
      if (grouping == 3) {
        p.sent.put(new TopologyParts.ChanKey((String) r[1], (String) r[2]), asLong(r[6]));
      } else if (r[3] != null) {
        TopologyParts.EdgeKey key = new TopologyParts.EdgeKey((String) r[1], (String) r[2], (String) r[3]);
        if (grouping == 1) p.messages.put(key, asLong(r[6]));
        else p.waits.computeIfAbsent(key, x -> new Bins.Acc()).add(((Number) r[4]).intValue(), asLong(r[7]));
      }
    }
    Bounds bounds = bounds(width, lo, hi, want, false);
    String opsSql = SERVICE_OPS_SQL.formatted(OP_TIME, want ? WANT.formatted(OP_TIME) : "", Bins.sql("d"));
    // no operation, or none that received: nothing on this side
    List<Object[]> opsRows = bounds == null || bounds.consumed() == null ? List.of()
        : rows(opsSql, withWant(want, width, width, bounds.ops(), bounds.ops(), bounds.consumed(), lo, hi));
    for (Object[] r : opsRows) {
      ServiceBuilder p = parts.computeIfAbsent(asLong(r[0]), k -> new ServiceBuilder());
      TopologyParts.EdgeKey key = new TopologyParts.EdgeKey((String) r[1], (String) r[2], (String) r[3]);
      p.ops.computeIfAbsent(key, x -> new OpsBuilder()).add(r, 4);
    }
    Map<Long, TopologyParts.ServicePart> out = new TreeMap<>();
    parts.forEach((b, p) -> out.put(b, p.build()));
    return out;
  }

  /** As {@link #serviceParts}, by type. */
  Map<Long, TopologyParts.TypePart> typeParts(long width, long lo, long hi, boolean want) throws SQLException {
    Map<Long, Map<TopologyParts.TypeKey, OpsBuilder>> parts = new TreeMap<>();
    Bounds bounds = bounds(width, lo, hi, want, true);
    if (bounds == null) return new TreeMap<>();
    boolean sentSince = bounds != Bounds.NONE;
    String sql = TYPES_SQL.formatted(OP_TIME, want ? WANT.formatted(OP_TIME) : "", Bins.sql("ops.d"),
        sentSince ? SENT_SINCE : "");
    List<Object> params = new ArrayList<>(List.of(width, bounds.ops(), lo, hi));
    if (want) params.add(width);
    // nothing consumed: no message to join (Long.MAX_VALUE reads none)
    params.addAll(List.of(bounds.ops(), bounds.ops(), bounds.consumed() == null ? Long.MAX_VALUE : bounds.consumed()));
    if (sentSince) params.add(bounds.ops());
    for (Object[] r : rows(sql, params.toArray())) {
      TopologyParts.TypeKey key = new TopologyParts.TypeKey((String) r[1], (String) r[2], (String) r[3],
          (String) r[4]);
      parts.computeIfAbsent(asLong(r[0]), k -> new java.util.HashMap<>()).computeIfAbsent(key, x -> new OpsBuilder())
          .add(r, 5);
    }
    Map<Long, TopologyParts.TypePart> out = new TreeMap<>();
    parts.forEach((b, p) -> {
      Map<TopologyParts.TypeKey, TopologyParts.Ops> edges = new java.util.HashMap<>();
      p.forEach((k, o) -> edges.put(k, o.build()));
      out.put(b, new TopologyParts.TypePart(edges));
    });
    return out;
  }

  /** Lists the buckets the next {@code want} read computes, in {@code topo_want}. */
  void want(java.util.Collection<Long> buckets) throws SQLException {
    try (java.sql.Statement s = conn.createStatement()) {
      s.execute("CREATE TEMP TABLE IF NOT EXISTS topo_want (b BIGINT)");
      s.execute("DELETE FROM topo_want");
    }
    try (java.sql.PreparedStatement ps = conn.prepareStatement("INSERT INTO topo_want VALUES (?)")) {
      for (long b : buckets) {
        ps.setLong(1, b);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    conn.commit();
  }

  /** The buckets (of {@code width}) whose roll-ups batches after {@code batch} may have changed. */
  record Dirty(java.util.Set<Long> messageBuckets, java.util.Set<Long> opBuckets) {}

  /**
   * The buckets of the messages that batches after {@code batch} wrote, and of the operations whose roll-up they may
   * have changed: operations they wrote, those that sent a message they wrote, those that received or listed as input
   * a message whose fields they changed (its producer, channel or type: {@code shape_batch}), or that a new receive
   * names. Both the start's and the end's bucket: an operation without START is counted at its end until the START
   * comes. The links are followed in the batches the {@link Locator} names for the ids, so the cost follows what
   * changed, not the store (RATIONALE.md, "Topology roll-ups").
   */
  Dirty dirty(long batch, long width) throws SQLException {
    java.util.Set<Long> messages = new java.util.TreeSet<>();
    java.util.Set<Long> opBuckets = new java.util.TreeSet<>();
    // the operations whose rows changed give their buckets at once; the others are looked up below
    java.util.Set<String> found = new java.util.HashSet<>();
    for (Object[] r : rows(TOUCHED_OPS_SQL, width, width, batch)) {
      found.add((String) r[0]);
      if (r[1] != null) opBuckets.add(asLong(r[1]));
      if (r[2] != null) opBuckets.add(asLong(r[2]));
    }
    java.util.Set<String> ops = new java.util.HashSet<>();
    // the messages whose fields changed: what their consumers' roll-ups read of them (a new receive alone changes
    // the message's own bucket and its receiver's, found here and by NEW_RECEIVERS_SQL)
    List<String> changed = new ArrayList<>();
    List<String> older = new ArrayList<>();
    for (Object[] r : rows(TOUCHED_MESSAGES_SQL, width, batch, batch, batch)) {
      if (r[1] != null) messages.add(asLong(r[1]));
      if (r[3] != null) ops.add((String) r[3]);
      if (!Boolean.TRUE.equals(r[4])) continue;
      changed.add((String) r[0]);
      if (Boolean.TRUE.equals(r[2])) older.add((String) r[0]);
    }
    for (Object[] r : rows(NEW_RECEIVERS_SQL, batch)) ops.add((String) r[0]);
    if (!changed.isEmpty()) {
      // Receives and inputs in the batches after {@code batch} name operations found above (a new receive, or the
      // START that wrote the input and its operation's row), so only the batches up to it are read. And no receive
      // is older than its message's row: only the messages whose row is older than the batches are looked up there.
      // An input can be (a START may list a message before anything else names it).
      List<String> parts = new ArrayList<>();
      List<Object> params = new ArrayList<>();
      int[] receiving = upTo(locator.union(Locator.MESSAGE, older), batch);
      if (receiving.length > 0) {
        Prune in = new Prune(receiving);
        parts.add("SELECT op_id FROM receives WHERE " + in.sql() + " AND op_id IS NOT NULL"
            + " AND message_id IN (SELECT unnest(?::VARCHAR[]))");
        params.addAll(in.params((Object) older.toArray(new String[0])));
      }
      int[] inputs = upTo(locator.union(Locator.INPUT, changed), batch);
      if (inputs.length > 0) {
        Prune in = new Prune(inputs);
        parts.add("SELECT op_id FROM op_inputs WHERE " + in.sql()
            + " AND message_id IN (SELECT unnest(?::VARCHAR[]))");
        params.addAll(in.params((Object) changed.toArray(new String[0])));
      }
      if (!parts.isEmpty()) {
        // UNION ALL: ops is a set, and a UNION's distinct costs DuckDB a hash aggregate (as in Store.linked)
        for (Object[] r : rows(String.join(" UNION ALL ", parts), params.toArray())) ops.add((String) r[0]);
      }
    }
    ops.removeAll(found);
    int[] opBatches = locator.union(Locator.OP, ops);
    if (opBatches.length > 0) {
      Prune in = new Prune(opBatches);
      List<Object> params = new ArrayList<>(List.of(width, width));
      params.addAll(in.params((Object) ops.toArray(new String[0])));
      for (Object[] r : rows("SELECT DISTINCT b FROM (SELECT unnest([start_ticks // ?, end_ticks // ?]) AS b"
          + " FROM operations WHERE " + in.sql() + " AND op_id IN (SELECT unnest(?::VARCHAR[]))) WHERE b IS NOT NULL",
          params.toArray())) {
        opBuckets.add(asLong(r[0]));
      }
    }
    return new Dirty(messages, opBuckets);
  }

  /** The sorted {@code batches} up to {@code last}. */
  private static int[] upTo(int[] batches, long last) {
    int n = 0;
    while (n < batches.length && batches[n] <= last) n++;
    return java.util.Arrays.copyOf(batches, n);
  }

  /**
   * Where a read of the operations' side may start: {@code ops}, the least {@code first_batch} of the buckets'
   * operations, and {@code consumed}, the least {@code msg_batch} of what they received (with {@code inputs}, also
   * listed as inputs), null when they consumed nothing.
   */
  private record Bounds(long ops, Long consumed) {
    static final Bounds NONE = new Bounds(0, 0L);
  }

  /**
   * The bounds of a read of the buckets listed in {@code topo_want}, or null when they hold no operation. Only for
   * such a read: over a whole window the second query joins most of the tables once more (183–306 ms for a cold
   * 24-hour read at 10M events) and the bounds skip little, so a window's read, and one without {@link #bounded},
   * gets {@link Bounds#NONE}.
   */
  private Bounds bounds(long width, long lo, long hi, boolean want, boolean inputs) throws SQLException {
    if (!want || !bounded) return Bounds.NONE;
    String wantOps = WANT.formatted(OP_TIME);
    Object opsFirst = rows(OPS_FIRST_BATCH_SQL, lo, hi, width, lo, hi, width).get(0)[0];
    if (opsFirst == null) return null;
    long first = asLong(opsFirst);
    List<Object> p = new ArrayList<>(List.of(first));
    if (inputs) p.add(first);
    p.addAll(List.of(first, lo, hi, width));
    Object consumed = rows(CONSUMED_FIRST_BATCH_SQL.formatted(OP_TIME, wantOps, inputs ? AND_INPUTS : ""),
        p.toArray()).get(0)[0];
    return new Bounds(first, consumed == null ? null : asLong(consumed));
  }

  /** {@code params}, then the width that {@link #WANT} binds when {@code want}. */
  private static Object[] withWant(boolean want, long width, Object... params) {
    if (!want) return params;
    Object[] out = java.util.Arrays.copyOf(params, params.length + 1);
    out[params.length] = width;
    return out;
  }

  /** One bucket's by-service roll-up while its rows are read. */
  private static final class ServiceBuilder {
    final Map<TopologyParts.ChanKey, Long> sent = new java.util.HashMap<>();
    final Map<TopologyParts.EdgeKey, Long> messages = new java.util.HashMap<>();
    final Map<TopologyParts.EdgeKey, Bins.Acc> waits = new java.util.HashMap<>();
    final Map<TopologyParts.EdgeKey, OpsBuilder> ops = new java.util.HashMap<>();

    TopologyParts.ServicePart build() {
      java.util.Set<TopologyParts.EdgeKey> keys = new java.util.HashSet<>(messages.keySet());
      keys.addAll(ops.keySet());
      Map<TopologyParts.EdgeKey, TopologyParts.ServiceCell> edges = new java.util.HashMap<>();
      for (TopologyParts.EdgeKey k : keys) {
        Bins.Acc w = waits.get(k);
        OpsBuilder o = ops.get(k);
        edges.put(k, new TopologyParts.ServiceCell(messages.getOrDefault(k, 0L), w == null ? Bins.EMPTY : w.build(),
            o == null ? TopologyParts.Ops.NONE : o.build()));
      }
      return new TopologyParts.ServicePart(edges, Map.copyOf(sent));
    }
  }

  /**
   * One operation group while its rows are read: the row without a bin (grouping 1) gives the counts and the open
   * starts, the rows with one the duration histogram. Columns from {@code at}: bin, grouping, count, failed, opens.
   */
  private static final class OpsBuilder {
    long count;
    long failed;
    long[] open = new long[0];
    final Bins.Acc durations = new Bins.Acc();

    void add(Object[] r, int at) {
      if (((Number) r[at + 1]).intValue() == 1) {
        count = asLong(r[at + 2]);
        failed = asLong(r[at + 3]);
        if (r[at + 4] instanceof Object[] starts) {
          open = new long[starts.length];
          for (int i = 0; i < starts.length; i++) open[i] = ((Number) starts[i]).longValue();
        }
      } else if (r[at] != null) {
        durations.add(((Number) r[at]).intValue(), asLong(r[at + 2]));
      }
    }

    TopologyParts.Ops build() {
      return new TopologyParts.Ops(count, failed, open, durations.build());
    }
  }
  private static final String OBSERVED_SQL = """
      SELECT service, channel, bool_or(s), bool_or(r) FROM (
        SELECT send_service AS service, channel, true AS s, false AS r FROM messages
        WHERE sent AND send_service IS NOT NULL AND channel IS NOT NULL
        UNION ALL
        SELECT service, channel, false, true FROM receives)
      GROUP BY service, channel ORDER BY service, channel""";

  private final Connection conn;
  private final Locator locator;
  /** Whether the roll-ups skip row groups older than the bounds of Schema; false reads whole tables (tests). */
  private final boolean bounded;

  TopologyQueries(Connection conn, Locator locator) {
    this(conn, locator, true);
  }

  TopologyQueries(Connection conn, Locator locator, boolean bounded) {
    this.conn = conn;
    this.locator = locator;
    this.bounded = bounded;
  }

  /** The nodes of a by-service graph: every service at either end of an edge. */
  static List<Topology.Node> serviceNodes(List<Topology.ServiceEdge> edges) {
    TreeSet<String> services = new TreeSet<>();
    for (Topology.ServiceEdge e : edges) {
      if (e.producer() != null) services.add(e.producer());
      if (e.consumer() != null) services.add(e.consumer());
    }
    List<Topology.Node> nodes = new ArrayList<>();
    for (String s : services) nodes.add(new Topology.Node("service", s, s, s));
    return nodes;
  }

  /** The nodes of a by-type graph: the message types, then the operations. */
  static List<Topology.Node> typeNodes(List<Topology.TypeEdge> edges) {
    TreeSet<String> types = new TreeSet<>();
    TreeMap<String, String[]> ops = new TreeMap<>();
    for (Topology.TypeEdge e : edges) {
      if (e.input() != null) types.add(e.input());
      if (e.output() != null) types.add(e.output());
      ops.put(opNodeId(e.service(), e.op()), new String[] {e.service(), e.op()});
    }
    List<Topology.Node> nodes = new ArrayList<>();
    for (String t : types) nodes.add(new Topology.Node("type", t, null, t));
    for (Map.Entry<String, String[]> e : ops.entrySet()) {
      nodes.add(new Topology.Node("operation", e.getKey(), e.getValue()[0], e.getValue()[1]));
    }
    return nodes;
  }

  /** The id of an operation node: {@code service/op}. */
  static String opNodeId(String service, String op) {
    return (service == null ? "" : service) + "/" + (op == null ? "" : op);
  }

  Topology.Drift drift() throws SQLException {
    List<String> declaredServices = new ArrayList<>();
    for (Object[] r : rows("SELECT service FROM declarations ORDER BY service")) declaredServices.add((String) r[0]);
    // (service, channel) -> declared rows; LinkedHashMap keeps the SQL order
    Map<List<String>, List<Topology.DeclaredChannel>> declared = new LinkedHashMap<>();
    for (Object[] r : rows("SELECT service, channel, schema_uri, direction FROM declared"
        + " ORDER BY service, channel, direction, schema_uri")) {
      Topology.DeclaredChannel d = new Topology.DeclaredChannel((String) r[0], (String) r[1], (String) r[2],
          (String) r[3]);
      declared.computeIfAbsent(List.of(d.service(), d.channel()), k -> new ArrayList<>()).add(d);
    }
    List<Topology.MatchedChannel> matched = new ArrayList<>();
    List<Topology.ObservedChannel> observedOnly = new ArrayList<>();
    TreeSet<List<String>> seen = new TreeSet<>((a, b) -> {
      int c = a.get(0).compareTo(b.get(0));
      return c != 0 ? c : a.get(1).compareTo(b.get(1));
    });
    for (Object[] r : rows(OBSERVED_SQL)) {
      String service = (String) r[0];
      String channel = (String) r[1];
      boolean sent = Boolean.TRUE.equals(r[2]);
      boolean received = Boolean.TRUE.equals(r[3]);
      List<String> key = List.of(service, channel);
      List<Topology.DeclaredChannel> d = declared.get(key);
      if (d == null) {
        observedOnly.add(new Topology.ObservedChannel(service, channel, sent, received,
            declaredServices.contains(service)));
      } else {
        seen.add(key);
        matched.add(new Topology.MatchedChannel(service, channel,
            d.stream().map(Topology.DeclaredChannel::direction).distinct().toList(), sent, received));
      }
    }
    List<Topology.DeclaredChannel> declaredOnly = new ArrayList<>();
    for (Map.Entry<List<String>, List<Topology.DeclaredChannel>> e : declared.entrySet()) {
      if (!seen.contains(e.getKey())) declaredOnly.addAll(e.getValue());
    }
    return new Topology.Drift(declaredServices, matched, declaredOnly, observedOnly);
  }

  private static long asLong(Object o) {
    return o == null ? 0 : ((Number) o).longValue();
  }

  private static Double asDouble(Object o) {
    return o == null ? null : ((Number) o).doubleValue();
  }

  private List<Object[]> rows(String sql, Object... params) throws SQLException {
    return Rows.query(conn, false, sql, params);
  }
}
