package dev.weft.server.store;

import dev.weft.server.query.Expr;
import dev.weft.server.query.Field;
import dev.weft.server.query.Key;
import dev.weft.server.query.Op;
import dev.weft.server.query.Query;
import dev.weft.server.query.Status;
import dev.weft.server.query.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles a query tree to a SQL predicate over {@code operations o}, with every user value as a {@code ?} parameter.
 * Only fixed SQL text comes from this class; keys and values never reach the SQL text.
 *
 * <p>Each term compiles to a predicate that is never NULL (unknown is false), so {@code k!=v} is exactly
 * {@code NOT (k=v)}, as docs/query-language.md §3.2 asks. A top-level text tag equality the {@link TagIndex} resolves
 * becomes membership of the operation's id hash in the set of hashes it returns, bound as one array parameter. That set
 * holds every match but may hold more (two ids may share a hash), so the caller checks such a pair exactly on the
 * operations it is about to return ({@link Compiled#narrowed}).
 */
final class SearchCompiler {
  /**
   * The SQL and its parameters, in order. {@code required}: sets of operation id hashes that every match's hash
   * belongs to (from tag terms the index resolved at the top level), so the caller may limit the scan to where those
   * operations are. {@code narrowed}: those terms' pairs ({@code [key, value]}), which the SQL tested only by hash, one
   * group per conjunct: a match has at least one pair of every group.
   */
  record Compiled(String where, List<Object> params, List<long[]> required, List<List<String[]>> narrowed) {}

  /** The tag index: resolves a tag equality to the operations that have it, by hash or exactly. */
  interface TagIndex {
    /**
     * The sorted, distinct id hashes ({@link LongHash}) of the operations with tag {@code key=value} of their own or
     * on an input message, and perhaps of a few more that share a hash; null to scan instead.
     */
    long[] narrow(String key, String value) throws java.sql.SQLException;

    /** Exactly the ids of the operations with tag {@code key=value}, their own or an input's; null to scan instead. */
    String[] exact(String key, String value) throws java.sql.SQLException;
  }

  private final Instant now;
  private final long abandonCutoffTicks;
  private final TagIndex index;
  private final List<Object> params = new ArrayList<>();
  private final List<long[]> required = new ArrayList<>();
  private final List<List<String[]>> narrowed = new ArrayList<>();
  /** The index's answers per pair, null included: a pair named twice is looked up once. */
  private final java.util.Map<List<String>, long[]> narrowedSets = new java.util.HashMap<>();
  private final java.util.Map<List<String>, String[]> exactSets = new java.util.HashMap<>();

  private SearchCompiler(Instant now, long abandonCutoffTicks, TagIndex index) {
    this.now = now;
    this.abandonCutoffTicks = abandonCutoffTicks;
    this.index = index;
  }

  static Compiled compile(Query q, Instant now, long abandonCutoffTicks, TagIndex index)
      throws java.sql.SQLException {
    SearchCompiler sc = new SearchCompiler(now, abandonCutoffTicks, index);
    Expr root = q.root();
    String where;
    if (root instanceof Expr.And a) {
      List<String> parts = new ArrayList<>();
      for (Expr c : a.children()) parts.add(sc.topLevel(c));
      where = "(" + String.join(" AND ", parts) + ")";
    } else {
      where = sc.topLevel(root);
    }
    return new Compiled(where, List.copyOf(sc.params), List.copyOf(sc.required), List.copyOf(sc.narrowed));
  }

  /**
   * A conjunct of the whole query: a positive tag equality the index resolves also bounds where matches are. Here a
   * predicate that is NULL drops the row as false does, so a positive {@code op} or {@code service} term needs no
   * {@code coalesce}, and a positive {@code status} term adds a test of the stored column that it implies. DuckDB
   * filters both inside the scan and reads the other columns only for the rows that pass them (RATIONALE.md, "Search
   * filters the stored columns first").
   */
  private String topLevel(Expr e) throws java.sql.SQLException {
    // a tag equality, or an OR of them, is one group of pairs narrowed by hash
    List<Expr> alternatives = e instanceof Expr.Or or ? or.children() : List.of(e);
    String anyOf = anyTagOf(alternatives);
    if (anyOf != null) return anyOf;
    if (e instanceof Expr.Term t && t.op() == Op.EQ) {
      if (t.field() == Key.OP) {
        return match("o.op", t.value());
      } else if (t.field() == Key.SERVICE) {
        return match("o.service", t.value());
      } else if (t.field() == Key.STATUS) {
        // the stored status is ok or failed once the operation ended, NULL while running or abandoned
        String stored = switch ((Status) t.value()) {
          case OK -> "o.status = 'ok'";
          case FAILED -> "(o.status IS NULL OR o.status = 'failed')";
          case RUNNING, ABANDONED -> "o.status IS NULL";
        };
        return "(" + stored + " AND " + expr(e) + ")";
      }
    }
    return expr(e);
  }

  /**
   * A positive tag equality, or an OR of them ({@code (merchant_id=a OR merchant_id=b)}), as a conjunct of the whole
   * query: the union of the terms' hash sets, checked on the page as one group. Null when an alternative is anything
   * else, or a pair the index does not resolve; the conjunct then compiles the general way, each term exactly.
   */
  private String anyTagOf(List<Expr> alternatives) throws java.sql.SQLException {
    List<String[]> pairs = new ArrayList<>();
    for (Expr c : alternatives) {
      if (!(c instanceof Expr.Term t && t.op() == Op.EQ && t.field() instanceof Field.Tag tag
          && t.value() instanceof Value.Text text)) {
        return null;
      }
      pairs.add(new String[] {tag.key(), text.text()});
    }
    java.util.stream.LongStream.Builder union = java.util.stream.LongStream.builder();
    for (String[] pair : pairs) {
      long[] ops = narrow(pair[0], pair[1]);
      if (ops == null) return null;
      for (long h : ops) union.add(h);
    }
    long[] ops = union.build().sorted().distinct().toArray();
    required.add(ops);
    narrowed.add(List.copyOf(pairs));
    return inSet(ops);
  }

  private long[] narrow(String key, String value) throws java.sql.SQLException {
    List<String> pair = List.of(key, value);
    if (!narrowedSets.containsKey(pair)) narrowedSets.put(pair, index.narrow(key, value));
    return narrowedSets.get(pair);
  }

  private String[] exact(String key, String value) throws java.sql.SQLException {
    List<String> pair = List.of(key, value);
    if (!exactSets.containsKey(pair)) exactSets.put(pair, index.exact(key, value));
    return exactSets.get(pair);
  }

  /** Membership in a set of hashes the index resolved; never NULL. */
  private String inSet(long[] ops) {
    if (ops.length == 0) return "false";
    params.add(ops);
    return "(o.op_h IN (SELECT unnest(?::BIGINT[])))";
  }

  /** Membership in an exact set of ids; never NULL. Inside OR and NOT a term must be exact: no page check undoes it. */
  private String inSet(String[] ops) {
    if (ops.length == 0) return "false";
    params.add(ops);
    return "(o.op_id IN (SELECT unnest(?::VARCHAR[])))";
  }

  /** The effective status: stored ok/failed, else abandoned past the deadline, else running. One parameter. */
  static final String STATUS_SQL = "(CASE WHEN o.status IS NOT NULL THEN o.status"
      + " WHEN o.start_ticks IS NOT NULL AND o.start_ticks < ? THEN 'abandoned' ELSE 'running' END)";

  private String expr(Expr e) throws java.sql.SQLException {
    if (e instanceof Expr.And a) return join(a.children(), " AND ");
    if (e instanceof Expr.Or o) return join(o.children(), " OR ");
    Expr.Term t = (Expr.Term) e;
    String positive = term(t.field(), t.op(), t.value());
    return t.op() == Op.NE ? "(NOT " + positive + ")" : positive;
  }

  private String join(List<Expr> children, String sep) throws java.sql.SQLException {
    List<String> parts = new ArrayList<>();
    for (Expr c : children) parts.add(expr(c));
    return "(" + String.join(sep, parts) + ")";
  }

  /** The predicate for the term, with NE compiled as EQ (the caller negates). Never NULL. */
  private String term(Field field, Op op, Value value) throws java.sql.SQLException {
    Op cmp = op == Op.NE ? Op.EQ : op;
    if (field instanceof Field.Tag tag) return tag(tag.key(), cmp, value);
    Key key = (Key) field;
    switch (key) {
      case OP:
        return "coalesce(" + match("o.op", value) + ", false)";
      case SERVICE:
        return "coalesce(" + match("o.service", value) + ", false)";
      case TRACE:
        params.add(((Value.Text) value).text());
        return "EXISTS (SELECT 1 FROM op_traces t WHERE t.op_id = o.op_id AND t.trace_id = ?)";
      case CHANNEL:
        return messageField("channel", value);
      case SCHEMA:
        return messageField("schema_uri", value);
      case TYPE:
        return "EXISTS (SELECT 1 FROM events e WHERE e.op_id = o.op_id AND " + match("e.event_type", value) + ")";
      case STATUS: {
        params.add(abandonCutoffTicks);
        if (value == Status.FAILED) {
          // the brief: an abandoned operation is one "which queries treat as a failure"
          return "(" + STATUS_SQL + " IN ('failed', 'abandoned'))";
        }
        params.add(((Status) value).word());
        return "(" + STATUS_SQL + " = ?)";
      }
      case DURATION:
        params.add(ticks(value));
        return "coalesce((o.end_ticks - o.start_ticks) " + sqlOp(cmp) + " ?, false)";
      case QUEUE_WAIT:
        params.add(ticks(value));
        return "EXISTS (SELECT 1 FROM receives r WHERE (r.op_id = o.op_id OR (r.op_id IS NULL AND r.service = o.service"
            + " AND r.message_id IN (SELECT i.message_id FROM op_inputs i WHERE i.op_id = o.op_id)))"
            + " AND r.queue_wait " + sqlOp(cmp) + " ?)";
      case SINCE:
        params.add(timeTicks(value));
        return "coalesce(o.start_ticks >= ?, false)";
      case UNTIL:
        params.add(timeTicks(value));
        return "coalesce(o.start_ticks < ?, false)";
      default:
        throw new IllegalArgumentException("unknown key " + key);
    }
  }

  /** A channel or schema the operation consumed (input messages, its receives) or sent. */
  private String messageField(String column, Value value) {
    String m1 = match("m." + column, value);
    String m2 = match("m." + column, value);
    String r = column.equals("channel") ? match("r.channel", value) : null;
    StringBuilder sb = new StringBuilder("(EXISTS (SELECT 1 FROM op_inputs i JOIN messages m ON m.message_id = i.message_id"
        + " WHERE i.op_id = o.op_id AND " + m1 + ")");
    sb.append(" OR EXISTS (SELECT 1 FROM messages m WHERE m.send_op_id = o.op_id AND ").append(m2).append(")");
    if (r != null) sb.append(" OR EXISTS (SELECT 1 FROM receives r WHERE r.op_id = o.op_id AND ").append(r).append(")");
    return sb.append(")").toString();
  }

  /** A tag of the operation, or an mtag/ptag of one of its input messages. */
  private String tag(String key, Op cmp, Value value) throws java.sql.SQLException {
    if (cmp == Op.EQ && value instanceof Value.Text t) {
      String[] ops = exact(key, t.text());
      if (ops != null) return inSet(ops);
    }
    params.add(key);
    String a = tagMatch(cmp, value);
    String own = "EXISTS (SELECT 1 FROM tags g WHERE g.owner_kind = 'op' AND g.owner_id = o.op_id AND g.key = ? AND "
        + a + ")";
    params.add(key);
    String b = tagMatch(cmp, value);
    String inputs = "EXISTS (SELECT 1 FROM op_inputs i JOIN tags g ON g.owner_kind = 'msg' AND g.owner_id = i.message_id"
        + " WHERE i.op_id = o.op_id AND g.key = ? AND " + b + ")";
    return "(" + own + " OR " + inputs + ")";
  }

  private String tagMatch(Op cmp, Value value) {
    if (value instanceof Value.Number n) {
      params.add(n.number().toPlainString());
      return "regexp_full_match(g.value, '-?[0-9]+(\\.[0-9]+)?')"
          + " AND TRY_CAST(g.value AS DECIMAL(38, 10)) " + sqlOp(cmp) + " TRY_CAST(? AS DECIMAL(38, 10))";
    }
    if (value instanceof Value.Text t && cmp != Op.EQ) {
      params.add(t.text());
      return "g.value " + sqlOp(cmp) + " ?";
    }
    return match("g.value", value);
  }

  /** column = ? or column LIKE ? ESCAPE '\'. */
  private String match(String column, Value value) {
    if (value instanceof Value.Pattern p) {
      params.add(like(p));
      return column + " LIKE ? ESCAPE '\\'";
    }
    params.add(((Value.Text) value).text());
    return column + " = ?";
  }

  static String like(Value.Pattern p) {
    StringBuilder sb = new StringBuilder();
    List<String> parts = p.parts();
    for (int i = 0; i < parts.size(); i++) {
      if (i > 0) sb.append('%');
      String s = parts.get(i);
      for (int j = 0; j < s.length(); j++) {
        char ch = s.charAt(j);
        if (ch == '\\' || ch == '%' || ch == '_') sb.append('\\');
        sb.append(ch);
      }
    }
    return sb.toString();
  }

  private static long ticks(Value v) {
    return ((Value.Duration) v).nanos() / 100;
  }

  private long timeTicks(Value v) {
    if (v instanceof Value.At at) return at.ticks();
    return dev.weft.core.Ticks.of(((Value.Ago) v).resolve(now));
  }

  private static String sqlOp(Op op) {
    return switch (op) {
      case EQ -> "=";
      case NE -> "<>";
      case GT -> ">";
      case GE -> ">=";
      case LT -> "<";
      case LE -> "<=";
    };
  }
}
