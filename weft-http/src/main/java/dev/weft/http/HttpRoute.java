package dev.weft.http;

import dev.weft.core.Limits;
import dev.weft.core.channel.Channel;
import java.util.Locale;
import java.util.Objects;

/**
 * A request/reply route over HTTP: a method and a route template, plus the message types of the request and the reply.
 * It names the channel and the operations of both ends, so that client and server agree by construction.
 *
 * <p>Naming scheme (see {@code RATIONALE.md}): the channel is {@code http:METHOD:ROUTE}, e.g. {@code http:POST:/skus},
 * and the operation on either side is {@code HTTP METHOD ROUTE}, e.g. {@code HTTP POST /skus}. {@code ROUTE} is a
 * template, never a concrete path: {@code /skus/{id}} rather than {@code /skus/42}, so a channel stays one edge in the
 * topology however many resources it serves.
 *
 * @param method the HTTP method, upper-case
 * @param path the route template, starting with {@code /}; a query string is not part of it
 * @param requestSchema the request's {@code payload_schema_uri}
 * @param replySchema the reply's {@code payload_schema_uri}
 */
public record HttpRoute(String method, String path, String requestSchema, String replySchema) {
  /** The request type used when the application names none. */
  public static final String DEFAULT_REQUEST_SCHEMA = "urn:weft:http:request";
  /** The reply type used when the application names none. */
  public static final String DEFAULT_REPLY_SCHEMA = "urn:weft:http:response";

  public HttpRoute {
    Objects.requireNonNull(method, "method");
    method = method.toUpperCase(Locale.ROOT);
    if (!method.matches("[A-Z][A-Z0-9_-]{0,19}")) throw new IllegalArgumentException("method: expected e.g. GET or POST, got " + method);
    if (path == null || path.isEmpty()) path = "/";
    int q = path.indexOf('?');
    if (q >= 0) path = path.substring(0, q);
    if (!path.startsWith("/") && !path.startsWith("*")) path = "/" + path;
    if (!Limits.isToken(path, 180)) {
      throw new IllegalArgumentException("path: a route template of 1..180 printable ASCII characters without spaces or"
          + " , ; = \" \\, got \"" + path + "\"");
    }
    if (requestSchema == null) requestSchema = DEFAULT_REQUEST_SCHEMA;
    if (replySchema == null) replySchema = DEFAULT_REPLY_SCHEMA;
  }

  /** A route with the default message types. */
  public static HttpRoute of(String method, String path) {
    return new HttpRoute(method, path, null, null);
  }

  /** A route with the given request and reply types. */
  public static HttpRoute of(String method, String path, String requestSchema, String replySchema) {
    return new HttpRoute(method, path, requestSchema, replySchema);
  }

  /**
   * A route for a path seen at run time, when the application gave no template. A path that is not a legal channel
   * name (spaces, commas, an over-long id) is cut to what precedes the offending character, so a hostile path can
   * neither break the event nor blow up the topology with one channel per request.
   */
  static HttpRoute lenient(String method, String path, String requestSchema, String replySchema) {
    String m = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
    if (!m.matches("[A-Z][A-Z0-9_-]{0,19}")) m = "UNKNOWN";
    String p = path == null || path.isEmpty() ? "/" : path;
    int q = p.indexOf('?');
    if (q >= 0) p = p.substring(0, q);
    if (!p.startsWith("/")) p = "/" + p;
    int end = 0;
    while (end < p.length() && end < 180) {
      char c = p.charAt(end);
      if (c <= ' ' || c >= 0x7f || c == ',' || c == ';' || c == '=' || c == '"' || c == '\\') break;
      end++;
    }
    p = end == 0 ? "/" : p.substring(0, end);
    return new HttpRoute(m, p, requestSchema, replySchema);
  }

  /** The channel: medium {@code http}, name {@code METHOD:ROUTE}. */
  public Channel channel() {
    return Channel.reqRep("http", method + ":" + path, requestSchema, replySchema);
  }

  /** The channel id written in SEND and RECEIVE events, e.g. {@code http:POST:/skus}. */
  public String channelId() {
    return "http:" + method + ":" + path;
  }

  /** The default operation name on either side, e.g. {@code HTTP POST /skus}. */
  public String operationName() {
    return "HTTP " + method + " " + path;
  }
}
