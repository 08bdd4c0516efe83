package dev.weft.http;

import static dev.weft.http.Fixtures.respond;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import dev.weft.core.Envelope;
import dev.weft.core.Ids;
import dev.weft.core.Stage;
import dev.weft.core.carrier.Propagation;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.http.Fixtures.JdkServer;
import dev.weft.http.Fixtures.Side;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real OpenTelemetry SDK on the other end of a real HTTP exchange, in both directions. */
class OtelInteropTest {
  static final HttpRoute SKUS = HttpRoute.of("POST", "/skus", "urn:shop:UpdateSku:v1", "urn:shop:SkuUpdated:v1");
  static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Headers carrier, String key) {
      return carrier == null ? null : carrier.getFirst(key);
    }
  };

  SdkTracerProvider provider;
  Tracer otel;
  JdkServer server;
  HttpClient http;

  @BeforeEach
  void setUp() throws Exception {
    provider = SdkTracerProvider.builder().build();
    otel = provider.get("weft-http-interop");
    server = new JdkServer();
    http = Fixtures.httpClient();
  }

  @AfterEach
  void tearDown() {
    server.close();
    provider.close();
  }

  @Test
  void anOtelClientsTraceAndBaggageAreContinuedByTheWeftServer() throws Exception {
    Side catalog = Side.of("catalog");
    server.handle("/skus", WeftHttpHandler.builder(catalog.tracer()).route(SKUS).build(ex -> respond(ex, 200, "ok")));

    Span span = otel.spanBuilder("POST /skus").setSpanKind(SpanKind.CLIENT).startSpan();
    HttpResponse<String> resp;
    try {
      Context ctx = Context.root().with(span).with(Baggage.builder().put("merchant_id", "4c5d6e7").build());
      HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/skus")).POST(HttpRequest.BodyPublishers.ofString("x"));
      TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())
          .inject(ctx, b, (builder, k, v) -> builder.setHeader(k, v));
      resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } finally {
      span.end();
    }
    String otelTrace = span.getSpanContext().getTraceId();

    assertThat(resp.statusCode()).isEqualTo(200);
    TelemetryEvent start = catalog.await("START");
    assertThat(start.traceId()).isEqualTo(otelTrace);
    assertThat(start.tags()).containsEntry("merchant_id", "4c5d6e7"); // baggage adopted as ptags
    TelemetryEvent receive = catalog.only("RECEIVE");
    assertThat(receive.message().header().ptags()).containsEntry("merchant_id", "4c5d6e7");
    assertThat(receive.message().header().mtags()).containsEntry("weft.adopted", "w3c");
    assertThat(catalog.await("COMPLETE").tags())
        .containsEntry("http.foreign_parent_span_id", span.getSpanContext().getSpanId());

    // the reply's traceparent continues the OTel trace too, so the OTel client can read it back
    Context back = W3CTraceContextPropagator.getInstance().extract(Context.root(), resp.headers(),
        new TextMapGetter<java.net.http.HttpHeaders>() {
          @Override
          public Iterable<String> keys(java.net.http.HttpHeaders carrier) {
            return carrier.map().keySet();
          }

          @Override
          public String get(java.net.http.HttpHeaders carrier, String key) {
            return carrier.firstValue(key).orElse(null);
          }
        });
    assertThat(Span.fromContext(back).getSpanContext().getTraceId()).isEqualTo(otelTrace);
  }

  @Test
  void aPlainOtelServerContinuesTheWeftClientsTrace() throws Exception {
    Side api = Side.of("merchant-api");
    AtomicReference<SpanContext> remoteParent = new AtomicReference<>();
    AtomicReference<SpanContext> serverSpan = new AtomicReference<>();
    AtomicReference<String> baggage = new AtomicReference<>();
    server.handle("/skus", ex -> {
      Context extracted = TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(),
          W3CBaggagePropagator.getInstance()).extract(Context.root(), ex.getRequestHeaders(), HEADERS);
      remoteParent.set(Span.fromContext(extracted).getSpanContext());
      baggage.set(Baggage.fromContext(extracted).getEntryValue("merchant_id"));
      Span s = otel.spanBuilder("serve").setParent(extracted).setSpanKind(SpanKind.SERVER).startSpan();
      serverSpan.set(s.getSpanContext());
      s.end();
      respond(ex, 200, "plain");
    });
    // W3C baggage on request, so a non-Weft peer also sees the ptags
    WeftHttpClient client = WeftHttpClient.create(http, api.tracer(), Propagation.of(Propagation.Format.W3C,
        Propagation.Format.W3C_BAGGAGE));
    Envelope<Stage.Out, String> out = Envelope.prepareOrigin("merchant-api", SKUS.requestSchema(), "x",
        java.util.Map.of("merchant_id", "4c5d6e7"));

    HttpReply<String> reply = client.endpoint(SKUS, server.uri("/skus"), PayloadCodec.utf8(), PayloadCodec.utf8())
        .withTimeout(Fixtures.TIMEOUT).send(out, null);

    String weftTrace = out.header().traceId();
    assertThat(reply.payload()).isEqualTo("plain");
    assertThat(remoteParent.get().isValid()).isTrue();
    assertThat(remoteParent.get().isRemote()).isTrue();
    assertThat(remoteParent.get().getTraceId()).isEqualTo(weftTrace);
    assertThat(remoteParent.get().getSpanId()).isEqualTo(Ids.spanIdOf(out.header().messageId()));
    assertThat(serverSpan.get().getTraceId()).isEqualTo(weftTrace);
    assertThat(baggage.get()).isEqualTo("4c5d6e7");
    // the plain server wrote no Weft header: the client keeps the reply in its trace, as a child of the request
    assertThat(reply.header().traceId()).isEqualTo(weftTrace);
    assertThat(reply.header().parentIds()).containsExactly(out.header().messageId());
    assertThat(api.await("COMPLETE").traceId()).isEqualTo(weftTrace);
  }
}
