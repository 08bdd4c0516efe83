package dev.weft.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.core.Envelope;
import dev.weft.core.Operation;
import dev.weft.core.Tracer;
import dev.weft.core.event.EventJson;
import dev.weft.core.sink.InMemorySink;
import dev.weft.server.api.ApiConfig;
import dev.weft.server.api.ApiServer;
import dev.weft.server.store.Store;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft query} against a real server over HTTP, with stdout and stderr captured. */
class QueryCommandTest {
  static final String SEED = "op=UpdateInventory status=failed merchant_id=4c5d6e7";

  @TempDir Path dir;
  Store store;
  ApiServer server;
  String url;
  String failedOpId;
  String traceId;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeEach
  void setUp() throws Exception {
    store = Store.open(dir.resolve("weft.duckdb"), Store.Config.defaults());
    server = ApiServer.start(store, ApiConfig.defaults().withPort(0).withAuthToken("tok"));
    url = "http://127.0.0.1:" + server.port();
    InMemorySink sink = new InMemorySink();
    Tracer api = Tracer.builder("merchant-api").sink(sink).build();
    Tracer inv = Tracer.builder("inventory").sink(sink).build();
    Operation u = api.start("UpdateSku").ptag("merchant_id", "4c5d6e7");
    Envelope<?, String> msg = u.prepareOut("urn:shop:SkuUpdated:v1", "sku");
    api.sent(msg.header(), "kafka:sku-updates", u);
    u.complete();
    traceId = u.traceId();
    Operation fail = inv.start("UpdateInventory", Envelope.in(msg.header(), "x"));
    inv.received(msg.header(), "kafka:sku-updates", fail);
    fail.fail("OUT_OF_STOCK", "none left");
    failedOpId = fail.id();
    Operation ok = inv.start("UpdateInventory", Envelope.in(msg.header(), "x"));
    ok.complete();
    String body = sink.events().stream().map(EventJson::toJson).collect(Collectors.joining("\n"));
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/api/v1/events"))
        .header("Content-Type", "application/x-ndjson").header("Authorization", "Bearer tok")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }

  @AfterEach
  void tearDown() {
    server.close();
    store.close();
  }

  int run(String... args) {
    return WeftCli.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
  }

  @Test
  void printsATableOfTheMatchingOperations() {
    int code = run("query", SEED, "--server", url, "--auth-token", "tok");
    assertThat(code).as(err.toString()).isZero();
    String[] lines = out.toString().split("\n");
    assertThat(lines[0]).startsWith("OP").contains("SERVICE", "STATUS", "START (UTC)", "DURATION", "TRACE IDS");
    assertThat(lines).hasSize(3);
    assertThat(lines[1]).startsWith("UpdateInventory").contains("inventory", "failed", traceId)
        .containsPattern("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}");
    assertThat(lines[2]).isEqualTo("1 operation");
  }

  @Test
  void printsJsonWithTheFlag() throws Exception {
    assertThat(run("query", SEED, "--server", url + "/", "--auth-token", "tok", "--json")).isZero();
    var json = new ObjectMapper().readTree(out.toString());
    assertThat(json.path("operations").get(0).path("opId").asText()).isEqualTo(failedOpId);
  }

  @Test
  void aBadQueryShowsACaretUnderTheColumn() {
    assertThat(run("query", "op=X status=broken", "--server", url)).isEqualTo(2);
    assertThat(err.toString()).contains("bad query at column 13:")
        .contains("  op=X status=broken\n  " + " ".repeat(12) + "^");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aMissingTokenSaysHowToPassOne() {
    assertThat(run("query", SEED, "--server", url)).isEqualTo(1);
    assertThat(err.toString()).contains("--auth-token").contains("WEFT_AUTH_TOKEN");
  }

  @Test
  void anUnreachableServerSaysHowToStartOne() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThat(run("query", SEED, "--server", "http://127.0.0.1:" + port)).isEqualTo(3);
    assertThat(err.toString()).contains("cannot reach the Weft server").contains("./weft server");
  }

  @Test
  void unitsParse() {
    assertThat(Units.duration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Units.duration("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Units.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Units.duration("PT30M")).isEqualTo(Duration.ofMinutes(30));
    assertThatThrownBy(() -> Units.duration("1 fortnight")).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> Units.duration("h")).isInstanceOf(IllegalArgumentException.class);
    assertThat(Units.size("5MiB")).isEqualTo(5L * 1024 * 1024);
    assertThat(Units.size("512k")).isEqualTo(512L * 1024);
    assertThat(Units.size("1000")).isEqualTo(1000);
    assertThatThrownBy(() -> Units.size("5 parsecs")).hasMessageContaining("not a size");
  }

  @Test
  void serverRefusesABadMaxBody() {
    assertThat(run("server", "--max-body", "lots", "--data", dir.resolve("d").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("bad --max-body");
    err.getBuffer().setLength(0);
    assertThat(run("server", "--abandon-after", "soon", "--data", dir.resolve("d").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("soon");
    err.getBuffer().setLength(0);
    assertThat(run("server", "--topology-warm", "1h", "--data", dir.resolve("d").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("bad --topology-warm").contains("2 hours to 28 days");
    assertThat(Units.duration("0")).isZero();
  }
}
