package dev.weft.jdbc;

import dev.weft.core.Envelope;
import dev.weft.core.Operation;
import dev.weft.core.Scope;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.channel.Channel;
import dev.weft.core.channel.Handler;
import dev.weft.core.topology.DeclaresChannel;
import dev.weft.core.topology.Direction;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a store in global-position order and hands each event to a handler, as an operation that continues the
 * event's trace: RECEIVE is emitted on the event's channel, the operation's input is the event, and a handler that
 * returns completes it, one that throws fails it.
 *
 * <p><b>Checkpoint.</b> The position of the last event handled (or skipped). Reading resumes after it. A named
 * subscription stores it in the store's checkpoint table after each batch, so after a crash the events handled since
 * the last save are delivered again: <b>at-least-once</b>; handlers must be idempotent, as with any at-least-once
 * consumer.
 *
 * <p><b>Failure.</b> A failed event is retried up to {@code maxAttempts} times with exponential backoff, each attempt
 * its own operation (FAIL, FAIL, ..., and COMPLETE if one succeeds). When every attempt failed,
 * {@link SubscriptionOptions.Exhausted#STOP} (the default) stops the subscription <i>before</i> the event, so it is
 * never lost; {@link SubscriptionOptions.Exhausted#SKIP} counts it and moves on. A payload the codec cannot decode fails
 * the same way. A row whose Weft metadata is missing or garbled is <i>not</i> a failure: it runs with an adopted origin
 * header, and is counted.
 *
 * <p>Database errors while polling are retried by the polling thread; the subscription keeps its position.
 */
public final class CatchUpSubscription<A> implements AutoCloseable, DeclaresChannel {
  /** The lifecycle. */
  public enum State {
    NEW,
    RUNNING,
    /** Closed by the application. */
    CLOSED,
    /** Stopped before an event whose every attempt failed; see {@link #failure()}. */
    FAILED
  }

  /**
   * What a subscription did.
   *
   * @param position the checkpoint: the last position handled or skipped
   * @param handled events handled successfully
   * @param failedAttempts handler attempts that failed (retries included)
   * @param skipped events given up after every attempt failed (only with {@code SKIP})
   * @param adoptedOrigins events whose metadata was missing or garbled, run with an adopted origin header
   * @param pollErrors polls that failed with a database error
   */
  public record Stats(long position, long handled, long failedAttempts, long skipped, long adoptedOrigins,
      long pollErrors) {}

  private static final long MAX_BACKOFF_MILLIS = 30_000;

  private final JdbcEventStore<A> store;
  private final SubscriptionOptions options;
  private final Handler<A> handler;
  private final Tracer tracer;
  private final Channel channel;
  private final Object pollLock = new Object();
  private final Object signal = new Object(); // wakes sleepers on close, and position waiters on progress

  private volatile long position;
  private volatile State state = State.NEW;
  private volatile Throwable failure;
  private volatile Throwable lastPollError;
  private Thread thread;
  private final AtomicLong handled = new AtomicLong();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong adopted = new AtomicLong();
  private final AtomicLong pollErrors = new AtomicLong();

  CatchUpSubscription(JdbcEventStore<A> store, SubscriptionOptions options, Handler<A> handler) throws SQLException {
    this.store = store;
    this.options = options;
    this.handler = java.util.Objects.requireNonNull(handler, "handler");
    this.tracer = store.tracer();
    long stored = options.name() == null ? -1 : store.loadCheckpoint(options.name());
    this.position = stored >= 0 ? stored : options.afterPosition();
    this.channel = Channel.pubSub("jdbc", channelName(store, options.filter()), options.schema());
  }

  private static String channelName(JdbcEventStore<?> store, StreamFilter filter) {
    if (filter instanceof StreamFilter.Stream s) return store.channelId(s.streamId()).substring(5);
    if (filter instanceof StreamFilter.Category c) return store.channelId(c.name()).substring(5);
    return "$all"; // every stream: a channel of its own in the declared topology
  }

  /** The channel this subscription declares: {@code jdbc:<category>}, or {@code jdbc:$all} for every stream. */
  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public Direction direction() {
    return Direction.SUBSCRIBE;
  }

  public SubscriptionOptions options() {
    return options;
  }

  /** The checkpoint: the global position of the last event handled or skipped. */
  public long position() {
    return position;
  }

  public State state() {
    return state;
  }

  /** The last handler failure of the event that stopped the subscription, or null. */
  public Throwable failure() {
    return failure;
  }

  /** The last database error seen while polling, or null. */
  public Throwable lastPollError() {
    return lastPollError;
  }

  public Stats stats() {
    return new Stats(position, handled.get(), failedAttempts.get(), skipped.get(), adopted.get(), pollErrors.get());
  }

  /** Starts the polling thread. */
  public synchronized void start() {
    if (state != State.NEW) throw new IllegalStateException("subscription is " + state);
    state = State.RUNNING;
    thread = new Thread(this::run, "weft-jdbc-" + (options.name() != null ? options.name() : options.operationName()));
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    long errorBackoff = options.pollInterval().toMillis();
    while (state == State.RUNNING) {
      try {
        int n = pollOnce();
        errorBackoff = options.pollInterval().toMillis();
        if (n < options.batchSize()) pause(options.pollInterval().toMillis());
      } catch (SQLException | RuntimeException e) {
        // the database is away, or a checkpoint could not be saved: keep the position, try again later
        lastPollError = e;
        pollErrors.incrementAndGet();
        pause(errorBackoff);
        errorBackoff = Math.min(errorBackoff * 2, 5_000);
      } catch (Error e) {
        failure = e;
        state = State.FAILED;
        wake();
        throw e;
      }
    }
  }

  /**
   * Reads one batch and delivers it; returns how many events were handled or skipped. For applications (and tests)
   * that drive the subscription themselves; safe to call while the polling thread runs.
   */
  public int pollOnce() throws SQLException {
    synchronized (pollLock) {
      if (state == State.FAILED || state == State.CLOSED) return 0;
      long before = position;
      List<JdbcEventStore.Row> rows = store.readRows(position, options.filter(), options.batchSize());
      int done = 0;
      try {
        for (JdbcEventStore.Row row : rows) {
          Outcome o = deliver(row);
          if (o == Outcome.ABORTED) break;
          if (o == Outcome.EXHAUSTED) {
            state = State.FAILED;
            break;
          }
          position = row.position();
          done++;
          wake();
        }
      } finally {
        if (options.name() != null && position != before) store.saveCheckpoint(options.name(), position);
        wake();
      }
      return done;
    }
  }

  private enum Outcome {
    DONE,
    EXHAUSTED,
    ABORTED
  }

  private Outcome deliver(JdbcEventStore.Row row) {
    if (row.status() != StoredEvent.HeaderStatus.WEFT) adopted.incrementAndGet();
    String channelId = store.channelId(row.streamId());
    Exception last = null;
    for (int attempt = 1; attempt <= options.maxAttempts(); attempt++) {
      if (attempt > 1) {
        long wait = Math.min(options.retryBackoff().toMillis() << Math.min(attempt - 2, 20), MAX_BACKOFF_MILLIS);
        if (!pause(wait)) return Outcome.ABORTED; // closed while waiting: the event stays undelivered
      }
      Envelope<Stage.In, A> in;
      Exception decodeError = null;
      try {
        in = row.decode(store.codec()).envelope();
      } catch (Exception e) {
        in = Envelope.in(row.header(), null);
        decodeError = e;
      }
      Operation op = tracer.start(options.operationName(), in);
      tracer.received(in.header(), channelId, op);
      op.tag("jdbc.position", row.position());
      if (attempt > 1) op.tag("weft.attempt", attempt);
      try (Scope scope = op.makeCurrent()) {
        if (decodeError != null) throw decodeError;
        handler.handle(in, op);
        if (op.isRunning()) op.complete();
        handled.incrementAndGet();
        return Outcome.DONE;
      } catch (Exception e) {
        if (op.isRunning()) op.fail(e);
        failedAttempts.incrementAndGet();
        last = e;
        if (state == State.CLOSED) return Outcome.ABORTED;
      }
    }
    if (options.onExhausted() == SubscriptionOptions.Exhausted.SKIP) {
      skipped.incrementAndGet();
      return Outcome.DONE;
    }
    failure = last;
    return Outcome.EXHAUSTED;
  }

  /** Sleeps up to {@code millis}; false if the subscription was closed meanwhile. */
  private boolean pause(long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    synchronized (signal) {
      while (state != State.CLOSED) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) return true;
        try {
          signal.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return false;
    }
  }

  private void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  /**
   * Waits until the checkpoint reaches {@code target}, or the subscription stops, or the timeout passes.
   *
   * @return true if the position reached {@code target}
   */
  public boolean awaitPosition(long target, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (signal) {
      while (position < target) {
        if (state == State.FAILED || state == State.CLOSED) return false;
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) return false;
        signal.wait(Math.min(left, 50));
      }
      return true;
    }
  }

  /**
   * Stops polling. An event being handled finishes first (up to 10 s); one waiting for a retry is left for the next
   * start. A named subscription's checkpoint is saved.
   */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      if (state == State.RUNNING || state == State.NEW) state = State.CLOSED;
      t = thread;
    }
    wake();
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
