package dev.weft.demo;

import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.AsyncBatchingSink;
import dev.weft.core.sink.NdjsonSink;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./weft demo}: runs the simulated shop, writes its telemetry as NDJSON, and explains what it saw. */
@Command(name = "weft demo", mixinStandardHelpOptions = true, version = "weft 0.1.0-SNAPSHOT",
    description = {
      "Runs a simulated shop where a merchant updates a SKU, traced with Weft, and summarizes the telemetry.",
      "Services: merchant-api, catalog, inventory (fails for one merchant), pricing (a join: fan-in across flows),",
      "search-indexer (batches: fan-in with many parents), notifications (sometimes abandons work).",
      "Every event is written to DATA/events.ndjson."
    })
public final class DemoMain implements Callable<Integer> {
  @Option(names = "--rate", description = "Merchant requests per second (default: ${DEFAULT-VALUE}).",
      defaultValue = "20")
  double rate;

  @Option(names = "--duration", description = "How long to run, e.g. 15s, 2m (default: ${DEFAULT-VALUE}).",
      defaultValue = "10s")
  String duration;

  @Option(names = "--data", description = "Directory for the telemetry log (default: ${DEFAULT-VALUE}).",
      defaultValue = "weft-data")
  Path data;

  @Option(names = "--failure-rate", description = "UpdateInventory failure rate for ordinary merchants "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "0.02")
  double failureRate;

  @Option(names = "--seed", description = "Random seed, for a repeatable run (default: ${DEFAULT-VALUE}).",
      defaultValue = "7")
  long seed;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DemoMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Duration runFor = parseDuration(duration);
    if (rate <= 0 || rate > 10_000) throw new CommandLine.ParameterException(new CommandLine(this),
        "--rate must be between 0 and 10000 requests per second");
    Files.createDirectories(data);
    Path log = data.resolve("events.ndjson");
    EventLog events = new EventLog(200_000);
    OutputStream file = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    NdjsonSink ndjson = NdjsonSink.exporter(file);
    AsyncBatchingSink sink = AsyncBatchingSink.builder(batch -> {
      ndjson.export(batch);
      for (TelemetryEvent e : batch) events.add(e);
    }).name("demo").capacity(65_536).build();

    System.out.printf("Weft demo: a merchant updates a SKU, %.0f requests/s for %s.%n", rate, duration);
    System.out.printf("Telemetry log: %s%n%n", log.toAbsolutePath());
    long started = System.nanoTime();
    long deadline = started + runFor.toNanos();
    long interval = (long) (1_000_000_000L / rate);
    try (Shop shop = new Shop(sink, seed, failureRate)) {
      long next = System.nanoTime();
      long lastReport = next;
      while (System.nanoTime() < deadline) {
        shop.updateSku();
        next += interval;
        long now = System.nanoTime();
        if (now - lastReport > 2_000_000_000L) {
          lastReport = now;
          progress(now - started, runFor.toNanos(), shop.requests.get(), events.count());
        }
        long sleep = next - now;
        if (sleep > 0) Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
      }
      shop.drain();
      sink.flush(Duration.ofSeconds(10));
      progress(runFor.toNanos(), runFor.toNanos(), shop.requests.get(), events.count());
      System.out.println();
      sink.close();
      new Summary(events, shop, sink.stats()).print(System.out);
    }
    return 0;
  }

  private static void progress(long done, long total, long requests, long events) {
    int width = 30;
    int filled = (int) Math.min(width, width * done / Math.max(1, total));
    System.out.printf("\r[%s%s] %3d%%  %,d requests  %,d events", "#".repeat(filled), " ".repeat(width - filled),
        Math.min(100, 100 * done / Math.max(1, total)), requests, events);
    System.out.flush();
  }

  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      if (t.endsWith("s")) return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      if (t.endsWith("m")) return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      if (t.endsWith("h")) return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
      return Duration.ofSeconds(Long.parseLong(t));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--duration: expected a number with a unit (ms, s, m, h), e.g. 30s; got \""
          + text + "\"");
    }
  }
}
