package dev.weft.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own refusals (a URI or header past its limits, an ambiguous or malformed path such as {@code %00}) answered
 * in the API's one error shape, a JSON object with {@code error}, instead of Jetty's HTML page. They happen before
 * Javalin sees the request, so Javalin's exception mapping cannot cover them. No stack traces, ever.
 */
final class JsonErrorHandler extends ErrorHandler {
  private static final ObjectMapper JSON = new ObjectMapper();

  JsonErrorHandler() {
    setShowStacks(false);
    setShowServlet(false);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(body(status, reason));
  }

  @Override
  protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
      HttpServletResponse response, int code, String message) throws IOException {
    baseRequest.setHandled(true);
    response.setContentType("application/json");
    response.getOutputStream().write(body(code, message));
  }

  private static byte[] body(int status, String reason) {
    String text = reason == null || reason.isBlank() ? "request refused (HTTP " + status + ")"
        : "request refused: " + reason;
    try {
      return JSON.writeValueAsBytes(Map.of("error", text.length() > 200 ? text.substring(0, 200) : text));
    } catch (IOException e) {
      return ("{\"error\":\"request refused (HTTP " + status + ")\"}").getBytes(StandardCharsets.UTF_8);
    }
  }
}
