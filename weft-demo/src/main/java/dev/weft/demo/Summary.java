package dev.weft.demo;

import dev.weft.core.Header;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.SinkStats;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Answers the seed's questions from the telemetry alone, and checks the answers against what the simulation itself
 * recorded: a small stand-in for the Weft server until it lands.
 */
final class Summary {
  private final List<TelemetryEvent> events;
  private final Shop shop;
  private final SinkStats sink;

  Summary(EventLog log, Shop shop, SinkStats sink) {
    this.events = log.events();
    this.shop = shop;
    this.sink = sink;
  }

  void print(PrintStream out) {
    Map<String, Long> byType = events.stream()
        .collect(Collectors.groupingBy(TelemetryEvent::eventType, TreeMap::new, Collectors.counting()));
    out.printf("%nEvents by type: %s%n", byType);

    // "Show me all inventory updates which failed for a given merchant."
    Map<String, TelemetryEvent> starts = new HashMap<>();
    Map<String, TelemetryEvent> ends = new HashMap<>();
    for (TelemetryEvent e : events) {
      if (e.eventType().equals("START")) starts.put(e.opId(), e);
      if (e.eventType().equals("COMPLETE") || e.eventType().equals("FAIL")) ends.put(e.opId(), e);
    }
    String merchant = shop.failingMerchant;
    long failed = ends.values().stream()
        .filter(e -> e.eventType().equals("FAIL") && "UpdateInventory".equals(e.op()))
        .filter(e -> merchant.equals(starts.get(e.opId()).tags().get("merchant_id")))
        .count();
    long recorded = shop.failuresByMerchant.getOrDefault(merchant, new AtomicLong()).get();
    out.printf("%nThe seed's question:  op=UpdateInventory status=failed merchant_id=%s%n", merchant);
    out.printf("  telemetry shows %d failed operations; the simulation recorded %d.%n", failed, recorded);
    Map<String, Long> errors = ends.values().stream()
        .filter(e -> e.eventType().equals("FAIL") && "UpdateInventory".equals(e.op()))
        .collect(Collectors.groupingBy(e -> e.error().type(), TreeMap::new, Collectors.counting()));
    out.printf("  errors by type, all merchants: %s%n", errors);

    long running = starts.keySet().stream().filter(id -> !ends.containsKey(id)).count();
    out.printf("%nOperations never ended (abandoned once past the server's deadline): %d "
        + "(the simulation crashed %d)%n", running, shop.abandoned.get());

    printFanIn(out);

    // loss detection: every emitter's seq must be gap-free
    Map<String, long[]> seqs = new TreeMap<>();
    for (TelemetryEvent e : events) {
      long[] s = seqs.computeIfAbsent(e.service() + " " + e.instanceId(), k -> new long[] {0, -1});
      s[0]++;
      s[1] = Math.max(s[1], e.seq());
    }
    long lost = seqs.values().stream().mapToLong(s -> s[1] + 1 - s[0]).sum();
    out.printf("%nTelemetry: %,d events from %d emitters; lost (gaps in seq): %d; dropped by the sink: %d%n",
        events.size(), seqs.size(), lost, sink.dropped());
    out.println("\nNext: the Weft server (issue 4) will serve these answers over HTTP and in the UI.");
  }

  private void printFanIn(PrintStream out) {
    Map<String, Header> sent = new HashMap<>();
    TelemetryEvent batchWrite = null;
    for (TelemetryEvent e : events) {
      if (e.eventType().equals("SEND")) {
        sent.put(e.message().header().messageId(), e.message().header());
        if (e.message().channel().equals(Shop.INDEX_WRITES.id())) batchWrite = e;
      }
    }
    if (batchWrite == null) {
      out.println("\nNo index write yet: run longer to see a fan-in.");
      return;
    }
    Header w = batchWrite.message().header();
    out.printf("%nFan-in: search-indexer wrote message %s with %d parents from %d traces:%n",
        shortId(w.messageId()), w.parentIds().size(), w.correlationIds().size());
    for (String parent : w.parentIds()) {
      Header p = sent.get(parent);
      if (p == null) continue;
      out.printf("  <- %s %s from %-8s trace %s merchant %s%n", p.payloadSchemaUri(), shortId(p.messageId()),
          p.producerId(), shortId(p.traceId()), p.ptags().get("merchant_id"));
    }
  }

  private static String shortId(String id) {
    return id.substring(0, 8);
  }
}
