package dev.weft.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.server.store.Store;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL injection and oversize attempts on every parameter of the API: each query parameter, path parameter, header
 * and body field. Every attempt must be refused cleanly (a 4xx with a JSON error, or Jetty's own 414/431 for a URI or
 * header past its limits) or answered as plain data; never a 500, never a leak of internals, never a change to the
 * store, and the server stays healthy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiAbuseTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Classic injection shapes, for text and for numbers. */
  static final List<String> INJECTIONS = List.of(
      "' OR '1'='1",
      "x'); DROP TABLE operations; --",
      "\" OR \"\"=\"",
      "1; DELETE FROM events",
      "1 UNION SELECT json FROM events --",
      "%' OR 1=1 --",
      "\\'; SELECT 1; --",
      "x\u0000y",
      "$(reboot)`id`",
      "<script>alert(1)</script>",
      "\u202e\ud83d\ude00",
      "-1",
      "99999999999999999999999",
      "1e309",
      "NaN");

  /** Long enough to pass through Jetty (which allows 8 KiB of request line) but past every Weft limit. */
  static final String LONG = "a".repeat(5_000);
  /** Past Jetty's request-line limit: must be 414, not a hang or a 500. */
  static final String HUGE = "b".repeat(70_000);

  @TempDir static Path dir;
  Store store;
  ApiServer server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  Map<String, Long> counts;
  String trace;

  @BeforeAll
  void start() throws Exception {
    store = Store.open(dir.resolve("weft.duckdb"), Store.Config.defaults());
    server = ApiServer.start(store, ApiConfig.defaults().withPort(0));
    ApiServerTest.Shop s = ApiServerTest.shop();
    trace = s.trace;
    StringBuilder body = new StringBuilder();
    for (TelemetryEvent e : s.events()) body.append(EventJson.toJson(e)).append('\n');
    assertThat(send(post("/api/v1/events", "application/x-ndjson", body.toString())).statusCode()).isEqualTo(202);
    counts = store.tableCounts();
  }

  @AfterAll
  void stop() {
    if (server != null) server.close();
    if (store != null) store.close();
  }

  // ------------------------------------------------------------------ the attempts

  /** Each GET endpoint with each of its parameters in turn replaced by every attempt. */
  @Test
  void everyQueryAndPathParameter() throws Exception {
    Map<String, Function<String, String>> targets = new java.util.LinkedHashMap<>();
    targets.put("search q", v -> "/api/v1/search?q=" + enc(v));
    targets.put("search q quoted", v -> "/api/v1/search?q=" + enc("merchant_id=\"" + v.replace("\"", "") + "\""));
    targets.put("search limit", v -> "/api/v1/search?q=op%3DUpdateInventory&limit=" + enc(v));
    targets.put("traces id", v -> "/api/v1/traces/" + enc(v));
    targets.put("tags key", v -> "/api/v1/tags/" + enc(v) + "/values");
    targets.put("topology view", v -> "/api/v1/topology?view=" + enc(v));
    targets.put("topology since", v -> "/api/v1/topology?view=services&since=" + enc(v));
    targets.put("topology step", v -> "/api/v1/topology?view=types&since=1h&step=" + enc(v));
    targets.put("events q", v -> "/api/v1/events?q=" + enc(v));
    targets.put("events since", v -> "/api/v1/events?since=" + enc(v));
    targets.put("events limit", v -> "/api/v1/events?limit=" + enc(v));
    targets.put("unknown parameter", v -> "/api/v1/services?" + enc(v) + "=" + enc(v));
    targets.put("unknown path", v -> "/api/v1/" + enc(v));
    List<String> attempts = new ArrayList<>(INJECTIONS);
    attempts.add(LONG);
    int checked = 0;
    for (Map.Entry<String, Function<String, String>> t : targets.entrySet()) {
      for (String attempt : attempts) {
        HttpResponse<String> r = send(get(t.getValue().apply(attempt)));
        assertClean(t.getKey() + " <- " + shorten(attempt), r);
        checked++;
      }
      // past Jetty's URI limit
      HttpResponse<String> huge = send(get(t.getValue().apply(HUGE)));
      assertThat(huge.statusCode()).as(t.getKey() + " <- 70 KB").isEqualTo(414);
      assertClean(t.getKey() + " <- 70 KB", huge);
    }
    assertThat(checked).isEqualTo(targets.size() * attempts.size());
    assertStoreUntouched();
  }

  /** Injection-looking text in a quoted value is data: it parses and matches nothing, in every key. */
  @Test
  void quotedInjectionsAreDataAndMatchNothing() throws Exception {
    for (String key : List.of("op", "service", "channel", "schema", "merchant_id", "trace")) {
      for (String attempt : INJECTIONS) {
        String value = attempt.replace("\"", "").replace("\\", "").replace("\u0000", "");
        String q = key + "=\"" + value + "\"";
        HttpResponse<String> r = send(get("/api/v1/search?q=" + enc(q)));
        assertClean(q, r);
        if (r.statusCode() == 200) assertThat(json(r).path("count").asInt()).as(q).isZero();
      }
    }
    assertStoreUntouched();
  }

  /** Headers: the token header (auth off: ignored), Accept, Last-Event-ID, Content-Type, and an oversized one. */
  @Test
  void everyHeader() throws Exception {
    for (String attempt : INJECTIONS) {
      if (attempt.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) continue; // not sendable as a header value
      assertClean("Authorization", send(get("/api/v1/services").header("Authorization", "Bearer " + attempt)));
      assertClean("Accept", send(get("/api/v1/events").header("Accept", attempt)));
      assertClean("Last-Event-ID", send(get("/api/v1/events").header("Accept", "application/json")
          .header("Last-Event-ID", attempt)));
      assertClean("Content-Type", send(post("/api/v1/events", attempt, "[]")));
    }
    HttpResponse<String> big = send(get("/api/v1/services").header("X-Filler", "c".repeat(64_000)));
    assertThat(big.statusCode()).isEqualTo(431);
    assertStoreUntouched();
  }

  /**
   * Bodies: injection text in every string field of an event is refused by the event rules where the field is
   * constrained, and stored verbatim as data where it is free text; an oversized field or body is refused whole.
   */
  @Test
  void everyEventField() throws Exception {
    String base = "{\"v\":1,\"event_id\":\"abuse-%d\",\"event_type\":\"%s\",\"trace_id\":\"%s\","
        + "\"timestamp\":17000000000000000,\"service\":\"%s\",\"op\":\"%s\",\"op_id\":\"%s\",\"tags\":{\"%s\":\"%s\"}}";
    int n = 0;
    for (String attempt : INJECTIONS) {
      String a = attempt.replace("\\", "\\\\").replace("\"", "\\\"").replace("\u0000", "\\u0000");
      String[][] variants = {
          {"START", trace, "svc", "Op", "op1", "k", a},        // tag value: free text
          {"START", trace, "svc", a, "op1", "k", "v"},         // op name
          {"START", trace, a, "Op", "op1", "k", "v"},          // service token
          {"START", a, "svc", "Op", "op1", "k", "v"},          // trace id
          {"START", trace, "svc", "Op", a, "k", "v"},          // op id
          {"START", trace, "svc", "Op", "op1", a, "v"},        // tag key
          {a, trace, "svc", "Op", "op1", "k", "v"}};           // event type
      for (String[] v : variants) {
        String event = String.format(base, n++, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
        HttpResponse<String> r = send(post("/api/v1/events", "application/json", "[" + event + "]"));
        assertClean(event, r);
        assertThat(r.statusCode()).as(event).isIn(202, 400);
      }
    }
    // free text that was accepted is stored as it was sent, and the tables are all still there
    assertThat(store.tableCounts().keySet()).isEqualTo(counts.keySet());
    HttpResponse<String> r = send(get("/api/v1/tags/k/values"));
    assertThat(json(r).path("values").toString()).contains("' OR '1'='1", "x'); DROP TABLE operations; --");
    // oversized: one field past its limit, and a body past the server's limit
    String longOp = String.format(base, n++, "START", trace, "svc", "o".repeat(200), "op2", "k", "v");
    HttpResponse<String> tooLong = send(post("/api/v1/events", "application/json", "[" + longOp + "]"));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(json(tooLong).path("field").asText()).isEqualTo("op");
    String hugeBody = "[" + String.format(base, n, "START", trace, "svc", "Op", "op3", "k", "v".repeat(256))
        + ",".repeat(6 * 1024 * 1024) + "]";
    assertThat(send(post("/api/v1/events", "application/json", hugeBody)).statusCode()).isEqualTo(413);
    assertThat(send(get("/health")).statusCode()).isEqualTo(200);
  }

  // ------------------------------------------------------------------ checks

  private static final Set<Integer> CLEAN = Set.of(200, 202, 400, 404, 406, 413, 414, 415, 431);

  /** A refusal or an answer, never a failure: a known status, a JSON body, no internals. */
  private void assertClean(String what, HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(what).isIn(CLEAN);
    assertThat(r.body()).as(what).doesNotContain("Exception", "at dev.weft", "SQL", "duckdb", "DuckDB");
    boolean stream = r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
    if (!stream) {
      assertThat(r.headers().firstValue("Content-Type").orElse("")).as(what + " content type").contains("json");
      JsonNode body = json(r);
      if (r.statusCode() >= 400) assertThat(body.path("error").asText()).as(what).isNotBlank();
    }
  }

  private void assertStoreUntouched() throws Exception {
    assertThat(store.tableCounts()).isEqualTo(counts);
    assertThat(send(get("/health")).statusCode()).isEqualTo(200);
    assertThat(store.trace(trace).operations()).isNotEmpty();
  }

  // ------------------------------------------------------------------ HTTP

  private HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(20)).GET();
  }

  private HttpRequest.Builder post(String path, String type, String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(20)).header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "… (" + s.length() + " chars)" : s;
  }
}
