package dev.weft.bench.server;

import dev.weft.core.event.TelemetryEvent;
import dev.weft.server.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The store alone, in process: {@code StoreProbe EVENTS BATCH} ingests the shop workload straight into a fresh
 * {@link Store}, then times a trace read, the seed query and the topology. For working on the store; the figures in
 * BENCHMARKS.md come from {@link ServerBench}, over HTTP.
 */
public final class StoreProbe {
  static void time(String name, int n, Runnable r) {
    long[] t = new long[n];
    for (int i = 0; i < n; i++) { long a = System.nanoTime(); r.run(); t[i] = System.nanoTime() - a; }
    java.util.Arrays.sort(t);
    System.out.printf("%-6s p50 %.1f ms  max %.1f ms%n", name, t[n / 2] / 1e6, t[n - 1] / 1e6);
  }

  /** A search of at most 100 operations, then their details, as {@code GET /api/v1/search} does. */
  static void searchWithDetails(Store s, dev.weft.server.query.Query q) {
    java.util.Map<String, String> services = new java.util.LinkedHashMap<>();
    for (Store.OpRow r : s.search(q, 100)) services.put(r.opId(), r.service());
    s.uiRead(u -> u.details(services));
  }

  static dev.weft.server.query.Query seed(String merchant) {
    return query("op=UpdateInventory status=failed merchant_id=" + merchant);
  }

  static dev.weft.server.query.Query query(String text) {
    try {
      return dev.weft.server.query.Query.parse(text);
    } catch (dev.weft.server.query.QueryException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Freshness in process: new flows at {@code rate} events/s for {@code seconds}, ten batches a second, each batch's
   * ingest timed. A batch during which the write-ahead log shrank was the one whose commit ran a checkpoint.
   */
  static void live(Store s, ShopWorkload w, Path dir, int seconds, int rate) throws Exception {
    Path wal = dir.resolve("weft.duckdb.wal");
    int perBatch = Math.max(1, rate / 10);
    List<Long> took = new ArrayList<>();
    long accepted = 0;
    long duplicates = 0;
    List<TelemetryEvent> pending = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < seconds * 10; i++) {
      while (pending.size() < perBatch) pending.addAll(w.next().events());
      List<TelemetryEvent> batch = new ArrayList<>(pending.subList(0, perBatch));
      pending.subList(0, perBatch).clear();
      long due = start + i * 100_000_000L;
      long wait = due - System.nanoTime();
      if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      long walBefore = Files.exists(wal) ? Files.size(wal) : 0;
      long a = System.nanoTime();
      Store.IngestResult r = s.ingest(batch);
      long t = System.nanoTime() - a;
      accepted += r.accepted();
      duplicates += r.duplicates();
      long walAfter = Files.exists(wal) ? Files.size(wal) : 0;
      took.add(t);
      if (t > 500_000_000L || walAfter < walBefore) {
        System.out.printf("live batch %d: %.0f ms, wal %.1f -> %.1f MB%s%n", i, t / 1e6, walBefore / 1e6,
            walAfter / 1e6, walAfter < walBefore ? " (checkpoint)" : "");
      }
    }
    System.out.printf("live: %d events accepted, %d duplicates%n", accepted, duplicates);
    long[] sorted = took.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("live %d batches of %d: ingest p50 %.1f ms p99 %.1f ms max %.1f ms%n", sorted.length, perBatch,
        sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6, sorted[sorted.length - 1] / 1e6);
  }

  /** Times a trace read, searches with their details, and the two topologies. */
  static void queries(Store s, List<String> traces) {
    time("trace", 50, () -> s.trace(traces.get((int) (Math.random() * traces.size()))));
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    time("seed", 20, () -> s.search(seed(ShopWorkload.badMerchant(r.nextInt(1000))), 100));
    // with what the API adds to each search result: queue waits and tags
    time("seed+details", 20, () -> searchWithDetails(s, seed(ShopWorkload.badMerchant(r.nextInt(1000)))));
    // a merchant outside the few "bad" ones (about 23 flows per million events), and a SKU (about 1 per 100,000 flows)
    int others = ShopWorkload.MERCHANTS - ShopWorkload.BAD_MERCHANTS;
    time("merchant+details", 20, () -> searchWithDetails(s,
        query("merchant_id=" + ShopWorkload.merchantId(ShopWorkload.BAD_MERCHANTS + r.nextInt(others)))));
    time("sku+details", 20, () -> searchWithDetails(s, query("sku=sku-" + r.nextInt(100_000))));
    time("topo", 5, () -> s.topologyServices(0));
    time("types", 5, () -> s.topologyTypes(0));
  }

  public static void main(String[] args) throws Exception {
    int total = Integer.parseInt(args[0]);
    int batchSize = Integer.parseInt(args[1]);
    // a third argument keeps the store in that directory, and a later run with the same sizes reads it without ingest
    Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("weft-probe");
    Files.createDirectories(dir);
    boolean reuse = Files.exists(dir.resolve("weft.duckdb"));
    ShopWorkload w = new ShopWorkload(1, 17_000_000_000_000_000L, 10_000);
    List<List<TelemetryEvent>> batches = new ArrayList<>();
    List<TelemetryEvent> cur = new ArrayList<>();
    int n = 0;
    while (n < total) {
      for (TelemetryEvent e : w.next().events()) {
        cur.add(e);
        n++;
        if (cur.size() == batchSize) {
          batches.add(cur);
          cur = new ArrayList<>();
        }
      }
    }
    List<String> traces = new ArrayList<>();
    for (List<TelemetryEvent> b : batches) traces.add(b.get(b.size() / 2).traceId());
    try (Store s = Store.open(dir.resolve("weft.duckdb"), Store.Config.defaults())) {
      long t0 = System.nanoTime();
      int i = 0;
      for (List<TelemetryEvent> b : reuse ? List.<List<TelemetryEvent>>of() : batches) {
        s.ingest(b);
        if (++i % 20 == 0) {
          double sec = (System.nanoTime() - t0) / 1e9;
          System.out.printf("%d events %.1fs %.0f ev/s%n", (long) i * batchSize, sec, i * batchSize / sec);
        }
      }
      long c0 = System.nanoTime();
      s.checkpoint();
      System.out.printf("checkpoint %.1fs%n", (System.nanoTime() - c0) / 1e9);
      double sec = (System.nanoTime() - t0) / 1e9;
      // -Dprobe.queries=false: only the live phase, on a kept store
      if (Boolean.parseBoolean(System.getProperty("probe.queries", "true"))) queries(s, traces);
      int liveSeconds = Integer.getInteger("probe.live", 0);
      if (liveSeconds > 0) {
        // new flows each run (another seed), so a kept store gets new events rather than duplicates of an earlier run
        ShopWorkload fresh = new ShopWorkload(System.nanoTime(), System.currentTimeMillis() * 10_000L, 10_000);
        live(s, fresh, dir, liveSeconds, Integer.getInteger("probe.liveRate", 5_000));
      }
      System.out.printf("total %d events in %.1fs: %.0f ev/s%n", (long) batches.size() * batchSize, sec,
          batches.size() * batchSize / sec);
    }
    System.out.println("bytes " + Files.size(dir.resolve("weft.duckdb")));
  }
}
