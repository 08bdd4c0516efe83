package dev.weft.server.api;

import dev.weft.server.store.EventFilter;
import dev.weft.server.store.Store;
import io.javalin.http.sse.SseClient;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live tail of the event log over Server-Sent Events. Each client is a task on a small shared scheduler that polls
 * the store for events after the client's cursor every {@link #POLL_MS} ms and writes at most {@link #BATCH} events per
 * poll, so per-connection work is bounded and no request thread is held. A comment line every
 * {@link #HEARTBEAT_MS} ms keeps proxies from closing an idle stream, and is also how a silent disconnect is noticed
 * (a failed write closes the client).
 */
final class EventTail implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventTail.class);

  static final long POLL_MS = 250;
  static final long HEARTBEAT_MS = 15_000;
  static final int BATCH = 500;

  private final Store store;
  private final int maxClients;
  private final AtomicInteger active = new AtomicInteger();
  private final Set<Runnable> closers = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "weft-sse");
    t.setDaemon(true);
    return t;
  });

  EventTail(Store store, int maxClients) {
    this.store = store;
    this.maxClients = maxClients;
  }

  /** Reserves a client slot; false when {@code maxClients} are connected already. */
  boolean reserve() {
    while (true) {
      int n = active.get();
      if (n >= maxClients) return false;
      if (active.compareAndSet(n, n + 1)) return true;
    }
  }

  void release() {
    active.decrementAndGet();
  }

  int active() {
    return active.get();
  }

  /**
   * Serves one reserved client: first {@code backlog} (all sent with id {@code cursor}), then every matching event
   * stored after {@code cursor}, until the client goes away or the server closes.
   */
  void serve(SseClient client, EventFilter filter, List<Store.LogEntry> backlog, long cursor) {
    client.keepAlive();
    AtomicBoolean done = new AtomicBoolean();
    long[] state = {cursor, System.nanoTime()}; // cursor, last write
    ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
    Runnable finish = () -> {
      if (!done.compareAndSet(false, true)) return;
      if (task[0] != null) task[0].cancel(false);
      release();
      try {
        client.close();
      } catch (RuntimeException e) {
        LOG.debug("closing an SSE client failed", e);
      }
    };
    closers.add(finish);
    client.onClose(() -> {
      closers.remove(finish);
      finish.run();
    });
    synchronized (state) {
      for (Store.LogEntry e : backlog) client.sendEvent("message", e.json(), Long.toString(cursor));
      if (client.terminated()) {
        finish.run();
        return;
      }
    }
    try {
      task[0] = scheduler.scheduleWithFixedDelay(() -> poll(client, filter, state, finish), 0, POLL_MS,
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      finish.run(); // the server is closing
    }
    if (done.get() && task[0] != null) task[0].cancel(false);
  }

  private void poll(SseClient client, EventFilter filter, long[] state, Runnable finish) {
    try {
      synchronized (state) {
        if (client.terminated()) {
          finish.run();
          return;
        }
        List<Store.LogEntry> batch = store.eventsAfter(filter, state[0], BATCH);
        for (Store.LogEntry e : batch) {
          client.sendEvent("message", e.json(), Long.toString(e.cursor()));
          state[0] = e.cursor();
        }
        long now = System.nanoTime();
        if (!batch.isEmpty()) {
          state[1] = now;
        } else if (now - state[1] >= TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MS)) {
          client.sendComment("heartbeat");
          state[1] = now;
        }
        if (client.terminated()) finish.run();
      }
    } catch (RuntimeException e) {
      LOG.warn("event tail stopped: {}", e.toString());
      finish.run();
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    for (Runnable r : List.copyOf(closers)) r.run();
    closers.clear();
  }
}
