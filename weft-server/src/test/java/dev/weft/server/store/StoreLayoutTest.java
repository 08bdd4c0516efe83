package dev.weft.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.core.event.TelemetryEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layout 2's own machinery: in-memory duplicate detection, the commit marker, the trace locator, old layouts. */
class StoreLayoutTest {
  @TempDir Path dir;

  static TelemetryEvent start(String eventId, String instance, long seq, String trace, String opId) {
    TelemetryEvent.Builder b = TelemetryEvent.builder("START").eventId(eventId).traceId(trace).timestamp(1_000 + seq)
        .service("svc").op("Work").opId(opId);
    if (instance != null) b.instanceId(instance).seq(seq);
    return b.build();
  }

  @Test
  void duplicatesAreFoundAfterAReopenForConventionalAndForeignIds() {
    List<TelemetryEvent> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) batch.add(start("inst-a-" + i, "inst-a", i, "t1", "op" + i));
    // ids that are not <instance>-<seq>, including one that looks conventional but is not canonical
    batch.add(start("e7f3c9d2", null, 0, "t2", "opx"));
    batch.add(start("inst-a-007", null, 0, "t2", "opy"));
    Path file = dir.resolve("a.db");
    try (Store s = Store.open(file, Store.Config.defaults())) {
      assertThat(s.ingest(batch)).isEqualTo(new Store.IngestResult(52, 0));
    }
    try (Store s = Store.open(file, Store.Config.defaults())) {
      assertThat(s.ingest(batch)).isEqualTo(new Store.IngestResult(0, 52));
      // a foreign event whose id equals a stored conventional one is the same event (same event_id)
      assertThat(s.ingest(List.of(start("inst-a-3", null, 0, "t9", "opz")))).isEqualTo(new Store.IngestResult(0, 1));
      // a new seq beyond the stored range, and a gap filled later, are new
      assertThat(s.ingest(List.of(start("inst-a-60", "inst-a", 60, "t1", "op60")))).isEqualTo(
          new Store.IngestResult(1, 0));
      assertThat(s.ingest(List.of(start("inst-a-55", "inst-a", 55, "t1", "op55")))).isEqualTo(
          new Store.IngestResult(1, 0));
      assertThat(s.tableCounts()).containsEntry("events", 54L).containsEntry("operations", 54L);
      assertThat(s.trace("t1").operations()).hasSize(52);
      assertThat(s.trace("t2").operations()).extracting(Store.OpRow::opId).containsExactly("opx", "opy");
    }
    // reopened with gaps in inst-a's seqs (0-49, 55, 60): each stored seq is a duplicate, each gap is new
    try (Store s = Store.open(file, Store.Config.defaults())) {
      for (long seq : new long[] {0, 49, 55, 60}) {
        assertThat(s.ingest(List.of(start("inst-a-" + seq, "inst-a", seq, "t1", "op" + seq)))).as("seq " + seq)
            .isEqualTo(new Store.IngestResult(0, 1));
      }
      for (long seq : new long[] {50, 54, 56, 59, 61}) {
        assertThat(s.ingest(List.of(start("inst-a-" + seq, "inst-a", seq, "t1", "op" + seq)))).as("seq " + seq)
            .isEqualTo(new Store.IngestResult(1, 0));
      }
    }
  }

  @Test
  void conventionalIdsAreSplitExactly() {
    assertThat(EventIds.split("svc-1-w2a-17")).isEqualTo(new EventIds.Split("svc-1-w2a", 17));
    assertThat(EventIds.split("svc-0")).isEqualTo(new EventIds.Split("svc", 0));
    assertThat(EventIds.split("svc-017")).isNull();
    assertThat(EventIds.split("svc-")).isNull();
    assertThat(EventIds.split("svc-1x")).isNull();
    assertThat(EventIds.split("1234567890123456789")).isNull();
    assertThat(EventIds.split("a-1234567890123456789")).isNull(); // 19 digits could overflow a long
    EventIds ids = new EventIds();
    for (long n : new long[] {5, 3, 4, 9, 7, 8}) ids.add("x-" + n);
    for (long n = 0; n < 12; n++) {
      assertThat(ids.contains("x-" + n, EventIds.split("x-" + n))).as("x-" + n).isEqualTo(n >= 3 && n <= 9 && n != 6);
    }
    assertThat(ids.footprint()).isEqualTo(2); // [3,5] and [7,9]
  }

  @Test
  void rowsAppendedByABatchThatNeverCommittedAreDiscardedOnOpen() throws Exception {
    Path file = dir.resolve("b.db");
    try (Store s = Store.open(file, Store.Config.defaults())) {
      s.ingest(List.of(start("i-0", "i", 0, "t1", "op0")));
    }
    // What a kill -9 between the appenders (which commit on their own) and the batch's commit leaves behind.
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement st = c.createStatement()) {
      st.execute("INSERT INTO events VALUES ('i-1', 2, 'START', 'svc', 'i', 1, 't1', 'Work', 'op1', NULL, '{}', 2)");
      st.execute("INSERT INTO op_traces VALUES ('op1', 't1', 2)");
    }
    try (Store s = Store.open(file, Store.Config.defaults())) {
      assertThat(s.tableCounts()).containsEntry("events", 1L).containsEntry("op_traces", 1L);
      // and the event is new again, not a duplicate
      assertThat(s.ingest(List.of(start("i-1", "i", 1, "t1", "op1")))).isEqualTo(new Store.IngestResult(1, 0));
      assertThat(s.trace("t1").operations()).hasSize(2);
    }
  }

  @Test
  void aTraceFindsAnOperationFirstWrittenInAnEarlierBatchUnderAnotherTrace() {
    try (Store s = Store.open(dir.resolve("c.db"), Store.Config.defaults())) {
      s.ingest(List.of(start("i-0", "i", 0, "t1", "op0")));
      for (int b = 1; b < 40; b++) s.ingest(List.of(start("j-" + b, "j", b, "other" + b, "x" + b)));
      // the COMPLETE adds trace t2 to op0, whose row stays in batch 1
      s.ingest(List.of(TelemetryEvent.builder("COMPLETE").eventId("i-1").traceId("t1")
          .correlationIds(List.of("t1", "t2")).timestamp(5_000).service("svc").instanceId("i").seq(1).op("Work")
          .opId("op0").status("ok").tags(Map.of("k", "v")).build()));
      Store.TraceView t2 = s.trace("t2");
      assertThat(t2.operations()).extracting(Store.OpRow::opId).containsExactly("op0");
      assertThat(t2.operations().get(0).status()).isEqualTo("ok");
      assertThat(t2.operations().get(0).startTicks()).isEqualTo(1_000L);
      assertThat(t2.linkedTraces()).containsExactly("t1");
      assertThat(s.trace("t1").linkedTraces()).containsExactly("t2");
    }
  }

  @Test
  void aStoreOfTheOldLayoutIsRefusedWithTheWayOut() throws Exception {
    Path file = dir.resolve("old.db");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE events (event_id VARCHAR PRIMARY KEY, ts BIGINT NOT NULL, event_type VARCHAR NOT NULL,"
          + " service VARCHAR NOT NULL, instance_id VARCHAR, seq BIGINT, trace_id VARCHAR NOT NULL, op VARCHAR,"
          + " op_id VARCHAR, message_id VARCHAR, json VARCHAR NOT NULL)");
    }
    assertThatThrownBy(() -> Store.open(file, Store.Config.defaults()))
        .isInstanceOf(Store.StoreException.class)
        .hasMessageContaining("layout 1")
        .hasMessageContaining("./weft replay");
  }

  @Test
  void aStoreOfLayout2IsRefusedWithTheWayOut() throws Exception {
    // layout 3 added the id hashes search narrows by; a layout 2 file lacks them
    Path file = dir.resolve("layout2.db");
    try (Store s = Store.open(file, Store.Config.defaults())) {
      s.ingest(StoreTest.shop().events());
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement st = c.createStatement()) {
      st.execute("UPDATE store_meta SET value = '2' WHERE key = 'layout'");
    }
    assertThatThrownBy(() -> Store.open(file, Store.Config.defaults()))
        .isInstanceOf(Store.StoreException.class)
        .hasMessageContaining("layout 2, this server reads layout 3")
        .hasMessageContaining("./weft replay --from-beginning");
  }

  /** Each operation and message is one row, with the same content as when the whole shop is one batch. */
  void assertSameAsOneBatch(Store s, StoreTest.Shop shop) {
    try (Store whole = Store.open(dir.resolve("one-batch.db"), Store.Config.defaults())) {
      whole.ingest(shop.events());
      assertThat(s.tableCounts()).containsEntry("operations", whole.tableCounts().get("operations"))
          .containsEntry("messages", whole.tableCounts().get("messages"));
      for (String trace : List.of(shop.traceM1, shop.traceM2)) {
        assertThat(s.trace(trace).operations()).isEqualTo(whole.trace(trace).operations());
        assertThat(s.trace(trace).messages()).isEqualTo(whole.trace(trace).messages());
      }
    }
  }

  @Test
  void operationsAndMessagesMergeIntoOneRowAcrossBatchesAndAReopen() {
    // no key keeps operations and messages unique (RATIONALE.md, "No keys on operations and messages"): the
    // projection does, from the locator, which a reopen rebuilds from the tables
    Path file = dir.resolve("merge.db");
    StoreTest.Shop shop = StoreTest.shop();
    List<List<TelemetryEvent>> batches = StoreTest.shuffledBatches(shop.events(), 3);
    int half = batches.size() / 2;
    try (Store s = Store.open(file, Store.Config.defaults())) {
      for (List<TelemetryEvent> b : batches.subList(0, half)) s.ingest(b);
    }
    try (Store s = Store.open(file, Store.Config.defaults())) {
      for (List<TelemetryEvent> b : batches.subList(half, batches.size())) s.ingest(b);
      assertSameAsOneBatch(s, shop);
    }
  }

  /** The file's DuckDB storage version, and how the events' JSON is stored. */
  static List<String> jsonStorage(Path file) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
      st.execute("ATTACH '" + file + "' AS f (READ_ONLY)");
      List<String> out = new ArrayList<>();
      try (java.sql.ResultSet rs = st.executeQuery("SELECT tags['storage_version'] FROM duckdb_databases()"
          + " WHERE database_name = 'f'")) {
        rs.next();
        out.add(rs.getString(1));
      }
      try (java.sql.ResultSet rs = st.executeQuery("SELECT string_agg(DISTINCT compression, ',') FROM"
          + " pragma_storage_info('f.events') WHERE column_name = 'json' AND segment_type = 'VARCHAR'")) {
        rs.next();
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  @Test
  void aNewStoreKeepsTheEventsJsonZstdCompressed() throws Exception {
    // RATIONALE.md, "The events' JSON": a new file gets DuckDB 1.4's format, where the column can be zstd
    Path file = dir.resolve("new.db");
    StoreTest.Shop shop = StoreTest.shop();
    try (Store s = Store.open(file, Store.Config.defaults())) {
      s.ingest(shop.events());
      s.checkpoint();
    }
    assertThat(jsonStorage(file)).containsExactly("v1.4.0+", "ZSTD");
    try (Store s = Store.open(file, Store.Config.defaults())) {
      assertThat(s.eventLog()).hasSize(shop.events().size());
      assertThat(s.trace(shop.traceM1).events()).isNotEmpty()
          .allSatisfy(e -> assertThat(e.json()).startsWith("{").contains(e.eventId()));
    }
  }

  @Test
  void aStoreFileOfTheEarlierFormatKeepsItAndWorks() throws Exception {
    // earlier versions created the file in DuckDB's default format (1.0), without zstd for strings: a column
    // declared zstd there would be stored uncompressed, so such a file keeps the default compression
    Path file = dir.resolve("v10.db");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE probe (x INTEGER)");
    }
    assertThat(java.nio.file.Files.size(file)).isPositive();
    StoreTest.Shop shop = StoreTest.shop();
    try (Store s = Store.open(file, Store.Config.defaults())) {
      for (List<TelemetryEvent> b : StoreTest.shuffledBatches(shop.events(), 5)) s.ingest(b);
      assertSameAsOneBatch(s, shop);
      // enough JSON for DuckDB to compress it at all (it stores a few hundred strings as they are)
      List<TelemetryEvent> more = new ArrayList<>();
      for (int i = 0; i < 20_000; i++) more.add(start("e-" + i, "i-1", i, "t-" + i / 10, "op-" + i));
      s.ingest(more);
      s.checkpoint();
    }
    List<String> storage = jsonStorage(file);
    assertThat(storage.get(0)).isEqualTo("v1.0.0+");
    // DuckDB may keep a small first segment as it is; the rest is FSST (declared zstd, all of it would be uncompressed)
    assertThat(storage.get(1).split(",")).contains("FSST").doesNotContain("ZSTD");
  }

  @Test
  void storedRowsCountEveryRowWithoutScanningAndEventsExactly() throws Exception {
    Path file = dir.resolve("rows.db");
    StoreTest.Shop shop = StoreTest.shop();
    try (Store s = Store.open(file, Store.Config.defaults())) {
      for (List<TelemetryEvent> b : StoreTest.shuffledBatches(shop.events(), 11)) s.ingest(b);
      s.ingest(shop.events()); // all duplicates: nothing stored
      Map<String, Long> stored = s.storedRows();
      Map<String, Long> distinct = s.tableCounts();
      assertThat(stored.keySet()).containsExactlyElementsOf(distinct.keySet());
      assertThat(stored.get("events")).isEqualTo(shop.events().size()).isEqualTo(distinct.get("events"));
      assertThat(stored.get("operations")).isEqualTo(distinct.get("operations"));
      assertThat(stored.get("messages")).isEqualTo(distinct.get("messages"));
      // shuffled batches write some set rows more than once (RATIONALE.md, "Layout 2")
      distinct.forEach((t, n) -> assertThat(stored.get(t)).as(t).isGreaterThanOrEqualTo(n));
      assertThat(stored.get("op_traces")).isGreaterThan(distinct.get("op_traces"));
      assertThat(s.diskBytes()).isEqualTo(java.nio.file.Files.size(file)
          + (java.nio.file.Files.exists(Path.of(file + ".wal")) ? java.nio.file.Files.size(Path.of(file + ".wal")) : 0));
    }
  }
}
