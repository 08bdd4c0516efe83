package dev.weft.http;

import java.io.IOException;

/**
 * The application's payload codec failed on a request or a 2xx reply. The cause is the codec's own exception: the
 * client operation failed with it, and it reaches the caller unchanged inside this one.
 */
public final class PayloadException extends IOException {
  private static final long serialVersionUID = 1L;

  public PayloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
