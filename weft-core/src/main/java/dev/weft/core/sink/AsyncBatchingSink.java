package dev.weft.core.sink;

import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.event.TelemetryEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The standard export path: application threads put events into a bounded lock-free ring; one daemon thread takes them
 * out in batches and hands each batch to a {@link BatchExporter}.
 *
 * <ul>
 *   <li><b>Bounded memory.</b> At most {@code capacity} events wait. When the ring is full, {@link #send} drops the
 *       event and counts it; it never waits.
 *   <li><b>Batches</b> of up to {@code maxBatchSize} leave when that many are waiting or {@code linger} has passed.
 *   <li><b>Flush on close.</b> {@link #close} exports everything still queued, then closes the exporter.
 * </ul>
 */
public final class AsyncBatchingSink implements TelemetrySink {
  private final MpscRing<TelemetryEvent> ring;
  private final BatchExporter exporter;
  private final int maxBatchSize;
  private final long lingerNanos;
  private final Thread worker;

  private final LongAdder accepted = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong exportFailed = new AtomicLong();
  private final AtomicLong flushRequests = new AtomicLong();
  private volatile long flushesDone;
  private volatile boolean closed;

  private AsyncBatchingSink(Builder b) {
    this.exporter = b.exporter;
    this.ring = new MpscRing<>(b.capacity);
    this.maxBatchSize = b.maxBatchSize;
    this.lingerNanos = b.linger.toNanos();
    this.worker = new Thread(this::run, "weft-sink-" + b.name);
    this.worker.setDaemon(true);
    this.worker.start();
  }

  public static Builder builder(BatchExporter exporter) {
    return new Builder(exporter);
  }

  /** Options; the defaults suit a service emitting up to ~100k events/s. */
  public static final class Builder {
    private final BatchExporter exporter;
    private int capacity = 8192;
    private int maxBatchSize = 512;
    private Duration linger = Duration.ofMillis(100);
    private String name = "async";

    private Builder(BatchExporter exporter) {
      this.exporter = Objects.requireNonNull(exporter, "exporter");
    }

    /** Events held at most (rounded up to a power of two). Default 8192. */
    public Builder capacity(int capacity) {
      if (capacity < 2) throw new IllegalArgumentException("capacity must be at least 2");
      this.capacity = capacity;
      return this;
    }

    /** Events per batch at most. Default 512. */
    public Builder maxBatchSize(int maxBatchSize) {
      if (maxBatchSize < 1) throw new IllegalArgumentException("maxBatchSize must be at least 1");
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    /** How long a partial batch may wait. Default 100 ms. */
    public Builder linger(Duration linger) {
      this.linger = Objects.requireNonNull(linger, "linger");
      return this;
    }

    /** Names the worker thread, {@code weft-sink-NAME}. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    public AsyncBatchingSink build() {
      return new AsyncBatchingSink(this);
    }
  }

  @Override
  public void send(TelemetryEvent event) {
    accepted.increment();
    if (event == null || closed || !ring.offer(event)) {
      dropped.increment();
      return;
    }
    // wake the worker only when a full batch is ready; otherwise the linger timer does it
    if (ring.size() == maxBatchSize) LockSupport.unpark(worker);
  }

  private void run() {
    List<TelemetryEvent> batch = new ArrayList<>(maxBatchSize);
    long lastExport = System.nanoTime();
    while (true) {
      long flushTarget = flushRequests.get();
      boolean stopping = closed;
      TelemetryEvent e;
      while (batch.size() < maxBatchSize && (e = ring.poll()) != null) batch.add(e);
      boolean full = batch.size() >= maxBatchSize;
      boolean due = !batch.isEmpty() && System.nanoTime() - lastExport >= lingerNanos;
      boolean flushing = flushTarget != flushesDone;
      if (full || due || ((flushing || stopping) && !batch.isEmpty())) {
        export(batch);
        batch.clear();
        lastExport = System.nanoTime();
        continue; // there may be more
      }
      if (batch.isEmpty() && ring.size() == 0) {
        if (flushing) flushesDone = flushTarget;
        if (stopping) break;
      }
      if (!full) LockSupport.parkNanos(this, Math.max(1_000_000L, lingerNanos / 4));
    }
    try {
      exporter.close();
    } catch (Throwable t) {
      Faults.count(Fault.SINK_ERROR);
    }
  }

  private void export(List<TelemetryEvent> batch) {
    try {
      exporter.export(batch);
      exported.addAndGet(batch.size());
    } catch (Throwable t) {
      exportFailed.addAndGet(batch.size());
      Faults.count(Fault.SINK_ERROR);
    }
  }

  @Override
  public boolean flush(Duration timeout) {
    if (!worker.isAlive()) return ring.size() == 0;
    long target = flushRequests.incrementAndGet();
    long deadline = System.nanoTime() + timeout.toNanos();
    LockSupport.unpark(worker);
    while (flushesDone < target) {
      if (System.nanoTime() > deadline) return false;
      if (!worker.isAlive()) return ring.size() == 0;
      LockSupport.parkNanos(200_000);
    }
    return true;
  }

  /** Stops accepting, exports what is queued (waiting up to 10 s), then closes the exporter. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    LockSupport.unpark(worker);
    try {
      worker.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public SinkStats stats() {
    return new SinkStats(accepted.sum(), exported.get(), dropped.sum(), exportFailed.get(), ring.size(),
        ring.capacity());
  }
}
