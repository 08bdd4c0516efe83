package dev.weft.bench.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ingest control parses and validates what it is sent, as the server does, and stores nothing. */
class ParseOnlyServerTest {
  private Javalin app;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    app = ParseOnlyServer.start(0);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  private HttpResponse<String> post(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/events"))
        .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void countsEveryEventOfAValidBatch() throws Exception {
    ShopWorkload w = new ShopWorkload(1, 17_000_000_000_000_000L, 10_000_000L);
    StringBuilder body = new StringBuilder();
    int n = 0;
    for (int i = 0; i < 20; i++) {
      for (TelemetryEvent e : w.next().events()) {
        EventJson.write(e, body);
        body.append('\n');
        n++;
      }
    }
    HttpResponse<String> r = post(body.toString());
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(r.body()).contains("\"accepted\":" + n);
  }

  @Test
  void refusesAnInvalidEventAsTheServerDoes() throws Exception {
    ShopWorkload w = new ShopWorkload(1, 17_000_000_000_000_000L, 10_000_000L);
    StringBuilder body = new StringBuilder();
    EventJson.write(w.next().events().get(0), body);
    body.append("\n{\"event_id\":\"x\"}\n");
    HttpResponse<String> r = post(body.toString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("event 1");
  }
}
