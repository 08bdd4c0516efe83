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
 * The topology reads: by service, by type, and declared against observed. Aggregation (counts, percentiles) runs in
 * DuckDB; every value is bound as a parameter. The caller (Store) holds the connection's lock. See RATIONALE.md,
 * "Topology".
 */
final class TopologyQueries {
  /** 100-ns ticks per millisecond, as a double for the SQL divisions. */
  private static final String PER_MS = "10000.0";

  /** Failed, or never ended and started before the abandon cutoff (the one {@code ?}). */
  private static final String BAD = "(o.status = 'failed' OR (o.status IS NULL AND o.start_ticks < ?))";

  /**
   * By service. The first {@code ?} is the bucket width in ticks: every row gets {@code bucket} = the start of its
   * time bucket (message sent), and everything groups by it. The whole-window view uses one bucket as wide as time.
   */
  private static final String SERVICES_SQL = """
      WITH msg AS (
        SELECT (coalesce(m.send_ticks, m.msg_ticks) // ?) AS bucket, m.message_id,
               coalesce(m.send_service, m.producer) AS producer, m.channel
        FROM messages m
        WHERE m.channel IS NOT NULL AND coalesce(m.send_ticks, m.msg_ticks) >= ?),
      rcv AS (
        SELECT msg.bucket, msg.producer, msg.channel, r.service AS consumer, msg.message_id, r.op_id,
               CAST(r.queue_wait AS DOUBLE) AS wait
        FROM msg JOIN receives r ON r.message_id = msg.message_id),
      ops AS (
        SELECT DISTINCT rcv.bucket, rcv.producer, rcv.channel, rcv.consumer, o.op_id,
               CAST(o.end_ticks - o.start_ticks AS DOUBLE) AS dur, %s AS bad
        FROM rcv JOIN operations o ON o.op_id = rcv.op_id),
      w AS (
        SELECT bucket, producer, channel, consumer, count(DISTINCT message_id) AS n,
               quantile_cont(wait, 0.5) AS w50, quantile_cont(wait, 0.99) AS w99
        FROM rcv GROUP BY bucket, producer, channel, consumer),
      p AS (
        SELECT bucket, producer, channel, consumer, count(*) AS nops, count(*) FILTER (WHERE bad) AS errors,
               quantile_cont(dur, 0.5) AS d50, quantile_cont(dur, 0.99) AS d99
        FROM ops GROUP BY bucket, producer, channel, consumer)
      SELECT w.bucket, w.producer, w.channel, w.consumer, w.n, coalesce(p.nops, 0), coalesce(p.errors, 0),
             p.d50 / %s, p.d99 / %s, w.w50 / %s, w.w99 / %s
      FROM w LEFT JOIN p ON p.bucket = w.bucket AND p.producer IS NOT DISTINCT FROM w.producer
                        AND p.channel = w.channel AND p.consumer = w.consumer
      UNION ALL
      SELECT msg.bucket, msg.producer, msg.channel, NULL, count(*), 0, 0, NULL, NULL, NULL, NULL
      FROM msg
      WHERE NOT EXISTS (SELECT 1 FROM rcv WHERE rcv.bucket = msg.bucket
                                            AND rcv.producer IS NOT DISTINCT FROM msg.producer
                                            AND rcv.channel = msg.channel)
      GROUP BY msg.bucket, msg.producer, msg.channel
      ORDER BY 1, 2 NULLS FIRST, 3, 4 NULLS LAST""".formatted(BAD, PER_MS, PER_MS, PER_MS, PER_MS);

  /** By type; as {@link #SERVICES_SQL}, bucketed by the operation's start. */
  private static final String TYPES_SQL = """
      WITH ops AS (
        SELECT (o.start_ticks // ?) AS bucket, o.op_id, o.op, o.service,
               CAST(o.end_ticks - o.start_ticks AS DOUBLE) AS dur, %s AS bad
        FROM operations o WHERE o.start_ticks >= ?),
      ins AS (
        SELECT DISTINCT x.op_id, m.schema_uri
        FROM (SELECT op_id, message_id FROM op_inputs
              UNION SELECT op_id, message_id FROM receives WHERE op_id IS NOT NULL) x
        JOIN messages m ON m.message_id = x.message_id
        WHERE m.schema_uri IS NOT NULL),
      outs AS (
        SELECT DISTINCT send_op_id AS op_id, schema_uri FROM messages
        WHERE send_op_id IS NOT NULL AND schema_uri IS NOT NULL),
      j AS (
        SELECT ops.bucket, ins.schema_uri AS input, ops.service, ops.op, outs.schema_uri AS output, ops.op_id,
               ops.dur, ops.bad
        FROM ops LEFT JOIN ins ON ins.op_id = ops.op_id LEFT JOIN outs ON outs.op_id = ops.op_id)
      SELECT bucket, input, service, op, output, count(DISTINCT op_id), count(DISTINCT op_id) FILTER (WHERE bad),
             quantile_cont(dur, 0.5) / %s, quantile_cont(dur, 0.99) / %s
      FROM j GROUP BY bucket, input, service, op, output
      ORDER BY bucket, service NULLS FIRST, op NULLS FIRST, input NULLS FIRST, output NULLS FIRST""".formatted(BAD,
      PER_MS, PER_MS);

  /** A bucket wider than any tick value: the whole window in one bucket. */
  static final long WHOLE_WINDOW = Long.MAX_VALUE;

  private static final String OBSERVED_SQL = """
      SELECT service, channel, bool_or(s), bool_or(r) FROM (
        SELECT send_service AS service, channel, true AS s, false AS r FROM messages
        WHERE sent AND send_service IS NOT NULL AND channel IS NOT NULL
        UNION ALL
        SELECT service, channel, false, true FROM receives)
      GROUP BY service, channel ORDER BY service, channel""";

  private final Connection conn;

  TopologyQueries(Connection conn) {
    this.conn = conn;
  }

  Topology.ServiceGraph services(long sinceTicks, long abandonCutoff) throws SQLException {
    List<Topology.ServiceBucket> b = serviceBuckets(sinceTicks, WHOLE_WINDOW, abandonCutoff);
    List<Topology.ServiceEdge> edges = b.isEmpty() ? List.of() : b.get(0).edges();
    TreeSet<String> services = new TreeSet<>();
    for (Topology.ServiceEdge e : edges) {
      if (e.producer() != null) services.add(e.producer());
      if (e.consumer() != null) services.add(e.consumer());
    }
    List<Topology.Node> nodes = new ArrayList<>();
    for (String s : services) nodes.add(new Topology.Node("service", s, s, s));
    return new Topology.ServiceGraph(sinceTicks, nodes, edges);
  }

  /** The by-service edges per time bucket of {@code stepTicks}, oldest first; buckets without traffic are left out. */
  List<Topology.ServiceBucket> serviceBuckets(long sinceTicks, long stepTicks, long abandonCutoff)
      throws SQLException {
    TreeMap<Long, List<Topology.ServiceEdge>> buckets = new TreeMap<>();
    for (Object[] r : rows(SERVICES_SQL, stepTicks, sinceTicks, abandonCutoff)) {
      buckets.computeIfAbsent(asLong(r[0]), k -> new ArrayList<>()).add(new Topology.ServiceEdge((String) r[1],
          (String) r[2], (String) r[3], asLong(r[4]), asLong(r[5]), asLong(r[6]), asDouble(r[7]), asDouble(r[8]),
          asDouble(r[9]), asDouble(r[10])));
    }
    List<Topology.ServiceBucket> out = new ArrayList<>();
    buckets.forEach((k, v) -> out.add(new Topology.ServiceBucket(bucketStartMs(k, stepTicks, sinceTicks), v)));
    return out;
  }

  Topology.TypeGraph types(long sinceTicks, long abandonCutoff) throws SQLException {
    List<Topology.TypeBucket> b = typeBuckets(sinceTicks, WHOLE_WINDOW, abandonCutoff);
    List<Topology.TypeEdge> edges = b.isEmpty() ? List.of() : b.get(0).edges();
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
    return new Topology.TypeGraph(sinceTicks, nodes, edges);
  }

  /** The by-type edges per time bucket of {@code stepTicks}, oldest first. */
  List<Topology.TypeBucket> typeBuckets(long sinceTicks, long stepTicks, long abandonCutoff) throws SQLException {
    TreeMap<Long, List<Topology.TypeEdge>> buckets = new TreeMap<>();
    for (Object[] r : rows(TYPES_SQL, stepTicks, abandonCutoff, sinceTicks)) {
      buckets.computeIfAbsent(asLong(r[0]), k -> new ArrayList<>()).add(new Topology.TypeEdge((String) r[1],
          (String) r[2], (String) r[3], (String) r[4], asLong(r[5]), asLong(r[6]), asDouble(r[7]),
          asDouble(r[8])));
    }
    List<Topology.TypeBucket> out = new ArrayList<>();
    buckets.forEach((k, v) -> out.add(new Topology.TypeBucket(bucketStartMs(k, stepTicks, sinceTicks), v)));
    return out;
  }

  /** Epoch milliseconds of a bucket's start; the whole-window bucket starts at the window's start. */
  private static long bucketStartMs(long bucket, long stepTicks, long sinceTicks) {
    long ticks = stepTicks == WHOLE_WINDOW ? sinceTicks : bucket * stepTicks;
    return ticks / 10_000;
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
