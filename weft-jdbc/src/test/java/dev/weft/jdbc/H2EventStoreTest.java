package dev.weft.jdbc;

import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** The store on embedded H2 in its default mode: what a demo gets with no set-up. */
class H2EventStoreTest extends EventStoreContract {
  private static final JdbcDataSource DS = new JdbcDataSource();

  static {
    // one in-memory database for the class, kept while the JVM lives; appends queue on the lock row, hence the timeout
    DS.setURL("jdbc:h2:mem:weft_h2_test;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
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
