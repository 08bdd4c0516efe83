package dev.weft.core.topology;

/** How a service uses a channel. Written lower-case in events. */
public enum Direction {
  /** Publishes messages to a pub/sub channel. */
  PUBLISH,
  /** Subscribes to a pub/sub channel. */
  SUBSCRIBE,
  /** Serves requests on a request/reply channel. */
  SERVE,
  /** Sends requests on a request/reply channel. */
  CALL;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses the wire name, or returns null. */
  public static Direction fromWire(String s) {
    for (Direction d : values()) if (d.wireName().equals(s)) return d;
    return null;
  }
}
