package dev.weft.server.api;

import dev.weft.server.store.LatencyHistogram;
import dev.weft.server.store.Store;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters, written as Prometheus text (version 0.0.4). Hand-written: a few counters and one histogram
 * do not justify a metrics library in the shaded jar.
 */
public final class Metrics {
  /**
   * Lines another part of the server (the Kafka collector) adds to {@code /metrics} for the store it writes to. Each
   * source writes complete metric families, for example with {@link #counter} and {@link #gauge}.
   */
  @FunctionalInterface
  public interface Source {
    void render(StringBuilder out);
  }

  private static final Map<Store, List<Source>> SOURCES = new ConcurrentHashMap<>();

  /** Adds {@code source} to the {@code /metrics} of every API server over {@code store}, until unregistered. */
  public static void register(Store store, Source source) {
    SOURCES.computeIfAbsent(store, s -> new CopyOnWriteArrayList<>()).add(source);
  }

  public static void unregister(Store store, Source source) {
    SOURCES.computeIfPresent(store, (s, list) -> {
      list.remove(source);
      return list.isEmpty() ? null : list;
    });
  }

  static final String[] INGEST_OUTCOMES = {"accepted", "invalid", "too_large", "unauthorized", "error"};
  /** Upper bounds of the search latency buckets, in seconds. */
  static final double[] SEARCH_BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  final LongAdder eventsIngested = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  private final LongAdder[] ingestRequests = new LongAdder[INGEST_OUTCOMES.length];
  private final LatencyHistogram searches = new LatencyHistogram(SEARCH_BUCKETS);

  Metrics() {
    for (int i = 0; i < ingestRequests.length; i++) ingestRequests[i] = new LongAdder();
  }

  void ingestRequest(String outcome) {
    for (int i = 0; i < INGEST_OUTCOMES.length; i++) {
      if (INGEST_OUTCOMES[i].equals(outcome)) {
        ingestRequests[i].increment();
        return;
      }
    }
    throw new IllegalArgumentException(outcome);
  }

  void searchLatency(long nanos) {
    searches.record(nanos);
  }

  String render(Store store) {
    StringBuilder out = new StringBuilder(2048);
    counter(out, "weft_events_ingested_total", "Events newly stored.", eventsIngested.sum());
    counter(out, "weft_events_duplicate_total", "Events received again (same event_id) and not stored twice.",
        duplicates.sum());
    out.append("# HELP weft_ingest_requests_total POST /api/v1/events requests by outcome.\n");
    out.append("# TYPE weft_ingest_requests_total counter\n");
    for (int i = 0; i < INGEST_OUTCOMES.length; i++) {
      out.append("weft_ingest_requests_total{outcome=\"").append(INGEST_OUTCOMES[i]).append("\"} ")
          .append(ingestRequests[i].sum()).append('\n');
    }
    searches.render(out, "weft_search_duration_seconds", "Time to run a search, parse included.");
    // the store's own: a batch that ran a DuckDB checkpoint shows here as a slow one (RATIONALE.md)
    store.batchDurations().render(out, "weft_store_batch_duration_seconds",
        "Time to store one batch of events, commit (and any checkpoint it ran) included.");

    counter(out, "weft_topology_buckets_computed_total",
        "5-minute topology roll-ups computed from the tables, a bucket recomputed from its changed sub-buckets"
            + " once (the rest were served from the cache).",
        store.topologyBucketsComputed());
    counter(out, "weft_topology_warm_seconds_total",
        "Time spent keeping the topology roll-ups computed in the background (--topology-warm).",
        store.topologyWarmSeconds());
    gauge(out, "weft_store_bytes", "Bytes the store takes on disk (its file and write-ahead log).", store.diskBytes());
    out.append("# HELP weft_store_rows Rows stored in each store table (a set table may hold a row once per batch).\n");
    out.append("# TYPE weft_store_rows gauge\n");
    for (Map.Entry<String, Long> e : store.storedRows().entrySet()) {
      out.append("weft_store_rows{table=\"").append(label(e.getKey())).append("\"} ").append(e.getValue())
          .append('\n');
    }
    out.append("# HELP weft_telemetry_lost_events Events an emitter sent that never arrived (gaps in seq).\n");
    out.append("# TYPE weft_telemetry_lost_events gauge\n");
    for (Store.EmitterLoss l : store.loss()) {
      out.append("weft_telemetry_lost_events{instance_id=\"").append(label(l.instanceId()))
          .append("\",service=\"").append(label(l.service())).append("\"} ").append(l.lost()).append('\n');
    }
    for (Source s : SOURCES.getOrDefault(store, List.of())) s.render(out);
    return out.toString();
  }

  /** Writes one counter family with its HELP and TYPE lines. */
  public static void counter(StringBuilder out, String name, String help, long v) {
    counter(out, name, help, Long.toString(v));
  }

  /** As {@link #counter(StringBuilder, String, String, long)}, for seconds and other fractions. */
  public static void counter(StringBuilder out, String name, String help, double v) {
    counter(out, name, help, Double.toString(v));
  }

  private static void counter(StringBuilder out, String name, String help, String v) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" counter\n");
    out.append(name).append(' ').append(v).append('\n');
  }

  /** Writes one gauge family with its HELP and TYPE lines. */
  public static void gauge(StringBuilder out, String name, String help, long v) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n");
    out.append(name).append(' ').append(v).append('\n');
  }

  /** Escapes a label value as the exposition format requires: backslash, double quote and newline. */
  static String label(String v) {
    if (v == null) return "";
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
