package dev.weft.demo;

import dev.weft.core.Resource;
import dev.weft.core.Tracer;
import dev.weft.core.event.EventSource;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.SinkStats;
import dev.weft.core.sink.TelemetrySink;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One simulated instance of a service, as a Nomad allocation would run it: its own tracer (so its own
 * {@code instance_id} and gap-free {@code seq}) and the runtime metadata Nomad would give its process
 * ({@code nomad.job.name}, {@code nomad.alloc.id}, ..., through {@link Resource#detect(Map, long, String)}).
 *
 * <p>An instance can {@linkplain #crash crash}: from that instant nothing it does reaches the telemetry log, exactly as
 * if the process had been killed after its last export. The operation it was running is never ended and becomes
 * <em>abandoned</em> at the server once the deadline passes. Everything emitted before the crash is delivered, so the
 * server sees no gap in the instance's {@code seq}: a crash is not telemetry loss.
 */
final class Instance {
  private static final AtomicInteger PIDS = new AtomicInteger(4100);
  private static final String[] NOMAD_CLIENTS = {"nomad-client-a1", "nomad-client-b2", "nomad-client-c3"};

  final String service;
  final int allocIndex;
  final String allocId;
  final Tracer tracer;
  private final ProcessSink sink;
  private long units;
  private long crashAfter;

  private Instance(String service, int allocIndex, TelemetrySink shared) {
    this.service = service;
    this.allocIndex = allocIndex;
    this.allocId = UUID.randomUUID().toString();
    this.sink = new ProcessSink(shared);
    int pid = PIDS.incrementAndGet();
    String group = service.replace("-", "_");
    Map<String, String> env = Map.of(
        "NOMAD_JOB_NAME", service,
        "NOMAD_GROUP_NAME", group,
        "NOMAD_TASK_NAME", "app",
        "NOMAD_ALLOC_ID", allocId,
        "NOMAD_ALLOC_NAME", service + "." + group + "[" + allocIndex + "]",
        "NOMAD_ALLOC_INDEX", Integer.toString(allocIndex),
        "NOMAD_DC", "dc1",
        "NOMAD_REGION", "global",
        "NOMAD_NAMESPACE", "shop");
    String host = NOMAD_CLIENTS[Math.floorMod(service.hashCode() + allocIndex, NOMAD_CLIENTS.length)];
    this.tracer = Tracer.builder(service).sink(sink).resource(Resource.detect(env, pid, host)).build();
  }

  /** Starts a new instance (a new process: new tracer, pid and allocation id) of {@code service}. */
  static Instance start(String service, int allocIndex, TelemetrySink shared) {
    return new Instance(service, allocIndex, shared);
  }

  /**
   * Counts one unit of work and says whether the instance dies during it. With {@code rate} r, an instance dies during
   * its n-th unit, n drawn uniformly between 0.5/r and 1.5/r when it starts: one crash per 1/r units on average, like
   * a coin flip per unit, but never a long run without one, so that a short run surely shows some.
   */
  boolean crashesNow(double rate) {
    if (rate <= 0) return false;
    if (crashAfter == 0) crashAfter = Math.max(1, Math.round((0.5 + ThreadLocalRandom.current().nextDouble()) / rate));
    return ++units == crashAfter;
  }

  /** Kills the instance: nothing it emits from now on is delivered. */
  void crash() {
    sink.dead = true;
  }

  boolean crashed() {
    return sink.dead;
  }

  /** Events this instance emitted after it crashed, which therefore never left it. */
  long eventsAfterCrash() {
    return sink.afterDeath.sum();
  }

  /** Events this instance handed to the telemetry sink while alive. */
  long eventsSent() {
    return sink.sent.sum();
  }

  /** What a process would have: its events go to the shared sink until it dies. */
  private static final class ProcessSink implements TelemetrySink {
    private final TelemetrySink delegate;
    private final LongAdder sent = new LongAdder();
    private final LongAdder afterDeath = new LongAdder();
    volatile boolean dead;

    ProcessSink(TelemetrySink delegate) {
      this.delegate = delegate;
    }

    @Override
    public void send(TelemetryEvent event) {
      if (dead) {
        afterDeath.increment();
        return;
      }
      sent.increment();
      delegate.send(event);
    }

    @Override
    public void send(EventSource source, int part) {
      if (dead) {
        afterDeath.increment();
        return;
      }
      sent.increment();
      delegate.send(source, part);
    }

    @Override
    public SinkStats stats() {
      return delegate.stats();
    }

    @Override
    public boolean flush(Duration timeout) {
      return delegate.flush(timeout);
    }

    @Override
    public void close() {
      // the sink is shared by every instance; the shop closes it
    }
  }
}
