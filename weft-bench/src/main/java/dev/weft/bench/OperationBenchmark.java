package dev.weft.bench;

import brave.Tracing;
import dev.weft.core.Operation;
import dev.weft.core.Tracer;
import dev.weft.core.sink.AsyncBatchingSink;
import dev.weft.core.sink.SinkStats;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.Encoding;
import zipkin2.reporter.ReporterMetrics;
import zipkin2.reporter.brave.AsyncZipkinSpanHandler;

/**
 * The cost, on the application thread, of tracing one unit of work: start it under a parent, set two string tags, end
 * it, and hand it to each library's standard asynchronous export path, whose exporter does nothing.
 *
 * <ul>
 *   <li><b>weft</b>: {@link Tracer} over an {@link AsyncBatchingSink} (defaults: ring of 8192 events, batches of
 *       512) with an exporter {@code batch -> {}}. An operation emits two events, START and COMPLETE.
 *   <li><b>otel</b>: {@link SdkTracerProvider}, always-on sampler, {@link BatchSpanProcessor} (defaults: queue 2048,
 *       batches of 512) over a {@link SpanExporter} that returns success.
 *   <li><b>brave</b>: {@link Tracing}, {@code Sampler.ALWAYS_SAMPLE}, {@link AsyncZipkinSpanHandler} (its internal
 *       {@code AsyncReporter}, defaults: 10000 spans queued, JSON v2) over a sender that discards the bytes.
 * </ul>
 *
 * Every library records every span. Each also hands work to a background thread that may fall behind; a span or
 * event that does not fit its bounded queue is dropped, and a drop is cheaper than an export. So each state counts its
 * invocations and, at tear-down, flushes and prints how many were exported and how many dropped.
 *
 * <p>Each parent handle is built once in setup: Weft's parent {@link Operation}, Brave's parent span (whose
 * {@code context()} is a field), and OpenTelemetry's parent {@link Context} ({@code Context.root().with(parent)}), so
 * no library pays per invocation for wrapping its parent.
 */
@State(Scope.Thread)
public class OperationBenchmark {
  static final String OP = "op";
  static final String K1 = "sku";
  static final String V1 = "SKU-000042";
  static final String K2 = "warehouse";
  static final String V2 = "ams-3";

  /** Weft: an operation per invocation, child of a parent operation. */
  @State(Scope.Thread)
  public static class WeftState {
    AsyncBatchingSink sink;
    Tracer tracer;
    Operation parent;
    long invocations;

    @Setup(Level.Trial)
    public void setup() {
      sink = AsyncBatchingSink.builder(batch -> {}).name("bench").build();
      tracer = Tracer.builder("inventory").sink(sink).resource(Map.of("service.name", "inventory")).build();
      parent = tracer.start("parent");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      parent.complete();
      boolean flushed = tracer.flush(Duration.ofSeconds(30));
      SinkStats s = sink.stats();
      tracer.close();
      // 2 events per operation (START, COMPLETE), plus the parent's 2
      Report.print("weft", invocations, "events", s.accepted(), s.exported(), s.dropped() + s.exportFailed(),
          flushed);
    }
  }

  /**
   * Weft with an exporter that reads every event of every batch: each event is then fully built (hex ids, event id,
   * tag map) on the export thread. This is the analogue of OpenTelemetry's {@code toSpanData()} before export, and the
   * floor of what any real Weft exporter costs. The plain {@code weft} method's exporter reads nothing, so there
   * Weft's deferred rendering never runs.
   */
  @State(Scope.Thread)
  public static class WeftRenderedState extends WeftState {
    final LongAdder rendered = new LongAdder();

    @Override
    @Setup(Level.Trial)
    public void setup() {
      sink = AsyncBatchingSink.builder(batch -> {
        long n = 0;
        for (dev.weft.core.event.TelemetryEvent e : batch) n += e.eventId().length() > 0 ? 1 : 0;
        rendered.add(n);
      }).name("bench-rendered").build();
      tracer = Tracer.builder("inventory").sink(sink).resource(Map.of("service.name", "inventory")).build();
      parent = tracer.start("parent");
    }

    @Override
    @TearDown(Level.Trial)
    public void tearDown() {
      super.tearDown();
      System.out.println("[weftRendered] events built on the export thread: " + rendered.sum());
    }
  }

  /** OpenTelemetry SDK: a span per invocation, child of a parent span. */
  @State(Scope.Thread)
  public static class OtelState {
    final CountingSpanExporter exporter = new CountingSpanExporter();
    SdkTracerProvider provider;
    io.opentelemetry.api.trace.Tracer tracer;
    Span parent;
    Context parentContext;
    long invocations;

    @Setup(Level.Trial)
    public void setup() {
      provider = SdkTracerProvider.builder()
          .setSampler(Sampler.alwaysOn())
          .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
          .build();
      tracer = provider.get("dev.weft.bench");
      parent = tracer.spanBuilder("parent").startSpan();
      parentContext = Context.root().with(parent);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      parent.end();
      boolean flushed = provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess();
      long exported = exporter.spans.sum();
      provider.shutdown().join(30, TimeUnit.SECONDS);
      long given = invocations + 1; // + the parent
      Report.print("otel", invocations, "spans", given, exported, given - exported, flushed);
    }
  }

  /** Brave: a span per invocation, child of a parent span. */
  @State(Scope.Thread)
  public static class BraveState {
    final DiscardingSender sender = new DiscardingSender();
    final LongAdder dropped = new LongAdder();
    AsyncZipkinSpanHandler handler;
    Tracing tracing;
    brave.Tracer tracer;
    brave.Span parent;
    long invocations;

    @Setup(Level.Trial)
    public void setup() {
      handler = AsyncZipkinSpanHandler.newBuilder(sender).metrics(new DropCounter(dropped)).build();
      tracing = Tracing.newBuilder()
          .localServiceName("inventory")
          .sampler(brave.sampler.Sampler.ALWAYS_SAMPLE)
          .addSpanHandler(handler)
          .build();
      tracer = tracing.tracer();
      parent = tracer.newTrace().name("parent").start();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      parent.finish();
      // flush() sends what is queued; close() also sends what the flusher thread holds in its unsent buffer
      handler.flush();
      tracing.close();
      handler.close();
      long exported = sender.spans.sum();
      long given = invocations + 1;
      Report.print("brave", invocations, "spans", given, exported, given - exported, true);
      if (dropped.sum() > 0) System.out.println("[brave] reporter counted " + dropped.sum() + " spans dropped");
    }
  }

  @Benchmark
  public void weft(WeftState s, Blackhole bh) {
    bh.consume(weftOperation(s));
  }

  @Benchmark
  public void weftRendered(WeftRenderedState s, Blackhole bh) {
    bh.consume(weftOperation(s));
  }

  private static Operation weftOperation(WeftState s) {
    Operation op = s.parent.child(OP);
    op.tag(K1, V1).tag(K2, V2);
    op.complete();
    s.invocations++;
    return op;
  }

  @Benchmark
  public void otel(OtelState s, Blackhole bh) {
    Span span = s.tracer.spanBuilder(OP).setParent(s.parentContext).startSpan();
    span.setAttribute(K1, V1);
    span.setAttribute(K2, V2);
    span.end();
    s.invocations++;
    bh.consume(span);
  }

  @Benchmark
  public void brave(BraveState s, Blackhole bh) {
    brave.Span span = s.tracer.newChild(s.parent.context()).name(OP).tag(K1, V1).tag(K2, V2).start();
    span.finish();
    s.invocations++;
    bh.consume(span);
  }

  // ------------------------------------------------------------------ exporters that do nothing

  /** Returns success for every batch; counts spans on the export thread only. */
  static final class CountingSpanExporter implements SpanExporter {
    final LongAdder spans = new LongAdder();

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
      spans.add(batch.size());
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  /** A Zipkin sender that discards every message; counts the encoded spans it was given. */
  static final class DiscardingSender implements BytesMessageSender {
    final LongAdder spans = new LongAdder();

    @Override
    public Encoding encoding() {
      return Encoding.JSON;
    }

    @Override
    public int messageMaxBytes() {
      return 500_000;
    }

    @Override
    public int messageSizeInBytes(List<byte[]> encodedSpans) {
      return Encoding.JSON.listSizeInBytes(encodedSpans);
    }

    @Override
    public int messageSizeInBytes(int encodedSizeInBytes) {
      return Encoding.JSON.listSizeInBytes(encodedSizeInBytes);
    }

    @Override
    public void send(List<byte[]> encodedSpans) {
      spans.add(encodedSpans.size());
    }

    @Override
    public void close() {}
  }

  /** Counts only drops; every other metric is a no-op, as with the reporter's default metrics. */
  static final class DropCounter implements ReporterMetrics {
    private final LongAdder dropped;

    DropCounter(LongAdder dropped) {
      this.dropped = dropped;
    }

    @Override
    public void incrementMessages() {}

    @Override
    public void incrementMessagesDropped(Throwable cause) {}

    @Override
    public void incrementSpans(int quantity) {}

    @Override
    public void incrementSpanBytes(int quantity) {}

    @Override
    public void incrementMessageBytes(int quantity) {}

    @Override
    public void incrementSpansDropped(int quantity) {
      dropped.add(quantity);
    }

    @Override
    public void updateQueuedSpans(int update) {}

    @Override
    public void updateQueuedBytes(int update) {}
  }

  /** One line per trial, so drops show in the JMH log next to the score. */
  static final class Report {
    private Report() {}

    static void print(String lib, long invocations, String unit, long given, long exported, long lost,
        boolean flushed) {
      double ratio = given == 0 ? 0 : (double) lost / given;
      System.out.printf("%n[%s] invocations=%d %s given=%d exported=%d dropped=%d (%.4f%%)%s%n", lib, invocations,
          unit, given, exported, lost, ratio * 100, flushed ? "" : " (flush timed out)");
    }
  }
}
