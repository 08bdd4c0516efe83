package dev.weft.http;

import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Operation;
import dev.weft.core.Scope;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.Propagation;
import dev.weft.core.carrier.TextCarrier;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Traces a Jakarta Servlet application (Servlet 6): each request is an operation, started from the request's headers
 * (RECEIVE), whose reply carries a Weft header and {@code traceparent} (SEND).
 *
 * <p>The operation is the request attribute {@link #OPERATION_ATTRIBUTE} and, on the request thread,
 * {@link Tracer#current()}. It ends when the chain returns, or, for an asynchronous request, when the async cycle
 * completes: it fails if the chain threw (the exception still propagates to the container) or the status is 5xx.
 *
 * <p>Registered programmatically with {@link #WeftServletFilter(Tracer)}, or by the container with the no-argument
 * constructor, which takes the tracer from the servlet-context attribute {@link #TRACER_ATTRIBUTE}; without one the
 * filter passes requests through untraced.
 */
public final class WeftServletFilter implements Filter {
  /** The request attribute holding the request's {@link Operation}. */
  public static final String OPERATION_ATTRIBUTE = ServerSide.OPERATION_ATTRIBUTE;
  /** The servlet-context attribute a container-created filter takes its {@link Tracer} from. */
  public static final String TRACER_ATTRIBUTE = Tracer.class.getName();

  private volatile Tracer tracer;
  private final Propagation propagation;
  private final Function<HttpServletRequest, HttpRoute> routes;
  private final Function<HttpRoute, String> operationNames;

  /** For containers: the tracer comes from the servlet context in {@link #init}. */
  public WeftServletFilter() {
    this.tracer = null;
    this.propagation = Propagation.defaults();
    this.routes = null;
    this.operationNames = HttpRoute::operationName;
  }

  /** A filter with the defaults: the route is the request method and the matched servlet mapping. */
  public WeftServletFilter(Tracer tracer) {
    this(builder(tracer));
  }

  private WeftServletFilter(Builder b) {
    this.tracer = b.tracer;
    this.propagation = b.propagation;
    this.routes = b.routes;
    this.operationNames = b.operationNames;
  }

  public static Builder builder(Tracer tracer) {
    return new Builder(tracer);
  }

  /** The operation of a traced request, or null. */
  public static Operation operation(ServletRequest request) {
    return request.getAttribute(OPERATION_ATTRIBUTE) instanceof Operation op ? op : null;
  }

  /** Options. */
  public static final class Builder {
    private final Tracer tracer;
    private Propagation propagation = Propagation.defaults();
    private Function<HttpServletRequest, HttpRoute> routes;
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
     * Derives each request's route (channel and message types). Default: the method and the context path plus the
     * servlet mapping pattern that matched ({@code /skus}, {@code /skus/*}, {@code /*.do}), a low-cardinality name.
     */
    public Builder routes(Function<HttpServletRequest, HttpRoute> routes) {
      this.routes = Objects.requireNonNull(routes, "routes");
      return this;
    }

    /** Names the operation from the route; default {@code HTTP METHOD ROUTE}. */
    public Builder operationNames(Function<HttpRoute, String> operationNames) {
      this.operationNames = Objects.requireNonNull(operationNames, "operationNames");
      return this;
    }

    public WeftServletFilter build() {
      return new WeftServletFilter(this);
    }
  }

  @Override
  public void init(FilterConfig config) {
    if (tracer == null && config != null && config.getServletContext() != null) {
      Object t = config.getServletContext().getAttribute(TRACER_ATTRIBUTE);
      if (t instanceof Tracer found) {
        tracer = found;
      } else {
        config.getServletContext().log("WeftServletFilter: no Tracer in servlet-context attribute " + TRACER_ATTRIBUTE
            + "; requests pass untraced");
      }
    }
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Tracer t = tracer;
    // Forwards, includes, error dispatches and async re-dispatches belong to the operation already running.
    if (t == null || !(request instanceof HttpServletRequest req) || !(response instanceof HttpServletResponse res)
        || request.getAttribute(OPERATION_ATTRIBUTE) != null) {
      chain.doFilter(request, response);
      return;
    }
    HttpRoute route = routeOf(req);
    ServerSide.Exchange traced = ServerSide.begin(t, propagation, requestCarrier(req), route, operationName(route));
    if (traced == null) {
      chain.doFilter(request, response);
      return;
    }
    req.setAttribute(OPERATION_ATTRIBUTE, traced.op);
    TracedResponse wrapped = new TracedResponse(res, traced);
    Throwable failure = null;
    try (Scope ignored = traced.op.makeCurrent()) {
      chain.doFilter(req, wrapped);
    } catch (IOException | ServletException | RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      if (failure == null && isAsync(req)) {
        endWhenAsyncCompletes(req, res, wrapped, traced);
      } else {
        if (failure == null) wrapped.replyIfNotYet();
        traced.end(failure == null ? res.getStatus() : -1, failure);
      }
    }
  }

  private static boolean isAsync(HttpServletRequest req) {
    try {
      return req.isAsyncStarted();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void endWhenAsyncCompletes(HttpServletRequest req, HttpServletResponse res, TracedResponse wrapped,
      ServerSide.Exchange traced) {
    try {
      req.getAsyncContext().addListener(new AsyncListener() {
        @Override
        public void onComplete(AsyncEvent event) {
          wrapped.replyIfNotYet();
          traced.end(res.getStatus(), null);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
          traced.end(res.getStatus(), new java.util.concurrent.TimeoutException("async request timed out"));
        }

        @Override
        public void onError(AsyncEvent event) {
          Throwable e = event.getThrowable();
          traced.end(res.getStatus(), e != null ? e : new IllegalStateException("async request failed"));
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
          event.getAsyncContext().addListener(this); // a re-started cycle keeps us listening
        }
      });
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
      traced.end(res.getStatus(), null);
    }
  }

  private HttpRoute routeOf(HttpServletRequest req) {
    try {
      if (routes != null) {
        HttpRoute r = routes.apply(req);
        if (r != null) return r;
      }
    } catch (RuntimeException e) {
      Faults.count(Fault.BAD_ARGUMENT);
    }
    String template;
    try {
      HttpServletMapping mapping = req.getHttpServletMapping();
      String pattern = mapping == null ? null : mapping.getPattern();
      if (pattern == null || pattern.isEmpty()) pattern = "/";
      else if (!pattern.startsWith("/")) pattern = "/" + pattern;
      template = req.getContextPath() + pattern;
    } catch (RuntimeException e) {
      template = req.getContextPath() + "/";
    }
    return HttpRoute.lenient(req.getMethod(), template, null, null);
  }

  private String operationName(HttpRoute route) {
    try {
      String n = operationNames.apply(route);
      return n == null ? route.operationName() : n;
    } catch (RuntimeException e) {
      Faults.count(Fault.BAD_ARGUMENT);
      return route.operationName();
    }
  }

  private static TextCarrier requestCarrier(HttpServletRequest req) {
    return new TextCarrier() {
      @Override
      public void put(String key, String value) {
        throw new UnsupportedOperationException("request headers are read-only");
      }

      @Override
      public String get(String key) {
        if (!HttpCarriers.isListValued(key)) return req.getHeader(key);
        Enumeration<String> values = req.getHeaders(key);
        return values == null ? null : HttpCarriers.joinOrFirst(key, List.copyOf(Collections.list(values)));
      }
    };
  }

  /**
   * The response the application sees. The reply's Weft header has to be set before the response commits, and as
   * late as possible so it carries the ptags the application set: so it is written when the application starts the
   * body, flushes, sends an error or a redirect, or, failing all those, when the chain returns.
   */
  private static final class TracedResponse extends HttpServletResponseWrapper {
    private final HttpServletResponse res;
    private final ServerSide.Exchange traced;

    TracedResponse(HttpServletResponse res, ServerSide.Exchange traced) {
      super(res);
      this.res = res;
      this.traced = traced;
    }

    void replyIfNotYet() {
      if (traced.hasReplied()) return;
      traced.reply(res.isCommitted() ? null : new TextCarrier() {
        @Override
        public void put(String key, String value) {
          res.setHeader(key, value);
        }

        @Override
        public String get(String key) {
          return res.getHeader(key);
        }
      });
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      replyIfNotYet();
      return super.getOutputStream();
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      replyIfNotYet();
      return super.getWriter();
    }

    @Override
    public void flushBuffer() throws IOException {
      replyIfNotYet();
      super.flushBuffer();
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
      replyIfNotYet();
      super.sendError(sc, msg);
    }

    @Override
    public void sendError(int sc) throws IOException {
      replyIfNotYet();
      super.sendError(sc);
    }

    @Override
    public void sendRedirect(String location) throws IOException {
      replyIfNotYet();
      super.sendRedirect(location);
    }
  }
}
