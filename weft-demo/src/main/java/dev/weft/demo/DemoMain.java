package dev.weft.demo;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./weft demo}: the embedded broker, the Weft server and the simulated shop, in this process. */
@Command(name = "weft demo", mixinStandardHelpOptions = true, version = "weft 0.1.0-SNAPSHOT", sortOptions = false,
    description = {
      "Runs a simulated event-sourced shop where a merchant updates a SKU, traced end to end with Weft, together",
      "with an embedded Kafka broker (KRaft) and the Weft server, all in this process. Traffic flows until Ctrl-C",
      "or until --duration ends. Open the printed URL to explore the traces, or use ./weft query.",
      "",
      "Services: merchant-portal -> merchant-api (HTTP) -> catalog (Kafka, then its event store on H2) ->",
      "inventory (fails for some merchants, sometimes crashes) and search-indexer (batches: fan-in) -> pricing",
      "(Kafka Streams join with competitor prices: fan-in across flows) -> notifications (sometimes crashes).",
      "recommendations is declared but never runs (drift).",
      ""
    })
public final class DemoMain implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "9797",
      description = "Port of the Weft server's UI and API (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--rate", defaultValue = "20", description = "Merchant flows per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", description = "Stop after this long, e.g. 30s, 5m (default: run until Ctrl-C).")
  String duration;

  @Option(names = "--data", defaultValue = "weft-data/demo",
      description = "Directory for this run's store, broker log and event store; the previous run's are replaced "
          + "(default ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--failure-rate", defaultValue = "0.3",
      description = "How often UpdateInventory fails for the troubled merchants 4c5d6e7 and b2c3d4e "
          + "(default ${DEFAULT-VALUE}).")
  double failureRate;

  @Option(names = "--crash-rate", defaultValue = "0.01",
      description = "How often a notifications instance crashes mid-operation: once per 1/RATE operations on "
          + "average (default ${DEFAULT-VALUE}).")
  double crashRate;

  @Option(names = "--inventory-crash-rate", defaultValue = "0.004",
      description = "How often an inventory instance crashes in the middle of UpdateInventory "
          + "(default ${DEFAULT-VALUE}).")
  double inventoryCrashRate;

  @Option(names = "--abandon-after", defaultValue = "15s",
      description = "The server's deadline: an operation still open after this long counts as abandoned "
          + "(default ${DEFAULT-VALUE}).")
  String abandonAfter;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    quietLogs();
    System.exit(new CommandLine(new DemoMain()).execute(args));
  }

  /** Kafka and Jetty log at info by default; the demo's console is for the demo. Explicit settings win. */
  static void quietLogs() {
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    setDefault("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
    setDefault("org.slf4j.simpleLogger.log.kafka", "error");
    setDefault("org.slf4j.simpleLogger.log.state.change.logger", "error");
    // a shop consumer's asynchronous commit refused during a rebalance is expected (its records come again)
    setDefault("org.slf4j.simpleLogger.log.org.apache.kafka.clients.consumer.internals.ConsumerCoordinator", "off");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) System.setProperty(key, value);
  }

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    long startedAt = ManagementFactory.getRuntimeMXBean().getStartTime();
    Duration runFor;
    DemoConfig config;
    try {
      runFor = duration == null ? null : parseDuration("--duration", duration);
      config = new DemoConfig(port, rate, failureRate, inventoryCrashRate, crashRate,
          parseDuration("--abandon-after", abandonAfter), DemoConfig.DEFAULT_RESTART_DELAY);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }

    out.printf("Weft demo: starting Kafka (KRaft), the Weft server and the shop (data in %s)...%n", data);
    Demo demo;
    try {
      demo = Demo.start(config, data, err);
    } catch (Demo.DemoException e) {
      err.println("weft demo: " + e.getMessage());
      return 1;
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        closed.await(60, TimeUnit.SECONDS); // the main thread prints the summary and closes the demo
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "weft-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Shop shop = demo.shop();
      shop.startTraffic();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      double firstTrace = awaitFirstTrace(http, demo, startedAt, stop);
      String merchant = exampleMerchant(shop, stop);
      banner(out, demo, firstTrace, merchant);

      long deadline = runFor == null ? Long.MAX_VALUE : System.nanoTime() + runFor.toNanos();
      long began = System.nanoTime();
      while (System.nanoTime() < deadline) {
        long wait = Math.min(TimeUnit.SECONDS.toNanos(10), deadline - System.nanoTime());
        if (stop.await(wait, TimeUnit.NANOSECONDS)) break;
        status(out, demo, System.nanoTime() - began);
      }
      out.println();
      out.println(stop.getCount() == 0 ? "Stopping..." : "Duration reached; stopping...");
      shop.stopTraffic();
      if (stop.getCount() != 0) shop.settle(Duration.ofSeconds(1), Duration.ofSeconds(30)); // let flows finish
      demo.stopShop();
      summary(out, demo, http);
    } finally {
      demo.close();
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
    return 0;
  }

  /** Polls the HTTP API until the first flow's trace is there; returns seconds since the JVM started. */
  private static double awaitFirstTrace(HttpClient http, Demo demo, long jvmStart, CountDownLatch stop)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && stop.getCount() > 0) {
      String trace = demo.shop().truth().firstTrace();
      if (trace != null && get(http, demo.serverUrl() + "/api/v1/traces/" + trace) == 200) {
        return (System.currentTimeMillis() - jvmStart) / 1000.0;
      }
      Thread.sleep(50);
    }
    return -1;
  }

  /** The troubled merchant with the most failures so far, once one has any (waiting up to 20 s). */
  private static String exampleMerchant(Shop shop, CountDownLatch stop) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline && stop.getCount() > 0) {
      String best = Shop.TROUBLED_MERCHANTS.stream()
          .max(Comparator.comparingInt(m -> shop.truth().failedUpdates(m).size())).orElseThrow();
      if (!shop.truth().failedUpdates(best).isEmpty()) return best;
      Thread.sleep(100);
    }
    return Shop.TROUBLED_MERCHANTS.get(0);
  }

  private static void banner(PrintStream out, Demo demo, double firstTrace, String merchant) {
    DemoConfig c = demo.config();
    out.println();
    out.printf("Weft demo is running: a merchant updates a SKU, %s flows/s, traced end to end.%n", num(c.rate()));
    out.println();
    out.printf("  Open %s/%n", demo.serverUrl());
    if (firstTrace >= 0) {
      out.printf(Locale.ROOT, "  (first trace visible through the API %.1f s after start)%n", firstTrace);
    }
    out.println();
    out.println("  Try these queries in the UI's search box, or with ./weft query '<query>':");
    out.println();
    out.printf("    op=UpdateInventory status=failed merchant_id=%s%n", merchant);
    out.printf("        The seed's question. Merchant %s's warehouse integration is flaky, so its inventory updates%n",
        merchant);
    out.printf("        fail; this lists them, with those left abandoned when an inventory instance crashed (%s).%n",
        human(c.abandonAfter()));
    out.println("    status=abandoned");
    out.println("        Operations whose instance crashed mid-way: they never ended. Nomad restarted the instance,");
    out.println("        and the new one handled the message again (two operations on one message in its trace).");
    out.println("    op=IndexSkus");
    out.printf("        search-indexer's batched index writes: one message with up to %d parents from as many flows.%n",
        Shop.INDEX_BATCH);
    out.println("        Open one to see the fan-in, and the traces it links.");
    out.println();
    out.printf("  API: %s/api/v1/topology (who talks to whom, with queue waits),%n", demo.serverUrl());
    out.printf("       %s/api/v1/topology/declared (declared against observed: drift).%n", demo.serverUrl());
    out.println("  Ctrl-C stops the demo.");
    out.println();
    out.flush();
  }

  private static void status(PrintStream out, Demo demo, long elapsedNanos) {
    Shop shop = demo.shop();
    GroundTruth t = shop.truth();
    out.printf(Locale.ROOT, "[%5s] %,d flows · %,d events sent, %,d stored · UpdateInventory failed %,d,"
            + " abandoned %,d · crashes %,d%n", human(Duration.ofNanos(elapsedNanos)), t.flows(),
        shop.telemetry().exported(), demo.collectorStats().eventsIngested(), t.failedUpdateCount(),
        t.abandonedUpdateCount(), t.crashes());
    out.flush();
  }

  private static void summary(PrintStream out, Demo demo, HttpClient http) throws InterruptedException {
    Shop shop = demo.shop();
    GroundTruth t = shop.truth();
    long exported = shop.telemetry().exported();
    demo.awaitStored(exported, Duration.ofSeconds(10));
    String lost = lostEvents(http, demo);
    var sink = shop.telemetry();
    out.println();
    out.printf(Locale.ROOT, "Flows: %,d (%,d shed, %,d failed at the portal). Crashes staged: %,d.%n", t.flows(),
        shop.shedFlows(), shop.flowErrors(), t.crashes());
    out.printf(Locale.ROOT, "Telemetry: %,d events delivered to Kafka, %,d stored by the server; dropped by the sink "
        + "%,d, failed %,d; lost according to the server (gaps in seq): %s.%n", exported,
        demo.collectorStats().eventsIngested(), sink.dropped(), sink.exportFailed(), lost);
    out.printf("The store stays in %s; browse it later with: ./weft server --data %s%n",
        demo.dataDir().resolve(Demo.STORE_FILE), demo.dataDir());
    out.flush();
  }

  /** The sum of weft_telemetry_lost_events from the server's /metrics, or "unknown". */
  private static String lostEvents(HttpClient http, Demo demo) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(demo.serverUrl() + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      long sum = 0;
      for (String line : r.body().split("\n")) {
        if (line.startsWith("weft_telemetry_lost_events{")) {
          sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return Long.toString(sum);
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static int get(HttpClient http, String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      return -1;
    }
  }

  static String encode(String query) {
    return URLEncoder.encode(query, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String num(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (d.toMillis() < 1000) return d.toMillis() + "ms";
    if (s < 120) return s + "s";
    if (s < 7200) return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    return (s / 3600) + "h" + ((s % 3600) / 60 == 0 ? "" : ((s % 3600) / 60) + "m");
  }

  /** A duration such as {@code 1500ms}, {@code 30s}, {@code 5m}, {@code 2h}; fractions allowed ({@code 1.5s}). */
  static Duration parseDuration(String option, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      long nanosPerUnit;
      String number;
      if (t.endsWith("ms")) {
        nanosPerUnit = 1_000_000L;
        number = t.substring(0, t.length() - 2);
      } else if (t.endsWith("s")) {
        nanosPerUnit = 1_000_000_000L;
        number = t.substring(0, t.length() - 1);
      } else if (t.endsWith("m")) {
        nanosPerUnit = 60_000_000_000L;
        number = t.substring(0, t.length() - 1);
      } else if (t.endsWith("h")) {
        nanosPerUnit = 3_600_000_000_000L;
        number = t.substring(0, t.length() - 1);
      } else {
        throw new NumberFormatException();
      }
      double n = Double.parseDouble(number);
      if (!(n > 0) || n * nanosPerUnit > 1e18) throw new NumberFormatException();
      return Duration.ofNanos((long) (n * nanosPerUnit));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": expected a positive number with a unit (ms, s, m, h), e.g. 30s;"
          + " got \"" + text + "\"");
    }
  }
}
