package dev.weft.demo;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the simulation itself did, recorded where it happened and independently of the telemetry: which
 * {@code UpdateInventory} operations it failed or crashed in, per merchant, which messages each index write batched,
 * and how many crashes it staged. The end-to-end test compares the server's answers with this.
 */
final class GroundTruth {
  /** One index write: the message it sent and the messages it batched, in order. */
  record Batch(String outputMessageId, List<String> inputMessageIds, List<String> inputTraceIds) {}

  private final Map<String, Set<String>> failedUpdates = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> abandonedUpdates = new ConcurrentHashMap<>();
  private final Set<String> abandonedNotifications = ConcurrentHashMap.newKeySet();
  /** The most recent index writes; older ones are forgotten, so a long run does not grow without bound. */
  private final ArrayDeque<Batch> batches = new ArrayDeque<>();
  static final int BATCHES_KEPT = 1000;
  private final AtomicLong flows = new AtomicLong();
  private final AtomicLong crashes = new AtomicLong();
  private final AtomicLong lastCrashMillis = new AtomicLong();
  private final AtomicReference<String> firstTrace = new AtomicReference<>();

  void flowStarted(String traceId) {
    flows.incrementAndGet();
    firstTrace.compareAndSet(null, traceId);
  }

  void updateFailed(String merchant, String opId) {
    failedUpdates.computeIfAbsent(merchant, m -> ConcurrentHashMap.newKeySet()).add(opId);
  }

  void updateAbandoned(String merchant, String opId) {
    abandonedUpdates.computeIfAbsent(merchant, m -> ConcurrentHashMap.newKeySet()).add(opId);
    crashed();
  }

  void notificationAbandoned(String opId) {
    abandonedNotifications.add(opId);
    crashed();
  }

  private void crashed() {
    crashes.incrementAndGet();
    lastCrashMillis.set(System.currentTimeMillis());
  }

  synchronized void batch(Batch b) {
    if (batches.size() == BATCHES_KEPT) batches.removeFirst();
    batches.addLast(b);
  }

  long flows() {
    return flows.get();
  }

  /** The trace of the first flow the merchant portal started, or null before it. */
  String firstTrace() {
    return firstTrace.get();
  }

  long crashes() {
    return crashes.get();
  }

  /** When the last crash happened (epoch millis), or 0. */
  long lastCrashMillis() {
    return lastCrashMillis.get();
  }

  /** The UpdateInventory operations of {@code merchant} that failed. */
  Set<String> failedUpdates(String merchant) {
    return Set.copyOf(failedUpdates.getOrDefault(merchant, Set.of()));
  }

  /** The UpdateInventory operations of {@code merchant} whose instance crashed while running them. */
  Set<String> abandonedUpdates(String merchant) {
    return Set.copyOf(abandonedUpdates.getOrDefault(merchant, Set.of()));
  }

  /** Failed and abandoned UpdateInventory operations per merchant, by merchant. */
  Map<String, Set<String>> failedOrAbandonedUpdates() {
    Map<String, Set<String>> out = new TreeMap<>();
    failedUpdates.forEach((m, s) -> out.computeIfAbsent(m, k -> new TreeSet<>()).addAll(s));
    abandonedUpdates.forEach((m, s) -> out.computeIfAbsent(m, k -> new TreeSet<>()).addAll(s));
    return out;
  }

  long failedUpdateCount() {
    return failedUpdates.values().stream().mapToLong(Set::size).sum();
  }

  long abandonedUpdateCount() {
    return abandonedUpdates.values().stream().mapToLong(Set::size).sum();
  }

  Set<String> abandonedNotifications() {
    return Set.copyOf(abandonedNotifications);
  }

  synchronized List<Batch> batches() {
    return List.copyOf(batches);
  }
}
