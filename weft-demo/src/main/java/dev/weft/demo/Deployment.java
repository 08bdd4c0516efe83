package dev.weft.demo;

import dev.weft.core.Envelope;
import dev.weft.core.Operation;
import dev.weft.core.Stage;
import dev.weft.core.channel.Channel;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.topology.TopologyScanner;
import dev.weft.kafka.KafkaSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A consumer service deployed as several allocations (instances) in one consumer group, each handling records one by
 * one through weft-kafka's {@link KafkaSubscriber}. The handler may crash its instance; the allocation is then
 * restarted after a delay, as Nomad would, by a new process that resumes from the group's committed offsets. The
 * record the dead instance was handling was never committed, so the new instance receives it again: at-least-once,
 * visible in the trace as a second operation on the same message.
 *
 * <p>The poll loop is the application's own (it must stop committing the moment its instance dies);
 * {@link KafkaSubscriber#process(List)} does the tracing of each record.
 */
final class Deployment<A> implements AutoCloseable {
  /** Handles one record inside its operation; {@code self} is the instance running it, which it may crash. */
  @FunctionalInterface
  interface Handler<A> {
    void handle(Instance self, Envelope<Stage.In, A> message, Operation operation) throws Exception;
  }

  /** Builds one instance's handler; adds what the instance uses (publishers) to {@code declares}. */
  @FunctionalInterface
  interface Setup<A> {
    Handler<A> setup(Instance instance, List<Object> declares);
  }

  private final Shop shop;
  private final String service;
  private final Channel channel;
  private final PayloadCodec<A> codec;
  private final String operation;
  private final Setup<A> setup;
  private final Supplier<Consumer<byte[], byte[]>> consumers;
  private final ScheduledExecutorService restarts;
  private final Duration restartDelay;
  private final List<Worker> workers = new ArrayList<>();
  private final AtomicInteger pendingRestarts = new AtomicInteger();
  private volatile boolean running = true;

  Deployment(Shop shop, String service, Channel channel, PayloadCodec<A> codec, String operation, Setup<A> setup,
      Supplier<Consumer<byte[], byte[]>> consumers, ScheduledExecutorService restarts, Duration restartDelay) {
    this.shop = shop;
    this.service = service;
    this.channel = channel;
    this.codec = codec;
    this.operation = operation;
    this.setup = setup;
    this.consumers = consumers;
    this.restarts = restarts;
    this.restartDelay = restartDelay;
  }

  /** Starts {@code count} allocations. */
  Deployment<A> start(int count) {
    for (int i = 0; i < count; i++) launch(i);
    return this;
  }

  /** Allocations waiting to be restarted after a crash. */
  int pendingRestarts() {
    return pendingRestarts.get();
  }

  private synchronized void launch(int allocIndex) {
    if (!running) return;
    Worker w = new Worker(allocIndex);
    workers.add(w);
    w.thread.start();
  }

  private void restartLater(int allocIndex) {
    pendingRestarts.incrementAndGet();
    try {
      restarts.schedule(() -> {
        try {
          launch(allocIndex);
        } finally {
          pendingRestarts.decrementAndGet();
        }
      }, restartDelay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      pendingRestarts.decrementAndGet(); // shutting down
    }
  }

  @Override
  public void close() {
    List<Worker> all;
    synchronized (this) {
      running = false;
      all = new ArrayList<>(workers);
    }
    for (Worker w : all) w.stop();
    for (Worker w : all) w.join();
  }

  /** One allocation's process: an instance, its consumer and its poll loop. */
  private final class Worker {
    final Instance instance;
    final Consumer<byte[], byte[]> consumer;
    final KafkaSubscriber<A> subscriber;
    final Thread thread;
    volatile boolean stopping;
    /** Offsets handed to an asynchronous commit the broker has not accepted yet; only the poll thread touches it. */
    private final Map<TopicPartition, OffsetAndMetadata> unconfirmed = new HashMap<>();

    Worker(int allocIndex) {
      instance = shop.instance(service, allocIndex);
      consumer = consumers.get();
      List<Object> declares = new ArrayList<>();
      Handler<A> h = setup.setup(instance, declares);
      subscriber = KafkaSubscriber.perRecord(consumer, instance.tracer, channel, codec, operation,
          (in, op) -> h.handle(instance, in, op));
      declares.add(subscriber);
      instance.tracer.declare(TopologyScanner.scan(service, new Shop.Declares(declares)));
      thread = new Thread(this::run, service + "-" + allocIndex);
      thread.setDaemon(true);
    }

    void run() {
      try {
        consumer.subscribe(List.of(channel.name()));
        while (!stopping && !instance.crashed()) {
          ConsumerRecords<byte[], byte[]> polled;
          try {
            polled = consumer.poll(Duration.ofMillis(100));
          } catch (WakeupException e) {
            break;
          }
          Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
          for (ConsumerRecord<byte[], byte[]> r : polled) {
            subscriber.process(List.of(r));
            if (instance.crashed()) break; // a dead process commits nothing more
            done.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
          }
          if (!done.isEmpty() && !instance.crashed()) {
            commit(done);
          } else if (polled.isEmpty() && !unconfirmed.isEmpty()) {
            // A commit refused during a rebalance leaves the records handled but uncommitted: a partition that moved
            // is delivered again by its new owner (at least once); one this worker kept is committed again here,
            // or its group would stay behind once traffic stops.
            unconfirmed.keySet().retainAll(consumer.assignment());
            if (!unconfirmed.isEmpty()) commit(new HashMap<>(unconfirmed));
          }
        }
      } catch (WakeupException e) {
        // stopping
      } catch (RuntimeException e) {
        shop.warn(service + " instance " + instance.allocId + " stopped: " + e);
      } finally {
        try {
          consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
          // closing a consumer of a stopping demo
        }
      }
      if (instance.crashed() && !stopping && running) {
        synchronized (Deployment.this) {
          workers.remove(this);
        }
        restartLater(instance.allocIndex);
      }
    }

    /** Commits asynchronously; the offsets stay in {@link #unconfirmed} until the broker accepts them. */
    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
      unconfirmed.putAll(offsets);
      // callbacks run on this thread, inside a later poll or commit
      consumer.commitAsync(offsets, (accepted, e) -> {
        if (e == null) accepted.forEach(unconfirmed::remove);
      });
    }

    void stop() {
      stopping = true;
      try {
        consumer.wakeup();
      } catch (RuntimeException e) {
        // its loop already closed it
      }
    }

    void join() {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
