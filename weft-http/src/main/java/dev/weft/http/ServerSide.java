package dev.weft.http;

import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.Extraction;
import dev.weft.core.carrier.Propagation;
import dev.weft.core.carrier.TextCarrier;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What both server integrations do, independent of the server API: one request is one operation whose input is the
 * request message; the reply is that operation's output. Nothing here throws: a tracing fault leaves the request
 * untraced (counted), never unserved.
 */
final class ServerSide {
  /** Request attribute (servlet) and exchange attribute (JDK server) holding the request's {@link Operation}. */
  static final String OPERATION_ATTRIBUTE = Operation.class.getName();

  private ServerSide() {}

  /** One traced request on the server. */
  static final class Exchange {
    final Tracer tracer;
    final Propagation propagation;
    final HttpRoute route;
    final Operation op;
    final Header request;
    final Extraction extraction;
    private final AtomicBoolean replied = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();

    private Exchange(Tracer tracer, Propagation propagation, HttpRoute route, Operation op, Header request,
        Extraction extraction) {
      this.tracer = tracer;
      this.propagation = propagation;
      this.route = route;
      this.op = op;
      this.request = request;
      this.extraction = extraction;
    }

    /**
     * Writes the reply's header into the response headers and emits SEND, once. The header is propagated from the
     * request (its parent is the request's message id) and carries the operation's ptags as they are now, which is
     * why it is made at the last moment before the response commits rather than at arrival.
     *
     * @param out the response headers, or null when they are already committed (SEND is still emitted: the reply
     *     left, only without its header)
     */
    void reply(TextCarrier out) {
      if (!replied.compareAndSet(false, true)) return;
      try {
        Header rep = op.context().headerFor(tracer.service(), route.replySchema(), Map.of());
        if (out != null) propagation.inject(rep, out);
        tracer.sent(rep, route.channelId(), op);
      } catch (RuntimeException e) {
        Faults.count(Fault.INTERNAL_ERROR);
      }
    }

    boolean hasReplied() {
      return replied.get();
    }

    /** Ends the operation once: an exception or a 5xx status fails it; anything else completes it. */
    void end(int status, Throwable error) {
      if (!ended.compareAndSet(false, true)) return;
      try {
        if (status > 0) op.tag("http.status_code", status);
        if (error != null) {
          op.fail(error);
        } else if (status >= 500) {
          op.fail("HTTP " + status, route.method() + " " + route.path() + " answered " + status);
        } else if (op.isRunning()) {
          op.complete();
        }
      } catch (RuntimeException e) {
        Faults.count(Fault.INTERNAL_ERROR);
      }
    }
  }

  /**
   * Reads the request's trace and starts its operation, emitting START and RECEIVE. A Weft header is used as is; a
   * missing or bad one gives an adopted origin (continuing a {@code traceparent} or B3 trace if one came, with
   * {@code baggage} as ptags), and a bad one is counted as {@link Fault#HEADER_DECODE_ERROR} by the propagation.
   *
   * @return the exchange, or null if tracing itself failed (counted); the request must then be served untraced
   */
  static Exchange begin(Tracer tracer, Propagation propagation, TextCarrier in, HttpRoute route, String opName) {
    try {
      Extraction x = propagation.extract(in);
      Header req = x.receivedHeader(route.requestSchema());
      Operation op = tracer.startFromHeaders(opName, List.of(req));
      if (x.foreignParentSpanId() != null) op.tag("http.foreign_parent_span_id", x.foreignParentSpanId());
      tracer.received(req, route.channelId(), op);
      return new Exchange(tracer, propagation, route, op, req, x);
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
      return null;
    }
  }
}
