package dev.weft.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs one parameterized read on the store's connection and returns its rows. */
final class Rows {
  private Rows() {}

  /**
   * The rows of {@code sql}. With {@code integral}, every non-long number (DuckDB's HUGEINT and DECIMAL results of
   * counts and sums) is narrowed to a long; topology keeps fractional milliseconds, so it reads without.
   */
  static List<Object[]> query(Connection conn, boolean integral, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      return read(ps, integral, params);
    } finally {
      // reads run inside the connection's open transaction; end it so the next batch starts fresh
      conn.commit();
    }
  }

  /**
   * As {@link #query}, with a prepared statement the caller keeps, and without ending the transaction: for several
   * reads of one answer, which then commits.
   */
  static List<Object[]> read(PreparedStatement ps, boolean integral, Object... params) throws SQLException {
    List<Object[]> out = new ArrayList<>();
    Projection.bind(ps, Arrays.asList(params));
    try (ResultSet rs = ps.executeQuery()) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
          Object v = rs.getObject(i + 1);
          if (integral && v instanceof Number num && !(v instanceof Long)) v = num.longValue();
          if (v instanceof java.sql.Array a) v = a.getArray(); // a LIST, read while its result set is open
          row[i] = v;
        }
        out.add(row);
      }
    }
    return out;
  }
}
