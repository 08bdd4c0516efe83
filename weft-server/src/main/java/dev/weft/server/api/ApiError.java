package dev.weft.server.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** A request the API refuses: an HTTP status and a JSON body with at least {@code error}. */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final transient Map<String, Object> body;

  ApiError(int status, String message) {
    this(status, message, Map.of());
  }

  ApiError(int status, String message, Map<String, ?> extra) {
    super(message, null, false, false);
    this.status = status;
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("error", message);
    b.putAll(extra);
    this.body = b;
  }

  /** The fields a program needs to point at a query's error: position, column, expected and found. */
  static Map<String, Object> queryErrorFields(dev.weft.server.query.QueryException e) {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("position", e.position());
    extra.put("column", e.column());
    extra.put("expected", e.expected());
    extra.put("found", e.found());
    return extra;
  }

  /** A query that does not parse: 400 with its message and where it went wrong. */
  static ApiError badQuery(dev.weft.server.query.QueryException e) {
    return new ApiError(400, e.getMessage(), queryErrorFields(e));
  }
}
