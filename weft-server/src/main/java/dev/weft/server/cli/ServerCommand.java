package dev.weft.server.cli;

import dev.weft.server.api.ApiConfig;
import dev.weft.server.api.ApiServer;
import dev.weft.server.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code weft server}: opens the store and serves the HTTP API until stopped. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Run the Weft server: the store and the HTTP API (docs/http-api.md).")
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

  @Option(names = "--max-body", defaultValue = "5MiB",
      description = "Largest request body for POST /api/v1/events (default ${DEFAULT-VALUE}).")
  String maxBody;

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
    ApiServer server;
    try {
      server = ApiServer.start(store, new ApiConfig(bind, port, authToken, max));
    } catch (RuntimeException e) {
      store.close();
      err.println("weft: cannot listen on " + bind + ":" + port + ": " + e.getMessage()
          + " (is another server running? try --port)");
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      store.close();
      stopped.countDown();
    }, "weft-shutdown"));
    out.printf("Weft server listening on http://%s:%d (store %s%s)%n", bind, server.port(), file.toAbsolutePath(),
        server.config().authToken() != null ? ", token auth on" : "");
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
