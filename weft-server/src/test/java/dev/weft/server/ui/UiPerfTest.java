package dev.weft.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import dev.weft.core.event.TelemetryEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UI on big data, measured in headless Chromium: a trace of 5,000 operations, a topology of 200 services and
 * 1,000 edges, and the compressed JavaScript the UI loads. The figures go to target/ui-perf.json (and, by hand, to
 * BENCHMARKS.md). Bounds asserted here are deliberately loose (a shared 2-core machine); the report has the numbers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiPerfTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int OPS = 5000;
  static final int SERVICES = 200;
  static final int EDGES_PER_SERVICE = 5;

  Browsers browsers;
  final ObjectNode report = JSON.createObjectNode();

  @BeforeAll
  void start() {
    browsers = new Browsers();
    report.put("browser", "chromium " + browsers.browser.version());
    report.put("cpus", Runtime.getRuntime().availableProcessors());
  }

  @AfterAll
  void stop() throws Exception {
    if (browsers != null) browsers.close();
    Path out = Path.of("target", "ui-perf.json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
  }

  static double num(Object o) {
    return o == null ? Double.NaN : ((Number) o).doubleValue();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> perf(Page p) {
    return (Map<String, Object>) p.evaluate("() => ({...window.__weftPerf})");
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  @Test
  void aTraceOf5000OperationsRendersAndIsInteractive(@TempDir Path dir) throws Exception {
    List<TelemetryEvent> events = UiFixtures.bigTrace(OPS);
    String trace = events.get(0).traceId();
    try (Browsers.Server server = new Browsers.Server(dir, null)) {
      long t0 = System.nanoTime();
      server.post(events);
      report.put("traceEvents", events.size());
      report.put("traceIngestMs", round((System.nanoTime() - t0) / 1e6));
      long a0 = System.nanoTime();
      String body = server.get("/api/v1/traces/" + trace).body();
      report.put("traceApiMs", round((System.nanoTime() - a0) / 1e6));
      report.put("traceJsonBytes", body.length());

      Page p = browsers.page();
      List<Response> js = new ArrayList<>();
      List<Response> api = new ArrayList<>();
      p.onResponse(r -> {
        if (r.url().endsWith(".js")) js.add(r);
        if (r.url().contains("/api/v1/traces/")) api.add(r);
      });
      p.navigate(server.url("/trace/" + trace));
      p.waitForFunction("() => document.documentElement.dataset.traceReady", null,
          new Page.WaitForFunctionOptions().setTimeout(120_000));
      assertThat(p.getByTestId("op-count")).hasText(String.valueOf(OPS));
      Map<String, Object> perf = perf(p);
      double dataAt = num(perf.get("traceDataAt"));
      double readyAt = num(perf.get("traceReadyAt"));
      ObjectNode t = report.putObject("trace5000");
      t.put("operations", OPS);
      t.put("navigationToDataMs", round(dataAt));
      t.put("dataToRenderedMs", round(readyAt - dataAt));
      t.put("navigationToRenderedMs", round(readyAt));
      t.put("modelMs", round(num(perf.get("traceModelMs"))));
      t.put("dagLayoutMs", round(num(perf.get("dagLayoutMs"))));
      assertThat(api).hasSize(1);
      t.put("traceResponseTransferredBytes", api.get(0).request().sizes().responseBodySize);
      t.put("traceResponseEncoding", String.valueOf(api.get(0).headerValue("content-encoding")));

      // interactive: a click on a node shows its details
      p.waitForFunction("() => window.__weftDag");
      String target = events.stream().filter(e -> "START".equals(e.eventType()) && "Step7".equals(e.op()))
          .findFirst().orElseThrow().opId();
      Map<?, ?> at = (Map<?, ?>) p.evaluate("id => window.__weftDag.point(id)", target);
      long c0 = System.nanoTime();
      p.mouse().click(num(at.get("x")), num(at.get("y")));
      assertThat(p.getByTestId("details")).containsText("Step7");
      double clickMs = (System.nanoTime() - c0) / 1e6;
      t.put("clickToDetailsMs", round(clickMs));
      t.put("renderedAndInteractiveAfterDataMs", round(readyAt - dataAt + clickMs));
      Browsers.shot(p, "perf-trace-5000");

      // the other views of the same trace
      for (String tab : new String[] {"Timeline", "Tree", "Event log", "Graph"}) {
        long s0 = System.nanoTime();
        p.getByRole(AriaRole.RADIO, new Page.GetByRoleOptions().setName(tab)).click();
        String testid = switch (tab) {
          case "Timeline" -> "timeline-row";
          case "Tree" -> "tree-row";
          case "Event log" -> "trace-event-row";
          default -> "dag-canvas";
        };
        p.getByTestId(testid).first().waitFor();
        p.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))");
        t.put("switchTo" + tab.replace(" ", "") + "Ms", round((System.nanoTime() - s0) / 1e6));
      }

      // what the UI loads: compressed JavaScript, as transferred
      long transferred = 0;
      long decoded = 0;
      for (Response r : js) {
        transferred += r.request().sizes().responseBodySize;
        decoded += r.body().length;
        assertThat(r.headerValue("content-encoding")).isEqualTo("gzip");
      }
      ObjectNode size = report.putObject("javascript");
      size.put("files", js.size());
      size.put("transferredGzipBytes", transferred);
      size.put("decodedBytes", decoded);
      assertThat(transferred).isPositive().isLessThanOrEqualTo(1_000_000);

      // loose bounds: a regression by an order of magnitude fails, normal noise does not
      assertThat(readyAt - dataAt).isLessThan(10_000);
      assertThat(clickMs).isLessThan(5_000);
      p.context().close();
    }
  }

  @Test
  void aTopologyOf200ServicesAnd1000EdgesRendersAndIsInteractive(@TempDir Path dir) throws Exception {
    List<TelemetryEvent> events = UiFixtures.bigTopology(SERVICES, EDGES_PER_SERVICE);
    try (Browsers.Server server = new Browsers.Server(dir, null)) {
      long t0 = System.nanoTime();
      server.post(events);
      report.put("topologyEvents", events.size());
      report.put("topologyIngestMs", round((System.nanoTime() - t0) / 1e6));
      long a0 = System.nanoTime();
      server.get("/api/v1/topology?since=24h");
      report.put("topologyApiMs", round((System.nanoTime() - a0) / 1e6));

      Page p = browsers.page();
      p.navigate(server.url("/topology?since=24h"));
      p.waitForFunction("() => document.documentElement.dataset.topologyReady && window.__weftTopo", null,
          new Page.WaitForFunctionOptions().setTimeout(120_000));
      assertThat(p.getByText(SERVICES + " nodes, " + SERVICES * EDGES_PER_SERVICE + " edges")).isVisible();
      Map<String, Object> perf = perf(p);
      double dataAt = num(perf.get("topologyDataAt"));
      double readyAt = num(perf.get("topologyReadyAt"));
      ObjectNode t = report.putObject("topology200x1000");
      t.put("services", SERVICES);
      t.put("edges", SERVICES * EDGES_PER_SERVICE);
      t.put("navigationToDataMs", round(dataAt));
      t.put("dataToRenderedMs", round(readyAt - dataAt));
      t.put("navigationToRenderedMs", round(readyAt));
      t.put("forceLayoutMs", round(num(perf.get("topoLayoutMs"))));

      // interactive: hovering a service highlights it and shows its card
      Map<?, ?> at = (Map<?, ?>) p.evaluate("k => window.__weftTopo.point(k)", "svc:service-042");
      long h0 = System.nanoTime();
      p.mouse().move(num(at.get("x")), num(at.get("y")));
      assertThat(p.getByTestId("topology-tip")).containsText("service-042");
      double hoverMs = (System.nanoTime() - h0) / 1e6;
      t.put("hoverToCardMs", round(hoverMs));
      t.put("renderedAndInteractiveAfterDataMs", round(readyAt - dataAt + hoverMs));
      Browsers.shot(p, "perf-topology-200");
      // and a click opens its search
      p.mouse().click(num(at.get("x")), num(at.get("y")));
      assertThat(p.getByTestId("canonical-query")).hasText("service=service-042 since=1d");

      assertThat(readyAt - dataAt).isLessThan(10_000);
      assertThat(hoverMs).isLessThan(5_000);
      p.context().close();
    }
  }
}
