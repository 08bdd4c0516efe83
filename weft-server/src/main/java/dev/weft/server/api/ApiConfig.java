package dev.weft.server.api;

import java.util.Objects;

/**
 * How the HTTP API listens and what it accepts.
 *
 * @param bind the address to bind; loopback ({@code 127.0.0.1}) unless the operator says otherwise
 * @param port the TCP port; 0 picks a free one (tests)
 * @param authToken when non-null and non-empty, every {@code /api/v1/*} request needs {@code Authorization: Bearer}
 *     with this token
 * @param maxBodyBytes the largest request body accepted by {@code POST /api/v1/events}
 */
public record ApiConfig(String bind, int port, String authToken, long maxBodyBytes) {
  /** 5 MiB. */
  public static final long DEFAULT_MAX_BODY = 5L * 1024 * 1024;
  public static final int DEFAULT_PORT = 9797;
  public static final String DEFAULT_BIND = "127.0.0.1";

  public ApiConfig {
    Objects.requireNonNull(bind, "bind");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535");
    if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("maxBodyBytes must be 1.." + (Integer.MAX_VALUE - 16));
    }
    if (authToken != null && authToken.isEmpty()) authToken = null;
  }

  public static ApiConfig defaults() {
    return new ApiConfig(DEFAULT_BIND, DEFAULT_PORT, null, DEFAULT_MAX_BODY);
  }

  public ApiConfig withPort(int p) {
    return new ApiConfig(bind, p, authToken, maxBodyBytes);
  }

  public ApiConfig withAuthToken(String token) {
    return new ApiConfig(bind, port, token, maxBodyBytes);
  }

  public ApiConfig withMaxBodyBytes(long max) {
    return new ApiConfig(bind, port, authToken, max);
  }
}
