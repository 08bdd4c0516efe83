package dev.weft.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The UI's empty and error states in real Chromium: no traffic yet, server unreachable, a token required. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiStatesTest {
  Browsers browsers;
  Page page;

  @BeforeAll
  void start() {
    browsers = new Browsers();
  }

  @AfterAll
  void stop() {
    if (browsers != null) browsers.close();
  }

  @AfterEach
  void closePage() {
    if (page != null) page.context().close();
    page = null;
  }

  @Test
  void anEmptyServerSaysThereIsNoTrafficYetOnEveryPage(@TempDir Path dir) throws Exception {
    try (Browsers.Server server = new Browsers.Server(dir, null)) {
      page = browsers.page();
      Page p = page;
      p.navigate(server.url("/search"));
      assertThat(p.getByTestId("no-traffic")).containsText("No operations yet");
      assertThat(p.getByTestId("no-traffic")).containsText("POST /api/v1/events");
      Browsers.shot(p, "empty-search");
      p.navigate(server.url("/topology"));
      assertThat(p.getByTestId("no-traffic")).containsText("No traffic yet");
      p.navigate(server.url("/drift"));
      assertThat(p.getByTestId("no-traffic")).isVisible();
      p.navigate(server.url("/dashboards"));
      assertThat(p.getByTestId("no-traffic")).isVisible();
      p.navigate(server.url("/events"));
      assertThat(p.getByTestId("tail-empty")).containsText("Waiting for events");
      assertThat(p.getByTestId("conn-state")).hasText("live");
      p.navigate(server.url("/no/such/page"));
      assertThat(p.locator("h1")).hasText("Not found");
    }
  }

  @Test
  void aServerThatWentAwayIsReportedAsUnreachable(@TempDir Path dir) throws Exception {
    Browsers.Server server = new Browsers.Server(dir, null);
    page = browsers.page();
    Page p = page;
    try {
      p.navigate(server.url("/search"));
      assertThat(p.getByTestId("server-state")).hasText("connected");
    } finally {
      server.close();
    }
    // the app is loaded; its next request finds nobody
    p.locator("nav").getByText("Topology").click();
    assertThat(p.getByTestId("unreachable")).containsText("Cannot reach the Weft server");
    assertThat(p.getByTestId("unreachable")).containsText("./weft server");
    Browsers.shot(p, "unreachable");
    p.locator("nav").getByText("Event log").click();
    assertThat(p.getByTestId("unreachable")).isVisible();
    assertThat(p.getByTestId("conn-state")).hasText(Pattern.compile("reconnecting.*"));
  }

  @Test
  void aTokenIsAskedForKeptInTheTabAndSentAsBearer(@TempDir Path dir) throws Exception {
    try (Browsers.Server server = new Browsers.Server(dir, "s3cret-token")) {
      server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url("/api/v1/events")))
          .header("Content-Type", "application/x-ndjson").header("Authorization", "Bearer s3cret-token")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(dev.weft.core.event.EventJson.toJson(
              UiFixtures.shop().events.get(0)))).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      page = browsers.page();
      Page p = page;
      // the page itself loads without a token; the API asks for one
      p.navigate(server.url("/dashboards"));
      assertThat(p.getByTestId("token-dialog")).isVisible();
      assertThat(p.getByTestId("auth-needed")).containsText("This server needs a token");
      Browsers.shot(p, "token");
      p.getByTestId("token-input").fill("wrong");
      p.getByTestId("token-input").press("Enter");
      assertThat(p.getByTestId("token-dialog")).containsText("The token you entered was refused");
      p.getByTestId("token-input").fill("s3cret-token");
      p.getByTestId("token-input").press("Enter");
      assertThat(p.getByTestId("token-dialog")).isHidden();
      assertThat(p.getByTestId("dashboard-list")).isVisible();
      assertThat(p.evaluate("() => sessionStorage.getItem('weft.token')")).isEqualTo("s3cret-token");
      // the live tail sends it too (fetch, not EventSource, so that it can)
      p.locator("nav").getByText("Event log").click();
      assertThat(p.getByTestId("conn-state")).hasText("live");
      // forgetting it asks again
      p.getByText("forget token").click();
      assertThat(p.getByTestId("token-dialog")).isVisible();
    }
  }
}
