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
}
