package dev.weft.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.server.store.Store;
import dev.weft.server.store.TopologyTest;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/events}: the page of the log and its live tail over Server-Sent Events. */
class EventsApiTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Store store;
  ApiServer server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  List<TelemetryEvent> scenario;

  void start(ApiConfig config, boolean ingest) {
    store = Store.open(dir.resolve("weft.duckdb"), TopologyTest.config());
    scenario = TopologyTest.scenario();
    if (ingest) store.ingest(scenario);
    server = ApiServer.start(store, config.withPort(0));
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
    if (store != null) store.close();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET();
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  JsonNode page(String params) throws Exception {
    HttpResponse<String> r = get("/api/v1/events" + params);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void wholeLogNewestFirst() throws Exception {
    start(ApiConfig.defaults(), true);
    JsonNode body = page("");
    int total = store.eventLog().size();
    assertThat(total).isBetween(10, 100);
    assertThat(body.get("count").asInt()).isEqualTo(total);
    assertThat(body.get("limit").asInt()).isEqualTo(100);
    assertThat(body.get("query").asText()).isEmpty();
    assertThat(body.get("cursor").asLong()).isEqualTo(store.lastEventCursor());
    long prev = Long.MAX_VALUE;
    Set<String> ids = new HashSet<>();
    for (JsonNode e : body.get("events")) {
      assertThat(e.get("timestamp").asLong()).isLessThanOrEqualTo(prev);
      prev = e.get("timestamp").asLong();
      ids.add(e.get("event_id").asText());
    }
    assertThat(ids).hasSize(total);
  }

  @Test
  void filtersByEventKeys() throws Exception {
    start(ApiConfig.defaults(), true);
    JsonNode inv = page("?q=" + q("service=inventory type=START"));
    assertThat(inv.get("count").asInt()).isEqualTo(4);
    for (JsonNode e : inv.get("events")) {
      assertThat(e.get("service").asText()).isEqualTo("inventory");
      assertThat(e.get("event_type").asText()).isEqualTo("START");
    }
    assertThat(inv.get("query").asText()).isEqualTo("service=inventory type=START");

    JsonNode ops = page("?q=" + q("op=Apply* (type=COMPLETE OR type=FAIL)"));
    assertThat(ops.get("count").asInt()).isEqualTo(4);
    for (JsonNode e : ops.get("events")) assertThat(e.get("op").asText()).isEqualTo("ApplySku");

    JsonNode notApi = page("?q=" + q("service!=merchant-api"));
    for (JsonNode e : notApi.get("events")) assertThat(e.get("service").asText()).isNotEqualTo("merchant-api");
    assertThat(notApi.get("count").asInt()).isGreaterThan(0).isLessThan(store.eventLog().size());

    // trace: every event that belongs to the trace of the first inventory START
    String trace = inv.get("events").get(0).get("trace_id").asText();
    JsonNode t = page("?q=" + q("trace=" + trace));
    assertThat(t.get("count").asInt()).isGreaterThan(1);
    for (JsonNode e : t.get("events")) {
      List<String> traces = new ArrayList<>();
      traces.add(e.get("trace_id").asText());
      if (e.has("correlation_ids")) e.get("correlation_ids").forEach(c -> traces.add(c.asText()));
      assertThat(traces).contains(trace);
    }
    // and every event that belongs to it: a fan-in's event under the trace that is not its own trace_id
    String own = scenario.get(0).traceId();
    String second = scenario.stream().map(TelemetryEvent::traceId).filter(x -> !x.equals(own)).findFirst()
        .orElseThrow();
    store.ingest(List.of(TelemetryEvent.builder("START").eventId("fan-in-start-1").traceId(own)
        .correlationIds(List.of(own, second)).service("joiner").op("Join").opId("join-op-1").build()));
    JsonNode fanIn = null;
    for (String json : store.eventLog()) {
      JsonNode e = JSON.readTree(json);
      if (e.has("correlation_ids") && fanIn == null) fanIn = e;
    }
    assertThat(fanIn).as("the shop has a fan-in").isNotNull();
    String other = null;
    for (JsonNode c : fanIn.get("correlation_ids")) {
      if (!c.asText().equals(fanIn.get("trace_id").asText())) other = c.asText();
    }
    int belonging = 0;
    for (String json : store.eventLog()) {
      JsonNode e = JSON.readTree(json);
      boolean in = e.get("trace_id").asText().equals(other);
      if (e.has("correlation_ids")) for (JsonNode c : e.get("correlation_ids")) in |= c.asText().equals(other);
      if (in) belonging++;
    }
    JsonNode byOther = page("?q=" + q("trace=" + other) + "&limit=1000");
    assertThat(byOther.get("count").asInt()).isEqualTo(belonging);
    assertThat(byOther.get("events")).extracting(e -> e.get("event_id").asText())
        .contains(fanIn.get("event_id").asText());
    assertThat(page("?q=" + q("trace!=" + other) + "&limit=1000").get("count").asInt())
        .isEqualTo(store.eventLog().size() - belonging);
    JsonNode none = page("?q=" + q("service=nobody"));
    assertThat(none.get("count").asInt()).isZero();
    assertThat(none.get("events")).isEmpty();
  }

  @Test
  void traceResponseHasACriticalPath() throws Exception {
    start(ApiConfig.defaults(), true);
    JsonNode inv = page("?q=" + q("op=UpdateInventory type=START") + "&limit=1");
    String trace = inv.get("events").get(0).get("trace_id").asText();
    HttpResponse<String> r = get("/api/v1/traces/" + trace);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode steps = JSON.readTree(r.body()).get("criticalPath").get("steps");
    List<String> kinds = new ArrayList<>();
    for (JsonNode s : steps) kinds.add(s.get("kind").asText() + ":" + s.get("name").asText());
    // merchant-api UpdateSku -> sku message -> catalog ApplySku -> changed message -> inventory UpdateInventory
    assertThat(kinds).hasSize(5);
    assertThat(kinds.get(0)).isEqualTo("op:UpdateSku");
    assertThat(kinds.get(2)).isEqualTo("op:ApplySku");
    assertThat(kinds.get(4)).isEqualTo("op:UpdateInventory");
    assertThat(steps.get(3).get("queueWaitTicks").isNumber()).isTrue();
    assertThat(JSON.readTree(r.body()).get("criticalPath").get("totalTicks").asLong()).isPositive();
  }

  @Test
  void limitAndSince() throws Exception {
    start(ApiConfig.defaults(), true);
    JsonNode all = page("");
    JsonNode two = page("?limit=2");
    assertThat(two.get("count").asInt()).isEqualTo(2);
    assertThat(two.get("events").get(0)).isEqualTo(all.get("events").get(0));
    assertThat(two.get("events").get(1)).isEqualTo(all.get("events").get(1));
    // the scenario happened "now" by the system clock; the store's clock runs two hours ahead
    assertThat(page("?since=1h").get("count").asInt()).isZero();
    assertThat(page("?since=24h").get("count").asInt()).isEqualTo(all.get("count").asInt());
    assertThat(page("?since=2000-01-01T00:00:00Z").get("count").asInt()).isEqualTo(all.get("count").asInt());
    assertThat(page("?since=9999-01-01T00:00:00Z").get("count").asInt()).isZero();
  }

  @Test
  void badParametersAre400() throws Exception {
    start(ApiConfig.defaults(), true);
    for (String p : List.of("?limit=0", "?limit=1001", "?limit=x", "?since=yesterday", "?q=" + q("op=(")) ) {
      HttpResponse<String> r = get("/api/v1/events" + p);
      assertThat(r.statusCode()).as(p).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("error").asText()).isNotBlank();
    }
    HttpResponse<String> tag = get("/api/v1/events?q=" + q("service=inventory merchant_id=m-1"));
    assertThat(tag.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(tag.body()).get("key").asText()).isEqualTo("merchant_id");
    assertThat(JSON.readTree(tag.body()).get("error").asText()).contains("merchant_id");
    HttpResponse<String> status = get("/api/v1/events?q=" + q("status=failed"));
    assertThat(status.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(status.body()).get("key").asText()).isEqualTo("status");
    assertThat(get("/api/v1/events?limit=1000").statusCode()).isEqualTo(200);
  }

  @Test
  void authIsRequired() throws Exception {
    start(ApiConfig.defaults().withAuthToken("s3cret"), true);
    assertThat(get("/api/v1/events").statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/events", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/events", "Accept", "text/event-stream").statusCode()).isEqualTo(401);
    HttpResponse<String> ok = get("/api/v1/events?limit=1", "Authorization", "Bearer s3cret");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ok.body()).get("count").asInt()).isEqualTo(1);
  }

  /** Reads SSE lines from a stream in the background. */
  static final class SseReader implements AutoCloseable {
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final InputStream in;
    final Thread thread;

    SseReader(InputStream in) {
      this.in = in;
      this.thread = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) lines.add(line);
        } catch (Exception ignored) {
          // closed
        }
      }, "sse-reader");
      thread.setDaemon(true);
      thread.start();
    }

    /** The next {@code data:} payloads with their {@code id:}, until {@code n} arrived or the deadline passed. */
    List<String[]> messages(int n, long deadlineMs) throws InterruptedException {
      List<String[]> out = new ArrayList<>();
      String id = null;
      String data = null;
      long end = System.currentTimeMillis() + deadlineMs;
      while (out.size() < n) {
        long left = end - System.currentTimeMillis();
        if (left <= 0) break;
        String line = lines.poll(left, TimeUnit.MILLISECONDS);
        if (line == null) break;
        if (line.startsWith("id:")) id = line.substring(3).trim();
        else if (line.startsWith("data:")) data = line.substring(5).trim();
        else if (line.isEmpty() && data != null) {
          out.add(new String[] {id, data});
          id = null;
          data = null;
        }
      }
      return out;
    }

    @Override
    public void close() throws Exception {
      in.close();
    }
  }

  HttpResponse<InputStream> openTail(String params, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri("/api/v1/events" + params)).GET()
        .header("Accept", "text/event-stream");
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  void post(List<TelemetryEvent> events) throws Exception {
    StringBuilder nd = new StringBuilder();
    for (TelemetryEvent e : events) nd.append(EventJson.toJson(e)).append('\n');
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/v1/events"))
        .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(nd.toString()))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }

  @Test
  void liveTailDeliversNewEvents() throws Exception {
    start(ApiConfig.defaults(), false);
    HttpResponse<InputStream> r = openTail("?q=" + q("service=inventory"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    List<TelemetryEvent> inventory = scenario.stream().filter(e -> e.service().equals("inventory")).toList();
    try (SseReader sse = new SseReader(r.body())) {
      assertThat(server.activeTails()).isEqualTo(1);
      post(scenario);
      List<String[]> got = sse.messages(inventory.size(), 5_000);
      assertThat(got).hasSize(inventory.size());
      long prev = -1;
      Set<String> ids = new HashSet<>();
      for (String[] m : got) {
        JsonNode e = JSON.readTree(m[1]);
        assertThat(e.get("service").asText()).isEqualTo("inventory");
        ids.add(e.get("event_id").asText());
        long cursor = Long.parseLong(m[0]);
        assertThat(cursor).isGreaterThan(prev);
        prev = cursor;
      }
      assertThat(ids).containsExactlyInAnyOrderElementsOf(inventory.stream().map(TelemetryEvent::eventId).toList());
      // nothing else arrives: the other services' events were filtered out
      assertThat(sse.messages(1, 600)).isEmpty();
    }
  }

  @Test
  void lastEventIdResumesAndSinceSendsBacklog() throws Exception {
    start(ApiConfig.defaults(), false);
    int half = scenario.size() / 2;
    post(scenario.subList(0, half));
    long cursor = store.lastEventCursor();
    // resume after the first half: only the second half arrives
    HttpResponse<InputStream> r = openTail("", "Last-Event-ID", Long.toString(cursor));
    try (SseReader sse = new SseReader(r.body())) {
      post(scenario.subList(half, scenario.size()));
      List<String[]> got = sse.messages(scenario.size() - half, 5_000);
      assertThat(got).hasSize(scenario.size() - half);
      assertThat(Long.parseLong(got.get(0)[0])).isGreaterThan(cursor);
      assertThat(sse.messages(1, 400)).isEmpty();
    }
    // since: the recent matching events first, oldest first, all with the starting cursor as id
    HttpResponse<InputStream> b = openTail("?since=24h&limit=3");
    try (SseReader sse = new SseReader(b.body())) {
      List<String[]> got = sse.messages(3, 5_000);
      assertThat(got).hasSize(3);
      for (String[] m : got) assertThat(Long.parseLong(m[0])).isEqualTo(store.lastEventCursor());
      assertThat(JSON.readTree(got.get(0)[1]).get("timestamp").asLong())
          .isLessThanOrEqualTo(JSON.readTree(got.get(2)[1]).get("timestamp").asLong());
    }
    assertThat(get("/api/v1/events", "Accept", "text/event-stream", "Last-Event-ID", "abc").statusCode())
        .isEqualTo(400);
  }
}
