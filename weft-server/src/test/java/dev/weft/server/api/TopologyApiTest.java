package dev.weft.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.core.Ticks;
import dev.weft.server.store.Store;
import dev.weft.server.store.TopologyTest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/topology} and {@code GET /api/v1/topology/declared} over real HTTP. */
class TopologyApiTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Store store;
  ApiServer server;
  final HttpClient http = HttpClient.newHttpClient();

  void start(ApiConfig config) {
    store = Store.open(dir.resolve("weft.duckdb"), TopologyTest.config());
    store.ingest(TopologyTest.scenario());
    server = ApiServer.start(store, config.withPort(0));
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
    if (store != null) store.close();
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET();
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static List<String> edges(JsonNode body) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : body.get("edges")) {
      out.add(e.get("producer").asText() + " " + e.get("channel").asText() + " " + e.get("consumer").asText());
    }
    return out;
  }

  @Test
  void servicesView() throws Exception {
    start(ApiConfig.defaults());
    HttpResponse<String> r = get("/api/v1/topology?view=services&since=24h");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("nodes")).hasSize(3);
    assertThat(edges(body)).containsExactly("catalog kafka:catalog-changed inventory",
        "merchant-api kafka:audit null", "merchant-api kafka:sku-updates catalog");
    JsonNode inv = body.get("edges").get(0);
    assertThat(inv.get("count").asLong()).isEqualTo(4);
    assertThat(inv.get("errors").asLong()).isEqualTo(2);
    // percentiles come from histograms with 1 % relative accuracy (RATIONALE.md, "Topology roll-ups")
    assertThat(inv.get("queueWaitP50Ms").asDouble()).isCloseTo(25.0, org.assertj.core.api.Assertions.withinPercentage(1));
    assertThat(inv.get("processingP50Ms").asDouble()).isCloseTo(200.0, org.assertj.core.api.Assertions.withinPercentage(1));
    assertThat(inv.get("processingP99Ms").asDouble()).isGreaterThanOrEqualTo(inv.get("processingP50Ms").asDouble());
    assertThat(body.get("edges").get(1).get("consumer").isNull()).isTrue();
    assertThat(body.get("edges").get(1).get("queueWaitP99Ms").isNull()).isTrue();

    // the defaults: view=services, since=24h
    JsonNode defaults = JSON.readTree(get("/api/v1/topology").body());
    assertThat(edges(defaults)).isEqualTo(edges(body));
  }

  /** Roll-ups over time buckets add up to the whole window, per edge, in both views. */
  @Test
  void seriesOverTimeBucketsAddUpToTheWindow() throws Exception {
    start(ApiConfig.defaults());
    for (String view : List.of("services", "types")) {
      JsonNode whole = JSON.readTree(get("/api/v1/topology?view=" + view + "&since=24h").body());
      HttpResponse<String> r = get("/api/v1/topology?view=" + view + "&since=24h&step=15m");
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode series = JSON.readTree(r.body());
      assertThat(series.get("stepMs").asLong()).isEqualTo(900_000);
      java.util.Map<String, long[]> sums = new java.util.TreeMap<>();
      long previous = Long.MIN_VALUE;
      for (JsonNode bucket : series.get("buckets")) {
        long startMs = bucket.get("startMs").asLong();
        assertThat(startMs % 900_000).isZero();
        assertThat(startMs).isGreaterThan(previous);
        previous = startMs;
        for (JsonNode e : bucket.get("edges")) {
          long[] c = sums.computeIfAbsent(key(view, e), k -> new long[2]);
          c[0] += e.get("count").asLong();
          c[1] += e.get("errors").asLong();
          assertThat(e.has(view.equals("services") ? "queueWaitP99Ms" : "processingP99Ms")).isTrue();
        }
      }
      assertThat(series.get("buckets")).isNotEmpty();
      java.util.Map<String, long[]> expected = new java.util.TreeMap<>();
      for (JsonNode e : whole.get("edges")) expected.put(key(view, e), new long[] {e.get("count").asLong(),
          e.get("errors").asLong()});
      assertThat(sums.keySet()).isEqualTo(expected.keySet());
      for (String k : expected.keySet()) assertThat(sums.get(k)).as(k).containsExactly(expected.get(k));
    }
    // a step that would make too many buckets, and a step that is not a duration
    HttpResponse<String> many = get("/api/v1/topology?view=services&since=24h&step=1s");
    assertThat(many.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(many.body()).get("error").asText()).contains("at most 1000");
    assertThat(get("/api/v1/topology?view=services&step=soon").statusCode()).isEqualTo(400);
  }

  private static String key(String view, JsonNode e) {
    return view.equals("services")
        ? e.get("producer").asText() + " " + e.get("channel").asText() + " " + e.get("consumer").asText()
        : e.get("input").asText() + " " + e.get("service").asText() + " " + e.get("op").asText() + " "
            + e.get("output").asText();
  }

  @Test
  void typesView() throws Exception {
    start(ApiConfig.defaults());
    HttpResponse<String> r = get("/api/v1/topology?view=types&since=3h");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("edges")).hasSize(4);
    JsonNode apply = body.get("edges").get(0);
    assertThat(apply.get("input").asText()).isEqualTo(TopologyTest.SKU);
    assertThat(apply.get("service").asText()).isEqualTo("catalog");
    assertThat(apply.get("op").asText()).isEqualTo("ApplySku");
    assertThat(apply.get("output").asText()).isEqualTo(TopologyTest.CATALOG);
    assertThat(apply.get("count").asLong()).isEqualTo(4);
    List<String> kinds = new ArrayList<>();
    body.get("nodes").forEach(n -> kinds.add(n.get("kind").asText()));
    assertThat(kinds).containsOnly("type", "operation");
  }

  @Test
  void sinceAsRfc3339() throws Exception {
    start(ApiConfig.defaults());
    String future = Instant.now().plus(Duration.ofHours(1)).toString();
    JsonNode later = JSON.readTree(get("/api/v1/topology?since=" + enc(future)).body());
    assertThat(later.get("edges")).isEmpty();
    JsonNode earlier = JSON.readTree(get("/api/v1/topology?since=" + enc("2020-01-01T00:00:00+02:00")).body());
    assertThat(earlier.get("edges")).hasSize(3);
    assertThat(earlier.get("sinceTicks").asLong())
        .isEqualTo(Ticks.of(Instant.parse("2019-12-31T22:00:00Z")));
  }

  @Test
  void badParametersAre400WithAJsonError() throws Exception {
    start(ApiConfig.defaults());
    for (String q : List.of("view=graph", "since=yesterday", "since=-1h", "since=1w", "since=99999999d",
        "since=" + enc("2024-13-01T00:00:00Z"), "since=" + enc("'; DROP TABLE messages; --"))) {
      HttpResponse<String> r = get("/api/v1/topology?" + q);
      assertThat(r.statusCode()).as(q).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("error").asText()).as(q).startsWith("bad ");
    }
    assertThat(get("/api/v1/topology").statusCode()).isEqualTo(200);
  }

  @Test
  void declaredAgainstObserved() throws Exception {
    start(ApiConfig.defaults());
    HttpResponse<String> r = get("/api/v1/topology/declared");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("declaredServices")).hasSize(3);
    assertThat(body.get("matched")).hasSize(3);
    List<String> never = new ArrayList<>();
    body.get("declaredOnly").forEach(d -> never.add(d.get("service").asText() + " " + d.get("channel").asText()));
    assertThat(never).containsExactly("inventory kafka:restock", "reporting kafka:catalog-changed");
    JsonNode undeclared = body.get("observedOnly").get(0);
    assertThat(undeclared.get("service").asText()).isEqualTo("merchant-api");
    assertThat(undeclared.get("serviceDeclared").asBoolean()).isFalse();
  }

  @Test
  void topologyNeedsTheTokenWhenAuthIsOn() throws Exception {
    start(ApiConfig.defaults().withAuthToken("s3cret"));
    assertThat(get("/api/v1/topology").statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/topology/declared").statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/topology", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/topology/declared", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
