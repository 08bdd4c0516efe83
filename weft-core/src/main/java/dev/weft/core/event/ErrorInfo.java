package dev.weft.core.event;

import java.util.Objects;

/**
 * What went wrong in a failed operation: the error type (an exception class name, or a domain code) and a message.
 *
 * @param type e.g. {@code java.net.SocketTimeoutException} or {@code OUT_OF_STOCK}; at most 256 characters
 * @param message human-readable detail; at most 4096 characters, cut beyond that
 */
public record ErrorInfo(String type, String message) {
  public static final int MAX_TYPE_LENGTH = 256;
  public static final int MAX_MESSAGE_LENGTH = 4096;

  public ErrorInfo {
    Objects.requireNonNull(type, "error.type");
    if (type.isEmpty()) throw new IllegalArgumentException("error.type: must not be empty");
    if (type.length() > MAX_TYPE_LENGTH) type = type.substring(0, MAX_TYPE_LENGTH);
    if (message == null) message = "";
    if (message.length() > MAX_MESSAGE_LENGTH) message = message.substring(0, MAX_MESSAGE_LENGTH);
  }

  /** The type and message of an exception. */
  public static ErrorInfo of(Throwable t) {
    String msg = t.getMessage();
    return new ErrorInfo(t.getClass().getName(), msg == null ? "" : msg);
  }
}
