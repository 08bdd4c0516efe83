package dev.weft.server.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A boolean expression over terms. The shapes are canonical: an {@link And} or {@link Or} has at least two children,
 * an {@code And} never holds an {@code And} and an {@code Or} never holds an {@code Or} (they are flattened). The
 * parser builds only such trees, and the constructors refuse others, so two queries that mean the same by grouping
 * alone are equal.
 */
public sealed interface Expr permits Expr.And, Expr.Or, Expr.Term {

  /** The terms of this expression, left to right. */
  List<Term> terms();

  private static List<Term> termsOf(List<Expr> children) {
    List<Term> out = new ArrayList<>();
    for (Expr c : children) out.addAll(c.terms());
    return out;
  }

  /** All children must hold. Written by juxtaposition: {@code a b c}. */
  record And(List<Expr> children) implements Expr {
    public And {
      children = List.copyOf(children);
      if (children.size() < 2) throw new IllegalArgumentException("AND needs at least two children");
      for (Expr c : children) {
        if (c instanceof And) throw new IllegalArgumentException("AND inside AND: flatten it (Expr.and does)");
      }
    }

    @Override
    public List<Term> terms() {
      return termsOf(children);
    }

    @Override
    public String toString() {
      return QueryFormat.format(this);
    }
  }

  /** At least one child holds. Written {@code (a OR b)}. */
  record Or(List<Expr> children) implements Expr {
    public Or {
      children = List.copyOf(children);
      if (children.size() < 2) throw new IllegalArgumentException("OR needs at least two children");
      for (Expr c : children) {
        if (c instanceof Or) throw new IllegalArgumentException("OR inside OR: flatten it (Expr.or does)");
      }
    }

    @Override
    public List<Term> terms() {
      return termsOf(children);
    }

    @Override
    public String toString() {
      return QueryFormat.format(this);
    }
  }

  /**
   * One comparison: {@code field op value}. The constructor checks that the operator and the value's type suit the
   * field (see {@code docs/query-language.md}).
   */
  record Term(Field field, Op op, Value value) implements Expr {
    public Term {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(value, "value");
      String problem = problem(field, op, value);
      if (problem != null) throw new IllegalArgumentException(problem);
    }

    @Override
    public List<Term> terms() {
      return List.of(this);
    }

    @Override
    public String toString() {
      return QueryFormat.term(this);
    }

    /** Why {@code field op value} is not a valid term, or {@code null} if it is. */
    static String problem(Field field, Op op, Value value) {
      if (field instanceof Field.Tag) {
        if (value instanceof Value.Text) return null;
        if (value instanceof Value.Pattern) return op.isOrdering() ? "wildcards work only with = and !=" : null;
        if (value instanceof Value.Number) return op.isOrdering() ? null : "a tag is compared to a number only by <, <=, >, >=";
        return "a tag's value is text, a pattern or a number";
      }
      Key key = (Key) field;
      if (!key.allows(op)) return "operator " + op.symbol() + " does not apply to " + key.key();
      switch (key.kind()) {
        case TEXT:
          if (value instanceof Value.Text t) return t.text().isEmpty() ? "empty value" : null;
          return value instanceof Value.Pattern ? null : key.key() + " takes text or a pattern";
        case EVENT_TYPE:
          if (value instanceof Value.Text t) {
            return dev.weft.core.event.EventType.isValid(t.text()) ? null : "not an event type: " + t.text();
          }
          if (value instanceof Value.Pattern p) {
            for (String part : p.parts()) {
              if (!QueryParser.isEventTypeFragment(part)) return "not an event type pattern: " + p.glob();
            }
            return null;
          }
          return "type takes an event type or a pattern";
        case TRACE:
          return value instanceof Value.Text t && dev.weft.core.Ids.isCanonical(t.text())
              ? null : "trace takes a canonical id: 32 lowercase hex characters";
        case STATUS:
          return value instanceof Status ? null : "status takes ok, failed, abandoned or running";
        case DURATION:
          return value instanceof Value.Duration ? null : key.key() + " takes a duration";
        case TIME:
          return value instanceof Value.At || value instanceof Value.Ago ? null : key.key() + " takes a time";
        default:
          return "unknown key";
      }
    }
  }

  /** The conjunction of {@code parts}, flattened; a single part is returned as is. */
  static Expr and(List<? extends Expr> parts) {
    List<Expr> flat = new ArrayList<>();
    for (Expr e : parts) {
      if (e instanceof And a) flat.addAll(a.children());
      else flat.add(e);
    }
    return flat.size() == 1 ? flat.get(0) : new And(flat);
  }

  /** The disjunction of {@code parts}, flattened; a single part is returned as is. */
  static Expr or(List<? extends Expr> parts) {
    List<Expr> flat = new ArrayList<>();
    for (Expr e : parts) {
      if (e instanceof Or o) flat.addAll(o.children());
      else flat.add(e);
    }
    return flat.size() == 1 ? flat.get(0) : new Or(flat);
  }
}
