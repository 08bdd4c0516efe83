package dev.weft.bench.server;

import dev.weft.core.Result;
import dev.weft.core.event.EventError;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.server.api.ApiServer;
import io.javalin.Javalin;
import java.nio.charset.CharacterCodingException;
import java.util.List;
import java.util.Map;

/**
 * The ingest control of the server bench: what this machine allows for {@code POST /api/v1/events} when nothing is
 * stored. It runs the Weft server's HTTP stack (Javalin on Jetty, same body limit) and its event parser
 * ({@link EventJson#parseBatch}, which validates every event as the server does), then answers 202 with the count and
 * drops the events. No store, no projection, no durability.
 *
 * <p>The bench feeds it the same batch file, from the same two client threads, as it feeds the Weft server, so the
 * difference between the two rates is the store's, and this rate is a ceiling for any store behind this API on this
 * machine. Usage: {@code ParseOnlyServer PORT}.
 */
public final class ParseOnlyServer {
  private ParseOnlyServer() {}

  public static void main(String[] args) {
    start(Integer.parseInt(args[0]));
  }

  /** Starts the control on 127.0.0.1:{@code port} (0: any free port, see {@link Javalin#port()}). */
  static Javalin start(int port) {
    Javalin app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.http.maxRequestSize = 64L << 20; // the bench starts Weft with --max-body 64MiB
      cfg.jetty.defaultHost = "127.0.0.1";
      cfg.jetty.defaultPort = port;
    });
    app.get("/health", ctx -> ctx.json(Map.of("status", "ok")));
    app.post("/api/v1/events", ctx -> {
      String text;
      try {
        text = ApiServer.utf8(ctx.bodyAsBytes()); // the server's own decoding
      } catch (CharacterCodingException e) {
        ctx.status(400).json(Map.of("error", "request body is not valid UTF-8"));
        return;
      }
      Result<List<TelemetryEvent>, EventError> parsed = EventJson.parseBatch(text);
      if (parsed instanceof Result.Err<List<TelemetryEvent>, EventError> err) {
        ctx.status(400).json(Map.of("error", err.error().toString()));
        return;
      }
      int n = ((Result.Ok<List<TelemetryEvent>, EventError>) parsed).value().size();
      ctx.status(202).json(Map.of("accepted", n, "duplicates", 0));
    });
    return app.start();
  }
}
