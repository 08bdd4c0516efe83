package dev.weft.core.event;

/** The standard event types of the telemetry log. Custom types are any other UPPER_SNAKE name. */
public final class EventType {
  public static final String START = "START";
  public static final String COMPLETE = "COMPLETE";
  public static final String FAIL = "FAIL";
  public static final String SEND = "SEND";
  public static final String RECEIVE = "RECEIVE";
  public static final String DECLARE = "DECLARE";

  /** Longest event type name. */
  public static final int MAX_LENGTH = 64;

  private EventType() {}

  /** True for the six standard types. */
  public static boolean isStandard(String type) {
    return START.equals(type) || COMPLETE.equals(type) || FAIL.equals(type) || SEND.equals(type)
        || RECEIVE.equals(type) || DECLARE.equals(type);
  }

  /** True for a legal type: UPPER_SNAKE, starting with a letter, at most 64 characters. */
  public static boolean isValid(String type) {
    if (type == null || type.isEmpty() || type.length() > MAX_LENGTH) return false;
    char first = type.charAt(0);
    if (first < 'A' || first > 'Z') return false;
    for (int i = 1; i < type.length(); i++) {
      char c = type.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
  }
}
