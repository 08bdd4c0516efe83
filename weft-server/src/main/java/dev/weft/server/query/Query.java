package dev.weft.server.query;

import java.util.List;
import java.util.Objects;

/**
 * A parsed query: {@code op=UpdateInventory status=failed merchant_id=4c5d6e7}. See {@code docs/query-language.md}.
 *
 * <p>{@link #format()} (and {@link #toString()}) writes the canonical text, which parses back to an equal query; use
 * it to store saved queries.
 */
public record Query(Expr root) {
  /** Longest query text, in UTF-16 units. */
  public static final int MAX_LENGTH = 4096;
  /** Deepest nesting of parentheses. */
  public static final int MAX_DEPTH = 16;
  /** Most terms in one query. */
  public static final int MAX_TERMS = 64;

  public Query {
    Objects.requireNonNull(root, "root");
  }

  /**
   * Parses {@code text}. Never throws an unchecked exception: every problem, a {@code null} text included, is a
   * {@link QueryException}.
   */
  public static Query parse(String text) throws QueryException {
    return QueryParser.parse(text);
  }

  /** The terms, left to right. */
  public List<Expr.Term> terms() {
    return root.terms();
  }

  /** The canonical text: single spaces, minimal parentheses and quoting, canonical values. */
  public String format() {
    return QueryFormat.format(root);
  }

  @Override
  public String toString() {
    return format();
  }
}
