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

  /**
   * The layout this code writes. Layout 2 has no keys on the append-only tables and a {@code batch_no} column on every
   * projected table (see RATIONALE.md, "Layout 2"); layout 3 adds the id hashes that search narrows by (RATIONALE.md,
   * "Search narrows by id hashes"). A store of another layout is refused with a way out.
   */
  static final int LAYOUT = 3;

  /**
   * The tables written by DuckDB appenders. An appender commits on its own, outside the batch's transaction, so a
   * batch's rows here are only valid once {@code store_meta.last_batch} says the batch committed (see RATIONALE.md,
   * "Layout 2").
   */
  static final List<String> APPENDED = List.of("events", "event_traces", "op_traces", "op_inputs", "message_traces",
      "message_parents", "receives", "tags");

  private static final List<String> DDL = List.of(
      // The log itself: one row per distinct event_id, with the exact JSON for replay. JSON_COMPRESSION is replaced
      // by create(): zstd where the file's format has it (RATIONALE.md, "The events' JSON is zstd-compressed").
      """
      CREATE TABLE IF NOT EXISTS events (
        event_id    VARCHAR NOT NULL,
        ts          BIGINT  NOT NULL,
        event_type  VARCHAR NOT NULL,
        service     VARCHAR NOT NULL,
        instance_id VARCHAR,
        seq         BIGINT,
        trace_id    VARCHAR NOT NULL,
        op          VARCHAR,
        op_id       VARCHAR,
        message_id  VARCHAR,
        json        VARCHAR NOT NULL JSON_COMPRESSION,
        batch_no    BIGINT  NOT NULL
      )""",
      "CREATE TABLE IF NOT EXISTS event_traces (event_id VARCHAR NOT NULL, trace_id VARCHAR NOT NULL,"
          + " batch_no BIGINT NOT NULL)",
      // One row per op_id, kept so by the projection, not by a key: DuckDB rewrites a whole key index at every
      // checkpoint (RATIONALE.md, "No keys on operations and messages").
      // status: NULL while no COMPLETE/FAIL was seen (running, or abandoned past the deadline), else ok or failed.
      """
      CREATE TABLE IF NOT EXISTS operations (
        op_id         VARCHAR NOT NULL,
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
        resource      VARCHAR,
        batch_no      BIGINT NOT NULL,
        touched_batch BIGINT,
        first_batch   BIGINT,
        op_h          BIGINT NOT NULL
      )""",
      // touched_batch: the last batch that wrote the row (RATIONALE.md, "Topology roll-ups"). first_batch, and
      // msg_batch in op_inputs and receives, are lower bounds on the batches of related rows, so that the topology's
      // reads of a bucket skip older row groups: first_batch is at most the batch of any row of the operation (its
      // receives, inputs, traces, tags) and of the SEND of any message it sent; msg_batch is at most the batch of the
      // message's own row. The *_h columns are LongHash values of the ids beside them (of key NUL value for pair_h):
      // search narrows by them before it compares ids (RATIONALE.md, "Search narrows by id hashes").
      // The set tables below have no key: a row may repeat across batches (see RATIONALE.md, "Layout 2").
      "CREATE TABLE IF NOT EXISTS op_traces (op_id VARCHAR NOT NULL, trace_id VARCHAR NOT NULL,"
          + " batch_no BIGINT NOT NULL)",
      "CREATE TABLE IF NOT EXISTS op_inputs (op_id VARCHAR NOT NULL, message_id VARCHAR NOT NULL, idx INTEGER,"
          + " op_h BIGINT NOT NULL, msg_h BIGINT NOT NULL, batch_no BIGINT NOT NULL, msg_batch BIGINT)",
      // One row per message id (kept so by the projection, as for operations); filled by SEND and RECEIVE alike.
      """
      CREATE TABLE IF NOT EXISTS messages (
        message_id  VARCHAR NOT NULL,
        producer    VARCHAR,
        schema_uri  VARCHAR,
        channel     VARCHAR,
        sent        BOOLEAN,
        msg_ticks   BIGINT,
        send_ticks  BIGINT,
        send_op_id  VARCHAR,
        send_service VARCHAR,
        batch_no    BIGINT NOT NULL,
        touched_batch BIGINT,
        shape_batch BIGINT
      )""",
      // shape_batch: the last batch that changed a field of the message that the roll-ups read, which touched_batch
      // also counts a mere new receive in (RATIONALE.md, "Topology roll-ups")
      "CREATE TABLE IF NOT EXISTS message_traces (message_id VARCHAR NOT NULL, trace_id VARCHAR NOT NULL,"
          + " idx INTEGER, batch_no BIGINT NOT NULL)",
      "CREATE TABLE IF NOT EXISTS message_parents (message_id VARCHAR NOT NULL, parent_id VARCHAR NOT NULL,"
          + " idx INTEGER, batch_no BIGINT NOT NULL)",
      // One row per RECEIVE event. queue_wait = receive ticks - message ticks_from_epoch.
      """
      CREATE TABLE IF NOT EXISTS receives (
        event_id      VARCHAR NOT NULL,
        message_id    VARCHAR NOT NULL,
        op_id         VARCHAR,
        service       VARCHAR NOT NULL,
        channel       VARCHAR NOT NULL,
        receive_ticks BIGINT  NOT NULL,
        queue_wait    BIGINT  NOT NULL,
        batch_no      BIGINT  NOT NULL,
        msg_batch     BIGINT
      )""",
      // Search index. owner_kind: op or msg; kind: tag (operation), mtag or ptag (message). A set: (key, value) pairs.
      "CREATE TABLE IF NOT EXISTS tags (owner_kind VARCHAR NOT NULL, owner_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,"
          + " key VARCHAR NOT NULL, value VARCHAR NOT NULL, pair_h BIGINT NOT NULL, owner_h BIGINT NOT NULL,"
          + " batch_no BIGINT NOT NULL)",
      "CREATE TABLE IF NOT EXISTS emitters (instance_id VARCHAR PRIMARY KEY, service VARCHAR NOT NULL,"
          + " seq_count BIGINT NOT NULL, max_seq BIGINT NOT NULL)",
      // The declaration in force per service: the latest DECLARE (by timestamp, then event_id).
      "CREATE TABLE IF NOT EXISTS declarations (service VARCHAR PRIMARY KEY, ts BIGINT NOT NULL,"
          + " event_id VARCHAR NOT NULL)",
      // No key on purpose: rows are replaced per service within a transaction (see RATIONALE).
      "CREATE TABLE IF NOT EXISTS declared (service VARCHAR NOT NULL, channel VARCHAR NOT NULL,"
          + " schema_uri VARCHAR NOT NULL, reply_schema VARCHAR, direction VARCHAR NOT NULL)",
      "CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");

  /**
   * Whether the attached file's format has zstd for strings (DuckDB's storage version 1.2 or later). A store file
   * written by an earlier Weft has the 1.0 format, where a column declared zstd would be stored uncompressed.
   */
  static boolean zstdAvailable(Statement s) throws SQLException {
    try (java.sql.ResultSet rs = s.executeQuery("SELECT tags['storage_version'] FROM duckdb_databases()"
        + " WHERE database_name = current_database()")) {
      if (!rs.next() || rs.getString(1) == null) return false;
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("v(\\d+)\\.(\\d+)").matcher(rs.getString(1));
      if (!m.lookingAt()) return false;
      int major = Integer.parseInt(m.group(1));
      return major > 1 || (major == 1 && Integer.parseInt(m.group(2)) >= 2);
    }
  }

  static void create(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      boolean fresh;
      try (java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'events'"
          + " AND database_name = current_database()")) {
        rs.next();
        fresh = rs.getLong(1) == 0;
      }
      String compression = zstdAvailable(s) ? "USING COMPRESSION zstd" : "";
      for (String ddl : DDL) s.execute(ddl.replace("JSON_COMPRESSION", compression));
      if (fresh) {
        s.execute("INSERT INTO store_meta VALUES ('layout', '" + LAYOUT + "'), ('last_batch', '0')");
      }
      String layout = null;
      try (java.sql.ResultSet rs = s.executeQuery("SELECT value FROM store_meta WHERE key = 'layout'")) {
        if (rs.next()) layout = rs.getString(1);
      }
      if (!String.valueOf(LAYOUT).equals(layout)) {
        throw new SQLException("the store has layout " + (layout == null ? "1" : layout) + ", this server reads layout "
            + LAYOUT + "; rebuild it from the telemetry topic with `./weft replay --from-beginning --kafka HOST:PORT`"
            + " (the old file is kept aside; docs/server.md)");
      }
    }
  }
}
