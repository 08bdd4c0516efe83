package dev.weft.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The SQL dialects the store speaks. Everything else in the store is SQL both accept unchanged (identity columns,
 * {@code CREATE ... IF NOT EXISTS}, {@code LIMIT ?}, {@code SELECT ... FOR UPDATE}, SQLSTATE 23505 for a unique
 * violation), so the differences are exactly what this enum says.
 */
public enum Dialect {
  /** PostgreSQL 10 or newer (identity columns). */
  POSTGRESQL("BYTEA"),
  /** H2 2.x, in any compatibility mode: the embedded database for demos and tests without set-up. */
  H2("VARBINARY");

  private final String binaryType;

  Dialect(String binaryType) {
    this.binaryType = binaryType;
  }

  /** The column type of the payload. */
  public String binaryType() {
    return binaryType;
  }

  /** The dialect of a connection, from its product name. */
  public static Dialect detect(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName();
    String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
    if (p.contains("postgres")) return POSTGRESQL;
    if (p.equals("h2")) return H2;
    throw new SQLException("weft-jdbc supports PostgreSQL and H2, not \"" + product + "\"");
  }
}
