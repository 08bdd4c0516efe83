package dev.weft.jdbc;

import javax.sql.DataSource;

/** The store on a real PostgreSQL server, started by {@link PostgresServer} when it is down. */
class PostgresEventStoreTest extends EventStoreContract {
  private static DataSource ds;

  @Override
  synchronized DataSource dataSource() {
    if (ds == null) ds = PostgresServer.dataSource();
    return ds;
  }

  @Override
  Dialect expectedDialect() {
    return Dialect.POSTGRESQL;
  }
}
