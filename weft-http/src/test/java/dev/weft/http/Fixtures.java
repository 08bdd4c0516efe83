package dev.weft.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.weft.core.Tracer;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Real loopback servers, a real client, and waiting for events with a bound. */
final class Fixtures {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Fixtures() {}

  /** A tracer for one side, with its own sink so each side's events are easy to tell apart. */
  record Side(Tracer tracer, InMemorySink sink) {
    static Side of(String service) {
      InMemorySink sink = new InMemorySink();
      return new Side(Tracer.builder(service).sink(sink).resource(Map.of()).build(), sink);
    }

    List<TelemetryEvent> events(String type) {
      return sink.ofType(type);
    }

    TelemetryEvent only(String type) {
      List<TelemetryEvent> e = sink.ofType(type);
      assertThat(e).as(type + " events of " + tracer.service()).hasSize(1);
      return e.get(0);
    }

    /** Waits for an event: a server ends its operation after the reply left, so the client may be quicker. */
    TelemetryEvent await(String type) {
      return await(e -> e.eventType().equals(type), type);
    }

    TelemetryEvent await(Predicate<TelemetryEvent> p, String what) {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        for (TelemetryEvent e : sink.events()) if (p.test(e)) return e;
        try {
          Thread.sleep(5);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      throw new AssertionError("no " + what + " event within " + TIMEOUT + "; got "
          + sink.events().stream().map(TelemetryEvent::eventType).collect(Collectors.toList()));
    }
  }

  static HttpClient httpClient() {
    // HTTP/1.1: no h2c upgrade attempt, so every run takes the same path.
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
  }

  /** A JDK HttpServer on 127.0.0.1 and an ephemeral port. */
  static final class JdkServer implements AutoCloseable {
    final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    JdkServer() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(pool);
      server.start();
    }

    JdkServer handle(String path, HttpHandler handler) {
      server.createContext(path, handler);
      return this;
    }

    URI uri(String pathAndQuery) {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery);
    }

    @Override
    public void close() {
      server.stop(0);
      pool.shutdownNow();
    }
  }

  static String body(HttpExchange ex) throws IOException {
    return new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
  }

  static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      }
    }
    ex.close();
  }

  /** A port nothing listens on (bound, then released). */
  static int unusedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
