package dev.weft.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.core.Envelope;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Tracer;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import dev.weft.server.store.Store;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API over real HTTP, on an ephemeral loopback port, with a fresh DuckDB store. */
class ApiServerTest {
  static final String SKU = "urn:shop:SkuUpdated:v1";
  static final String MERCHANT = "4c5d6e7";
  static final String SEED = "op=UpdateInventory status=failed merchant_id=4c5d6e7";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Store store;
  ApiServer server;
  final HttpClient http = HttpClient.newHttpClient();

  /** A merchant updates a SKU; inventory fails once and then succeeds; another merchant's update fails too. */
  static final class Shop {
    final InMemorySink sink = new InMemorySink();
    Operation failed;
    Operation ok;
    Operation otherFailed;
    String trace;

    List<TelemetryEvent> events() {
      return sink.events();
    }
  }

  static Shop shop() {
    Shop s = new Shop();
    Tracer api = Tracer.builder("merchant-api").sink(s.sink).build();
    Tracer inv = Tracer.builder("inventory").sink(s.sink).build();
    Operation u1 = api.start("UpdateSku").ptag("merchant_id", MERCHANT);
    Envelope<?, String> out1 = u1.prepareOut(SKU, "sku-1", Map.of("sku", "42"));
    api.sent(out1.header(), "kafka:sku-updates", u1);
    u1.complete();
    s.trace = u1.traceId();
    Operation u2 = api.start("UpdateSku").ptag("merchant_id", "9a9a9a9");
    Envelope<?, String> out2 = u2.prepareOut(SKU, "sku-2");
    api.sent(out2.header(), "kafka:sku-updates", u2);
    u2.complete();
    s.failed = handle(inv, out1.header(), op -> op.fail("OUT_OF_STOCK", "sku 42 has 0 left"));
    s.ok = handle(inv, out1.header(), Operation::complete);
    s.otherFailed = handle(inv, out2.header(), op -> op.fail("OUT_OF_STOCK", "none"));
    return s;
  }

  static Operation handle(Tracer inv, Header h, java.util.function.Consumer<Operation> body) {
    Operation op = inv.start("UpdateInventory", Envelope.in(h, "x"));
    inv.received(h, "kafka:sku-updates", op);
    body.accept(op);
    return op;
  }

  void start(ApiConfig config) {
    store = Store.open(dir.resolve("weft.duckdb"), Store.Config.defaults());
    server = ApiServer.start(store, config.withPort(0));
  }

  void start() {
    start(ApiConfig.defaults());
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
    if (store != null) store.close();
  }

  // ------------------------------------------------------------------ helpers

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String body, String contentType, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri("/api/v1/events"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", contentType);
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String array(List<TelemetryEvent> events) {
    return events.stream().map(EventJson::toJson).collect(Collectors.joining(",", "[", "]"));
  }

  static String ndjson(List<TelemetryEvent> events) {
    return events.stream().map(EventJson::toJson).collect(Collectors.joining("\n", "", "\n"));
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  JsonNode search(String q) throws Exception {
    HttpResponse<String> r = get("/api/v1/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  static Set<String> opIds(JsonNode searchResult) {
    Set<String> ids = new HashSet<>();
    searchResult.path("operations").forEach(o -> ids.add(o.path("opId").asText()));
    return ids;
  }

  // ------------------------------------------------------------------ ingest

  @Test
  void ingestsAnArrayThenCountsTheSameBatchAsDuplicates() throws Exception {
    start();
    Shop s = shop();
    int n = s.events().size();
    HttpResponse<String> r = post(array(s.events()), "application/json");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(json(r).path("accepted").asInt()).isEqualTo(n);
    assertThat(json(r).path("duplicates").asInt()).isZero();

    HttpResponse<String> again = post(array(s.events()), "application/json");
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(json(again).path("accepted").asInt()).isZero();
    assertThat(json(again).path("duplicates").asInt()).isEqualTo(n);
    assertThat(store.tableCounts().get("events")).isEqualTo(n);
  }

  @Test
  void ingestsNdjson() throws Exception {
    start();
    Shop s = shop();
    HttpResponse<String> r = post(ndjson(s.events()), "application/x-ndjson; charset=utf-8");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(json(r).path("accepted").asInt()).isEqualTo(s.events().size());
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
  }

  @Test
  void aMalformedBatchNamesIndexAndFieldAndStoresNothing() throws Exception {
    start();
    Shop s = shop();
    List<String> lines = new ArrayList<>();
    for (TelemetryEvent e : s.events()) lines.add(EventJson.toJson(e));
    String bad = lines.get(2).replaceFirst("\"trace_id\":\"[0-9a-f]{32}\"", "\"trace_id\":\"not-a-trace\"");
    assertThat(bad).isNotEqualTo(lines.get(2));
    lines.set(2, bad);
    for (String type : List.of("application/json", "application/x-ndjson")) {
      String body = type.endsWith("json") ? "[" + String.join(",", lines) + "]" : String.join("\n", lines);
      HttpResponse<String> r = post(body, type);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      JsonNode err = json(r);
      assertThat(err.path("index").asInt()).isEqualTo(2);
      assertThat(err.path("field").asText()).isEqualTo("trace_id");
      assertThat(err.path("error").asText()).contains("trace_id");
    }
    assertThat(store.tableCounts().values()).allMatch(c -> c == 0L);
    assertThat(search("op=UpdateSku").path("count").asInt()).isZero();
    assertThat(get("/api/v1/traces/" + s.trace).statusCode()).isEqualTo(404);
  }

  @Test
  void refusesEmptyBadlyTypedAndNonUtf8Bodies() throws Exception {
    start();
    HttpResponse<String> empty = post("", "application/json");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(json(empty).path("error").asText()).contains("empty body");
    assertThat(post("  \n ", "application/x-ndjson").statusCode()).isEqualTo(400);
    HttpResponse<String> notJson = post("{\"a\":", "application/json");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(json(notJson).path("index").asInt()).isZero();
    HttpResponse<String> form = post("a=b", "application/x-www-form-urlencoded");
    assertThat(form.statusCode()).isEqualTo(415);
    assertThat(json(form).path("error").asText()).contains("application/x-ndjson");
    HttpResponse<String> latin1 = http.send(HttpRequest.newBuilder(uri("/api/v1/events"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'[', (byte) 0xff, ']'})).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(latin1.statusCode()).isEqualTo(400);
    assertThat(json(latin1).path("error").asText()).contains("UTF-8");
  }

  @Test
  void oversizedBodiesGet413WithOrWithoutContentLength() throws Exception {
    start(ApiConfig.defaults().withMaxBodyBytes(64 * 1024));
    Shop s = shop();
    StringBuilder big = new StringBuilder(ndjson(s.events()));
    while (big.length() <= 200 * 1024) big.append(ndjson(s.events()));
    HttpResponse<String> r = post(big.toString(), "application/x-ndjson");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(json(r).path("error").asText()).contains("larger than 65536 bytes");

    // chunked: no Content-Length, so the limit is enforced while reading
    byte[] bytes = big.toString().getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(uri("/api/v1/events"))
        .header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(store.tableCounts().get("events")).isZero();

    // under the limit still works
    assertThat(post(ndjson(s.events()), "application/x-ndjson").statusCode()).isEqualTo(202);
  }

  @Test
  void readCappedStopsAtTheLimit() throws Exception {
    assertThat(ApiServer.readCapped(new ByteArrayInputStream(new byte[10]), 10)).hasSize(10);
    assertThat(ApiServer.readCapped(new ByteArrayInputStream(new byte[11]), 10)).isNull();
    assertThat(ApiServer.readCapped(new ByteArrayInputStream(new byte[0]), 10)).isEmpty();
  }

  // ------------------------------------------------------------------ auth

  @Test
  void tokenAuthGuardsTheApiButNotHealth() throws Exception {
    start(ApiConfig.defaults().withAuthToken("s3cret-token"));
    Shop s = shop();
    HttpResponse<String> missing = post(array(s.events()), "application/json");
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(json(missing).path("error").asText()).contains("Authorization");
    assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"weft\"");
    assertThat(post(array(s.events()), "application/json", "Authorization", "Bearer wrong").statusCode())
        .isEqualTo(401);
    assertThat(post(array(s.events()), "application/json", "Authorization", "Bearer s3cret-token-").statusCode())
        .isEqualTo(401);
    assertThat(post(array(s.events()), "application/json", "Authorization", "Basic s3cret-token").statusCode())
        .isEqualTo(401);
    assertThat(store.tableCounts().get("events")).isZero();
    assertThat(get("/api/v1/services").statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/nope").statusCode()).isEqualTo(401);
    assertThat(get("/metrics").statusCode()).isEqualTo(401);

    HttpResponse<String> good = post(array(s.events()), "application/json", "Authorization", "Bearer s3cret-token");
    assertThat(good.statusCode()).as(good.body()).isEqualTo(202);
    assertThat(get("/api/v1/services", "Authorization", "Bearer s3cret-token").statusCode()).isEqualTo(200);
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  // ------------------------------------------------------------------ search

  @Test
  void theSeedQueryFindsExactlyTheMerchantsFailedUpdate() throws Exception {
    start();
    Shop s = shop();
    assertThat(post(array(s.events()), "application/json").statusCode()).isEqualTo(202);
    JsonNode r = search(SEED);
    assertThat(opIds(r)).containsExactly(s.failed.id());
    JsonNode op = r.path("operations").get(0);
    assertThat(op.path("op").asText()).isEqualTo("UpdateInventory");
    assertThat(op.path("service").asText()).isEqualTo("inventory");
    assertThat(op.path("status").asText()).isEqualTo("failed");
    assertThat(op.path("traces").get(0).asText()).isEqualTo(s.trace);
    assertThat(r.path("query").asText()).isEqualTo(SEED);
    assertThat(opIds(search("op=UpdateInventory status=failed")))
        .containsExactlyInAnyOrder(s.failed.id(), s.otherFailed.id());
    assertThat(opIds(search("op=UpdateInventory merchant_id=4c5d6e7")))
        .containsExactlyInAnyOrder(s.failed.id(), s.ok.id());

    HttpResponse<String> limited = get("/api/v1/search?q=op%3DUpdateInventory&limit=1");
    assertThat(json(limited).path("operations").size()).isEqualTo(1);
    for (String bad : List.of("0", "1001", "ten", "-1", "99999999999")) {
      HttpResponse<String> b = get("/api/v1/search?q=op%3DX&limit=" + bad);
      assertThat(b.statusCode()).as(bad).isEqualTo(400);
      assertThat(json(b).path("error").asText()).contains("limit");
    }
  }

  @Test
  void aBadQueryGets400WithItsPosition() throws Exception {
    start();
    HttpResponse<String> r = get("/api/v1/search?q=" + URLEncoder.encode("op=X status=broken", StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode e = json(r);
    assertThat(e.path("position").asInt()).isEqualTo(12);
    assertThat(e.path("column").asInt()).isEqualTo(13);
    assertThat(e.path("error").asText()).startsWith("at column 13:").contains("broken");
    assertThat(e.path("expected").asText()).isNotEmpty();
    assertThat(get("/api/v1/search").statusCode()).isEqualTo(400);
    assertThat(json(get("/api/v1/search?q=")).path("position").asInt()).isZero();
  }

  // ------------------------------------------------------------------ traces

  @Test
  void traceByIdReturnsTheDag() throws Exception {
    start();
    Shop s = shop();
    post(array(s.events()), "application/json");
    HttpResponse<String> r = get("/api/v1/traces/" + s.trace);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode t = json(r);
    assertThat(t.path("traceId").asText()).isEqualTo(s.trace);
    Set<String> ops = new HashSet<>();
    t.path("operations").forEach(o -> ops.add(o.path("opId").asText()));
    assertThat(ops).contains(s.failed.id(), s.ok.id()).doesNotContain(s.otherFailed.id());
    assertThat(t.path("edges").size()).isPositive();
    assertThat(t.path("messages").size()).isEqualTo(1);
    assertThat(t.path("events").size()).isPositive();
    assertThat(t.path("events").get(0).path("event").path("trace_id").asText()).isNotEmpty();
    assertThat(t.has("linkedTraces")).isTrue();

    // a GUID and upper case name the same trace
    String guid = s.trace.substring(0, 8) + "-" + s.trace.substring(8, 12) + "-" + s.trace.substring(12, 16) + "-"
        + s.trace.substring(16, 20) + "-" + s.trace.substring(20);
    assertThat(get("/api/v1/traces/" + guid.toUpperCase()).statusCode()).isEqualTo(200);

    HttpResponse<String> unknown = get("/api/v1/traces/0123456789abcdef0123456789abcdef");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).path("error").asText()).contains("no trace");
    HttpResponse<String> bad = get("/api/v1/traces/xyz");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).path("error").asText()).contains("not a trace id");
  }

  // ------------------------------------------------------------------ lists, injection, misc

  @Test
  void servicesAndTagValues() throws Exception {
    start();
    post(array(shop().events()), "application/json");
    assertThat(json(get("/api/v1/services")).path("services").toString())
        .isEqualTo("[\"inventory\",\"merchant-api\"]");
    assertThat(json(get("/api/v1/tags/merchant_id/values")).path("values").toString())
        .isEqualTo("[\"4c5d6e7\",\"9a9a9a9\"]");
    assertThat(json(get("/api/v1/tags/nobody/values")).path("values").size()).isZero();
    assertThat(get("/api/v1/tags/bad%20key/values").statusCode()).isEqualTo(400);
  }

  @Test
  void injectionAttemptsGetCleanAnswers() throws Exception {
    start();
    Shop s = shop();
    post(array(s.events()), "application/json");
    Map<String, Long> before = store.tableCounts();
    String inj = "x'); DROP TABLE operations; --";
    // a quoted value: parses, matches nothing
    assertThat(search("op=\"" + inj.replace("\"", "") + "\"").path("count").asInt()).isZero();
    assertThat(search("merchant_id=\"' OR '1'='1\"").path("count").asInt()).isZero();
    // bare: a query error, not a crash
    HttpResponse<String> r = get("/api/v1/search?q=" + URLEncoder.encode(inj, StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).has("position")).isTrue();
    for (String key : List.of("x';DROP TABLE tags;--", "a' OR '1'='1", "%27%3B--")) {
      HttpResponse<String> t = get("/api/v1/tags/" + URLEncoder.encode(key, StandardCharsets.UTF_8) + "/values");
      assertThat(t.statusCode()).as(key).isEqualTo(400);
    }
    for (String id : List.of("' OR 1=1 --", "0123456789abcdef0123456789abcde'", "%00")) {
      HttpResponse<String> t = get("/api/v1/traces/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
      assertThat(t.statusCode()).as(id).isEqualTo(400);
      assertThat(json(t).has("error")).isTrue();
    }
    assertThat(store.tableCounts()).isEqualTo(before);
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownRoutesGetJson404() throws Exception {
    start();
    HttpResponse<String> r = get("/api/v1/nothing-here");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r).path("error").asText()).contains("no such endpoint");
    assertThat(json(get("/favicon.ico")).has("error")).isTrue();
  }

  @Test
  void healthAndMetrics() throws Exception {
    start();
    Shop s = shop();
    HttpResponse<String> h = get("/health");
    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(json(h).path("status").asText()).isEqualTo("ok");
    post(array(s.events()), "application/json");
    post(array(s.events()), "application/json");
    post("", "application/json");
    search(SEED);
    HttpResponse<String> m = get("/metrics");
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    int n = s.events().size();
    assertThat(m.body())
        .contains("weft_events_ingested_total " + n + "\n")
        .contains("weft_events_duplicate_total " + n + "\n")
        .contains("weft_ingest_requests_total{outcome=\"accepted\"} 2\n")
        .contains("weft_ingest_requests_total{outcome=\"invalid\"} 1\n")
        .contains("weft_search_duration_seconds_count 1\n")
        .contains("weft_search_duration_seconds_bucket{le=\"+Inf\"} 1\n")
        // two batches stored (the second all duplicates); the empty POST stores none
        .contains("weft_store_batch_duration_seconds_count 2\n")
        .contains("weft_store_batch_duration_seconds_bucket{le=\"+Inf\"} 2\n")
        .contains("weft_store_rows{table=\"events\"} " + n + "\n")
        .containsPattern("\nweft_store_bytes [1-9][0-9]*\n")
        .containsPattern("weft_telemetry_lost_events\\{instance_id=\"[^\"]+\",service=\"inventory\"\\} 0\n");
  }

  @Test
  void anUnexpectedFailureIsA500WithoutInternals() throws Exception {
    start();
    store.close(); // every store call now fails
    HttpResponse<String> r = get("/api/v1/services");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(json(r).path("error").asText()).isEqualTo("internal error; see the server log");
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("at dev.weft");
    HttpResponse<String> p = post(array(shop().events()), "application/json");
    assertThat(p.statusCode()).isEqualTo(500);
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void bindsLoopbackByDefault() {
    assertThat(ApiConfig.defaults().bind()).isEqualTo("127.0.0.1");
    assertThat(ApiConfig.defaults().port()).isEqualTo(9797);
    assertThat(ApiConfig.defaults().maxBodyBytes()).isEqualTo(5L * 1024 * 1024);
  }
}
