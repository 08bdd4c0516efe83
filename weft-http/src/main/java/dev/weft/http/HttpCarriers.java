package dev.weft.http;

import com.sun.net.httpserver.Headers;
import dev.weft.core.carrier.TextCarrier;
import dev.weft.core.carrier.W3c;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.util.List;

/**
 * {@link TextCarrier}s over the JDK's header types. HTTP header names are case-insensitive and every type here looks
 * them up that way. List-valued W3C headers ({@code baggage}, {@code tracestate}) may legally arrive split over several
 * header lines; they are joined with commas as RFC 9110 allows. For any other key the first line wins.
 */
final class HttpCarriers {
  private HttpCarriers() {}

  static boolean isListValued(String key) {
    return W3c.BAGGAGE.equalsIgnoreCase(key) || W3c.TRACESTATE.equalsIgnoreCase(key);
  }

  static String joinOrFirst(String key, List<String> values) {
    if (values == null || values.isEmpty()) return null;
    if (values.size() == 1 || !isListValued(key)) return values.get(0);
    return String.join(",", values);
  }

  /** Headers of the JDK HttpServer, request or response side. */
  static TextCarrier of(Headers headers) {
    return new TextCarrier() {
      @Override
      public void put(String key, String value) {
        headers.set(key, value);
      }

      @Override
      public String get(String key) {
        return joinOrFirst(key, headers.get(key));
      }
    };
  }

  /** Read-only: headers of a {@code java.net.http} response or request. */
  static TextCarrier of(HttpHeaders headers) {
    return new TextCarrier() {
      @Override
      public void put(String key, String value) {
        throw new UnsupportedOperationException("read-only headers");
      }

      @Override
      public String get(String key) {
        return joinOrFirst(key, headers.allValues(key));
      }
    };
  }

  /** Write-only: a request being built. */
  static TextCarrier of(HttpRequest.Builder builder) {
    return new TextCarrier() {
      @Override
      public void put(String key, String value) {
        builder.setHeader(key, value);
      }

      @Override
      public String get(String key) {
        return null;
      }
    };
  }
}
