package dev.weft.http;

import dev.weft.core.Envelope;
import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Result;
import dev.weft.core.Stage;
import dev.weft.core.Tags;
import dev.weft.core.TraceContext;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.Extraction;
import dev.weft.core.carrier.Propagation;
import dev.weft.core.channel.Channel;
import dev.weft.core.channel.Decoded;
import dev.weft.core.channel.Decoder;
import dev.weft.core.channel.Encoder;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.channel.ReqRepClient;
import dev.weft.core.topology.DeclaresChannel;
import dev.weft.core.topology.Direction;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * Traced request/reply over {@code java.net.http.HttpClient}. Each call is an operation of the caller's service
 * (default name {@code HTTP METHOD ROUTE}): SEND when the request leaves, RECEIVE when the reply arrives, then COMPLETE
 * for a 2xx reply and FAIL otherwise. The request carries its Weft header and {@code traceparent}; the reply's Weft
 * header, written by a Weft server, comes back as an {@code Envelope<Stage.In, B>}.
 *
 * <pre>{@code
 * WeftHttpClient client = WeftHttpClient.create(HttpClient.newHttpClient(), tracer);
 * WeftHttpClient.Endpoint<String, String> skus = client.endpoint(
 *     HttpRoute.of("POST", "/skus", "urn:shop:UpdateSku:v1", "urn:shop:SkuUpdated:v1"),
 *     URI.create("http://catalog:8080/skus"), PayloadCodec.utf8(), PayloadCodec.utf8());
 * HttpReply<String> reply = skus.call("{...}", op);   // or skus.send(op.prepareOut(...), op)
 * }</pre>
 *
 * Transport exceptions ({@link IOException}, {@link InterruptedException}) fail the operation and reach the caller
 * unchanged; a non-2xx status is a returned reply, as with {@code HttpClient} itself, and fails the operation with the
 * error type {@code HTTP <status>}. Tracing's own faults are counted, never thrown.
 */
public final class WeftHttpClient {
  private final HttpClient http;
  private final Tracer tracer;
  private final Propagation propagation;

  private WeftHttpClient(HttpClient http, Tracer tracer, Propagation propagation) {
    this.http = Objects.requireNonNull(http, "http");
    this.tracer = Objects.requireNonNull(tracer, "tracer");
    this.propagation = Objects.requireNonNull(propagation, "propagation");
  }

  /** A client writing Weft plus W3C {@code traceparent}. */
  public static WeftHttpClient create(HttpClient http, Tracer tracer) {
    return new WeftHttpClient(http, tracer, Propagation.defaults());
  }

  /** A client writing the given formats (Weft always), e.g. with W3C {@code baggage} or B3 for foreign servers. */
  public static WeftHttpClient create(HttpClient http, Tracer tracer, Propagation propagation) {
    return new WeftHttpClient(http, tracer, propagation);
  }

  public HttpClient httpClient() {
    return http;
  }

  /** A typed endpoint: requests of type {@code A} to {@code uri}, replies of type {@code B}. */
  public <A, B> Endpoint<A, B> endpoint(HttpRoute route, URI uri, PayloadCodec<A> requestCodec,
      PayloadCodec<B> replyCodec) {
    return new Endpoint<>(route, uri, requestCodec, replyCodec, route.operationName(), null, null);
  }

  /** An endpoint of raw bytes. */
  public Endpoint<byte[], byte[]> endpoint(HttpRoute route, URI uri) {
    return endpoint(route, uri, PayloadCodec.bytes(), PayloadCodec.bytes());
  }

  /**
   * An endpoint of raw bytes whose route is the URI's path. Convenient for fixed paths; for a path with ids in it
   * pass an {@link HttpRoute} template instead, or every id becomes its own channel.
   */
  public Endpoint<byte[], byte[]> endpoint(String method, URI uri) {
    return endpoint(HttpRoute.lenient(method, uri.getRawPath(), null, null), uri);
  }

  /**
   * One route at one URI. Immutable; the {@code with...} methods return a changed copy. It declares its channel with
   * direction {@code call}, and exposes the core {@link ReqRepClient} view of its codecs.
   */
  public final class Endpoint<A, B> implements DeclaresChannel {
    private final HttpRoute route;
    private final URI uri;
    private final PayloadCodec<A> requestCodec;
    private final PayloadCodec<B> replyCodec;
    private final String operationName;
    private final Duration timeout;
    private final Consumer<HttpRequest.Builder> customizer;
    private final ReqRepClient<HttpRequest, HttpResponse<byte[]>, A, B> reqRep;

    private Endpoint(HttpRoute route, URI uri, PayloadCodec<A> requestCodec, PayloadCodec<B> replyCodec,
        String operationName, Duration timeout, Consumer<HttpRequest.Builder> customizer) {
      this.route = Objects.requireNonNull(route, "route");
      this.uri = Objects.requireNonNull(uri, "uri");
      this.requestCodec = Objects.requireNonNull(requestCodec, "requestCodec");
      this.replyCodec = Objects.requireNonNull(replyCodec, "replyCodec");
      this.operationName = Objects.requireNonNull(operationName, "operationName");
      this.timeout = timeout;
      this.customizer = customizer;
      Encoder<HttpRequest, A> encoder = this::encode;
      Decoder<HttpResponse<byte[]>, B> decoder = this::decode;
      this.reqRep = new ReqRepClient<>(route.channel(), encoder, decoder);
    }

    /** This endpoint with another client operation name. */
    public Endpoint<A, B> withOperationName(String name) {
      return new Endpoint<>(route, uri, requestCodec, replyCodec, name, timeout, customizer);
    }

    /** This endpoint with a per-request timeout (a timeout fails the operation like any IO error). */
    public Endpoint<A, B> withTimeout(Duration requestTimeout) {
      return new Endpoint<>(route, uri, requestCodec, replyCodec, operationName, requestTimeout, customizer);
    }

    /** This endpoint with extra request settings (headers such as content type, auth); Weft's headers win. */
    public Endpoint<A, B> withRequest(Consumer<HttpRequest.Builder> requestCustomizer) {
      return new Endpoint<>(route, uri, requestCodec, replyCodec, operationName, timeout, requestCustomizer);
    }

    public HttpRoute route() {
      return route;
    }

    public URI uri() {
      return uri;
    }

    /** The core request/reply view: the channel, the request encoder and the reply decoder. */
    public ReqRepClient<HttpRequest, HttpResponse<byte[]>, A, B> reqRep() {
      return reqRep;
    }

    @Override
    public Channel channel() {
      return reqRep.channel();
    }

    @Override
    public Direction direction() {
      return Direction.CALL;
    }

    /**
     * Calls with a payload, preparing the request message as an output of {@code caller} (propagated from its
     * inputs, with its ptags), or of {@link Tracer#current()}, or as a new origin when there is neither.
     */
    public HttpReply<B> call(A payload, Operation caller) throws IOException, InterruptedException {
      Operation owner = caller != null ? caller : tracer.current();
      Envelope<Stage.Out, A> request = owner != null ? owner.prepareOut(route.requestSchema(), payload)
          : Envelope.prepareOrigin(tracer.service(), route.requestSchema(), payload);
      return send(request, owner);
    }

    /** Sends a prepared request; the enclosing operation is {@link Tracer#current()}, if any. */
    public HttpReply<B> send(Envelope<Stage.Out, A> request) throws IOException, InterruptedException {
      return send(request, null);
    }

    /**
     * Sends a prepared request and waits for the reply.
     *
     * @param caller the operation making the call: the client operation's parent. Null means {@link Tracer#current()}.
     */
    public HttpReply<B> send(Envelope<Stage.Out, A> request, Operation caller)
        throws IOException, InterruptedException {
      Objects.requireNonNull(request, "request");
      Operation op = startCall(request.header(), caller);
      HttpRequest httpRequest;
      try {
        httpRequest = encode(request);
      } catch (PayloadException | RuntimeException e) {
        op.fail(e instanceof PayloadException && e.getCause() != null ? e.getCause() : e);
        throw e;
      }
      tracer.sent(request.header(), route.channelId(), op);
      HttpResponse<byte[]> response;
      try {
        response = http.send(httpRequest, HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException | InterruptedException | RuntimeException e) {
        op.fail(e);
        throw e;
      }
      return finish(op, request.header(), response);
    }

    /**
     * Sends without blocking. The operation ends when the reply arrives or the exchange fails; the future fails with
     * the same exception {@code HttpClient.sendAsync} would give (or a {@link PayloadException}).
     */
    public CompletableFuture<HttpReply<B>> sendAsync(Envelope<Stage.Out, A> request, Operation caller) {
      Objects.requireNonNull(request, "request");
      Operation op = startCall(request.header(), caller);
      HttpRequest httpRequest;
      try {
        httpRequest = encode(request);
      } catch (PayloadException | RuntimeException e) {
        op.fail(e instanceof PayloadException && e.getCause() != null ? e.getCause() : e);
        return CompletableFuture.failedFuture(e);
      }
      tracer.sent(request.header(), route.channelId(), op);
      CompletableFuture<HttpResponse<byte[]>> pending;
      try {
        pending = http.sendAsync(httpRequest, HttpResponse.BodyHandlers.ofByteArray());
      } catch (RuntimeException e) {
        op.fail(e);
        return CompletableFuture.failedFuture(e);
      }
      return pending.handle((response, error) -> {
        if (error != null) {
          op.fail(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
          throw error instanceof CompletionException ce ? ce : new CompletionException(error);
        }
        try {
          return finish(op, request.header(), response);
        } catch (PayloadException e) {
          throw new CompletionException(e);
        }
      });
    }

    private Operation startCall(Header request, Operation caller) {
      Operation parent = caller != null ? caller : tracer.current();
      // The call runs in the request's traces with the request's ptags; it consumes nothing: the request is its
      // output and the reply its result.
      TraceContext ctx = new TraceContext(request.traceId(), request.correlationIds(),
          parent == null ? null : parent.name(), parent == null ? null : parent.id(), Tags.empty(), List.of(),
          request.ptags());
      return tracer.start(operationName, ctx);
    }

    private HttpRequest encode(Envelope<Stage.Out, A> request) throws PayloadException {
      byte[] body;
      try {
        body = request.payload() == null ? null : requestCodec.encode(request.payload());
      } catch (Exception e) {
        throw new PayloadException("request of " + route.channelId() + " could not be encoded: " + e, e);
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(route.method(),
          body == null || body.length == 0 ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      if (timeout != null) b.timeout(timeout);
      if (customizer != null) customizer.accept(b);
      propagation.inject(request.header(), HttpCarriers.of(b)); // never throws; a fault is counted
      return b.build();
    }

    private HttpReply<B> finish(Operation op, Header request, HttpResponse<byte[]> response)
        throws PayloadException {
      int status = response.statusCode();
      Extraction x = propagation.extract(HttpCarriers.of(response.headers()));
      Header reply = replyHeader(x, request);
      tracer.received(reply, route.channelId(), op);
      op.tag("http.status_code", status);
      B value = null;
      if (status / 100 == 2) {
        try {
          value = replyCodec.decode(response.body() == null ? new byte[0] : response.body());
        } catch (Exception e) {
          op.fail(e);
          throw new PayloadException("reply of " + route.channelId() + " unreadable: " + e, e);
        }
        op.complete();
      } else {
        // No query string in the message: it may hold secrets, and the event log is searchable by everyone.
        op.fail("HTTP " + status, route.method() + " " + uri.getScheme() + "://" + uri.getRawAuthority()
            + uri.getRawPath() + " answered " + status);
      }
      return new HttpReply<>(response, Envelope.in(reply, value), x, op);
    }

    private Result<Decoded<B>, String> decode(HttpResponse<byte[]> response) {
      Extraction sent = propagation.extract(HttpCarriers.of(response.request().headers()));
      Extraction x = propagation.extract(HttpCarriers.of(response.headers()));
      Header reply = replyHeader(x, sent.header());
      B value = null;
      if (response.statusCode() / 100 == 2) {
        try {
          value = replyCodec.decode(response.body() == null ? new byte[0] : response.body());
        } catch (Exception e) {
          return Result.err("reply of " + route.channelId() + " unreadable: " + e);
        }
      }
      return Result.ok(new Decoded<>(Envelope.in(reply, value), TraceContext.of(reply), x));
    }

    /**
     * The reply's header: the one the server wrote, or, from a server that wrote none (or a bad one), a header
     * derived from the request, since whatever the server is, its reply was caused by our request. Deriving it keeps
     * the reply in the caller's trace, where an adopted origin would start an unrelated one.
     */
    private Header replyHeader(Extraction x, Header request) {
      if (x.header() != null) return x.header();
      try {
        if (request != null) {
          Map<String, String> mtags = new TreeMap<>();
          mtags.put("weft.adopted", x.source().name().toLowerCase(Locale.ROOT));
          if (x.hadBadHeader()) mtags.put("weft.header_error", x.error().kind().name().toLowerCase(Locale.ROOT));
          return Header.propagate("unknown", route.replySchema(), List.of(request), mtags);
        }
      } catch (RuntimeException e) {
        Faults.count(Fault.INTERNAL_ERROR);
      }
      return x.receivedHeader(route.replySchema());
    }
  }
}
