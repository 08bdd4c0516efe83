package dev.weft.core.channel.memory;

import dev.weft.core.channel.BinaryMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * An in-process message broker: each topic delivers, in order, on its own thread, so messages really wait in a queue
 * between producer and consumer. For examples and tests; real services use the Kafka, HTTP or JDBC mediums.
 */
public final class MemoryBroker implements AutoCloseable {
  private final Map<String, List<Consumer<BinaryMessage>>> subscribers = new ConcurrentHashMap<>();
  private final Map<String, ExecutorService> topics = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong pending = new java.util.concurrent.atomic.AtomicLong();

  /** Registers a subscriber for {@code topic}. */
  public void subscribe(String topic, Consumer<BinaryMessage> subscriber) {
    subscribers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(subscriber);
  }

  /** Enqueues a message for every subscriber of {@code topic}. */
  public void publish(String topic, BinaryMessage message) {
    ExecutorService ex = topics.computeIfAbsent(topic, t -> Executors.newSingleThreadExecutor(r -> {
      Thread th = new Thread(r, "memory-topic-" + t);
      th.setDaemon(true);
      return th;
    }));
    pending.incrementAndGet();
    ex.execute(() -> {
      try {
        deliver(topic, message);
      } finally {
        pending.decrementAndGet();
      }
    });
  }

  private void deliver(String topic, BinaryMessage message) {
    for (Consumer<BinaryMessage> s : subscribers.getOrDefault(topic, List.of())) {
      try {
        s.accept(message);
      } catch (RuntimeException e) {
        // a failing subscriber must not stop the topic; the subscriber's operation recorded the failure
      }
    }
  }

  /** Waits until every published message has been delivered, or the timeout passes. */
  public boolean drain(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (pending.get() > 0) {
      if (System.currentTimeMillis() > deadline) return false;
      Thread.sleep(5);
    }
    return true;
  }

  @Override
  public void close() {
    topics.values().forEach(ExecutorService::shutdownNow);
  }
}
