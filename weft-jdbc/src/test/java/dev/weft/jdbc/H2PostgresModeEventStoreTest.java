package dev.weft.jdbc;

import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** The store on H2 in PostgreSQL compatibility mode with lower-case names, as a PostgreSQL-minded demo would run it. */
class H2PostgresModeEventStoreTest extends EventStoreContract {
  private static final JdbcDataSource DS = new JdbcDataSource();

  static {
    DS.setURL("jdbc:h2:mem:weft_h2_pg_test;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1;"
        + "LOCK_TIMEOUT=10000");
  }

  @Override
  DataSource dataSource() {
    return DS;
  }

  @Override
  Dialect expectedDialect() {
    return Dialect.H2;
  }
}
