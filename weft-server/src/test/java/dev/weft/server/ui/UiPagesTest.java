package dev.weft.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every page of the web UI in real Chromium against a running server loaded with {@link UiFixtures#shop()}: search
 * with autocomplete, the trace (graph, tree, timeline, event log, linked traces, critical path, details), topology
 * by service and by type, declared vs observed, the live event log, and the service dashboard with saved queries.
 * Each page is saved as a PNG under target/ui-screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiPagesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  Path dir;
  Browsers browsers;
  Browsers.Server server;
  UiFixtures.Shop shop;
  Page page;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    dir = tmp;
    shop = UiFixtures.shop();
    server = new Browsers.Server(dir, null);
    server.post(shop.events);
    browsers = new Browsers();
  }

  @AfterAll
  void stop() {
    if (browsers != null) browsers.close();
    if (server != null) server.close();
  }

  /** Script errors and console errors (a CSP violation is one) of the current page. */
  final List<String> consoleErrors = new ArrayList<>();

  @AfterEach
  void closePage() {
    if (page != null) page.context().close();
    page = null;
    // a refused request is logged by Chromium as "Failed to load resource"; the tests cause those on purpose
    assertThat(consoleErrors).filteredOn(e -> !e.contains("Failed to load resource")).isEmpty();
    consoleErrors.clear();
  }

  Page newPage() {
    page = browsers.page();
    page.onConsoleMessage(m -> {
      if ("error".equals(m.type())) consoleErrors.add(m.text());
    });
    page.onPageError(e -> consoleErrors.add("page error: " + e));
    return page;
  }

  Page open(String path) {
    newPage().navigate(server.url(path));
    return page;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // ------------------------------------------------------------------ search

  @Test
  void searchAutocompletesKeysAndValuesAndTheSeedQuestionIsOneClickAway() {
    Page p = open("/");
    assertThat(p).hasURL(Pattern.compile(".*/search$"));
    Locator input = p.getByTestId("query-input");
    input.click();
    input.pressSequentially("op=Upd");
    Locator suggestions = p.getByTestId("suggestions");
    assertThat(suggestions).containsText("UpdateInventory");
    assertThat(suggestions).containsText("UpdateSku");
    p.getByRole(AriaRole.OPTION, new Page.GetByRoleOptions().setName("UpdateInventory")).click();
    assertThat(input).hasValue("op=UpdateInventory ");
    input.pressSequentially("merch");
    assertThat(suggestions).containsText("merchant_id");
    input.press("Enter"); // accepts the highlighted key
    assertThat(input).hasValue("op=UpdateInventory merchant_id=");
    assertThat(suggestions).containsText(UiFixtures.SEED_MERCHANT);
    input.press("Escape");

    // the seed's question, one click away
    p.getByTestId("seed-example").click();
    assertThat(p).hasURL(Pattern.compile(".*/search\\?q=.*"));
    assertThat(p.getByTestId("canonical-query"))
        .hasText("op=UpdateInventory status=failed merchant_id=" + UiFixtures.SEED_MERCHANT);
    Locator rows = p.getByTestId("result-row");
    assertThat(rows.first()).isVisible();
    int n = rows.count();
    assertThat(n).isEqualTo(5); // flows 0, 5, 10, 15, 20
    for (int i = 0; i < n; i++) {
      Locator r = rows.nth(i);
      assertThat(r).containsText("UpdateInventory");
      assertThat(r).containsText("inventory");
      assertThat(r).containsText("failed");
      assertThat(r).containsText("OUT_OF_STOCK");
      assertThat(r).containsText("merchant_id=" + UiFixtures.SEED_MERCHANT);
      // start, duration and queue wait columns are filled
      assertThat(r.locator("td").nth(4)).hasText(Pattern.compile("\\d.*ms"));
      assertThat(r.locator("td").nth(5)).hasText(Pattern.compile("\\d.*ms"));
    }
    Browsers.shot(p, "search");

    // a row opens its trace, with the operation selected
    rows.last().locator(".op-link").click();
    assertThat(p).hasURL(Pattern.compile(".*/trace/" + shop.failedTrace + "\\?node=" + shop.failedInventoryOp));
    assertThat(p.getByTestId("details")).containsText("OUT_OF_STOCK");
  }

  @Test
  void aQueryThatDoesNotParseShowsTheParsersMessageAndWhere() {
    Page p = open("/search?q=" + enc("op=UpdateInventory status=broken"));
    Locator err = p.getByTestId("query-error");
    assertThat(err).containsText("at column 27: unknown status 'broken'; expected ok, failed, abandoned or running");
    // the caret sits under column 27
    String caret = err.locator(".caret-view").textContent();
    String[] lines = caret.split("\n");
    assertThat(lines[0]).isEqualTo("op=UpdateInventory status=broken");
    assertThat(lines[1]).isEqualTo(" ".repeat(26) + "^");
    Browsers.shot(p, "search-error");
  }

  @Test
  void aQueryWithoutMatchesSaysSo() {
    Page p = open("/search?q=" + enc("op=NoSuchOperation"));
    assertThat(p.getByTestId("no-results")).containsText("No operations match");
  }

  // ------------------------------------------------------------------ trace

  @Test
  void traceShowsTheDagTreeTimelineEventsCriticalPathAndNodeDetails() {
    Page p = open("/trace/" + shop.failedTrace + "?node=" + shop.failedInventoryOp);
    assertThat(p.getByTestId("trace-id")).hasText(shop.failedTrace);
    // the first flow: UpdateSku, ApplySku, UpdateInventory (failed), and the IndexSkus fan-in of three flows
    assertThat(p.getByTestId("op-count")).hasText("4");
    Locator details = p.getByTestId("details");
    assertThat(details).containsText("UpdateInventory");
    assertThat(details).containsText("failed");
    assertThat(p.getByTestId("details-error")).containsText("OUT_OF_STOCK");
    assertThat(p.getByTestId("details-error")).containsText("has 0 left in berlin");
    assertThat(details).containsText("warehouse=berlin");
    assertThat(p.getByTestId("resource")).containsText("k8s.pod.name");
    assertThat(p.getByTestId("resource")).containsText("inventory-5b6c7-9zq8w");
    assertThat(details).containsText("waited");
    Locator critical = p.getByTestId("critical-path");
    assertThat(critical).containsText("Critical path");
    assertThat(critical).containsText("merchant-api · UpdateSku");
    // the graph is drawn, and a click on a node selects it
    assertThat(p.getByTestId("dag-canvas")).isVisible();
    Browsers.shot(p, "trace-graph");
    clickDagNode(p, shop.fanInOp);
    assertThat(details).containsText("IndexSkus");
    assertThat(details).containsText("Inputs (fan-in of 3)");
    assertThat(details).containsText("message in another trace");
    assertThat(p).hasURL(Pattern.compile(".*node=" + shop.fanInOp + ".*"));

    // the tree marks the fan-in and the shared nodes
    p.getByRole(AriaRole.RADIO, new Page.GetByRoleOptions().setName("Tree")).click();
    Locator tree = p.getByTestId("tree-view");
    assertThat(tree).containsText("fan-in ×3");
    assertThat(tree).containsText("message in another trace");
    assertThat(p.getByTestId("tree-row").first()).isVisible();
    Browsers.shot(p, "trace-tree");

    // the timeline draws queue wait apart from processing
    p.getByRole(AriaRole.RADIO, new Page.GetByRoleOptions().setName("Timeline")).click();
    assertThat(p.getByTestId("timeline-row")).hasCount(4);
    assertThat(p.locator(".tl-queue").first()).isVisible();
    assertThat(p.locator(".tl-proc.status-failed")).hasCount(1);
    assertThat(p.locator(".tl-row.critical").first()).isVisible();
    Browsers.shot(p, "trace-timeline");

    // the trace's event log
    p.getByRole(AriaRole.RADIO, new Page.GetByRoleOptions().setName("Event log")).click();
    Locator events = p.getByTestId("trace-event-row");
    assertThat(events.first()).isVisible();
    assertThat(p.getByTestId("trace-events")).containsText("FAIL");
    assertThat(p.getByTestId("trace-events")).containsText("kafka:catalog-changed");
    p.getByTestId("trace-event-row").filter(new Locator.FilterOptions().setHasText("FAIL")).first().click();
    assertThat(p.getByTestId("event-json")).containsText("\"event_type\": \"FAIL\"");
    Browsers.shot(p, "trace-events");
  }

  void clickDagNode(Page p, String id) {
    p.waitForFunction("() => document.documentElement.dataset.traceReady && window.__weftDag");
    @SuppressWarnings("unchecked")
    Map<String, Object> at = (Map<String, Object>) p.evaluate("id => window.__weftDag.point(id)", id);
    assertThat(at).as("node %s is in the graph", id).isNotNull();
    p.mouse().click(((Number) at.get("x")).doubleValue(), ((Number) at.get("y")).doubleValue());
  }

  @Test
  void linkedTracesLeadBothWays() {
    List<String> flows = shop.fanInTraces;
    Page p = open("/trace/" + flows.get(0));
    Locator linked = p.getByTestId("linked-traces");
    assertThat(linked).containsText(flows.get(1));
    assertThat(linked).containsText(flows.get(2));
    assertThat(linked).containsText("shares 1 operation (fan-in)");
    p.getByTestId("linked-trace").filter(new Locator.FilterOptions().setHasText(flows.get(1))).click();
    assertThat(p.getByTestId("trace-id")).hasText(flows.get(1));
    assertThat(p.getByTestId("linked-traces")).containsText(flows.get(0));
    assertThat(p.getByTestId("linked-traces")).containsText(flows.get(2));
  }

  @Test
  void anUnknownTraceIsNotFound() {
    Page p = open("/trace/0123456789abcdef0123456789abcdef");
    assertThat(p.getByTestId("http-404")).containsText("no trace 0123456789abcdef0123456789abcdef");
    p.navigate(server.url("/trace/not-a-trace"));
    assertThat(p.getByTestId("http-400")).containsText("not a trace id");
  }

  // ------------------------------------------------------------------ topology

  @Test
  void topologyByServiceAndByTypeOpensTheMatchingSearch() {
    Page p = open("/topology?since=24h");
    assertThat(p.getByTestId("topology-canvas")).isVisible();
    p.waitForFunction("() => document.documentElement.dataset.topologyReady && window.__weftTopo");
    Locator table = p.getByTestId("edge-table");
    assertThat(table).containsText("kafka:sku-updates");
    assertThat(table).containsText("kafka:catalog-changed");
    assertThat(table).containsText("kafka:audit (no reader)");
    assertThat(p.getByTestId("edge-row")).hasCount(6);
    // catalog → inventory carries the failures: error rate and p99 are shown
    Locator inv = p.getByTestId("edge-row").filter(new Locator.FilterOptions().setHasText("inventory"));
    assertThat(inv).containsText("%");
    assertThat(inv).containsText("ms");
    Browsers.shot(p, "topology");

    // hover an edge for its numbers, click it for its search
    Map<?, ?> at = (Map<?, ?>) p.evaluate("k => window.__weftTopo.edgePoint(k)", "catalog|kafka:catalog-changed|inventory");
    p.mouse().move(((Number) at.get("x")).doubleValue(), ((Number) at.get("y")).doubleValue());
    assertThat(p.getByTestId("topology-tip")).containsText("catalog → inventory");
    assertThat(p.getByTestId("topology-tip")).containsText("errors");
    p.mouse().click(((Number) at.get("x")).doubleValue(), ((Number) at.get("y")).doubleValue());
    assertThat(p.getByTestId("canonical-query")).hasText("channel=kafka:catalog-changed service=inventory since=1d");
    assertThat(p.getByTestId("result-row").first()).containsText("UpdateInventory");

    // a node opens the search of its service
    p.goBack();
    p.waitForFunction("() => document.documentElement.dataset.topologyReady && window.__weftTopo");
    Map<?, ?> node = (Map<?, ?>) p.evaluate("k => window.__weftTopo.point(k)", "svc:catalog");
    p.mouse().click(((Number) node.get("x")).doubleValue(), ((Number) node.get("y")).doubleValue());
    assertThat(p.getByTestId("canonical-query")).hasText("service=catalog since=1d");

    // by message type
    p.navigate(server.url("/topology?since=24h"));
    p.getByRole(AriaRole.RADIO, new Page.GetByRoleOptions().setName("By message type")).click();
    assertThat(p).hasURL(Pattern.compile(".*view=types.*"));
    assertThat(p.getByTestId("edge-table")).containsText("SkuUpdated");
    assertThat(p.getByTestId("edge-table")).containsText("search-indexer · IndexSkus");
    Browsers.shot(p, "topology-types");
    p.waitForFunction("() => document.documentElement.dataset.topologyReady && window.__weftTopo");
    Map<?, ?> type = (Map<?, ?>) p.evaluate("k => window.__weftTopo.point(k)", "type:" + UiFixtures.INDEXED);
    p.mouse().click(((Number) type.get("x")).doubleValue(), ((Number) type.get("y")).doubleValue());
    assertThat(p.getByTestId("canonical-query")).hasText("schema=urn:shop:IndexWritten:v1 since=1d");

    // the time window: nothing in the last 15 minutes
    p.navigate(server.url("/topology?since=24h"));
    p.getByRole(AriaRole.RADIO, new Page.GetByRoleOptions().setName("15 min")).click();
    assertThat(p).hasURL(Pattern.compile(".*since=15m.*"));
    assertThat(p.getByTestId("no-traffic-window")).containsText("No traffic in the last 15m");
  }

  // ------------------------------------------------------------------ declared vs observed

  @Test
  void declaredVersusObservedHighlightsDriftBothWays() {
    Page p = open("/drift");
    assertThat(p.getByTestId("drift-summary")).containsText("2 declared, never seen");
    Locator never = p.getByTestId("drift-never-seen");
    assertThat(never).hasCount(2);
    assertThat(never.nth(0)).containsText("inventory");
    assertThat(never.nth(0)).containsText("kafka:restock");
    assertThat(never.nth(1)).containsText("reporting");
    assertThat(p.getByTestId("drift-undeclared")).containsText("search-indexer");
    assertThat(p.getByTestId("drift-undeclared")).containsText("kafka:index-stats");
    Locator undeclared = p.getByTestId("drift-no-declaration");
    assertThat(undeclared.filter(new Locator.FilterOptions().setHasText("kafka:audit"))).containsText("merchant-api");
    assertThat(p.getByTestId("drift-ok").first()).isVisible();
    Browsers.shot(p, "drift");
  }

  // ------------------------------------------------------------------ event log

  @Test
  void eventLogTailsLiveFilteredWithPauseAndResume() throws Exception {
    Page p = open("/events?backlog=0&q=" + enc("service=merchant-api"));
    assertThat(p.getByTestId("conn-state")).hasText("live");
    assertThat(p.getByTestId("tail-empty")).isVisible();
    // new events arrive while the page is open; the filter keeps only merchant-api's
    List<dev.weft.core.event.TelemetryEvent> late = shop.late;
    server.post(late.subList(0, 1));
    server.post(UiFixtures.shop().events.stream().filter(e -> e.service().equals("inventory")).limit(3).toList());
    Locator rows = p.getByTestId("tail-row");
    assertThat(rows).hasCount(1);
    assertThat(rows.first()).containsText("START");
    assertThat(rows.first()).containsText("merchant-api");

    // paused: new events wait, counted
    p.getByTestId("pause").click();
    assertThat(p.getByTestId("conn-state")).hasText("paused");
    server.post(late.subList(1, late.size()));
    assertThat(p.getByTestId("pending")).hasText("1 new while paused");
    assertThat(rows).hasCount(1);
    // resumed: they show, newest first
    p.getByTestId("pause").click();
    assertThat(rows).hasCount(2);
    assertThat(rows.first()).containsText("FAIL");
    assertThat(rows.first()).containsText("TIMEOUT: pricing did not answer in time");
    rows.first().click();
    assertThat(p.getByTestId("event-json")).containsText("late-merchant");
    Browsers.shot(p, "events");

    // the backlog of the last day, filtered by type
    p.navigate(server.url("/events?backlog=24h&q=" + enc("type=FAIL service=inventory")));
    assertThat(p.getByTestId("conn-state")).hasText("live");
    assertThat(rows.first()).isVisible();
    int n = rows.count();
    assertThat(n).isEqualTo(9); // flows 0, 5, 10, 15, 20 (seed merchant) and 4, 9, 14, 19 (the XSS probe)
    for (int i = 0; i < n; i++) assertThat(rows.nth(i)).containsText("FAIL");
    rows.nth(1).click();
    assertThat(p.getByTestId("event-json")).containsText("\"event_type\": \"FAIL\"");
    Browsers.shot(p, "events-backlog");

    // a key events do not carry is refused with the server's message
    p.navigate(server.url("/events?q=" + enc("merchant_id=1")));
    assertThat(p.getByTestId("http-400")).containsText("key 'merchant_id' does not apply to events");
    assertThat(p.getByTestId("conn-state")).hasText("stopped");
  }

  // ------------------------------------------------------------------ dashboards

  @Test
  void serviceDashboardShowsChartsFailuresLossAndSavedQueries() throws Exception {
    Page p = open("/dashboards");
    assertThat(p.getByTestId("dashboard-list")).containsText("inventory");
    p.getByTestId("dashboard-list").getByText("inventory").click();
    assertThat(p).hasURL(Pattern.compile(".*/dashboards/inventory$"));
    assertThat(p.getByTestId("chart-rate").locator("canvas")).isVisible();
    assertThat(p.getByTestId("chart-latency").locator("canvas")).isVisible();
    assertThat(p.getByTestId("chart-latency")).containsText("p99");
    assertThat(p.getByTestId("kpi-loss")).containsText("1");
    Locator failing = p.getByTestId("top-failing");
    assertThat(failing).containsText("UpdateInventory");
    assertThat(failing).containsText("OUT_OF_STOCK");
    assertThat(p.getByTestId("loss-table")).containsText("1");
    assertThat(p.getByTestId("no-saved")).isVisible();

    // save a query for the team: it is stored on the server
    p.getByTestId("saved-name").fill("Seed merchant failures");
    Locator q = p.getByTestId("saved-query");
    q.fill("op=UpdateInventory status=failed merchant_id=" + UiFixtures.SEED_MERCHANT);
    q.press("Escape");
    p.getByTestId("saved-queries").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save query")).click();
    Locator saved = p.getByTestId("saved-row");
    assertThat(saved).hasCount(1);
    assertThat(saved).containsText("Seed merchant failures");
    assertThat(p.getByTestId("saved-count")).hasText("5");
    JsonNode api = JSON.readTree(server.get("/api/v1/saved-queries?scope=inventory").body());
    assertThat(api.get("queries")).hasSize(1);
    assertThat(Files.readString(dir.resolve("saved-queries.json"))).contains("Seed merchant failures");
    Browsers.shot(p, "dashboard");
    // a shorter window: finer buckets
    p.getByRole(AriaRole.RADIO, new Page.GetByRoleOptions().setName("6 h")).click();
    assertThat(p).hasURL(Pattern.compile(".*/dashboards/inventory\\?since=6h$"));
    assertThat(p.getByTestId("chart-rate").locator("canvas")).isVisible();
    assertThat(p.getByTestId("saved-count")).hasText("5");
    Browsers.shot(p, "dashboard-6h");

    // a query that does not parse is refused with the parser's message
    p.getByTestId("saved-name").fill("broken");
    q.fill("status=nope");
    q.press("Escape");
    p.getByTestId("saved-queries").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save query")).click();
    assertThat(p.getByTestId("query-error")).containsText("unknown status 'nope'");
    assertThat(saved).hasCount(1);

    // another visitor sees the same list; delete asks first
    p.navigate(server.url("/dashboards/inventory"));
    assertThat(saved).hasCount(1);
    p.getByTestId("saved-delete").click();
    p.getByTestId("saved-confirm-delete").click();
    assertThat(p.getByTestId("no-saved")).isVisible();
    assertThat(JSON.readTree(server.get("/api/v1/saved-queries?scope=inventory").body()).get("queries")).isEmpty();
  }

  // ------------------------------------------------------------------ escaping

  @Test
  void everyUserStringIsEscaped() throws Exception {
    List<String> dialogs = new ArrayList<>();
    Page p = newPage();
    p.onDialog(d -> {
      dialogs.add(d.type() + ": " + d.message());
      d.dismiss();
    });
    String xss = UiFixtures.XSS;

    // search: the tag value in the results
    p.navigate(server.url("/search?q=" + enc("merchant_id=\"" + xss + "\"")));
    assertThat(p.getByTestId("result-row").first()).containsText("merchant_id=" + xss);
    assertThat(p.getByText("merchant_id=" + xss, new Page.GetByTextOptions().setExact(false)).first()).isVisible();

    // autocomplete offers it as a value, quoted, and shows it as text
    Locator input = p.getByTestId("query-input");
    input.fill("");
    input.pressSequentially("merchant_id=<");
    assertThat(p.getByTestId("suggestions")).containsText(xss);

    // trace: the error message and the ptag in the details
    p.navigate(server.url("/trace/" + shop.xssTrace));
    assertThat(p.getByTestId("trace-id")).isVisible();
    p.getByRole(AriaRole.RADIO, new Page.GetByRoleOptions().setName("Tree")).click();
    p.getByTestId("tree-row").filter(new Locator.FilterOptions().setHasText("UpdateInventory")).first().click();
    assertThat(p.getByTestId("details-error")).containsText("merchant " + xss + " is not known");
    p.getByRole(AriaRole.RADIO, new Page.GetByRoleOptions().setName("Event log")).click();
    assertThat(p.getByTestId("trace-events")).containsText(xss);

    // live event log: its backlog shows the same strings
    p.navigate(server.url("/events?backlog=24h&q=" + enc("trace=" + shop.xssTrace)));
    assertThat(p.getByTestId("tail")).containsText(xss);

    // a saved query's name
    p.navigate(server.url("/dashboards/merchant-api"));
    p.getByTestId("saved-name").fill(xss);
    Locator q = p.getByTestId("saved-query");
    q.fill("service=merchant-api");
    q.press("Escape");
    p.getByTestId("saved-queries").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save query")).click();
    assertThat(p.getByTestId("saved-row")).containsText(xss);
    Browsers.shot(p, "escaping");

    // nothing was parsed as markup: no such image exists, and no script ran
    p.waitForTimeout(300);
    assertThat(p.locator("img[src='x']").count()).isZero();
    assertThat(p.locator("img").count()).isZero();
    assertThat(dialogs).isEmpty();
  }
}
