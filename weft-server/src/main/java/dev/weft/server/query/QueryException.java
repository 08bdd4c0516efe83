package dev.weft.server.query;

import java.util.Objects;

/**
 * A query that does not parse. It names where the problem is, what the parser expected there and what it found.
 *
 * <p>The message always reads {@code at column N: detail}, e.g. {@code at column 8: unknown status 'broken'; expected
 * ok, failed, abandoned or running}.
 */
public final class QueryException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int position;
  private final int column;
  private final String expected;
  private final String found;
  private final String detail;

  /**
   * @param position 0-based index into the query text (UTF-16 units), from 0 to the query's length inclusive
   * @param column 1-based column for display, counted in code points
   * @param expected what would have been valid here, e.g. {@code a value after '='}
   * @param found what was there instead, e.g. {@code end of query} or {@code ')'}
   * @param detail the message without the position
   */
  QueryException(int position, int column, String expected, String found, String detail) {
    super("at column " + column + ": " + detail, null, false, false);
    this.position = position;
    this.column = column;
    this.expected = Objects.requireNonNull(expected, "expected");
    this.found = Objects.requireNonNull(found, "found");
    this.detail = Objects.requireNonNull(detail, "detail");
  }

  /** 0-based index into the query text (UTF-16 code units); equal to the length when the query ended too soon. */
  public int position() {
    return position;
  }

  /** 1-based column for display, counted in Unicode code points. */
  public int column() {
    return column;
  }

  /** What the parser expected at {@link #position()}. */
  public String expected() {
    return expected;
  }

  /** What it found there instead: a quoted character or value, {@code a space}, or {@code end of query}. */
  public String found() {
    return found;
  }

  /** The message without the {@code at column N: } prefix. */
  public String detail() {
    return detail;
  }

  /**
   * Two lines for a terminal: the query, and a caret under the column. Long queries are shown around the column.
   *
   * @param query the text that was parsed
   */
  public String pointer(String query) {
    if (query == null) query = "";
    int p = Math.min(Math.max(position, 0), query.length());
    int from = Math.max(0, p - 60);
    int to = Math.min(query.length(), p + 20);
    StringBuilder line = new StringBuilder();
    StringBuilder caret = new StringBuilder();
    if (from > 0) {
      line.append("...");
      caret.append("   ");
    }
    for (int i = from; i < to; i++) {
      char c = query.charAt(i);
      line.append(Character.isISOControl(c) || Character.isWhitespace(c) ? ' ' : c);
      if (i < p && !Character.isLowSurrogate(c)) caret.append(' ');
    }
    if (to < query.length()) line.append("...");
    return line + "\n" + caret + "^";
  }
}
