package dev.weft.server.cli;

import dev.weft.server.api.ApiConfig;
import dev.weft.server.api.ApiServer;
import dev.weft.server.collector.KafkaCollector;
import dev.weft.server.store.Store;
import dev.weft.server.store.TopologyWarmer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code weft server}: opens the store and serves the HTTP API until stopped. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Run the Weft server: the store, the HTTP API (docs/http-api.md) and, with --kafka, the collector.")
final class ServerCommand implements Callable<Integer> {
  /** The store's file inside the data directory. */
  static final String STORE_FILE = "weft.duckdb";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--port", defaultValue = "9797", description = "TCP port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1",
      description = "Address to listen on (default ${DEFAULT-VALUE}, loopback only).")
  String bind;

  @Option(names = "--data", defaultValue = "weft-data", description = "Data directory (default ./${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--auth-token", defaultValue = "${env:WEFT_AUTH_TOKEN:-}",
      description = "Require 'Authorization: Bearer <token>' on /api/v1 and /metrics (default: $WEFT_AUTH_TOKEN).")
  String authToken;

  @Option(names = "--abandon-after", defaultValue = "1h",
      description = "An operation started but never ended counts as abandoned after this long (default "
          + "${DEFAULT-VALUE}).")
  Duration abandonAfter;

  @Option(names = "--topology-warm", defaultValue = "24h", paramLabel = "WINDOW",
      description = "Keep the topology roll-ups of this window computed in the background, so the dashboard's first "
          + "read does not wait for them; 2h to 28d, or 0 for off (default ${DEFAULT-VALUE}, the UI's window).")
  Duration topologyWarm;

  @Option(names = "--max-body", defaultValue = "5MiB",
      description = "Largest request body for POST /api/v1/events (default ${DEFAULT-VALUE}).")
  String maxBody;

  @Option(names = "--kafka", paramLabel = "HOST:PORT",
      description = "Collect telemetry from this Kafka cluster (bootstrap servers) as well as over HTTP.")
  String kafka;

  @Option(names = "--topic", defaultValue = KafkaCollector.DEFAULT_TOPIC,
      description = "Telemetry topic the collector reads (default ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--group", defaultValue = KafkaCollector.DEFAULT_GROUP,
      description = "Consumer group the server instances share (default ${DEFAULT-VALUE}).")
  String group;

  @Override
  public Integer call() throws Exception {
    var err = spec.commandLine().getErr();
    var out = spec.commandLine().getOut();
    long max;
    try {
      max = Units.size(maxBody);
      if (max < 1 || max > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("--max-body out of range");
    } catch (RuntimeException e) {
      err.println("weft: bad --max-body: " + e.getMessage());
      return 2;
    }
    TopologyWarmer.Config warm = null;
    if (!topologyWarm.isZero()) {
      try {
        TopologyWarmer.Config d = TopologyWarmer.Config.defaults();
        warm = new TopologyWarmer.Config(topologyWarm, d.quiet(), d.maxAge());
      } catch (IllegalArgumentException e) {
        err.println("weft: bad --topology-warm: " + e.getMessage());
        return 2;
      }
    }
    if (port < 0 || port > 65535) {
      err.println("weft: bad --port " + port + "; expected 0..65535");
      return 2;
    }
    Files.createDirectories(data);
    Path file = data.resolve(STORE_FILE);
    Store store;
    try {
      store = Store.open(file, new Store.Config(abandonAfter, Clock.systemUTC()));
    } catch (Store.StoreException e) {
      err.println("weft: " + e.getMessage());
      return 1;
    }
    dev.weft.server.api.SavedQueries saved;
    try {
      saved = dev.weft.server.api.SavedQueries.open(data.resolve(dev.weft.server.api.SavedQueries.FILE));
    } catch (java.io.IOException e) {
      store.close();
      err.println("weft: " + e.getMessage() + " (fix or move the file; it is not overwritten)");
      return 1;
    }
    ApiServer server;
    try {
      server = ApiServer.start(store, new ApiConfig(bind, port, authToken, max), saved);
    } catch (RuntimeException e) {
      store.close();
      err.println("weft: cannot listen on " + bind + ":" + port + ": " + e.getMessage()
          + " (is another server running? try --port)");
      return 1;
    }
    KafkaCollector collector = null;
    if (kafka != null) {
      try {
        collector = KafkaCollector.start(store,
            new KafkaCollector.Config(kafka, topic, group, Map.of()));
      } catch (RuntimeException e) {
        server.close();
        store.close();
        err.println("weft: cannot start the Kafka collector on " + kafka + ": " + e.getMessage());
        return 1;
      }
    }
    KafkaCollector finalCollector = collector;
    TopologyWarmer warmer = warm == null ? null : TopologyWarmer.start(store, warm);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (finalCollector != null) finalCollector.close();
      if (warmer != null) warmer.close();
      server.close();
      store.close();
      stopped.countDown();
    }, "weft-shutdown"));
    out.printf("Weft server listening on http://%s:%d (store %s%s)%n", bind, server.port(), file.toAbsolutePath(),
        server.config().authToken() != null ? ", token auth on" : "");
    out.printf("Web UI: http://%s:%d/%n", bind.contains(":") ? "[" + bind + "]" : bind, server.port());
    if (collector != null) {
      out.printf("Collecting from Kafka %s, topic %s, group %s%n", kafka, topic, group);
    }
    if (!"127.0.0.1".equals(bind) && !"localhost".equals(bind) && !"::1".equals(bind)
        && server.config().authToken() == null) {
      err.println("weft: warning: listening on " + bind + " without --auth-token; anyone who can reach it can "
          + "read and write traces");
    }
    out.flush();
    stopped.await();
    return 0;
  }
}
