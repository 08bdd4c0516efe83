package dev.weft.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.server.api.ApiConfig;
import dev.weft.server.api.ApiServer;
import dev.weft.server.api.SavedQueries;
import dev.weft.server.store.Store;
import dev.weft.server.store.TopologyTest;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoints the UI added, over real HTTP: autocomplete lists, a service's series, saved queries, and the queue
 * wait and tags of search results.
 */
class UiApiTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Store store;
  ApiServer server;
  final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    if (server != null) server.close();
    if (store != null) store.close();
  }

  void start(Store.Config config, String token) throws IOException {
    store = Store.open(dir.resolve("weft.duckdb"), config);
    server = ApiServer.start(store, ApiConfig.defaults().withPort(0).withAuthToken(token),
        SavedQueries.open(dir.resolve(SavedQueries.FILE)));
  }

  void shop() throws IOException {
    start(Store.Config.defaults(), null);
    store.ingest(UiFixtures.shop().events);
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET();
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode ok(String path) throws Exception {
    HttpResponse<String> r = get(path);
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  HttpResponse<String> post(String body, String type) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/saved-queries"))
        .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> delete(String id) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/saved-queries/"
        + id)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void searchResultsCarryTheirQueueWaitAndTags() throws Exception {
    shop();
    JsonNode r = ok("/api/v1/search?q=" + enc("op=UpdateInventory status=failed merchant_id=" + UiFixtures.SEED_MERCHANT));
    assertThat(r.get("count").asInt()).isEqualTo(5);
    for (JsonNode op : r.get("operations")) {
      assertThat(op.get("queueWaitTicks").asLong()).isPositive();
      List<String> tags = new ArrayList<>();
      op.get("tags").forEach(t -> tags.add(t.get("kind").asText() + ":" + t.get("key").asText() + "="
          + t.get("value").asText()));
      assertThat(tags).contains("ptag:merchant_id=" + UiFixtures.SEED_MERCHANT);
      assertThat(tags).anyMatch(t -> t.startsWith("tag:warehouse="));
    }
    // an origin has no queue wait
    JsonNode origin = ok("/api/v1/search?q=op=UpdateSku&limit=1").get("operations").get(0);
    assertThat(origin.get("queueWaitTicks").isNull()).isTrue();
  }

  @Test
  void autocompleteLists() throws Exception {
    shop();
    JsonNode ops = ok("/api/v1/operations").get("operations");
    List<String> names = new ArrayList<>();
    ops.forEach(o -> names.add(o.get("service").asText() + "/" + o.get("op").asText() + ":" + o.get("count").asLong()));
    assertThat(names).contains("inventory/UpdateInventory:24", "catalog/ApplySku:24", "merchant-api/UpdateSku:24",
        "search-indexer/IndexSkus:8");
    JsonNode catalog = ok("/api/v1/operations?service=catalog").get("operations");
    assertThat(catalog).hasSize(1);
    assertThat(catalog.get(0).get("op").asText()).isEqualTo("ApplySku");
    assertThat(get("/api/v1/operations?service=").statusCode()).isEqualTo(400);
    assertThat(texts(ok("/api/v1/tags").get("keys"))).contains("merchant_id", "sku", "warehouse").isSorted();
    assertThat(texts(ok("/api/v1/channels").get("channels"))).containsExactly("kafka:audit", "kafka:catalog-changed",
        "kafka:index-stats", "kafka:index-writes", "kafka:sku-updates");
    assertThat(texts(ok("/api/v1/schemas").get("schemas"))).contains(UiFixtures.SKU, UiFixtures.CATALOG);
  }

  @Test
  void seriesOfAServiceMatchesTheConstructedTimes() throws Exception {
    // TopologyTest's scenario: four inventory operations, waits 10/20/30/40 ms, durations 100/200/300 ms, one
    // failed and one abandoned; the store's clock runs two hours ahead
    start(TopologyTest.config(), null);
    store.ingest(TopologyTest.scenario());
    JsonNode s = ok("/api/v1/services/inventory/series?since=3h&step=1d");
    assertThat(s.get("service").asText()).isEqualTo("inventory");
    assertThat(s.get("stepMs").asLong()).isEqualTo(86_400_000L);
    JsonNode totals = s.get("totals");
    assertThat(totals.get("operations").asLong()).isEqualTo(4);
    assertThat(totals.get("errors").asLong()).isEqualTo(2);
    assertThat(totals.get("p50Ms").asDouble()).isCloseTo(200.0, within(1e-6));
    assertThat(totals.get("p99Ms").asDouble()).isCloseTo(298.0, within(1e-6));
    long ops = 0;
    long errors = 0;
    JsonNode busy = null;
    for (JsonNode b : s.get("buckets")) {
      ops += b.get("operations").asLong();
      errors += b.get("errors").asLong();
      if (b.get("operations").asLong() > 0) busy = b;
    }
    assertThat(ops).isEqualTo(4);
    assertThat(errors).isEqualTo(2);
    assertThat(busy.get("queueWaitP99Ms").asDouble()).isCloseTo(39.7, within(1e-6));
    assertThat(busy.get("p95Ms").asDouble()).isCloseTo(290.0, within(1e-6));
    JsonNode failing = s.get("topFailing");
    assertThat(failing).hasSize(1);
    assertThat(failing.get(0).get("op").asText()).isEqualTo("UpdateInventory");
    assertThat(failing.get(0).get("errors").asLong()).isEqualTo(2);
    assertThat(failing.get(0).get("operations").asLong()).isEqualTo(4);
    // the latest failure is the abandoned one, which has no error
    assertThat(s.get("loss")).hasSize(1);
    assertThat(s.get("loss").get(0).get("lost").asLong()).isZero();

    // auto step: at most 120 buckets, and every bucket is there
    JsonNode auto = ok("/api/v1/services/inventory/series?since=24h");
    assertThat(auto.get("stepMs").asLong()).isEqualTo(900_000L);
    assertThat(auto.get("buckets").size()).isBetween(96, 97);
    JsonNode first = auto.get("buckets").get(0);
    assertThat(first.get("operations").asLong()).isZero();
    assertThat(first.get("p50Ms").isNull()).isTrue();

    for (String bad : new String[] {"since=yesterday", "since=1h&step=1s", "step=5x", "step=0s", "since=1d&step=1m"}) {
      HttpResponse<String> r = get("/api/v1/services/inventory/series?" + bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("error").asText()).as(bad).startsWith("bad ");
    }
    // a service without operations has an empty series
    assertThat(ok("/api/v1/services/nobody/series").get("totals").get("operations").asLong()).isZero();
  }

  @Test
  void savedQueriesAreValidatedStoredAndKept() throws Exception {
    start(Store.Config.defaults(), null);
    HttpResponse<String> created = post("{\"scope\": \"inventory\", \"name\": \"Today's failures\","
        + " \"query\": \"Status=FAILED  since=24h\"}", "application/json");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode c = JSON.readTree(created.body());
    assertThat(c.get("query").asText()).isEqualTo("status=failed since=1d");
    assertThat(c.get("id").asText()).matches("[0-9a-f]{16}");
    post("{\"scope\": \"catalog\", \"name\": \"slow\", \"query\": \"duration>1s\"}", "application/json");

    assertThat(ok("/api/v1/saved-queries?scope=inventory").get("queries")).hasSize(1);
    assertThat(ok("/api/v1/saved-queries").get("queries")).hasSize(2);

    // refusals
    HttpResponse<String> dup = post("{\"scope\": \"inventory\", \"name\": \"Today's failures\", \"query\": \"op=x\"}",
        "application/json");
    assertThat(dup.statusCode()).isEqualTo(409);
    HttpResponse<String> badQuery = post("{\"scope\": \"inventory\", \"name\": \"b\", \"query\": \"status=broken\"}",
        "application/json");
    assertThat(badQuery.statusCode()).isEqualTo(400);
    JsonNode bq = JSON.readTree(badQuery.body());
    assertThat(bq.get("error").asText()).startsWith("at column 8: unknown status 'broken'");
    assertThat(bq.get("position").asInt()).isEqualTo(7);
    assertThat(post("{\"scope\": \"inventory\", \"name\": \"b\"}", "application/json").statusCode()).isEqualTo(400);
    assertThat(post("{\"scope\": \"inventory\", \"name\": \"a\\u0000b\", \"query\": \"op=x\"}", "application/json")
        .statusCode()).isEqualTo(400);
    assertThat(post("{\"scope\": \"" + "s".repeat(129) + "\", \"name\": \"n\", \"query\": \"op=x\"}",
        "application/json").statusCode()).isEqualTo(400);
    assertThat(post("[]", "application/json").statusCode()).isEqualTo(400);
    assertThat(post("not json", "application/json").statusCode()).isEqualTo(400);
    assertThat(post("{\"scope\": 1, \"name\": \"n\", \"query\": \"op=x\"}", "application/json").statusCode())
        .isEqualTo(400);
    assertThat(post("scope=a&name=b&query=c", "application/x-www-form-urlencoded").statusCode()).isEqualTo(415);
    assertThat(post("{\"scope\": \"x\", \"name\": \"" + "n".repeat(20_000) + "\", \"query\": \"op=x\"}",
        "application/json").statusCode()).isEqualTo(413);
    assertThat(ok("/api/v1/saved-queries").get("queries")).hasSize(2);

    // kept across a restart, in the file written atomically
    server.close();
    server = ApiServer.start(store, ApiConfig.defaults().withPort(0), SavedQueries.open(dir.resolve(SavedQueries.FILE)));
    assertThat(ok("/api/v1/saved-queries?scope=inventory").get("queries").get(0).get("name").asText())
        .isEqualTo("Today's failures");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }

    // delete
    String id = c.get("id").asText();
    assertThat(delete(id).statusCode()).isEqualTo(204);
    assertThat(delete(id).statusCode()).isEqualTo(404);
    assertThat(delete("not-an-id").statusCode()).isEqualTo(400);
    assertThat(ok("/api/v1/saved-queries?scope=inventory").get("queries")).isEmpty();
    assertThat(SavedQueries.open(dir.resolve(SavedQueries.FILE)).list(null)).hasSize(1);
  }

  @Test
  void aSavedQueryFileThatCannotBeReadStopsTheServerRatherThanBeingOverwritten() throws Exception {
    Path file = dir.resolve(SavedQueries.FILE);
    Files.writeString(file, "{not json");
    assertThatThrownBy(() -> SavedQueries.open(file)).isInstanceOf(IOException.class)
        .hasMessageContaining("cannot read saved queries");
    Files.writeString(file, "{\"queries\": [{\"id\": \"x\"}]}");
    assertThatThrownBy(() -> SavedQueries.open(file)).isInstanceOf(IOException.class);
    assertThat(Files.readString(file)).isEqualTo("{\"queries\": [{\"id\": \"x\"}]}");
  }

  @Test
  void theNewEndpointsNeedTheTokenToo() throws Exception {
    start(Store.Config.defaults(), "t");
    for (String path : new String[] {"/api/v1/operations", "/api/v1/tags", "/api/v1/channels", "/api/v1/schemas",
        "/api/v1/services/x/series", "/api/v1/saved-queries"}) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(401);
      assertThat(get(path, "Authorization", "Bearer t").statusCode()).as(path).isEqualTo(200);
    }
    assertThat(post("{}", "application/json").statusCode()).isEqualTo(401);
    assertThat(delete("0123456789abcdef").statusCode()).isEqualTo(401);
  }
}
