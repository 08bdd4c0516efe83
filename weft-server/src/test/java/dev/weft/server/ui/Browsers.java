package dev.weft.server.ui;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.server.api.ApiConfig;
import dev.weft.server.api.ApiServer;
import dev.weft.server.api.SavedQueries;
import dev.weft.server.store.Store;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Real Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a real server: real HTTP, a real DuckDB
 * store. Playwright never downloads a browser here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD, set by the pom too).
 */
final class Browsers implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final List<String> ARGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic");
  static final Path SHOTS = Path.of("target", "ui-screenshots");

  final Playwright playwright;
  final Browser browser;

  Browsers() {
    if (!Files.isExecutable(CHROMIUM)) {
      throw new IllegalStateException(CHROMIUM + " is missing: install Debian's browser with "
          + "'apt-get install -y chromium chromium-driver' (./run-tests.sh does this)");
    }
    playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(CHROMIUM).setHeadless(true).setArgs(ARGS));
  }

  /** A fresh context (own storage) and page, 1440×900. */
  Page page() {
    BrowserContext ctx = browser.newContext(new Browser.NewContextOptions().setViewportSize(1440, 900)
        .setLocale("en-GB").setTimezoneId("UTC"));
    ctx.setDefaultTimeout(15_000);
    return ctx.newPage();
  }

  static void shot(Page page, String name) {
    try {
      Files.createDirectories(SHOTS);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")));
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }

  /** A server on an ephemeral port over a fresh store in dir. */
  static final class Server implements AutoCloseable {
    final Store store;
    final ApiServer api;
    final Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    Server(Path dir, String token) throws IOException {
      this.dir = dir;
      store = Store.open(dir.resolve("weft.duckdb"), Store.Config.defaults());
      api = ApiServer.start(store, ApiConfig.defaults().withPort(0).withAuthToken(token),
          SavedQueries.open(dir.resolve(SavedQueries.FILE)));
    }

    String url(String path) {
      return "http://127.0.0.1:" + api.port() + path;
    }

    /** Sends events the way a service does: POST /api/v1/events, NDJSON. */
    void post(List<TelemetryEvent> events) throws IOException, InterruptedException {
      for (int i = 0; i < events.size(); i += 2000) {
        String body = events.subList(i, Math.min(events.size(), i + 2000)).stream().map(EventJson::toJson)
            .collect(Collectors.joining("\n"));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url("/api/v1/events")))
            .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) throw new IllegalStateException("ingest refused: " + r.statusCode() + " " + r.body());
      }
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
      return http.send(HttpRequest.newBuilder(URI.create(url(path))).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
      api.close();
      store.close();
    }
  }
}
