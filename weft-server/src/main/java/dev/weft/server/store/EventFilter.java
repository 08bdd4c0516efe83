package dev.weft.server.store;

import dev.weft.server.query.Expr;
import dev.weft.server.query.Field;
import dev.weft.server.query.Key;
import dev.weft.server.query.Op;
import dev.weft.server.query.Query;
import dev.weft.server.query.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A query over single events of the log ({@code GET /api/v1/events}), compiled to a parameterized SQL condition on
 * the {@code events} table (alias {@code e}). Only the keys an event carries itself apply: {@code service},
 * {@code type}, {@code op} and {@code trace}, with {@code =} and {@code !=}, exact values or wildcards, combined with
 * AND, OR and {@code -} as the query language allows. Any other key (tags, {@code status}, {@code duration}, ...)
 * describes an operation rather than an event and is refused by {@link #of}.
 */
public final class EventFilter {
  /** The key names {@link #of} accepts. */
  public static final List<String> KEYS = List.of("service", "type", "op", "trace");

  /** Matches every event. */
  public static final EventFilter ALL = new EventFilter("TRUE", List.of(), "");

  /** A query that uses a key this filter does not support. */
  public static final class UnsupportedKeyException extends IllegalArgumentException {
    private final String key;

    UnsupportedKeyException(String key) {
      super("key '" + key + "' does not apply to events; event queries take only " + String.join(", ", KEYS));
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  private final String where;
  private final List<Object> params;
  private final String text;

  private EventFilter(String where, List<Object> params, String text) {
    this.where = where;
    this.params = List.copyOf(params);
    this.text = text;
  }

  /** Compiles {@code query}; throws {@link UnsupportedKeyException} naming the first key that does not apply. */
  public static EventFilter of(Query query) {
    Objects.requireNonNull(query, "query");
    List<Object> params = new ArrayList<>();
    String where = compile(query.root(), params);
    return new EventFilter(where, params, query.format());
  }

  /** The canonical query text; empty for {@link #ALL}. */
  public String text() {
    return text;
  }

  String where() {
    return where;
  }

  List<Object> params() {
    return params;
  }

  private static String compile(Expr e, List<Object> params) {
    if (e instanceof Expr.And a) return join(a.children(), " AND ", params);
    if (e instanceof Expr.Or o) return join(o.children(), " OR ", params);
    return term((Expr.Term) e, params);
  }

  private static String join(List<Expr> children, String sep, List<Object> params) {
    List<String> parts = new ArrayList<>();
    for (Expr c : children) parts.add(compile(c, params));
    return "(" + String.join(sep, parts) + ")";
  }

  private static String term(Expr.Term t, List<Object> params) {
    Field f = t.field();
    if (f instanceof Field.Tag tag) throw new UnsupportedKeyException(tag.key());
    Key key = (Key) f;
    boolean negate = t.op() == Op.NE;
    if (t.op() != Op.EQ && !negate) throw new UnsupportedKeyException(key.key());
    if (key == Key.TRACE) {
      params.add(((Value.Text) t.value()).text());
      params.add(((Value.Text) t.value()).text());
      // an event's own trace_id, or one of the other traces event_traces lists for it (Projection)
      return (negate ? "NOT " : "") + "(e.trace_id = ? OR e.event_id IN (SELECT event_id FROM event_traces"
          + " WHERE trace_id = ?))";
    }
    String column = switch (key) {
      case OP -> "e.op";
      case SERVICE -> "e.service";
      case TYPE -> "e.event_type";
      default -> throw new UnsupportedKeyException(key.key());
    };
    String match;
    if (t.value() instanceof Value.Pattern p) {
      params.add(SearchCompiler.like(p));
      match = column + " LIKE ? ESCAPE '\\'";
    } else {
      params.add(((Value.Text) t.value()).text());
      match = column + " = ?";
    }
    // != also matches events that lack the field (e.g. op on a SEND without an operation)
    return negate ? "(" + column + " IS NULL OR NOT (" + match + "))" : match;
  }
}
