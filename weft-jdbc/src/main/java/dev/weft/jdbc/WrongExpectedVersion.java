package dev.weft.jdbc;

/**
 * An append lost an optimistic-concurrency race: the stream was not at the version the caller expected. Nothing of
 * the append was stored and no SEND was emitted. The usual answer is to re-read the stream, re-decide, and append
 * again.
 */
public final class WrongExpectedVersion extends Exception {
  private static final long serialVersionUID = 1L;

  private final String streamId;
  private final long expectedVersion;
  private final long actualVersion;

  public WrongExpectedVersion(String streamId, long expectedVersion, long actualVersion) {
    super("stream \"" + streamId + "\": expected version " + describe(expectedVersion) + ", but it is at "
        + describe(actualVersion));
    this.streamId = streamId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }

  private static String describe(long v) {
    if (v == JdbcEventStore.NO_STREAM) return "no stream (" + v + ")";
    if (v == JdbcEventStore.ANY) return "any (" + v + ")";
    return Long.toString(v);
  }

  public String streamId() {
    return streamId;
  }

  public long expectedVersion() {
    return expectedVersion;
  }

  /** The stream's version when the append was refused ({@link JdbcEventStore#NO_STREAM} when it has no events). */
  public long actualVersion() {
    return actualVersion;
  }
}
