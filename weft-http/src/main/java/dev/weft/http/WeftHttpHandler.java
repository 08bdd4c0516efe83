package dev.weft.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpsExchange;
import dev.weft.core.Operation;
import dev.weft.core.Scope;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.Propagation;
import dev.weft.core.channel.Channel;
import dev.weft.core.topology.DeclaresChannel;
import dev.weft.core.topology.Direction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.function.Function;
import javax.net.ssl.SSLSession;

/**
 * Traces a handler of the JDK's {@code com.sun.net.httpserver.HttpServer}: each exchange is an operation, started
 * from the request's headers (RECEIVE), whose reply carries a Weft header and {@code traceparent} (SEND).
 *
 * <pre>{@code
 * server.createContext("/skus", WeftHttpHandler.builder(tracer)
 *     .route(HttpRoute.of("POST", "/skus", "urn:shop:UpdateSku:v1", "urn:shop:SkuUpdated:v1"))
 *     .build(exchange -> {
 *       Operation op = WeftHttpHandler.operation(exchange); // or tracer.current()
 *       ...
 *     }));
 * }</pre>
 *
 * The application handler sees the operation as {@link Tracer#current()} and as the exchange attribute
 * {@link #OPERATION_ATTRIBUTE}. The operation ends when the handler returns: it fails if the handler threw (the
 * exception still propagates to the server) or answered 5xx, and completes otherwise.
 */
public final class WeftHttpHandler implements HttpHandler, DeclaresChannel {
  /** The exchange attribute holding the request's {@link Operation}. */
  public static final String OPERATION_ATTRIBUTE = ServerSide.OPERATION_ATTRIBUTE;

  private final Tracer tracer;
  private final Propagation propagation;
  private final HttpRoute fixedRoute;
  private final Function<HttpExchange, HttpRoute> routes;
  private final Function<HttpRoute, String> operationNames;
  private final HttpHandler app;

  private WeftHttpHandler(Builder b, HttpHandler app) {
    this.tracer = b.tracer;
    this.propagation = b.propagation;
    this.fixedRoute = b.route;
    this.routes = b.routes;
    this.operationNames = b.operationNames;
    this.app = Objects.requireNonNull(app, "handler");
  }

  /** Wraps {@code app} with the defaults: routes named after the request method and the context path. */
  public static WeftHttpHandler wrap(Tracer tracer, HttpHandler app) {
    return builder(tracer).build(app);
  }

  public static Builder builder(Tracer tracer) {
    return new Builder(tracer);
  }

  /** The operation of the request being handled, or null if the exchange is not traced. */
  public static Operation operation(HttpExchange exchange) {
    return exchange.getAttribute(OPERATION_ATTRIBUTE) instanceof Operation op ? op : null;
  }

  /** Options. */
  public static final class Builder {
    private final Tracer tracer;
    private Propagation propagation = Propagation.defaults();
    private HttpRoute route;
    private Function<HttpExchange, HttpRoute> routes;
    private Function<HttpRoute, String> operationNames = HttpRoute::operationName;

    private Builder(Tracer tracer) {
      this.tracer = Objects.requireNonNull(tracer, "tracer");
    }

    /** Formats written on the reply; default Weft plus {@code traceparent}. */
    public Builder propagation(Propagation propagation) {
      this.propagation = Objects.requireNonNull(propagation, "propagation");
      return this;
    }

    /**
     * One route for every request: its channel and message types. It is also the declared channel (direction
     * serve). Without it the route is derived per request from the method and the context's path (the registered
     * prefix, a template-like low-cardinality name), with the default message types.
     */
    public Builder route(HttpRoute route) {
      this.route = Objects.requireNonNull(route, "route");
      return this;
    }

    /** Derives the route of each exchange, e.g. to map {@code /skus/42} to {@code /skus/{id}}. */
    public Builder routes(Function<HttpExchange, HttpRoute> routes) {
      this.routes = Objects.requireNonNull(routes, "routes");
      return this;
    }

    /** Names the operation from the route; default {@code HTTP METHOD ROUTE}. */
    public Builder operationNames(Function<HttpRoute, String> operationNames) {
      this.operationNames = Objects.requireNonNull(operationNames, "operationNames");
      return this;
    }

    public WeftHttpHandler build(HttpHandler app) {
      return new WeftHttpHandler(this, app);
    }
  }

  /**
   * The fixed route's channel; null when routes are derived per request, since the routes are then known only from
   * traffic (the topology scanner skips a null channel rather than declaring a made-up one).
   */
  @Override
  public Channel channel() {
    return fixedRoute != null ? fixedRoute.channel() : null;
  }

  @Override
  public Direction direction() {
    return Direction.SERVE;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    HttpRoute route = routeOf(exchange);
    ServerSide.Exchange traced = ServerSide.begin(tracer, propagation,
        HttpCarriers.of(exchange.getRequestHeaders()), route, operationName(route));
    if (traced == null) {
      app.handle(exchange); // tracing failed (counted): serve untraced
      return;
    }
    HttpExchange wrapped = exchange instanceof HttpsExchange https ? new TracedHttpsExchange(https, traced)
        : new TracedExchange(exchange, traced);
    Throwable failure = null;
    try (Scope ignored = traced.op.makeCurrent()) {
      exchange.setAttribute(OPERATION_ATTRIBUTE, traced.op);
      app.handle(wrapped);
    } catch (IOException | RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      traced.end(safeResponseCode(exchange), failure);
    }
  }

  private HttpRoute routeOf(HttpExchange exchange) {
    if (fixedRoute != null) return fixedRoute;
    try {
      if (routes != null) {
        HttpRoute r = routes.apply(exchange);
        if (r != null) return r;
      }
    } catch (RuntimeException e) {
      dev.weft.core.Faults.count(dev.weft.core.Fault.BAD_ARGUMENT);
    }
    HttpContext ctx = exchange.getHttpContext();
    return HttpRoute.lenient(exchange.getRequestMethod(), ctx == null ? "/" : ctx.getPath(), null, null);
  }

  /** The operation name for a route; a faulty naming function falls back to the default (counted). */
  private String operationName(HttpRoute route) {
    try {
      String n = operationNames.apply(route);
      return n == null ? route.operationName() : n;
    } catch (RuntimeException e) {
      dev.weft.core.Faults.count(dev.weft.core.Fault.BAD_ARGUMENT);
      return route.operationName();
    }
  }

  private static int safeResponseCode(HttpExchange exchange) {
    try {
      return exchange.getResponseCode();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /**
   * The exchange the application sees: every call goes to the server's exchange, except that sending the response
   * headers first writes the reply's Weft header and emits SEND.
   */
  private static class TracedExchange extends HttpExchange {
    final HttpExchange d;
    final ServerSide.Exchange traced;

    TracedExchange(HttpExchange d, ServerSide.Exchange traced) {
      this.d = d;
      this.traced = traced;
    }

    @Override
    public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
      traced.reply(HttpCarriers.of(d.getResponseHeaders()));
      d.sendResponseHeaders(rCode, responseLength);
    }

    @Override public Headers getRequestHeaders() { return d.getRequestHeaders(); }
    @Override public Headers getResponseHeaders() { return d.getResponseHeaders(); }
    @Override public URI getRequestURI() { return d.getRequestURI(); }
    @Override public String getRequestMethod() { return d.getRequestMethod(); }
    @Override public HttpContext getHttpContext() { return d.getHttpContext(); }
    @Override public void close() { d.close(); }
    @Override public InputStream getRequestBody() { return d.getRequestBody(); }
    @Override public OutputStream getResponseBody() { return d.getResponseBody(); }
    @Override public InetSocketAddress getRemoteAddress() { return d.getRemoteAddress(); }
    @Override public int getResponseCode() { return d.getResponseCode(); }
    @Override public InetSocketAddress getLocalAddress() { return d.getLocalAddress(); }
    @Override public String getProtocol() { return d.getProtocol(); }
    @Override public Object getAttribute(String name) { return d.getAttribute(name); }
    @Override public void setAttribute(String name, Object value) { d.setAttribute(name, value); }
    @Override public void setStreams(InputStream i, OutputStream o) { d.setStreams(i, o); }
    @Override public HttpPrincipal getPrincipal() { return d.getPrincipal(); }
  }

  /** The same for HTTPS, so an application that casts to {@link HttpsExchange} keeps working. */
  private static final class TracedHttpsExchange extends HttpsExchange {
    private final TracedExchange t;
    private final HttpsExchange d;

    TracedHttpsExchange(HttpsExchange d, ServerSide.Exchange traced) {
      this.d = d;
      this.t = new TracedExchange(d, traced);
    }

    @Override public SSLSession getSSLSession() { return d.getSSLSession(); }
    @Override public void sendResponseHeaders(int rCode, long len) throws IOException { t.sendResponseHeaders(rCode, len); }
    @Override public Headers getRequestHeaders() { return d.getRequestHeaders(); }
    @Override public Headers getResponseHeaders() { return d.getResponseHeaders(); }
    @Override public URI getRequestURI() { return d.getRequestURI(); }
    @Override public String getRequestMethod() { return d.getRequestMethod(); }
    @Override public HttpContext getHttpContext() { return d.getHttpContext(); }
    @Override public void close() { d.close(); }
    @Override public InputStream getRequestBody() { return d.getRequestBody(); }
    @Override public OutputStream getResponseBody() { return d.getResponseBody(); }
    @Override public InetSocketAddress getRemoteAddress() { return d.getRemoteAddress(); }
    @Override public int getResponseCode() { return d.getResponseCode(); }
    @Override public InetSocketAddress getLocalAddress() { return d.getLocalAddress(); }
    @Override public String getProtocol() { return d.getProtocol(); }
    @Override public Object getAttribute(String name) { return d.getAttribute(name); }
    @Override public void setAttribute(String name, Object value) { d.setAttribute(name, value); }
    @Override public void setStreams(InputStream i, OutputStream o) { d.setStreams(i, o); }
    @Override public HttpPrincipal getPrincipal() { return d.getPrincipal(); }
  }
}
