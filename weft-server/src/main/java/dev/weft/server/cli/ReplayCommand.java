package dev.weft.server.cli;

import dev.weft.server.collector.KafkaCollector;
import dev.weft.server.collector.Replay;
import dev.weft.server.store.Store;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code weft replay}: rebuilds the store from the telemetry topic, with a progress bar on stderr. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Rebuild the store from the telemetry topic: read every partition from its first retained record "
        + "to the end offsets at start (no consumer group, no offsets committed), and store it as the collector "
        + "would. Stop the server that uses the data directory first.")
final class ReplayCommand implements Callable<Integer> {
  private static final int BAR = 30;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--kafka", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
  String kafka;

  @Option(names = "--topic", defaultValue = KafkaCollector.DEFAULT_TOPIC,
      description = "Telemetry topic (default ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--data", defaultValue = "weft-data", description = "Data directory (default ./${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--from-beginning",
      description = "Start from an empty store: the existing store file is kept aside as weft.duckdb.bak-<time>. "
          + "Without it, the log is replayed into the existing store and events already there count as duplicates.")
  boolean fromBeginning;

  @Option(names = "--abandon-after", defaultValue = "1h", hidden = true)
  Duration abandonAfter;

  private long lastDraw;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    Files.createDirectories(data);
    Path file = data.resolve(ServerCommand.STORE_FILE);
    if (fromBeginning && Files.exists(file)) {
      String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      Path aside = data.resolve(ServerCommand.STORE_FILE + ".bak-" + stamp);
      Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
      Path wal = data.resolve(ServerCommand.STORE_FILE + ".wal");
      if (Files.exists(wal)) Files.move(wal, data.resolve(aside.getFileName() + ".wal"));
      err.println("weft: previous store kept as " + aside);
    }
    Store store;
    try {
      store = Store.open(file, new Store.Config(abandonAfter, Clock.systemUTC()));
    } catch (Store.StoreException e) {
      err.println("weft: " + e.getMessage() + " (is a server using this data directory? stop it first)");
      return 1;
    }
    long t0 = System.nanoTime();
    Replay.Summary s;
    try (store) {
      s = Replay.run(store, kafka, topic, Map.of(), (done, total) -> draw(err, done, total, false));
      draw(err, s.total(), s.total(), true);
      err.println();
      err.flush();
      double secs = (System.nanoTime() - t0) / 1e9;
      out.printf(Locale.ROOT, "Replayed %s from %d partition(s) into %s in %.1f s:%n", topic, s.partitions(),
          file.toAbsolutePath(), secs);
      out.printf(Locale.ROOT, "  records read     %d%n", s.records());
      out.printf(Locale.ROOT, "  events stored    %d%n", s.eventsIngested());
      out.printf(Locale.ROOT, "  duplicates       %d%n", s.duplicates());
      out.printf(Locale.ROOT, "  bad records      %d (skipped, see the log)%n", s.badRecords());
      out.println("Store:");
      for (Map.Entry<String, Long> e : store.tableCounts().entrySet()) {
        out.printf(Locale.ROOT, "  %-16s %d%n", e.getKey(), e.getValue());
      }
      out.flush();
    } catch (Replay.ReplayException | Store.StoreException e) {
      err.println();
      err.println("weft: replay stopped: " + e.getMessage() + " (what was stored so far stays; run it again)");
      return 1;
    } catch (org.apache.kafka.common.KafkaException e) {
      err.println();
      err.println("weft: replay stopped: Kafka: " + e.getMessage());
      return 1;
    }
    return 0;
  }

  /** Draws {@code [#####.....] done/total records  NN%} over the previous line, at most ten times a second. */
  private void draw(PrintWriter err, long done, long total, boolean force) {
    long now = System.nanoTime();
    if (!force && now - lastDraw < 100_000_000L) return;
    lastDraw = now;
    double f = total == 0 ? 1 : (double) done / total;
    int filled = (int) Math.round(f * BAR);
    err.print("\r[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] "
        + String.format(Locale.ROOT, "%d/%d records %3d%%", done, total, (int) Math.floor(f * 100)));
    err.flush();
  }
}
