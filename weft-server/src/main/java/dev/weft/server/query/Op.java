package dev.weft.server.query;

/** The comparison operators of a term. */
public enum Op {
  EQ("="),
  NE("!="),
  GT(">"),
  GE(">="),
  LT("<"),
  LE("<="),
  ;

  private final String symbol;

  Op(String symbol) {
    this.symbol = symbol;
  }

  /** The operator as written in a query. */
  public String symbol() {
    return symbol;
  }

  /** True for {@code >}, {@code >=}, {@code <} and {@code <=}. */
  public boolean isOrdering() {
    return this != EQ && this != NE;
  }

  @Override
  public String toString() {
    return symbol;
  }
}
