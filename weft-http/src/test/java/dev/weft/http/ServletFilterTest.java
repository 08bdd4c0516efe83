package dev.weft.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Envelope;
import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Stage;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.http.Fixtures.Side;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The servlet filter in a real embedded Jetty 12 (ee10, Servlet 6), called by the java.net.http client wrapper. */
class ServletFilterTest {
  static final HttpRoute SKUS = HttpRoute.of("POST", "/skus", "urn:shop:UpdateSku:v1", "urn:shop:SkuUpdated:v1");

  Side api;
  Side catalog;
  Server jetty;
  ServletContextHandler context;
  ServerConnector connector;
  HttpClient http;
  WeftHttpClient client;

  @BeforeEach
  void setUp() {
    api = Side.of("merchant-api");
    catalog = Side.of("catalog");
    jetty = new Server(new QueuedThreadPool(16, 2));
    HttpConfiguration config = new HttpConfiguration();
    // Jetty's default 8 KiB for all request headers together would refuse the oversized-header test with 431
    // before the filter ran; Weft's own limit is on its headers alone.
    config.setRequestHeaderSize(32 * 1024);
    connector = new ServerConnector(jetty, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    context = new ServletContextHandler("/");
    jetty.setHandler(context);
    http = Fixtures.httpClient();
    client = WeftHttpClient.create(http, api.tracer());
  }

  void start(boolean withFilter) throws Exception {
    if (withFilter) {
      context.addFilter(new WeftServletFilter(catalog.tracer()), "/*", EnumSet.of(DispatcherType.REQUEST))
          .setAsyncSupported(true); // so async servlets behind it may start async
    }
    jetty.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    jetty.stop();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
  }

  WeftHttpClient.Endpoint<String, String> skus() {
    return client.endpoint(SKUS, uri("/skus"), PayloadCodec.utf8(), PayloadCodec.utf8()).withTimeout(Fixtures.TIMEOUT);
  }

  static String body(HttpServletRequest req) throws IOException {
    return new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void clientAndFilteredServletShareTheTraceAndTheDag() throws Exception {
    AtomicReference<Operation> attribute = new AtomicReference<>();
    AtomicReference<Operation> current = new AtomicReference<>();
    context.addServlet(new HttpServlet() {
      @Override
      protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Operation op = WeftServletFilter.operation(req);
        attribute.set(op);
        current.set(catalog.tracer().current());
        op.ptag("shard", "eu-1");
        String sku = body(req);
        resp.setContentType("text/plain");
        resp.getWriter().write("updated " + sku + " for " + op.context().ptags().get("merchant_id"));
      }
    }, "/skus");
    start(true);

    HttpReply<String> reply;
    Header request;
    try (Operation caller = api.tracer().start("UpdateSku")) {
      caller.ptag("merchant_id", "4c5d6e7");
      Envelope<Stage.Out, String> out = caller.prepareOut(SKUS.requestSchema(), "sku-42");
      request = out.header();
      reply = skus().send(out, caller);
      caller.complete();
    }

    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(reply.payload()).isEqualTo("updated sku-42 for 4c5d6e7");
    TelemetryEvent serverStart = catalog.await("START");
    assertThat(serverStart.op()).isEqualTo("HTTP POST /skus");
    assertThat(serverStart.traceId()).isEqualTo(request.traceId());
    assertThat(serverStart.inputs()).containsExactly(request.messageId());
    assertThat(serverStart.tags()).containsEntry("merchant_id", "4c5d6e7");
    TelemetryEvent receive = catalog.only("RECEIVE");
    assertThat(receive.message().channel()).isEqualTo("http:POST:/skus");
    assertThat(receive.message().header()).isEqualTo(request);
    TelemetryEvent send = catalog.only("SEND");
    assertThat(send.message().channel()).isEqualTo("http:POST:/skus");
    assertThat(send.message().header()).isEqualTo(reply.header());
    TelemetryEvent complete = catalog.await("COMPLETE");
    assertThat(complete.opId()).isEqualTo(serverStart.opId());
    assertThat(complete.tags()).containsEntry("http.status_code", "200");

    assertThat(reply.header().parentIds()).containsExactly(request.messageId());
    assertThat(reply.header().ptags()).containsEntry("merchant_id", "4c5d6e7").containsEntry("shard", "eu-1");
    assertThat(reply.header().producerId()).isEqualTo("catalog");
    assertThat(reply.response().headers().firstValue("traceparent")).hasValueSatisfying(
        tp -> assertThat(tp).startsWith("00-" + request.traceId() + "-"));

    assertThat(api.only("SEND").message().channel()).isEqualTo("http:POST:/skus");
    assertThat(api.only("RECEIVE").message().header().messageId()).isEqualTo(reply.header().messageId());
    assertThat(api.await(e -> e.eventType().equals("COMPLETE") && "HTTP POST /skus".equals(e.op()), "client COMPLETE")
        .traceId()).isEqualTo(request.traceId());

    assertThat(attribute.get()).isNotNull().isSameAs(current.get());
    assertThat(attribute.get().id()).isEqualTo(serverStart.opId());
  }

  @Test
  void serverErrorStatusFailsBothSides() throws Exception {
    context.addServlet(new HttpServlet() {
      @Override
      protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setStatus(503);
        resp.getWriter().write("read-only");
      }
    }, "/skus");
    start(true);
    HttpReply<String> reply = skus().call("sku-1", null);
    assertThat(reply.statusCode()).isEqualTo(503);
    assertThat(api.await("FAIL").error().type()).isEqualTo("HTTP 503");
    TelemetryEvent serverFail = catalog.await("FAIL");
    assertThat(serverFail.error().type()).isEqualTo("HTTP 503");
    assertThat(serverFail.tags()).containsEntry("http.status_code", "503");
    assertThat(reply.header().producerId()).isEqualTo("catalog"); // the error reply carries the server's header
  }

  @Test
  void sendErrorStillCarriesTheReplyHeader() throws Exception {
    context.addServlet(new HttpServlet() {
      @Override
      protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.sendError(502, "upstream gone");
      }
    }, "/skus");
    start(true);
    HttpReply<String> reply = skus().call("sku-1", null);
    assertThat(reply.statusCode()).isEqualTo(502);
    assertThat(catalog.await("FAIL").error().type()).isEqualTo("HTTP 502");
    assertThat(catalog.only("SEND").message().header()).isEqualTo(reply.header());
  }

  @Test
  void servletExceptionFailsTheServerOperationAndReachesTheContainer() throws Exception {
    context.addServlet(new HttpServlet() {
      @Override
      protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException {
        throw new ServletException("inventory store down");
      }
    }, "/skus");
    start(true);
    HttpReply<String> reply = skus().call("sku-1", null);
    assertThat(reply.statusCode()).isEqualTo(500); // the container saw the exception and answered 500
    TelemetryEvent serverFail = catalog.await("FAIL");
    assertThat(serverFail.error().type()).isEqualTo("jakarta.servlet.ServletException");
    assertThat(serverFail.error().message()).isEqualTo("inventory store down");
    assertThat(api.await("FAIL").error().type()).isEqualTo("HTTP 500");
  }

  @Test
  void garbledAndOversizedHeadersAreCountedAdoptedAndServed() throws Exception {
    context.addServlet(new HttpServlet() {
      @Override
      protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.getWriter().write("served");
      }
    }, "/skus");
    start(true);

    long before = Faults.get(Fault.HEADER_DECODE_ERROR);
    HttpResponse<String> garbled = http.send(HttpRequest.newBuilder(uri("/skus"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).header("weft", "9.0;c=abc").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(garbled.statusCode()).isEqualTo(200);
    assertThat(garbled.body()).isEqualTo("served");
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR) - before).isEqualTo(1);
    catalog.await("COMPLETE");
    Header first = catalog.only("RECEIVE").message().header();
    assertThat(first.mtags()).containsEntry("weft.adopted", "none")
        .containsEntry("weft.header_error", "unsupported_version");
    catalog.sink().clear();

    Header valid = Header.origin("merchant-api", SKUS.requestSchema());
    HttpResponse<String> oversized = http.send(HttpRequest.newBuilder(uri("/skus"))
        .POST(HttpRequest.BodyPublishers.ofString("x"))
        .header("weft", "1.0;c=" + valid.traceId() + ";m=" + valid.messageId() + ";pr=a;s=b;t=1")
        .header("weft-mtags", "note=" + "x".repeat(8500)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(oversized.statusCode()).isEqualTo(200);
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR) - before).isEqualTo(2);
    Header second = catalog.await("RECEIVE").message().header();
    assertThat(second.mtags()).containsEntry("weft.header_error", "oversized");
    assertThat(second.traceId()).isNotEqualTo(valid.traceId());
    assertThat(catalog.await("START").inputs()).containsExactly(second.messageId());
  }

  @Test
  void theRouteIsTheServletMappingPatternNotTheConcretePath() throws Exception {
    context.addServlet(new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.getWriter().write("sku " + req.getPathInfo());
      }
    }, "/skus/*");
    start(true);
    for (String id : new String[] {"/skus/1", "/skus/2?x=y"}) {
      assertThat(http.send(HttpRequest.newBuilder(uri(id)).GET().build(), HttpResponse.BodyHandlers.ofString())
          .statusCode()).isEqualTo(200);
    }
    catalog.await(e -> e.eventType().equals("COMPLETE") && catalog.events("COMPLETE").size() == 2, "2 COMPLETE");
    assertThat(catalog.events("RECEIVE")).extracting(e -> e.message().channel())
        .containsExactly("http:GET:/skus/*", "http:GET:/skus/*");
    assertThat(catalog.events("START")).extracting(TelemetryEvent::op).containsOnly("HTTP GET /skus/*");
  }

  @Test
  void anAsyncServletEndsItsOperationWhenTheAsyncCycleCompletes() throws Exception {
    context.addServlet(new HttpServlet() {
      @Override
      protected void doPost(HttpServletRequest req, HttpServletResponse resp) {
        Operation op = WeftServletFilter.operation(req);
        AsyncContext async = req.startAsync();
        async.start(() -> {
          try {
            Thread.sleep(50);
            op.ptag("async", "yes");
            resp.getWriter().write("later");
          } catch (Exception e) {
            resp.setStatus(500);
          }
          async.complete();
        });
      }
    }, "/skus").setAsyncSupported(true);
    start(true);
    HttpReply<String> reply = skus().call("sku-1", null);
    assertThat(reply.payload()).isEqualTo("later");
    assertThat(reply.header().ptags()).containsEntry("async", "yes");
    TelemetryEvent done = catalog.await("COMPLETE");
    assertThat(done.tags()).containsEntry("async", "yes").containsEntry("http.status_code", "200");
    assertThat(catalog.events("FAIL")).isEmpty();
  }

  @Test
  void aContainerCreatedFilterTakesItsTracerFromTheServletContext() throws Exception {
    context.setAttribute(WeftServletFilter.TRACER_ATTRIBUTE, catalog.tracer());
    context.addFilter(WeftServletFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new HttpServlet() {
      @Override
      protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.getWriter().write(WeftServletFilter.operation(req) != null ? "traced" : "untraced");
      }
    }, "/skus");
    start(false);
    HttpReply<String> reply = skus().call("sku-1", null);
    assertThat(reply.payload()).isEqualTo("traced");
    assertThat(catalog.await("START").inputs()).containsExactly(api.only("SEND").message().header().messageId());
  }
}
