package dev.weft.jdbc;

import dev.weft.core.Limits;
import java.time.Duration;
import java.util.Objects;

/**
 * How a catch-up subscription reads and what it does when its handler fails.
 *
 * @param operationName the name of the operation each event runs in
 * @param name the subscription's id for a persisted checkpoint, or null to keep the checkpoint in memory only
 * @param afterPosition where a subscription without a stored checkpoint starts: events after this global position
 *     (0 = from the beginning)
 * @param filter which events
 * @param schema the message type declared for the subscription's channel (its events may have several)
 * @param batchSize most events read per poll
 * @param pollInterval the wait between polls that found nothing new
 * @param maxAttempts attempts per event, the first included, before {@code onExhausted} applies
 * @param retryBackoff the wait before the second attempt; doubled for each further one, up to 30 s
 * @param onExhausted what happens to an event whose every attempt failed
 */
public record SubscriptionOptions(String operationName, String name, long afterPosition, StreamFilter filter,
    String schema, int batchSize, Duration pollInterval, int maxAttempts, Duration retryBackoff,
    Exhausted onExhausted) {

  /** The fate of an event whose handler failed {@code maxAttempts} times. */
  public enum Exhausted {
    /**
     * The subscription stops before the event, its checkpoint not moved past it: nothing is ever skipped, and a
     * restart retries it (at-least-once). The default.
     */
    STOP,
    /** The event is skipped and counted; the subscription moves on (at-most-once for that event's effects). */
    SKIP
  }

  public SubscriptionOptions {
    if (operationName == null || operationName.isBlank()) throw new IllegalArgumentException("operationName");
    if (name != null && (name.isEmpty() || name.length() > 200)) throw new IllegalArgumentException("name: 1..200");
    if (afterPosition < 0) throw new IllegalArgumentException("afterPosition: >= 0");
    Objects.requireNonNull(filter, "filter");
    if (!Limits.isToken(schema, Limits.MAX_SCHEMA_URI_LENGTH)) throw new IllegalArgumentException("schema: a URI");
    if (batchSize < 1 || batchSize > 10_000) throw new IllegalArgumentException("batchSize: 1..10000");
    if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval: positive");
    }
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts: at least 1");
    if (retryBackoff == null || retryBackoff.isNegative()) throw new IllegalArgumentException("retryBackoff");
    Objects.requireNonNull(onExhausted, "onExhausted");
  }

  /**
   * Defaults: all events from the beginning, in-memory checkpoint, 100 per poll, 200 ms between empty polls, 3
   * attempts with 100 ms backoff, then stop.
   */
  public static SubscriptionOptions of(String operationName) {
    return new SubscriptionOptions(operationName, null, 0, StreamFilter.all(), "urn:weft:jdbc:any", 100,
        Duration.ofMillis(200), 3, Duration.ofMillis(100), Exhausted.STOP);
  }

  public SubscriptionOptions named(String subscriptionName) {
    return new SubscriptionOptions(operationName, subscriptionName, afterPosition, filter, schema, batchSize,
        pollInterval, maxAttempts, retryBackoff, onExhausted);
  }

  public SubscriptionOptions from(long after) {
    return new SubscriptionOptions(operationName, name, after, filter, schema, batchSize, pollInterval, maxAttempts,
        retryBackoff, onExhausted);
  }

  public SubscriptionOptions filter(StreamFilter f) {
    return new SubscriptionOptions(operationName, name, afterPosition, f, schema, batchSize, pollInterval,
        maxAttempts, retryBackoff, onExhausted);
  }

  public SubscriptionOptions schema(String s) {
    return new SubscriptionOptions(operationName, name, afterPosition, filter, s, batchSize, pollInterval,
        maxAttempts, retryBackoff, onExhausted);
  }

  public SubscriptionOptions batchSize(int n) {
    return new SubscriptionOptions(operationName, name, afterPosition, filter, schema, n, pollInterval, maxAttempts,
        retryBackoff, onExhausted);
  }

  public SubscriptionOptions pollInterval(Duration d) {
    return new SubscriptionOptions(operationName, name, afterPosition, filter, schema, batchSize, d, maxAttempts,
        retryBackoff, onExhausted);
  }

  public SubscriptionOptions retries(int attempts, Duration backoff, Exhausted then) {
    return new SubscriptionOptions(operationName, name, afterPosition, filter, schema, batchSize, pollInterval,
        attempts, backoff, then);
  }
}
