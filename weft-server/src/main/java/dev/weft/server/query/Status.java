package dev.weft.server.query;

import java.util.Locale;

/** The status of an operation, the value of the {@code status} key. */
public enum Status implements Value {
  /** Completed. */
  OK,
  /** Failed: a FAIL event. */
  FAILED,
  /** Never stopped before its deadline. */
  ABANDONED,
  /** Started, not stopped yet, deadline not reached. */
  RUNNING,
  ;

  /** The status as written in a query: lowercase. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String format() {
    return word();
  }

  /** The status spelled {@code text} in any case, or {@code null}. */
  public static Status lookup(String text) {
    if (text == null || text.length() > 9) return null;
    for (Status s : values()) {
      if (s.name().equalsIgnoreCase(text)) return s;
    }
    return null;
  }
}
