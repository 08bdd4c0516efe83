package dev.weft.http;

import static dev.weft.http.Fixtures.body;
import static dev.weft.http.Fixtures.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.core.Envelope;
import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Stage;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.topology.DeclaredChannel;
import dev.weft.core.topology.Direction;
import dev.weft.core.topology.TopologyScanner;
import dev.weft.http.Fixtures.JdkServer;
import dev.weft.http.Fixtures.Side;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The java.net.http client wrapper against the JDK HttpServer handler, over real loopback sockets. */
class JdkHttpServerTest {
  static final HttpRoute SKUS = HttpRoute.of("POST", "/skus", "urn:shop:UpdateSku:v1", "urn:shop:SkuUpdated:v1");

  Side api;
  Side catalog;
  JdkServer server;
  HttpClient http;
  WeftHttpClient client;

  @BeforeEach
  void setUp() throws IOException {
    api = Side.of("merchant-api");
    catalog = Side.of("catalog");
    server = new JdkServer();
    http = Fixtures.httpClient();
    client = WeftHttpClient.create(http, api.tracer());
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  WeftHttpClient.Endpoint<String, String> skus() {
    return client.endpoint(SKUS, server.uri("/skus"), PayloadCodec.utf8(), PayloadCodec.utf8())
        .withTimeout(Fixtures.TIMEOUT);
  }

  @Test
  void clientAndServerOperationsFormOneDagOverRealHttp() throws Exception {
    AtomicReference<Operation> seenAsCurrent = new AtomicReference<>();
    AtomicReference<Operation> seenAsAttribute = new AtomicReference<>();
    AtomicReference<String> merchantInHandler = new AtomicReference<>();
    server.handle("/skus", WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(ex -> {
      seenAsCurrent.set(catalog.tracer().current());
      Operation op = WeftHttpHandler.operation(ex);
      seenAsAttribute.set(op);
      merchantInHandler.set(op.context().ptags().get("merchant_id"));
      op.ptag("shard", "eu-1"); // set while handling: must reach the reply's header
      respond(ex, 200, "updated " + body(ex));
    }));

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
    assertThat(reply.payload()).isEqualTo("updated sku-42");
    String trace = request.traceId();

    // client: START (child of the caller), SEND request, RECEIVE reply, COMPLETE
    TelemetryEvent clientStart = api.await(e -> e.eventType().equals("START") && "HTTP POST /skus".equals(e.op()), "client START");
    TelemetryEvent callerStart = api.await(e -> e.eventType().equals("START") && "UpdateSku".equals(e.op()), "caller START");
    assertThat(clientStart.parentOpId()).isEqualTo(callerStart.opId());
    assertThat(clientStart.traceId()).isEqualTo(trace);
    assertThat(clientStart.tags()).containsEntry("merchant_id", "4c5d6e7");
    TelemetryEvent clientSend = api.only("SEND");
    assertThat(clientSend.message().channel()).isEqualTo("http:POST:/skus");
    assertThat(clientSend.message().header()).isEqualTo(request);
    assertThat(clientSend.opId()).isEqualTo(clientStart.opId());
    TelemetryEvent clientReceive = api.only("RECEIVE");
    assertThat(clientReceive.message().channel()).isEqualTo("http:POST:/skus");
    assertThat(clientReceive.message().header()).isEqualTo(reply.header());
    assertThat(clientReceive.opId()).isEqualTo(clientStart.opId());
    TelemetryEvent clientEnd = api.await(e -> e.eventType().equals("COMPLETE") && clientStart.opId().equals(e.opId()), "client COMPLETE");
    assertThat(clientEnd.tags()).containsEntry("http.status_code", "200");

    // server: START with the request as input, RECEIVE, SEND reply, COMPLETE; same trace
    TelemetryEvent serverStart = catalog.only("START");
    assertThat(serverStart.op()).isEqualTo("HTTP POST /skus");
    assertThat(serverStart.traceId()).isEqualTo(trace);
    assertThat(serverStart.inputs()).containsExactly(request.messageId());
    assertThat(serverStart.tags()).containsEntry("merchant_id", "4c5d6e7");
    TelemetryEvent serverReceive = catalog.only("RECEIVE");
    assertThat(serverReceive.message().channel()).isEqualTo("http:POST:/skus");
    assertThat(serverReceive.message().header().messageId()).isEqualTo(request.messageId());
    assertThat(serverReceive.message().header().ptags()).containsEntry("merchant_id", "4c5d6e7");
    TelemetryEvent serverSend = catalog.only("SEND");
    assertThat(serverSend.message().channel()).isEqualTo("http:POST:/skus");
    TelemetryEvent serverEnd = catalog.await("COMPLETE");
    assertThat(serverEnd.opId()).isEqualTo(serverStart.opId());
    assertThat(serverEnd.tags()).containsEntry("http.status_code", "200").containsEntry("shard", "eu-1");

    // the reply's header: written by the server, caused by the request, carrying both ptags
    Header rep = reply.header();
    assertThat(rep).isEqualTo(serverSend.message().header());
    assertThat(rep.parentIds()).containsExactly(request.messageId());
    assertThat(rep.traceId()).isEqualTo(trace);
    assertThat(rep.producerId()).isEqualTo("catalog");
    assertThat(rep.payloadSchemaUri()).isEqualTo("urn:shop:SkuUpdated:v1");
    assertThat(rep.ptags()).containsEntry("merchant_id", "4c5d6e7").containsEntry("shard", "eu-1");
    assertThat(reply.response().headers().firstValue("traceparent")).hasValueSatisfying(
        tp -> assertThat(tp).startsWith("00-" + trace + "-"));

    // the application saw the operation both ways
    assertThat(seenAsCurrent.get()).isNotNull().isSameAs(seenAsAttribute.get());
    assertThat(seenAsCurrent.get().id()).isEqualTo(serverStart.opId());
    assertThat(merchantInHandler.get()).isEqualTo("4c5d6e7");
    assertThat(catalog.tracer().current()).isNull();
  }

  @Test
  void requestCarriesWeftHeaderAndTraceparentOnTheWire() throws Exception {
    Map<String, String> seen = new HashMap<>();
    server.handle("/skus", ex -> {
      for (String k : List.of("weft", "weft-ptags", "traceparent")) seen.put(k, ex.getRequestHeaders().getFirst(k));
      respond(ex, 200, "ok");
    });
    Envelope<Stage.Out, String> out = Envelope.prepareOrigin("merchant-api", SKUS.requestSchema(), "x",
        Map.of("merchant_id", "4c5d6e7"));
    skus().send(out, null);
    String id = out.header().messageId();
    assertThat(seen.get("weft")).startsWith("1.").contains("m=" + id).contains("c=" + out.header().traceId());
    assertThat(seen.get("weft-ptags")).isEqualTo("merchant_id=4c5d6e7");
    assertThat(seen.get("traceparent")).isEqualTo("00-" + out.header().traceId() + "-" + id.substring(16) + "-01");
  }

  @Test
  void serverErrorStatusFailsBothOperations() throws Exception {
    server.handle("/skus", WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(
        ex -> respond(ex, 503, "catalog is read-only")));
    HttpReply<String> reply = skus().call("sku-1", null);

    assertThat(reply.statusCode()).isEqualTo(503);
    assertThat(reply.isSuccess()).isFalse();
    assertThat(reply.payload()).isNull(); // an error body is not a reply of the reply type
    assertThat(new String(reply.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("catalog is read-only");
    TelemetryEvent clientFail = api.await("FAIL");
    assertThat(clientFail.error().type()).isEqualTo("HTTP 503");
    assertThat(clientFail.error().message()).contains("POST").contains("/skus").contains("503");
    assertThat(clientFail.tags()).containsEntry("http.status_code", "503");
    TelemetryEvent serverFail = catalog.await("FAIL");
    assertThat(serverFail.error().type()).isEqualTo("HTTP 503");
    assertThat(serverFail.traceId()).isEqualTo(clientFail.traceId());
    // the error reply still carries the server's header
    assertThat(reply.header().parentIds()).containsExactly(api.only("SEND").message().header().messageId());
    assertThat(catalog.events("COMPLETE")).isEmpty();
  }

  @Test
  void clientErrorStatusFailsTheCallButTheServerServedIt() throws Exception {
    server.handle("/skus", WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(
        ex -> respond(ex, 404, "no such sku")));
    HttpReply<String> reply = skus().call("sku-1", null);
    assertThat(reply.statusCode()).isEqualTo(404);
    assertThat(api.await("FAIL").error().type()).isEqualTo("HTTP 404");
    assertThat(catalog.await("COMPLETE").tags()).containsEntry("http.status_code", "404");
  }

  @Test
  void handlerExceptionFailsTheServerOperationAndStillPropagates() throws Exception {
    AtomicReference<Throwable> reachedServer = new AtomicReference<>();
    WeftHttpHandler traced = WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(ex -> {
      throw new IllegalStateException("inventory store down");
    });
    server.handle("/skus", ex -> {
      try {
        traced.handle(ex);
      } catch (RuntimeException e) {
        reachedServer.set(e); // the application's exception is not swallowed by tracing
        ex.close();
      }
    });

    assertThatThrownBy(() -> skus().call("sku-1", null)).isInstanceOf(IOException.class);
    TelemetryEvent serverFail = catalog.await("FAIL");
    assertThat(serverFail.error().type()).isEqualTo("java.lang.IllegalStateException");
    assertThat(serverFail.error().message()).isEqualTo("inventory store down");
    assertThat(reachedServer.get()).isInstanceOf(IllegalStateException.class);
    TelemetryEvent clientFail = api.await("FAIL");
    assertThat(clientFail.error().type()).contains("IOException");
    assertThat(api.events("RECEIVE")).isEmpty();
  }

  @Test
  void connectionRefusedFailsTheCallAndReachesTheCaller() throws Exception {
    URI nowhere = URI.create("http://127.0.0.1:" + Fixtures.unusedPort() + "/skus");
    WeftHttpClient.Endpoint<String, String> ep = client.endpoint(SKUS, nowhere, PayloadCodec.utf8(), PayloadCodec.utf8());
    try (Operation caller = api.tracer().start("UpdateSku")) {
      assertThatThrownBy(() -> ep.call("sku-1", caller)).isInstanceOf(ConnectException.class);
      caller.complete();
    }
    TelemetryEvent fail = api.await("FAIL");
    assertThat(fail.op()).isEqualTo("HTTP POST /skus");
    assertThat(fail.error().type()).isEqualTo("java.net.ConnectException");
    assertThat(api.events("SEND")).hasSize(1); // the request was handed to the transport
    assertThat(api.events("RECEIVE")).isEmpty();
  }

  @Test
  void payloadCodecFailureFailsTheCallWithTheCodecsException() {
    PayloadCodec<String> broken = new PayloadCodec<>() {
      @Override
      public byte[] encode(String value) {
        throw new IllegalArgumentException("not JSON: " + value);
      }

      @Override
      public String decode(byte[] bytes) {
        return "";
      }
    };
    var ep = client.endpoint(SKUS, server.uri("/skus"), broken, PayloadCodec.utf8());
    assertThatThrownBy(() -> ep.call("oops", null)).isInstanceOf(PayloadException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(api.await("FAIL").error().type()).isEqualTo("java.lang.IllegalArgumentException");
    assertThat(api.events("SEND")).isEmpty(); // nothing left
  }

  @Test
  void asyncCallEndsTheOperationWhenTheReplyArrives() throws Exception {
    server.handle("/skus", WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(
        ex -> respond(ex, 200, body(ex).toUpperCase())));
    Envelope<Stage.Out, String> out = Envelope.prepareOrigin("merchant-api", SKUS.requestSchema(), "sku-9");
    HttpReply<String> reply = skus().sendAsync(out, null).get(10, TimeUnit.SECONDS);
    assertThat(reply.payload()).isEqualTo("SKU-9");
    assertThat(reply.header().parentIds()).containsExactly(out.header().messageId());
    assertThat(api.await("COMPLETE").op()).isEqualTo("HTTP POST /skus");
    assertThat(catalog.await("START").inputs()).containsExactly(out.header().messageId());
  }

  @Test
  void asyncTransportFailureFailsTheFutureAndTheOperation() throws Exception {
    URI nowhere = URI.create("http://127.0.0.1:" + Fixtures.unusedPort() + "/skus");
    var ep = client.endpoint(SKUS, nowhere, PayloadCodec.utf8(), PayloadCodec.utf8());
    var future = ep.sendAsync(Envelope.prepareOrigin("merchant-api", SKUS.requestSchema(), "x"), null);
    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ConnectException.class);
    assertThat(api.await("FAIL").error().type()).isEqualTo("java.net.ConnectException");
  }

  @Test
  void garbledWeftHeaderBecomesACountedAdoptedOriginAndTheRequestIsServed() throws Exception {
    server.handle("/skus", WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(ex -> respond(ex, 200, "ok")));
    long before = Faults.get(Fault.HEADER_DECODE_ERROR);
    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(server.uri("/skus"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).header("weft", "1.0;c=not-an-id;m=0af7651916cd43dd8448eb211c80319c;pr=x;s=urn:x;t=1").build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR) - before).isEqualTo(1);
    Header adopted = catalog.only("RECEIVE").message().header();
    assertThat(adopted.isOrigin()).isTrue();
    assertThat(adopted.producerId()).isEqualTo("unknown");
    assertThat(adopted.payloadSchemaUri()).isEqualTo(SKUS.requestSchema());
    assertThat(adopted.mtags()).containsEntry("weft.adopted", "none").containsEntry("weft.header_error", "invalid_field");
    TelemetryEvent start = catalog.only("START");
    assertThat(start.inputs()).containsExactly(adopted.messageId());
    assertThat(start.traceId()).isEqualTo(adopted.traceId());
    // the reply is still a child of the adopted request
    assertThat(resp.headers().firstValue("weft")).hasValueSatisfying(v -> assertThat(v).contains("p=" + adopted.messageId()));
    catalog.await("COMPLETE");
  }

  @Test
  void garbledWeftHeaderBesideATraceparentContinuesTheForeignTrace() throws Exception {
    server.handle("/skus", WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(ex -> respond(ex, 200, "ok")));
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    long before = Faults.get(Fault.HEADER_DECODE_ERROR);
    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(server.uri("/skus"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).header("weft", "garbage")
        .header("traceparent", "00-" + trace + "-00f067aa0ba902b7-01").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR) - before).isEqualTo(1);
    Header adopted = catalog.only("RECEIVE").message().header();
    assertThat(adopted.traceId()).isEqualTo(trace);
    assertThat(adopted.mtags()).containsEntry("weft.adopted", "w3c").containsEntry("weft.header_error", "malformed");
    assertThat(catalog.await("COMPLETE").tags()).containsEntry("http.foreign_parent_span_id", "00f067aa0ba902b7");
  }

  @Test
  void oversizedWeftHeaderIsRefusedCountedAndTheRequestIsServed() throws Exception {
    server.handle("/skus", WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(ex -> respond(ex, 200, "ok")));
    Header valid = Header.origin("merchant-api", SKUS.requestSchema());
    StringBuilder weft = new StringBuilder();
    dev.weft.core.carrier.TextHeaderCodec.encode(valid, dev.weft.core.carrier.TextCarrier.of(new HashMap<>() {
      @Override
      public String put(String k, String v) {
        if (k.equals("weft")) weft.append(v);
        return null;
      }
    }));
    String huge = "k=" + "v".repeat(9000); // the three weft headers together exceed 8 KiB
    long before = Faults.get(Fault.HEADER_DECODE_ERROR);
    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(server.uri("/skus"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).header("weft", weft.toString()).header("weft-ptags", huge)
        .build(), HttpResponse.BodyHandlers.ofString());

    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR) - before).isEqualTo(1);
    Header adopted = catalog.only("RECEIVE").message().header();
    assertThat(adopted.mtags()).containsEntry("weft.header_error", "oversized");
    assertThat(adopted.traceId()).isNotEqualTo(valid.traceId()); // nothing of a refused header is trusted
    assertThat(adopted.ptags()).isEmpty();
  }

  @Test
  void aRequestHeaderThatWouldExceed8KiBIsNotWrittenButTheTraceStillTravels() throws Exception {
    server.handle("/skus", WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(ex -> respond(ex, 200, "ok")));
    Map<String, String> ptags = new HashMap<>();
    for (int i = 0; i < 32; i++) ptags.put("k" + i, "\u20ac".repeat(200)); // 9 bytes each once percent-encoded
    Envelope<Stage.Out, String> out = Envelope.prepareOrigin("merchant-api", SKUS.requestSchema(), "x", ptags);
    long before = Faults.get(Fault.HEADER_ENCODE_ERROR);

    HttpReply<String> reply = skus().send(out, null);

    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(Faults.get(Fault.HEADER_ENCODE_ERROR) - before).isEqualTo(1);
    Header received = catalog.only("RECEIVE").message().header();
    assertThat(received.mtags()).containsEntry("weft.adopted", "w3c"); // traceparent alone arrived
    assertThat(received.traceId()).isEqualTo(out.header().traceId());
  }

  @Test
  void noTracingHeadersMeansANewOriginAndNoFault() throws Exception {
    server.handle("/skus", WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(ex -> respond(ex, 200, "ok")));
    long before = Faults.get(Fault.HEADER_DECODE_ERROR);
    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(server.uri("/skus"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR)).isEqualTo(before);
    Header adopted = catalog.only("RECEIVE").message().header();
    assertThat(adopted.mtags()).containsEntry("weft.adopted", "none").doesNotContainKey("weft.header_error");
    assertThat(resp.headers().firstValue("traceparent")).hasValueSatisfying(
        tp -> assertThat(tp).contains(adopted.traceId()));
  }

  @Test
  void b3HeadersAreAdopted() throws Exception {
    server.handle("/skus", WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(ex -> respond(ex, 200, "ok")));
    String trace = "80f198ee56343ba864fe8b2a57d3eff7";
    http.send(HttpRequest.newBuilder(server.uri("/skus")).POST(HttpRequest.BodyPublishers.ofString("x"))
        .header("b3", trace + "-e457b5a2e4d86bd1-1").header("baggage", "merchant_id=m-9").build(),
        HttpResponse.BodyHandlers.ofString());
    TelemetryEvent start = catalog.await("START");
    assertThat(start.traceId()).isEqualTo(trace);
    assertThat(start.tags()).containsEntry("merchant_id", "m-9");
    assertThat(catalog.only("RECEIVE").message().header().mtags()).containsEntry("weft.adopted", "b3");
  }

  @Test
  void withoutARouteTheChannelIsTheMethodAndTheContextPath() throws Exception {
    WeftHttpHandler orders = WeftHttpHandler.wrap(catalog.tracer(), ex -> respond(ex, 200, "order"));
    server.handle("/orders", orders);
    // routes known only from traffic are not declared
    assertThat(TopologyScanner.scan("svc", new Object() {
      final WeftHttpHandler h = orders;
    }).channels()).isEmpty();
    var ep = client.endpoint("GET", server.uri("/orders"));
    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(server.uri("/orders/42?expand=lines")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(catalog.only("RECEIVE").message().channel()).isEqualTo("http:GET:/orders");
    assertThat(catalog.only("START").op()).isEqualTo("HTTP GET /orders");
    assertThat(catalog.only("RECEIVE").message().header().payloadSchemaUri()).isEqualTo(HttpRoute.DEFAULT_REQUEST_SCHEMA);
    assertThat(ep.channel().id()).isEqualTo("http:GET:/orders");
  }

  @Test
  void plainServerReplyStaysInTheCallersTrace() throws Exception {
    server.handle("/skus", ex -> respond(ex, 200, "plain"));
    Envelope<Stage.Out, String> out = Envelope.prepareOrigin("merchant-api", SKUS.requestSchema(), "x");
    HttpReply<String> reply = skus().send(out, null);
    assertThat(reply.payload()).isEqualTo("plain");
    assertThat(reply.header().traceId()).isEqualTo(out.header().traceId());
    assertThat(reply.header().parentIds()).containsExactly(out.header().messageId());
    assertThat(reply.header().mtags()).containsEntry("weft.adopted", "none");
    assertThat(api.only("RECEIVE").message().header()).isEqualTo(reply.header());
    assertThat(api.await("COMPLETE").op()).isEqualTo("HTTP POST /skus");
  }

  @Test
  void customOperationNameAndDeclaredTopology() throws Exception {
    WeftHttpHandler handler = WeftHttpHandler.builder(catalog.tracer()).route(SKUS)
        .operationNames(r -> "ServeSkuUpdate").build(ex -> respond(ex, 200, "ok"));
    server.handle("/skus", handler);
    var ep = skus().withOperationName("CallCatalog");
    ep.call("x", null);
    assertThat(api.await("COMPLETE").op()).isEqualTo("CallCatalog");
    assertThat(catalog.await("COMPLETE").op()).isEqualTo("ServeSkuUpdate");

    var holder = new Object() {
      final WeftHttpClient.Endpoint<String, String> calls = ep;
      final WeftHttpHandler serves = handler;
    };
    assertThat(TopologyScanner.scan("svc", holder).channels()).containsExactly(
        new DeclaredChannel("http:POST:/skus", "urn:shop:UpdateSku:v1", "urn:shop:SkuUpdated:v1", Direction.SERVE),
        new DeclaredChannel("http:POST:/skus", "urn:shop:UpdateSku:v1", "urn:shop:SkuUpdated:v1", Direction.CALL));
    assertThat(holder.calls).isNotNull();
    assertThat(holder.serves).isNotNull();
  }

  @Test
  void reqRepViewEncodesAndDecodesWithTheSameRules() throws Exception {
    server.handle("/skus", WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(ex -> respond(ex, 200, "r")));
    var rr = skus().reqRep();
    Envelope<Stage.Out, String> out = Envelope.prepareOrigin("merchant-api", SKUS.requestSchema(), "x");
    HttpRequest req = rr.encoder().encode(out);
    assertThat(req.headers().firstValue("weft")).isPresent();
    HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    var decoded = rr.decoder().decode(resp);
    assertThat(decoded.isOk()).isTrue();
    var d = decoded.orElse(null);
    assertThat(d.value()).isEqualTo("r");
    assertThat(d.envelope().header().parentIds()).containsExactly(out.header().messageId());
    assertThat(d.extraction().source()).isEqualTo(dev.weft.core.carrier.Extraction.Source.WEFT);
  }
}
