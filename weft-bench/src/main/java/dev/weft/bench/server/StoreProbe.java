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

  public static void main(String[] args) throws Exception {
    int total = Integer.parseInt(args[0]);
    int batchSize = Integer.parseInt(args[1]);
    Path dir = Files.createTempDirectory("weft-probe");
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
      for (List<TelemetryEvent> b : batches) {
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
      time("trace", 50, () -> s.trace(traces.get((int) (Math.random() * traces.size()))));
      var q = dev.weft.server.query.Query.parse("op=UpdateInventory status=failed merchant_id=" + ShopWorkload.badMerchant(3));
      time("seed", 20, () -> s.search(q, 100));
      time("topo", 5, () -> s.topologyServices(0));
      time("types", 5, () -> s.topologyTypes(0));
      System.out.printf("total %d events in %.1fs: %.0f ev/s%n", (long) batches.size() * batchSize, sec,
          batches.size() * batchSize / sec);
    }
    System.out.println("bytes " + Files.size(dir.resolve("weft.duckdb")));
  }
}
