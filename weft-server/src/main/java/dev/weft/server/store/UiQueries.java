package dev.weft.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The reads the web UI needs beyond search, traces and topology: the vocabulary for autocomplete (operation names,
 * tag keys, channels, message types), the queue wait and tags of search results, and a service's time series for
 * its dashboard. Run through {@link Store#uiRead}, on the store's connection and under its lock.
 *
 * <p>It reads {@code operations}, {@code receives} and {@code messages}, plus {@code tags} and {@code op_inputs} for
 * the tags of a result (the same tables search and {@link Store#tagValues} read). Every value is a bound parameter;
 * the SQL text is fixed but for the number of {@code ?} in an {@code IN} list.
 */
public final class UiQueries {
  /** A read to run with {@link Store#uiRead}. */
  @FunctionalInterface
  public interface Read<T> {
    T apply(UiQueries q) throws SQLException;
  }

  /** An operation name and how many operations of that name a service ran. */
  public record OpName(String service, String op, long count) {}

  /** One tag of a search result: {@code kind} is tag (the operation's own), mtag or ptag (of an input message). */
  public record TagEntry(String key, String value, String kind) {}

  /** The longest queue wait of an operation's inputs (ticks, or null), and its tags (at most {@link #MAX_TAGS}). */
  public record OpDetails(Long queueWaitTicks, List<TagEntry> tags) {}

  /** One bucket of a service's series. Times in epoch milliseconds, durations in milliseconds. */
  public record Bucket(long startMs, long operations, long errors, Double p50Ms, Double p95Ms, Double p99Ms,
      Double queueWaitP99Ms) {}

  /** Totals over the whole window. */
  public record Totals(long operations, long errors, Double p50Ms, Double p95Ms, Double p99Ms) {}

  /** An operation name of a service that failed in the window, with its latest error. */
  public record FailingOp(String op, long operations, long errors, String lastErrorType, String lastErrorMessage,
      Long lastFailureMs) {}

  /** Most tags returned per search result. */
  public static final int MAX_TAGS = 32;
  private static final double TICKS_PER_MS = 10_000d;

  private final Connection conn;
  private final long abandonCutoff;
  private final Locator locator;

  UiQueries(Connection conn, long abandonCutoff, Locator locator) {
    this.conn = conn;
    this.abandonCutoff = abandonCutoff;
    this.locator = locator;
  }

  private List<Object[]> rows(String sql, Object... params) throws SQLException {
    return Rows.query(conn, false, sql, params);
  }

  private static long longOf(Object o) {
    return o == null ? 0 : ((Number) o).longValue();
  }

  private static Double msOf(Object ticks) {
    return ticks == null ? null : ((Number) ticks).doubleValue() / TICKS_PER_MS;
  }

  /** Distinct operation names, per service, sorted; of one service when {@code service} is not null. */
  public List<OpName> operationNames(String service, int limit) throws SQLException {
    List<OpName> out = new ArrayList<>();
    String where = service == null ? "" : " AND service = ?";
    List<Object> params = new ArrayList<>();
    if (service != null) params.add(service);
    params.add((long) limit);
    for (Object[] r : rows("SELECT service, op, count(*) FROM operations WHERE op IS NOT NULL AND service IS NOT NULL"
        + where + " GROUP BY service, op ORDER BY service, op LIMIT ?", params.toArray())) {
      out.add(new OpName((String) r[0], (String) r[1], longOf(r[2])));
    }
    return out;
  }

  /** Distinct tag keys (operation tags, mtags and ptags), sorted. */
  public List<String> tagKeys(int limit) throws SQLException {
    return strings("SELECT DISTINCT key FROM tags ORDER BY key LIMIT ?", (long) limit);
  }

  /** Distinct channels messages were sent or received on, sorted. */
  public List<String> channels(int limit) throws SQLException {
    return strings("SELECT channel FROM (SELECT channel FROM messages WHERE channel IS NOT NULL"
        + " UNION SELECT channel FROM receives) ORDER BY channel LIMIT ?", (long) limit);
  }

  /** Distinct message types, sorted. */
  public List<String> schemas(int limit) throws SQLException {
    return strings("SELECT DISTINCT schema_uri FROM messages WHERE schema_uri IS NOT NULL ORDER BY schema_uri LIMIT ?",
        (long) limit);
  }

  private List<String> strings(String sql, Object... params) throws SQLException {
    List<String> out = new ArrayList<>();
    for (Object[] r : rows(sql, params)) out.add((String) r[0]);
    return out;
  }

  /**
   * The queue wait and tags of each operation. Queue wait is the longest wait among the operation's receives (or,
   * for receives recorded without an operation, its service's receives of its inputs), as search's
   * {@code queue_wait} reads it. Tags are the operation's own and those of its input messages. The operations'
   * services are read first; {@link #details(Map)} takes them from a caller that has them.
   */
  public Map<String, OpDetails> details(List<String> opIds) throws SQLException {
    Map<String, String> services = new LinkedHashMap<>();
    for (String id : opIds) services.put(id, null);
    int[] opBatches = locator.union(Locator.OP, opIds);
    if (opBatches.length > 0) {
      Prune at = new Prune(opBatches);
      List<Object> params = at.params();
      params.add(opIds.toArray(new String[0]));
      for (Object[] r : rows("SELECT op_id, service FROM operations WHERE " + at.sql()
          + " AND op_id IN (SELECT unnest(?::VARCHAR[]))", params.toArray())) {
        services.put((String) r[0], (String) r[1]);
      }
    }
    return details(services);
  }

  /**
   * As {@link #details(List)}, for operations whose service the caller has read already (search results): {@code
   * services} maps each operation id to its service, in the order of the answer. It saves reading the operations'
   * rows again, about a quarter of this read for a page of search results.
   */
  public Map<String, OpDetails> details(Map<String, String> services) throws SQLException {
    List<String> opIds = new ArrayList<>(services.keySet());
    Map<String, Long> waits = new HashMap<>();
    Map<String, java.util.TreeSet<TagEntry>> tags = new HashMap<>();
    int[] opBatches = locator.union(Locator.OP, opIds);
    if (opBatches.length > 0) {
      // Two reads, each limited to the batches the locator names: the operations' own rows, then their inputs'.
      Prune at = new Prune(opBatches);
      String[] ids = opIds.toArray(new String[0]);
      String mine = " WHERE " + at.sql() + " AND %s IN (SELECT unnest(?::VARCHAR[]))";
      List<Object> params = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        params.addAll(at.params());
        params.add(ids);
      }
      Map<String, List<String>> inputs = new HashMap<>();
      for (Object[] r : rows("SELECT DISTINCT 'in', op_id, message_id, NULL, NULL, NULL::BIGINT FROM op_inputs"
          + mine.formatted("op_id")
          + " UNION ALL SELECT 'wait', op_id, NULL, NULL, NULL, max(queue_wait) FROM receives" + mine.formatted("op_id")
          + " GROUP BY op_id"
          + " UNION ALL SELECT DISTINCT 'tag', owner_id, kind, key, value, NULL FROM tags"
          + mine.formatted("owner_id") + " AND owner_kind = 'op'", params.toArray())) {
        String op = (String) r[1];
        switch ((String) r[0]) {
          case "in" -> inputs.computeIfAbsent((String) r[2], k -> new ArrayList<>()).add(op);
          case "wait" -> waits.merge(op, (Long) r[5], Math::max);
          default -> tags.computeIfAbsent(op, k -> new java.util.TreeSet<>(TAG_ORDER))
              .add(new TagEntry((String) r[3], (String) r[4], (String) r[2]));
        }
      }
      int[] msgBatches = locator.union(Locator.MESSAGE, inputs.keySet());
      if (msgBatches.length > 0) {
        Prune of = new Prune(msgBatches);
        String[] msgs = inputs.keySet().toArray(new String[0]);
        String theirs = " WHERE " + of.sql() + " AND %s IN (SELECT unnest(?::VARCHAR[]))";
        params.clear();
        for (int i = 0; i < 2; i++) {
          params.addAll(of.params());
          params.add(msgs);
        }
        // receives recorded without an operation count for the operations of that service that took the message
        for (Object[] r : rows("SELECT 'wait', message_id, service, NULL, NULL, max(queue_wait) FROM receives"
            + theirs.formatted("message_id") + " AND op_id IS NULL GROUP BY message_id, service"
            + " UNION ALL SELECT DISTINCT 'tag', owner_id, kind, key, value, NULL FROM tags"
            + theirs.formatted("owner_id") + " AND owner_kind = 'msg'", params.toArray())) {
          for (String op : inputs.get((String) r[1])) {
            if (r[0].equals("wait")) {
              if (r[2].equals(services.get(op))) waits.merge(op, (Long) r[5], Math::max);
            } else {
              tags.computeIfAbsent(op, k -> new java.util.TreeSet<>(TAG_ORDER))
                  .add(new TagEntry((String) r[3], (String) r[4], (String) r[2]));
            }
          }
        }
      }
    }
    Map<String, OpDetails> out = new LinkedHashMap<>();
    for (String id : opIds) {
      java.util.TreeSet<TagEntry> t = tags.get(id);
      out.put(id, new OpDetails(waits.get(id), t == null ? List.of() : t.stream().limit(MAX_TAGS).toList()));
    }
    return out;
  }

  /** Propagated tags first, then the operation's own, then message tags; each by key, then value. */
  private static final java.util.Comparator<TagEntry> TAG_ORDER = java.util.Comparator
      .comparingInt((TagEntry t) -> switch (t.kind()) {
        case "ptag" -> 0;
        case "tag" -> 1;
        default -> 2;
      })
      .thenComparing(TagEntry::key).thenComparing(TagEntry::value);

  /** The failed-or-abandoned test, over {@code operations o}; binds the abandon cutoff once. */
  private static final String FAILED = "(" + SearchCompiler.STATUS_SQL + " IN ('failed', 'abandoned'))";

  /**
   * A service's operations started in [since, until), in buckets of {@code step} ticks counted from {@code origin}
   * (at or before since): count, failures (failed or abandoned), processing-time percentiles of the finished ones, and
   * the p99 queue wait of their receives. Every bucket from origin to until is present, empty ones with zero counts
   * and null percentiles.
   */
  public List<Bucket> series(String service, long origin, long since, long until, long step) throws SQLException {
    Objects.requireNonNull(service, "service");
    if (step <= 0 || until <= since || origin > since) throw new IllegalArgumentException("bad window");
    int n = (int) Math.min(100_000, (until - origin + step - 1) / step);
    Map<Long, Object[]> byBucket = new HashMap<>();
    for (Object[] r : rows("SELECT CAST((o.start_ticks - ?) // ? AS BIGINT) AS b, count(*),"
        + " count(*) FILTER (WHERE " + FAILED + "),"
        + " quantile_cont(o.end_ticks - o.start_ticks, 0.5) FILTER (WHERE o.end_ticks IS NOT NULL),"
        + " quantile_cont(o.end_ticks - o.start_ticks, 0.95) FILTER (WHERE o.end_ticks IS NOT NULL),"
        + " quantile_cont(o.end_ticks - o.start_ticks, 0.99) FILTER (WHERE o.end_ticks IS NOT NULL),"
        + " quantile_cont(w.qw, 0.99)"
        + " FROM operations o LEFT JOIN (SELECT op_id, max(queue_wait) AS qw FROM receives"
        + "   WHERE op_id IS NOT NULL AND receive_ticks >= ? GROUP BY op_id) w ON w.op_id = o.op_id"
        + " WHERE o.service = ? AND o.start_ticks >= ? AND o.start_ticks < ? GROUP BY b",
        origin, step, abandonCutoff, since, service, since, until)) {
      byBucket.put(longOf(r[0]), r);
    }
    List<Bucket> out = new ArrayList<>(n);
    for (long b = 0; b < n; b++) {
      Object[] r = byBucket.get(b);
      long startMs = Math.floorDiv(origin + b * step, 10_000L);
      out.add(r == null ? new Bucket(startMs, 0, 0, null, null, null, null)
          : new Bucket(startMs, longOf(r[1]), longOf(r[2]), msOf(r[3]), msOf(r[4]), msOf(r[5]), msOf(r[6])));
    }
    return out;
  }

  /** Count, failures and processing-time percentiles of a service's operations started in [since, until). */
  public Totals totals(String service, long since, long until) throws SQLException {
    Object[] r = rows("SELECT count(*), count(*) FILTER (WHERE " + FAILED + "),"
        + " quantile_cont(o.end_ticks - o.start_ticks, 0.5) FILTER (WHERE o.end_ticks IS NOT NULL),"
        + " quantile_cont(o.end_ticks - o.start_ticks, 0.95) FILTER (WHERE o.end_ticks IS NOT NULL),"
        + " quantile_cont(o.end_ticks - o.start_ticks, 0.99) FILTER (WHERE o.end_ticks IS NOT NULL)"
        + " FROM operations o WHERE o.service = ? AND o.start_ticks >= ? AND o.start_ticks < ?",
        abandonCutoff, service, since, until).get(0);
    return new Totals(longOf(r[0]), longOf(r[1]), msOf(r[2]), msOf(r[3]), msOf(r[4]));
  }

  /**
   * The operation names of a service with the most failures (failed or abandoned) among those started in
   * [since, until), most first, with the error of the latest failure.
   */
  public List<FailingOp> topFailing(String service, long since, long until, int limit) throws SQLException {
    List<FailingOp> out = new ArrayList<>();
    for (Object[] r : rows("SELECT op, count(*) AS total, count(*) FILTER (WHERE failed) AS errors,"
        + " arg_max(error_type, start_ticks) FILTER (WHERE failed),"
        + " arg_max(error_message, start_ticks) FILTER (WHERE failed),"
        + " max(start_ticks) FILTER (WHERE failed)"
        + " FROM (SELECT o.op, o.start_ticks, o.error_type, o.error_message, " + FAILED + " AS failed"
        + "   FROM operations o WHERE o.service = ? AND o.start_ticks >= ? AND o.start_ticks < ? AND o.op IS NOT NULL)"
        + " GROUP BY op HAVING count(*) FILTER (WHERE failed) > 0 ORDER BY errors DESC, op LIMIT ?",
        abandonCutoff, service, since, until, (long) limit)) {
      Object last = r[5];
      out.add(new FailingOp((String) r[0], longOf(r[1]), longOf(r[2]), (String) r[3], (String) r[4],
          last == null ? null : Math.floorDiv(((Number) last).longValue(), 10_000L)));
    }
    return out;
  }
}
