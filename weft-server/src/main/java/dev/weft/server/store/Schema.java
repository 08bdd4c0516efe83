package dev.weft.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables. Every statement is {@code IF NOT EXISTS}, so opening a store twice, or an old store, is safe.
 * Times are 100-ns ticks since the epoch (BIGINT), as in the events. See weft-server/RATIONALE.md, "Store".
 */
final class Schema {
  private Schema() {}

  static final List<String> TABLES = List.of("events", "event_traces", "operations", "op_traces", "op_inputs",
      "messages", "message_traces", "message_parents", "receives", "tags", "emitters", "declarations", "declared");

  private static final List<String> DDL = List.of(
      // The log itself: one row per distinct event_id, with the exact JSON for replay.
      """
      CREATE TABLE IF NOT EXISTS events (
        event_id    VARCHAR PRIMARY KEY,
        ts          BIGINT  NOT NULL,
        event_type  VARCHAR NOT NULL,
        service     VARCHAR NOT NULL,
        instance_id VARCHAR,
        seq         BIGINT,
        trace_id    VARCHAR NOT NULL,
        op          VARCHAR,
        op_id       VARCHAR,
        message_id  VARCHAR,
        json        VARCHAR NOT NULL
      )""",
      "CREATE TABLE IF NOT EXISTS event_traces (event_id VARCHAR NOT NULL, trace_id VARCHAR NOT NULL,"
          + " PRIMARY KEY (event_id, trace_id))",
      // status: NULL while no COMPLETE/FAIL was seen (running, or abandoned past the deadline), else ok or failed.
      """
      CREATE TABLE IF NOT EXISTS operations (
        op_id         VARCHAR PRIMARY KEY,
        op            VARCHAR,
        service       VARCHAR,
        instance_id   VARCHAR,
        parent_op_id  VARCHAR,
        start_ticks   BIGINT,
        end_ticks     BIGINT,
        status        VARCHAR,
        end_status    VARCHAR,
        error_type    VARCHAR,
        error_message VARCHAR,
        resource      VARCHAR
      )""",
      "CREATE TABLE IF NOT EXISTS op_traces (op_id VARCHAR NOT NULL, trace_id VARCHAR NOT NULL,"
          + " PRIMARY KEY (op_id, trace_id))",
      "CREATE TABLE IF NOT EXISTS op_inputs (op_id VARCHAR NOT NULL, message_id VARCHAR NOT NULL, idx INTEGER,"
          + " PRIMARY KEY (op_id, message_id))",
      // One row per message id; filled by SEND and RECEIVE alike (both carry the header).
      """
      CREATE TABLE IF NOT EXISTS messages (
        message_id  VARCHAR PRIMARY KEY,
        producer    VARCHAR,
        schema_uri  VARCHAR,
        channel     VARCHAR,
        sent        BOOLEAN,
        msg_ticks   BIGINT,
        send_ticks  BIGINT,
        send_op_id  VARCHAR,
        send_service VARCHAR
      )""",
      "CREATE TABLE IF NOT EXISTS message_traces (message_id VARCHAR NOT NULL, trace_id VARCHAR NOT NULL,"
          + " idx INTEGER, PRIMARY KEY (message_id, trace_id))",
      "CREATE TABLE IF NOT EXISTS message_parents (message_id VARCHAR NOT NULL, parent_id VARCHAR NOT NULL,"
          + " idx INTEGER, PRIMARY KEY (message_id, parent_id))",
      // One row per RECEIVE event. queue_wait = receive ticks - message ticks_from_epoch.
      """
      CREATE TABLE IF NOT EXISTS receives (
        event_id      VARCHAR PRIMARY KEY,
        message_id    VARCHAR NOT NULL,
        op_id         VARCHAR,
        service       VARCHAR NOT NULL,
        channel       VARCHAR NOT NULL,
        receive_ticks BIGINT  NOT NULL,
        queue_wait    BIGINT  NOT NULL
      )""",
      // Search index. owner_kind: op or msg; kind: tag (operation), mtag or ptag (message). A set: (key, value) pairs.
      "CREATE TABLE IF NOT EXISTS tags (owner_kind VARCHAR NOT NULL, owner_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,"
          + " key VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY (owner_kind, owner_id, kind, key, value))",
      "CREATE TABLE IF NOT EXISTS emitters (instance_id VARCHAR PRIMARY KEY, service VARCHAR NOT NULL,"
          + " seq_count BIGINT NOT NULL, max_seq BIGINT NOT NULL)",
      // The declaration in force per service: the latest DECLARE (by timestamp, then event_id).
      "CREATE TABLE IF NOT EXISTS declarations (service VARCHAR PRIMARY KEY, ts BIGINT NOT NULL,"
          + " event_id VARCHAR NOT NULL)",
      // No key on purpose: rows are replaced per service within a transaction (see RATIONALE).
      "CREATE TABLE IF NOT EXISTS declared (service VARCHAR NOT NULL, channel VARCHAR NOT NULL,"
          + " schema_uri VARCHAR NOT NULL, reply_schema VARCHAR, direction VARCHAR NOT NULL)",
      // Trace lookups: the composite keys above start with the owner, so a trace needs its own index.
      "CREATE INDEX IF NOT EXISTS event_traces_trace ON event_traces (trace_id)",
      "CREATE INDEX IF NOT EXISTS op_traces_trace ON op_traces (trace_id)",
      "CREATE INDEX IF NOT EXISTS message_traces_trace ON message_traces (trace_id)");

  static void create(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String ddl : DDL) s.execute(ddl);
    }
  }
}
