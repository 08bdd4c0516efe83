package dev.weft.core.sink;

import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.event.EventSource;
import dev.weft.core.event.TelemetryEvent;
import java.time.Duration;
import java.util.AbstractList;
import java.util.Arrays;
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
 *   <li><b>Deferred rendering.</b> The tracer sends its operations as {@link EventSource}s; the events are built on
 *       this sink's thread when the exporter reads the batch, not on the application thread.
 *   <li><b>Batches</b> of up to {@code maxBatchSize} leave when that many are waiting or {@code linger} has passed.
 *   <li><b>Flush on close.</b> {@link #close} exports everything still queued, then closes the exporter.
 * </ul>
 */
public final class AsyncBatchingSink implements TelemetrySink {
  private final MpscRing<EventSource> ring;
  private final BatchExporter exporter;
  private final int maxBatchSize;
  private final long lingerNanos;
  private final Thread worker;

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
    send(event, 0);
  }

  @Override
  public void send(EventSource source, int part) {
    if (source == null || closed) {
      dropped.increment();
      return;
    }
    long pos = ring.offer(source, part);
    if (pos < 0) {
      dropped.increment();
    } else if ((pos + 1) % maxBatchSize == 0) {
      LockSupport.unpark(worker); // a full batch is waiting; otherwise the linger timer wakes the worker
    }
  }

  private void run() {
    Batch batch = new Batch(maxBatchSize);
    long lastExport = System.nanoTime();
    while (true) {
      long flushTarget = flushRequests.get();
      boolean stopping = closed;
      EventSource s;
      while (batch.size < maxBatchSize && (s = ring.poll()) != null) batch.add(s, ring.lastPart());
      boolean full = batch.size >= maxBatchSize;
      boolean due = batch.size > 0 && System.nanoTime() - lastExport >= lingerNanos;
      boolean flushing = flushTarget != flushesDone;
      if (full || due || ((flushing || stopping) && batch.size > 0)) {
        export(batch);
        batch.reset();
        lastExport = System.nanoTime();
        continue; // there may be more
      }
      if (batch.size == 0 && ring.size() == 0) {
        if (flushing) flushesDone = flushTarget;
        if (stopping) break;
      }
      LockSupport.parkNanos(this, Math.max(1_000_000L, lingerNanos / 4));
    }
    try {
      exporter.close();
    } catch (Throwable t) {
      Faults.count(Fault.SINK_ERROR);
    }
  }

  private void export(Batch batch) {
    try {
      exporter.export(batch);
      exported.addAndGet(batch.size);
    } catch (Throwable t) {
      exportFailed.addAndGet(batch.size);
      Faults.count(Fault.SINK_ERROR);
    }
  }

  /** One batch, reused: the sources and their parts, rendered to events only when the exporter reads them. */
  private static final class Batch extends AbstractList<TelemetryEvent> {
    private final EventSource[] sources;
    private final int[] parts;
    private final TelemetryEvent[] rendered;
    int size;

    Batch(int capacity) {
      sources = new EventSource[capacity];
      parts = new int[capacity];
      rendered = new TelemetryEvent[capacity];
    }

    void add(EventSource s, int part) {
      sources[size] = s;
      parts[size] = part;
      size++;
    }

    void reset() {
      Arrays.fill(sources, 0, size, null);
      Arrays.fill(rendered, 0, size, null);
      size = 0;
    }

    @Override
    public TelemetryEvent get(int i) {
      Objects.checkIndex(i, size);
      TelemetryEvent e = rendered[i];
      if (e == null) rendered[i] = e = sources[i].toEvent(parts[i]);
      return e;
    }

    @Override
    public int size() {
      return size;
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
    long drops = dropped.sum();
    return new SinkStats(ring.offered() + drops, exported.get(), drops, exportFailed.get(), ring.size(),
        ring.capacity());
  }
}
