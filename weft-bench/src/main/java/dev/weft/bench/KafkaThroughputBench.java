package dev.weft.bench;

import dev.weft.core.Envelope;
import dev.weft.core.Operation;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.BinaryHeaderCodec;
import dev.weft.core.channel.Channel;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.event.EventSource;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.SinkStats;
import dev.weft.core.sink.TelemetrySink;
import dev.weft.kafka.KafkaChannels;
import dev.weft.core.carrier.Propagation;
import dev.weft.kafka.KafkaPublisher;
import dev.weft.kafka.KafkaSubscriber;
import dev.weft.kafka.KafkaTelemetrySink;
import dev.weft.testsupport.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end Kafka throughput with and without Weft, through a real broker (weft-test-support's {@link KafkaBroker},
 * a KRaft child JVM on loopback).
 *
 * <ul>
 *   <li><b>plain</b>: a {@code KafkaProducer<byte[], byte[]>} sends N records of a fixed-size payload; a
 *       {@code KafkaConsumer} polls them and commits asynchronously after each poll.
 *   <li><b>weft</b>: the same clients with the same settings, wrapped as Weft pub/sub channels: a {@link KafkaPublisher}
 *       on the producer side (binary {@code weft} header plus W3C {@code traceparent}, SEND event) and a
 *       {@link KafkaSubscriber} on the consumer side (RECEIVE, START, COMPLETE per record). The producer and the
 *       consumer are two services with a tracer each, and every event goes through its own {@link KafkaTelemetrySink}
 *       (default settings) to {@value KafkaTelemetrySink#DEFAULT_TOPIC} on the same broker.
 * </ul>
 *
 * Both modes run the same poll loop (the one {@link KafkaSubscriber#start()} runs: poll 100 ms, handle, commitAsync);
 * the loop here is written out so that the producer can wait for the partition assignment before the clock starts.
 * Throughput is end to end: from the first send to the handling of the N-th record. Every run is followed by an
 * untimed verification pass that reads the topic back: the record count, the Weft headers, and the exact bytes of the
 * record headers. Broker bytes are read from the log segments in the broker's data directory.
 */
public final class KafkaThroughputBench {
  static final String SCHEMA = "urn:weft:bench:SkuUpdated:v1";

  /** How the traced producer creates each message. */
  public enum ProducerMode {
    /** Inside an operation of the producing service (START, SEND, COMPLETE): a service emitting an event. */
    OPERATION,
    /** As an origin, with no operation (SEND only): the start of a flow. */
    ORIGIN
  }

  /** Where the traced run's events go. */
  public enum TelemetryMode {
    /** Through a KafkaTelemetrySink per service to weft.telemetry on the same broker: the real deployment. */
    KAFKA,
    /** Discarded unrendered: isolates the headers, channels and tracer hot path from the telemetry pipeline. */
    OFF
  }

  /** How the traced consumer runs the handler. */
  public enum ConsumerMode {
    /** One operation per record (RECEIVE, START, COMPLETE): {@code KafkaSubscriber.perRecord}. */
    PER_RECORD,
    /** One fan-in operation per batch of up to 128 records of a poll: {@code KafkaSubscriber.batch}. */
    BATCH
  }

  /**
   * The configurations compared: no tracing, Weft, the control (plain records carrying an opaque header as large as
   * Weft's: what the header's bytes alone cost the broker), and the peer (Brave's Kafka instrumentation, spans to
   * Kafka).
   */
  public enum Mode {
    PLAIN, WEFT, PADDED, BRAVE;

    /** Whether the mode has a tracer, whose telemetry the reports count. */
    boolean traced() {
      return this == WEFT || this == BRAVE;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Options; see {@link #usage()}. */
  public record Config(int records, int warmup, int runs, int partitions, int payloadBytes, int batchSize,
      int lingerMs, ProducerMode producerMode, TelemetryMode telemetry, ConsumerMode consumerMode, boolean w3c,
      boolean padded, boolean brave, Path markdown, boolean progress) {
    public static Config defaults() {
      return new Config(1_000_000, 100_000, 3, 3, 200, 16_384, 5, ProducerMode.OPERATION, TelemetryMode.KAFKA,
          ConsumerMode.PER_RECORD, true, false, true, Path.of("weft-bench/target/kafka-throughput.md"), true);
    }

    /** The weft mode's options, as the reports name them. */
    String weftOptions() {
      return String.format(Locale.ROOT, "weft producer mode %s, consumer %s, propagation %s, telemetry %s",
          producerMode.name().toLowerCase(Locale.ROOT), consumerMode.name().toLowerCase(Locale.ROOT).replace('_', '-'),
          w3c ? "weft+w3c" : "weft", telemetry.name().toLowerCase(Locale.ROOT));
    }

    /** The weft mode's propagation: the weft header, with W3C traceparent unless {@code --propagation weft}. */
    Propagation propagation() {
      return w3c ? Propagation.defaults() : Propagation.of(Propagation.Format.WEFT);
    }

    /** The modes measured, in the order each round runs them. */
    List<Mode> modes() {
      List<Mode> modes = new ArrayList<>(List.of(Mode.PLAIN, Mode.WEFT));
      if (padded) modes.add(Mode.PADDED);
      if (brave) modes.add(Mode.BRAVE);
      return List.copyOf(modes);
    }
  }

  /** Telemetry counters over one measured run (deltas of both services' tracers). */
  public record Telemetry(long emitted, long delivered, long dropped, long failed, long queued, double drainSeconds,
      long topicBytes) {
    static final Telemetry NONE = new Telemetry(0, 0, 0, 0, 0, 0, 0);

    /** The counts since {@code before}; {@code queued} and {@code drainSeconds} are this one's. */
    Telemetry minus(Telemetry before) {
      return new Telemetry(emitted - before.emitted, delivered - before.delivered, dropped - before.dropped,
          failed - before.failed, queued, drainSeconds, topicBytes - before.topicBytes);
    }
  }

  /** What the verification pass read back from a topic. */
  public record Readback(long records, long weftHeaders, long traceparents, long headerWireBytes, long valueBytes) {}

  /** One measured run of one mode. */
  public record RunResult(Mode mode, int run, long records, long consumed, double e2eSeconds,
      double producerSeconds, long sendErrors, long topicLogBytes, Readback readback, Telemetry telemetry,
      double benchCpuSeconds, double brokerCpuSeconds) {
    public double e2eRate() {
      return records / e2eSeconds;
    }

    public double producerRate() {
      return records / producerSeconds;
    }
  }

  /** All runs. */
  public record Report(Config config, List<RunResult> results) {
    public List<RunResult> of(Mode mode) {
      return results.stream().filter(r -> r.mode() == mode).toList();
    }
  }

  private KafkaThroughputBench() {}

  // ------------------------------------------------------------------ command line

  public static void main(String[] args) throws Exception {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // clients log their config at info
    }
    Config cfg;
    try {
      cfg = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("kafka-bench: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    if (cfg == null) {
      System.out.println(usage());
      return;
    }
    System.err.printf(Locale.ROOT, "kafka-bench: starting a broker; %,d records x %d runs of %s (+%,d warm-up "
        + "each), %d partitions, %d-byte payloads, %s%n", cfg.records(), cfg.runs(),
        cfg.modes().stream().map(Mode::label).toList(), cfg.warmup(), cfg.partitions(), cfg.payloadBytes(),
        cfg.weftOptions());
    Report report;
    try (KafkaBroker broker = KafkaBroker.start()) {
      report = run(cfg, broker);
    }
    String summary = summary(report);
    System.out.println(summary);
    if (cfg.markdown() != null) {
      Path md = cfg.markdown().toAbsolutePath();
      Files.createDirectories(md.getParent());
      Files.writeString(md, markdown(report), StandardCharsets.UTF_8);
      System.out.println("markdown fragment: " + md);
    }
  }

  static String usage() {
    return String.join("\n",
        "Usage: ./weft bench kafka [options]",
        "  --records N        records per measured run (default 1000000)",
        "  --warmup N         records of the warm-up before each measured run (default 100000; 0 for none)",
        "  --runs R           measured runs per mode, alternating plain/weft/brave (default 3)",
        "  --partitions P     partitions of each topic (default 3)",
        "  --payload B        payload bytes per record (default 200)",
        "  --batch-size B     producer batch.size (default 16384, Kafka's default)",
        "  --linger-ms MS     producer linger.ms (default 5, Kafka's default)",
        "  --producer MODE    operation (default: each record sent inside an operation) or origin",
        "  --consumer MODE    per-record (default: one operation per record) or batch (one fan-in operation per",
        "                     batch of up to 128 records of a poll)",
        "  --propagation P    weft+w3c (default: the weft header and W3C traceparent) or weft (the weft header only,",
        "                     for topics that only Weft consumers read)",
        "  --telemetry WHERE  kafka (default: each service's events through a KafkaTelemetrySink to weft.telemetry)",
        "                     or off (events discarded unrendered: headers, channels and tracer hot path only)",
        "  --padded           also run the control: plain records, each with one opaque header exactly as large as",
        "                     Weft's headers in this configuration (what those bytes alone cost the broker)",
        "  --peer WHICH       brave (default: also run Brave's kafka-clients instrumentation with Zipkin's Kafka",
        "                     sender, spans to the topic zipkin on the same broker) or none",
        "  --markdown FILE    where to write the markdown fragment (default weft-bench/target/kafka-throughput.md);",
        "                     'none' for no file",
        "  --no-progress      no progress line on stderr");
  }

  static Config parse(String[] args) {
    Config d = Config.defaults();
    int records = d.records(), warmup = d.warmup(), runs = d.runs(), partitions = d.partitions();
    int payload = d.payloadBytes(), batch = d.batchSize(), linger = d.lingerMs();
    ProducerMode pm = d.producerMode();
    TelemetryMode tm = d.telemetry();
    ConsumerMode cm = d.consumerMode();
    boolean w3c = d.w3c();
    boolean padded = d.padded();
    boolean brave = d.brave();
    Path md = d.markdown();
    boolean progress = d.progress();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "-h", "--help" -> {
          return null;
        }
        case "--no-progress" -> progress = false;
        case "--padded" -> padded = true;
        default -> {
          if (i + 1 >= args.length) throw new IllegalArgumentException("unknown option or missing value: " + a);
          String v = args[++i];
          switch (a) {
            case "--records", "-n" -> records = positive(a, v);
            case "--warmup" -> warmup = nonNegative(a, v);
            case "--runs" -> runs = positive(a, v);
            case "--partitions" -> partitions = positive(a, v);
            case "--payload" -> payload = positive(a, v);
            case "--batch-size" -> batch = positive(a, v);
            case "--linger-ms" -> linger = nonNegative(a, v);
            case "--producer" -> {
              try {
                pm = ProducerMode.valueOf(v.toUpperCase(Locale.ROOT));
              } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--producer is operation or origin, not " + v);
              }
            }
            case "--telemetry" -> {
              try {
                tm = TelemetryMode.valueOf(v.toUpperCase(Locale.ROOT));
              } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--telemetry is kafka or off, not " + v);
              }
            }
            case "--consumer" -> {
              if (!v.equals("per-record") && !v.equals("batch")) {
                throw new IllegalArgumentException("--consumer is per-record or batch, not " + v);
              }
              cm = v.equals("batch") ? ConsumerMode.BATCH : ConsumerMode.PER_RECORD;
            }
            case "--propagation" -> {
              if (!v.equals("weft+w3c") && !v.equals("weft")) {
                throw new IllegalArgumentException("--propagation is weft+w3c or weft, not " + v);
              }
              w3c = v.equals("weft+w3c");
            }
            case "--peer" -> {
              if (!v.equals("brave") && !v.equals("none")) {
                throw new IllegalArgumentException("--peer is brave or none, not " + v);
              }
              brave = v.equals("brave");
            }
            case "--markdown" -> md = v.equals("none") ? null : Path.of(v);
            default -> throw new IllegalArgumentException("unknown option " + a);
          }
        }
      }
    }
    return new Config(records, warmup, runs, partitions, payload, batch, linger, pm, tm, cm, w3c, padded, brave, md,
        progress);
  }

  private static int positive(String opt, String v) {
    int n = nonNegative(opt, v);
    if (n == 0) throw new IllegalArgumentException(opt + " must be positive");
    return n;
  }

  private static int nonNegative(String opt, String v) {
    try {
      int n = Integer.parseInt(v.replace("_", "").replace(",", ""));
      if (n < 0) throw new IllegalArgumentException(opt + " must not be negative");
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(opt + " needs a number, not " + v);
    }
  }

  // ------------------------------------------------------------------ the benchmark

  /** Runs every configured run on {@code broker}: plain, weft and brave in turn, each after its warm-up. */
  public static Report run(Config cfg, KafkaBroker broker) throws Exception {
    broker.createTopic(KafkaTelemetrySink.DEFAULT_TOPIC, 3);
    if (cfg.brave()) broker.createTopic(BraveKafkaPeer.TOPIC, 3);
    Header pad = cfg.padded() ? padHeader(weftHeaderWireBytes(cfg)) : null;
    List<RunResult> results = new ArrayList<>();
    for (int run = 1; run <= cfg.runs(); run++) {
      for (Mode mode : cfg.modes()) {
        RunResult r = runOne(cfg, broker, mode, run, pad);
        results.add(r);
        if (cfg.progress()) System.err.println(line(r));
      }
    }
    return new Report(cfg, results);
  }

  private static RunResult runOne(Config cfg, KafkaBroker broker, Mode mode, int run, Header pad) throws Exception {
    String tag = mode.name().toLowerCase(Locale.ROOT) + " " + run + "/" + cfg.runs();
    Tracer producerTracer = null;
    Tracer consumerTracer = null;
    BraveKafkaPeer producerPeer = null;
    BraveKafkaPeer consumerPeer = null;
    try {
      if (mode == Mode.BRAVE) {
        producerPeer = new BraveKafkaPeer("bench-producer", broker.bootstrapServers());
        consumerPeer = new BraveKafkaPeer("bench-consumer", broker.bootstrapServers());
      }
      if (mode == Mode.WEFT) {
        // two services, each with its own tracer and telemetry sink, as two applications would have
        producerTracer = Tracer.builder("bench-producer").sink(sink(cfg, broker)).build();
        consumerTracer = Tracer.builder("bench-consumer").sink(sink(cfg, broker)).build();
      }
      Peers peers = new Peers(producerTracer, consumerTracer, producerPeer, consumerPeer, pad);
      if (cfg.warmup() > 0) {
        String warm = topicName(mode, run, "warm");
        pass(cfg, broker, mode, warm, cfg.warmup(), peers, tag + " warm-up");
        deleteTopic(broker, warm);
      }
      Telemetry before = peers.telemetry(mode, broker);
      String topic = topicName(mode, run, "measured");
      double benchCpu0 = cpuSeconds(ProcessHandle.current());
      double brokerCpu0 = brokerCpuSeconds();
      Timed t = pass(cfg, broker, mode, topic, cfg.records(), peers, tag);
      double benchCpu = cpuSeconds(ProcessHandle.current()) - benchCpu0;
      double brokerCpu = brokerCpuSeconds() - brokerCpu0;
      Telemetry tel = peers.telemetry(mode, broker).minus(before);
      long logBytes = logBytes(broker, topic);
      Readback rb = readBack(broker, topic, cfg.partitions());
      deleteTopic(broker, topic);
      return new RunResult(mode, run, cfg.records(), t.consumed, t.e2eSeconds, t.producerSeconds, t.sendErrors,
          logBytes, rb, tel, benchCpu, brokerCpu);
    } finally {
      if (producerTracer != null) producerTracer.close();
      if (consumerTracer != null) consumerTracer.close();
      if (producerPeer != null) producerPeer.close();
      if (consumerPeer != null) consumerPeer.close();
    }
  }

  /** The tracers of the traced modes (Weft's two services, or Brave's), and the control's header. */
  private record Peers(Tracer weftProducer, Tracer weftConsumer, BraveKafkaPeer braveProducer,
      BraveKafkaPeer braveConsumer, Header pad) {
    /**
     * Totals so far, after flushing: events or spans emitted, delivered, dropped and failed, and the telemetry topic's
     * bytes; {@code drainSeconds} is how long the flush took.
     */
    Telemetry telemetry(Mode mode, KafkaBroker broker) {
      long f0 = System.nanoTime();
      if (mode == Mode.WEFT) {
        flush(weftProducer, weftConsumer, Duration.ofMinutes(2));
        double drain = (System.nanoTime() - f0) / 1e9;
        SinkStats s = sinkStats(weftProducer, weftConsumer);
        return new Telemetry(emitted(weftProducer, weftConsumer), s.exported(), s.dropped(), s.exportFailed(),
            s.queued(), drain, logBytes(broker, KafkaTelemetrySink.DEFAULT_TOPIC));
      }
      if (mode == Mode.BRAVE) {
        braveProducer.flush(120_000);
        braveConsumer.flush(120_000);
        double drain = (System.nanoTime() - f0) / 1e9;
        long spans = braveProducer.spans() + braveConsumer.spans();
        long dropped = braveProducer.dropped() + braveConsumer.dropped();
        long queued = braveProducer.queued() + braveConsumer.queued();
        return new Telemetry(spans, spans - dropped - queued, dropped, 0, queued, drain,
            logBytes(broker, BraveKafkaPeer.TOPIC));
      }
      return Telemetry.NONE;
    }
  }

  private static TelemetrySink sink(Config cfg, KafkaBroker broker) {
    if (cfg.telemetry() == TelemetryMode.KAFKA) return KafkaTelemetrySink.create(broker.bootstrapServers());
    return discarding();
  }

  private static TelemetrySink discarding() {
    return new TelemetrySink() {
      @Override
      public void send(TelemetryEvent event) {}

      @Override
      public void send(EventSource source, int part) {}
    };
  }

  private record Timed(long consumed, double e2eSeconds, double producerSeconds, long sendErrors) {}

  /** Produces {@code n} records to a fresh topic while a consumer handles them; times it. */
  private static Timed pass(Config cfg, KafkaBroker broker, Mode mode, String topic, int n, Peers peers,
      String tag) throws Exception {
    broker.createTopic(topic, cfg.partitions());
    Channel channel = KafkaChannels.topic(topic, SCHEMA);
    byte[] payload = payload(cfg.payloadBytes());
    CountDownLatch assigned = new CountDownLatch(1);
    AtomicLong consumedProgress = new AtomicLong();
    AtomicLong lastConsumedAt = new AtomicLong();
    AtomicReference<Throwable> consumerError = new AtomicReference<>();

    Thread consumerThread = new Thread(() -> {
      try (Consumer<byte[], byte[]> consumer = mode == Mode.BRAVE
          ? peers.braveConsumer().consumer(consumer(broker.bootstrapServers()))
          : consumer(broker.bootstrapServers())) {
        consume(consumer, mode, cfg.consumerMode(), channel, peers, cfg.partitions(), n, assigned, consumedProgress,
            lastConsumedAt);
      } catch (Throwable e) {
        consumerError.set(e);
        assigned.countDown();
      }
    }, "bench-consumer");
    consumerThread.setDaemon(true);
    consumerThread.start();

    AtomicLong producedProgress = new AtomicLong();
    AtomicLong sendErrors = new AtomicLong();
    Progress progress = cfg.progress() ? new Progress(tag, n, producedProgress, consumedProgress) : null;
    long t0;
    long acked;
    try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers(), cfg)) {
      producer.partitionsFor(topic); // metadata outside the clock
      if (!assigned.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("no partition assignment in 60 s");
      if (consumerError.get() != null) throw new IllegalStateException("consumer failed", consumerError.get());
      if (progress != null) progress.start();
      Callback cb = (md, e) -> {
        if (e != null) sendErrors.incrementAndGet();
      };
      t0 = System.nanoTime();
      Tracer producerTracer = peers.weftProducer();
      if (mode == Mode.PLAIN) {
        for (int i = 0; i < n; i++) {
          producer.send(new ProducerRecord<>(topic, null, null, payload), cb);
          if ((i & 1023) == 0) producedProgress.lazySet(i);
        }
      } else if (mode == Mode.PADDED) {
        for (int i = 0; i < n; i++) {
          Header pad = new RecordHeader(peers.pad().key(), peers.pad().value());
          Headers headers = new RecordHeaders(new Header[] {pad});
          producer.send(new ProducerRecord<byte[], byte[]>(topic, null, (byte[]) null, payload, headers), cb);
          if ((i & 1023) == 0) producedProgress.lazySet(i);
        }
      } else if (mode == Mode.BRAVE) {
        Producer<byte[], byte[]> traced = peers.braveProducer().producer(producer);
        for (int i = 0; i < n; i++) {
          peers.braveProducer().publish(traced, new ProducerRecord<>(topic, null, null, payload), cb);
          if ((i & 1023) == 0) producedProgress.lazySet(i);
        }
      } else {
        KafkaPublisher<byte[]> pub = new KafkaPublisher<>(producer, producerTracer, channel, PayloadCodec.bytes(),
            cfg.propagation());
        if (cfg.producerMode() == ProducerMode.OPERATION) {
          for (int i = 0; i < n; i++) {
            Operation op = producerTracer.start("PublishSkuUpdate");
            pub.publish(null, op.prepareOut(SCHEMA, payload), op, cb);
            op.complete();
            if ((i & 1023) == 0) producedProgress.lazySet(i);
          }
        } else {
          for (int i = 0; i < n; i++) {
            Envelope<Stage.Out, byte[]> out = Envelope.prepareOrigin("bench-producer", SCHEMA, payload);
            pub.publish(null, out, null, cb);
            if ((i & 1023) == 0) producedProgress.lazySet(i);
          }
        }
      }
      producedProgress.set(n);
      producer.flush();
      acked = System.nanoTime();
    }
    long timeoutMs = Math.max(120_000L, n / 2L); // at least 2000 records/s, or something is broken
    consumerThread.join(timeoutMs);
    if (progress != null) progress.stop();
    if (consumerThread.isAlive()) {
      throw new IllegalStateException(tag + ": consumed only " + consumedProgress.get() + " of " + n + " records");
    }
    if (consumerError.get() != null) throw new IllegalStateException(tag + ": consumer failed", consumerError.get());
    return new Timed(consumedProgress.get(), (lastConsumedAt.get() - t0) / 1e9, (acked - t0) / 1e9,
        sendErrors.get());
  }

  /**
   * The poll loop of both modes (the one {@link KafkaSubscriber#start()} runs): poll 100 ms, handle the records,
   * commitAsync. Ends when {@code n} records were handled.
   */
  private static void consume(Consumer<byte[], byte[]> consumer, Mode mode, ConsumerMode consumerMode,
      Channel channel, Peers peers, int partitions, int n, CountDownLatch assigned, AtomicLong consumedProgress,
      AtomicLong lastConsumedAt) {
    long[] handled = {0};
    long[] valueBytes = {0};
    KafkaSubscriber<byte[]> sub = null;
    if (mode == Mode.WEFT && consumerMode == ConsumerMode.PER_RECORD) {
      sub = KafkaSubscriber.perRecord(consumer, peers.weftConsumer(), channel, PayloadCodec.bytes(), "ApplySkuUpdate",
          (m, op) -> {
            valueBytes[0] += m.payload().length;
            handled[0]++;
          });
    } else if (mode == Mode.WEFT) {
      sub = KafkaSubscriber.batch(consumer, peers.weftConsumer(), channel, PayloadCodec.bytes(), "ApplySkuUpdates",
          (messages, op) -> {
            for (var m : messages) {
              valueBytes[0] += m.payload().length;
              handled[0]++;
            }
          });
    }
    consumer.subscribe(List.of(channel.name()));
    boolean ready = false;
    while (handled[0] < n) {
      ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(100));
      if (!ready && consumer.assignment().size() == partitions) {
        ready = true;
        assigned.countDown();
      }
      if (polled.isEmpty()) continue;
      if (sub != null) {
        sub.process(polled);
      } else if (mode == Mode.BRAVE) {
        for (ConsumerRecord<byte[], byte[]> r : polled) {
          peers.braveConsumer().process(r, () -> {
            valueBytes[0] += r.value().length;
            handled[0]++;
          });
        }
      } else {
        for (ConsumerRecord<byte[], byte[]> r : polled) {
          valueBytes[0] += r.value().length;
          handled[0]++;
        }
      }
      if (handled[0] >= n) lastConsumedAt.set(System.nanoTime());
      consumer.commitAsync();
      consumedProgress.lazySet(handled[0]);
    }
    consumedProgress.set(handled[0]);
    if (valueBytes[0] < 0) throw new AssertionError(); // keeps the payload reads observable
  }

  /** Reads a topic back, untimed: records, Weft headers, exact header and value bytes. */
  static Readback readBack(KafkaBroker broker, String topic, int partitions) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) tps.add(new TopicPartition(topic, p));
    long records = 0, weft = 0, traceparent = 0, headerBytes = 0, valueBytes = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (!reachedEnd(consumer, end)) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("read-back of " + topic + " timed out");
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          records++;
          valueBytes += r.value() == null ? 0 : r.value().length;
          headerBytes += headerWireBytes(r);
          if (r.headers().lastHeader(BinaryHeaderCodec.KEY) != null) weft++;
          if (r.headers().lastHeader("traceparent") != null) traceparent++;
        }
      }
    }
    return new Readback(records, weft, traceparent, headerBytes, valueBytes);
  }

  private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) return false;
    }
    return true;
  }

  /**
   * The bytes a record's headers take in a v2 record batch: the header count varint, then per header the key length
   * varint, the key, the value length varint and the value.
   */
  static long headerWireBytes(ConsumerRecord<byte[], byte[]> r) {
    return headerWireBytes(r.headers());
  }

  static long headerWireBytes(Headers headers) {
    Header[] hs = headers.toArray();
    long n = varintBytes(hs.length);
    for (Header h : hs) {
      int k = h.key().getBytes(StandardCharsets.UTF_8).length;
      int v = h.value() == null ? -1 : h.value().length;
      n += varintBytes(k) + k + varintBytes(v) + Math.max(0, v);
    }
    return n;
  }

  /** Bytes of a zigzag varint, as Kafka writes lengths and counts in records. */
  static int varintBytes(int value) {
    int v = (value << 1) ^ (value >> 31);
    int bytes = 1;
    while ((v & 0xffffff80) != 0) {
      bytes++;
      v >>>= 7;
    }
    return bytes;
  }

  /** The control's header key. */
  static final String PAD_KEY = "pad";

  /**
   * The wire bytes of the headers one Weft record carries in this configuration: one record encoded by the weft mode's
   * publisher, as the producer mode sends it, never sent.
   */
  static long weftHeaderWireBytes(Config cfg) throws Exception {
    try (Tracer tracer = Tracer.builder("bench-producer").sink(discarding()).build()) {
      Channel channel = KafkaChannels.topic("bench-sizing", SCHEMA);
      KafkaPublisher<byte[]> pub = new KafkaPublisher<>(new MockProducer<>(), tracer, channel, PayloadCodec.bytes(),
          cfg.propagation());
      byte[] payload = payload(cfg.payloadBytes());
      Envelope<Stage.Out, byte[]> out;
      Operation op = null;
      if (cfg.producerMode() == ProducerMode.OPERATION) {
        op = tracer.start("PublishSkuUpdate");
        out = op.prepareOut(SCHEMA, payload);
      } else {
        out = Envelope.prepareOrigin("bench-producer", SCHEMA, payload);
      }
      long bytes = headerWireBytes(pub.encode(null, out).headers());
      if (op != null) op.complete();
      return bytes;
    }
  }

  /**
   * The control's one header, exactly {@code wireBytes} long in the record's header fields. The key is "pad", or
   * "pad_" where a value-length varint growing by a byte would skip the size.
   */
  static Header padHeader(long wireBytes) {
    for (String key : List.of(PAD_KEY, PAD_KEY + "_")) {
      for (int v = 0; v <= wireBytes; v++) {
        long total = varintBytes(1) + varintBytes(key.length()) + key.length() + varintBytes(v) + v;
        if (total == wireBytes) {
          byte[] pad = new byte[v];
          new java.util.Random(v).nextBytes(pad); // incompressible, like ids; compression is off anyway
          return new RecordHeader(key, pad);
        }
      }
    }
    throw new IllegalArgumentException("no single header is " + wireBytes + " bytes on the wire");
  }

  // ------------------------------------------------------------------ clients

  /** The producer settings of both modes, spelled out (they are Kafka 4.0's defaults unless set otherwise). */
  static Map<String, Object> producerSettings(Config cfg) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, cfg.lingerMs());
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, cfg.batchSize());
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 32L << 20);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    return p;
  }

  /** The consumer settings of both modes (offsets committed asynchronously after each poll, as KafkaSubscriber). */
  static Map<String, Object> consumerSettings() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    c.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
    return c;
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap, Config cfg) {
    Map<String, Object> p = new HashMap<>(producerSettings(cfg));
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Map<String, Object> c = new HashMap<>(consumerSettings());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static byte[] payload(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) b[i] = (byte) ('a' + i % 26);
    return b;
  }

  private static String topicName(Mode mode, int run, String phase) {
    return "bench-" + mode.name().toLowerCase(Locale.ROOT) + "-" + run + "-" + phase + "-"
        + UUID.randomUUID().toString().substring(0, 6);
  }

  private static void deleteTopic(KafkaBroker broker, String topic) {
    try (Admin admin = broker.admin()) {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // a leftover topic only costs disk
    }
  }

  // ------------------------------------------------------------------ measurements

  private static void flush(Tracer a, Tracer b, Duration timeout) {
    a.flush(timeout);
    b.flush(timeout);
  }

  private static long emitted(Tracer a, Tracer b) {
    return a.stats().eventsEmitted() + b.stats().eventsEmitted();
  }

  private static SinkStats sinkStats(Tracer a, Tracer b) {
    SinkStats x = a.stats().sink();
    SinkStats y = b.stats().sink();
    return new SinkStats(x.accepted() + y.accepted(), x.exported() + y.exported(), x.dropped() + y.dropped(),
        x.exportFailed() + y.exportFailed(), x.queued() + y.queued(), x.capacity() + y.capacity());
  }

  /** Bytes of the topic's log segments in the broker's data directory (every partition). */
  static long logBytes(KafkaBroker broker, String topic) {
    Path dir = broker.dataDirectory();
    long total = 0;
    try (Stream<Path> parts = Files.list(dir)) {
      for (Path p : (Iterable<Path>) parts::iterator) {
        String name = p.getFileName().toString();
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || !name.substring(0, dash).equals(topic) || !Files.isDirectory(p)) continue;
        try (Stream<Path> files = Files.list(p)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            if (f.getFileName().toString().endsWith(".log")) total += Files.size(f);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return total;
  }

  private static double cpuSeconds(ProcessHandle p) {
    return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
  }

  /** CPU time of the broker: the child JVM of this process running KafkaBrokerMain. */
  private static double brokerCpuSeconds() {
    Optional<ProcessHandle> child = ProcessHandle.current().children()
        .filter(c -> c.info().commandLine().map(s -> s.contains("KafkaBrokerMain")).orElse(true)).findFirst();
    return child.map(KafkaThroughputBench::cpuSeconds).orElse(Double.NaN);
  }

  /** A progress line on stderr, refreshed every second. */
  private static final class Progress {
    private final String tag;
    private final int n;
    private final AtomicLong produced;
    private final AtomicLong consumed;
    private volatile boolean running = true;
    private Thread thread;

    Progress(String tag, int n, AtomicLong produced, AtomicLong consumed) {
      this.tag = tag;
      this.n = n;
      this.produced = produced;
      this.consumed = consumed;
    }

    void start() {
      thread = new Thread(() -> {
        long t0 = System.nanoTime();
        while (running) {
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
          if (!running) return;
          System.err.printf(Locale.ROOT, "\r  [%s] %5.1f s  produced %,d  consumed %,d of %,d (%3d%%)   ", tag,
              (System.nanoTime() - t0) / 1e9, produced.get(), consumed.get(), n, consumed.get() * 100 / n);
        }
      }, "bench-progress");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      if (thread != null) {
        thread.interrupt();
        thread.join();
        System.err.print("\r" + " ".repeat(100) + "\r");
      }
    }
  }

  // ------------------------------------------------------------------ reports

  static String line(RunResult r) {
    String s = String.format(Locale.ROOT, "  %-5s run %d: %,9.0f records/s end to end (%.2f s), producer %,9.0f "
        + "records/s, consumed %,d, log %.1f B/record, headers %.1f B/record", r.mode().label(),
        r.run(), r.e2eRate(), r.e2eSeconds(), r.producerRate(), r.consumed(), (double) r.topicLogBytes() / r.records(),
        (double) r.readback().headerWireBytes() / r.records());
    if (r.mode().traced()) {
      Telemetry t = r.telemetry();
      s += String.format(Locale.ROOT, ", %s %,d emitted / %,d delivered / %,d dropped / %,d failed, "
          + "%.1f B/record, drained %.2f s after", unit(r.mode()), t.emitted(), t.delivered(), t.dropped(), t.failed(),
          (double) t.topicBytes() / r.records(), t.drainSeconds());
    }
    return s;
  }

  /** What a traced mode's telemetry counts. */
  static String unit(Mode mode) {
    return mode == Mode.BRAVE ? "spans" : "events";
  }

  /** Where a traced mode's telemetry goes. */
  static String telemetryTopic(Mode mode) {
    return mode == Mode.BRAVE ? BraveKafkaPeer.TOPIC : KafkaTelemetrySink.DEFAULT_TOPIC;
  }

  static double median(List<RunResult> rs, ToDoubleFunction<RunResult> f) {
    double[] v = rs.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) return Double.NaN;
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static double min(List<RunResult> rs, ToDoubleFunction<RunResult> f) {
    return rs.stream().mapToDouble(f).min().orElse(Double.NaN);
  }

  static double max(List<RunResult> rs, ToDoubleFunction<RunResult> f) {
    return rs.stream().mapToDouble(f).max().orElse(Double.NaN);
  }

  /** Medians of one mode's runs, and the ratios to plain. */
  record Figures(Mode mode, double e2e, double producer, double ratio, double producerRatio,
      double headerBytesAdded, double logPerRecord, double logBytesAdded, double telemetryBytesPerRecord,
      double itemsPerRecord, long emitted, long delivered, long dropped, long failed) {
    static Figures of(Report report, Mode mode) {
      List<RunResult> p = report.of(Mode.PLAIN);
      List<RunResult> m = report.of(mode);
      double pe = median(p, RunResult::e2eRate), me = median(m, RunResult::e2eRate);
      double pp = median(p, RunResult::producerRate), mp = median(m, RunResult::producerRate);
      double ph = median(p, r -> (double) r.readback().headerWireBytes() / r.records());
      double mh = median(m, r -> (double) r.readback().headerWireBytes() / r.records());
      double pl = median(p, r -> (double) r.topicLogBytes() / r.records());
      double ml = median(m, r -> (double) r.topicLogBytes() / r.records());
      double tb = median(m, r -> (double) r.telemetry().topicBytes() / r.records());
      double ev = median(m, r -> (double) r.telemetry().emitted() / r.records());
      long emitted = m.stream().mapToLong(r -> r.telemetry().emitted()).sum();
      long delivered = m.stream().mapToLong(r -> r.telemetry().delivered()).sum();
      long dropped = m.stream().mapToLong(r -> r.telemetry().dropped()).sum();
      long failed = m.stream().mapToLong(r -> r.telemetry().failed()).sum();
      return new Figures(mode, me, mp, me / pe, mp / pp, mh - ph, ml, ml - pl, tb, ev, emitted, delivered,
          dropped, failed);
    }
  }

  static String summary(Report report) {
    Config c = report.config();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%nKafka throughput, %,d records of %d bytes, %d partitions, %d runs per mode "
        + "(median [min-max]); %s%n", c.records(), c.payloadBytes(), c.partitions(), c.runs(), c.weftOptions()));
    for (Mode m : c.modes()) {
      List<RunResult> rs = report.of(m);
      sb.append(String.format(Locale.ROOT, "  %-5s end to end %,9.0f [%,.0f-%,.0f] records/s   producer %,9.0f "
          + "[%,.0f-%,.0f] records/s%n", m.label(), median(rs, RunResult::e2eRate),
          min(rs, RunResult::e2eRate), max(rs, RunResult::e2eRate), median(rs, RunResult::producerRate),
          min(rs, RunResult::producerRate), max(rs, RunResult::producerRate)));
    }
    for (Mode m : c.modes()) {
      if (m == Mode.PLAIN) continue;
      Figures f = Figures.of(report, m);
      if (m == Mode.PADDED) {
        sb.append(String.format(Locale.ROOT, "  padded (control: plain records with an opaque header as large as "
            + "Weft's): ratio to plain %.3f end to end, producer %.3f; header %.1f B/record in the record's header "
            + "fields, %.1f B/record added on the broker's disk%n", f.ratio(), f.producerRatio(),
            f.headerBytesAdded(), f.logBytesAdded()));
        continue;
      }
      sb.append(String.format(Locale.ROOT, "  %s: ratio to plain %.3f end to end%s, producer %.3f; header %.1f B/record "
          + "in the record's header fields, %.1f B/record added on the broker's disk (log %.1f B/record); "
          + "telemetry %.2f %s/record, %.1f bytes/record on %s; over all runs %,d emitted, %,d delivered, %,d dropped, "
          + "%,d failed%n", m.label(), f.ratio(), m == Mode.WEFT ? (f.ratio() >= 0.97 ? " (target >= 0.97: met)"
          : " (target >= 0.97: MISSED)") : "", f.producerRatio(), f.headerBytesAdded(), f.logBytesAdded(),
          f.logPerRecord(), f.itemsPerRecord(), unit(m), f.telemetryBytesPerRecord(), telemetryTopic(m), f.emitted(),
          f.delivered(), f.dropped(), f.failed()));
    }
    for (RunResult r : report.results()) sb.append(line(r)).append('\n');
    return sb.toString();
  }

  static String markdown(Report report) {
    Config c = report.config();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%,d records of %d bytes, %d partitions, %d measured runs per mode "
        + "(in turn, each after a %,d-record warm-up); %s; producer %s, consumer %s.%n%n", c.records(),
        c.payloadBytes(), c.partitions(), c.runs(), c.warmup(), c.weftOptions(), producerSettings(c),
        consumerSettings()));
    sb.append("| Run | Mode | End to end (records/s) | Producer, to last ack (records/s) | Log B/record | "
        + "Header B/record | Telemetry emitted / delivered / dropped | Telemetry B/record | "
        + "CPU s bench / broker |\n");
    sb.append("|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
    for (RunResult r : report.results()) {
      Telemetry t = r.telemetry();
      boolean traced = r.mode().traced();
      sb.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %,.0f | %.1f | %.1f | %s | %s | %.1f / %.1f |%n",
          r.run(), r.mode().label(), r.e2eRate(), r.producerRate(),
          (double) r.topicLogBytes() / r.records(), (double) r.readback().headerWireBytes() / r.records(),
          traced ? String.format(Locale.ROOT, "%,d / %,d / %,d %s", t.emitted(), t.delivered(), t.dropped(),
              unit(r.mode())) : "-",
          traced ? String.format(Locale.ROOT, "%.1f", (double) t.topicBytes() / r.records()) : "-",
          r.benchCpuSeconds(), r.brokerCpuSeconds()));
    }
    sb.append('\n');
    List<Mode> traced = c.modes().stream().filter(m -> m != Mode.PLAIN).toList();
    List<Figures> fs = traced.stream().map(m -> Figures.of(report, m)).toList();
    sb.append("| | plain");
    for (Mode m : traced) sb.append(" | ").append(m.label()).append(" | ").append(m.label()).append(" / plain");
    sb.append(" |\n|---|--:").append("|--:|--:".repeat(traced.size())).append("|\n");
    row(sb, "End to end, median (records/s)", fmt(median(report.of(Mode.PLAIN), RunResult::e2eRate)), fs,
        f -> fmt(f.e2e()), f -> String.format(Locale.ROOT, "**%.3f**", f.ratio()));
    row(sb, "End to end, spread (records/s)", spread(report.of(Mode.PLAIN), RunResult::e2eRate), fs,
        f -> spread(report.of(f.mode()), RunResult::e2eRate), f -> "");
    row(sb, "Producer, median (records/s)", fmt(median(report.of(Mode.PLAIN), RunResult::producerRate)), fs,
        f -> fmt(f.producer()), f -> String.format(Locale.ROOT, "%.3f", f.producerRatio()));
    row(sb, "Broker log bytes per record", String.format(Locale.ROOT, "%.1f",
        median(report.of(Mode.PLAIN), r -> (double) r.topicLogBytes() / r.records())), fs,
        f -> String.format(Locale.ROOT, "%.1f", f.logPerRecord()),
        f -> String.format(Locale.ROOT, "+%.1f B", f.logBytesAdded()));
    row(sb, "Telemetry items per record", "-", fs, f -> !f.mode().traced() ? "-"
        : String.format(Locale.ROOT, "%.2f %s", f.itemsPerRecord(), unit(f.mode())), f -> "");
    row(sb, "Telemetry bytes per record (its topic)", "-", fs, f -> !f.mode().traced() ? "-"
        : String.format(Locale.ROOT, "%.1f (`%s`)", f.telemetryBytesPerRecord(), telemetryTopic(f.mode())), f -> "");
    row(sb, "Telemetry dropped", "-", fs, f -> !f.mode().traced() ? "-" : String.format(Locale.ROOT,
        "%,d of %,d (%.1f %%)", f.dropped(), f.emitted(), 100.0 * f.dropped() / Math.max(1, f.emitted())), f -> "");
    Figures w = fs.get(0);
    sb.append(String.format(Locale.ROOT, "%nTarget weft/plain >= 0.97: **%s** (%.3f). Weft's header: %.1f bytes per "
        + "record added in the record's header fields, %.1f bytes per record added on the broker's disk.%n",
        w.ratio() >= 0.97 ? "met" : "missed", w.ratio(), w.headerBytesAdded(), w.logBytesAdded()));
    return sb.toString();
  }

  private static void row(StringBuilder sb, String name, String plain, List<Figures> fs,
      java.util.function.Function<Figures, String> value, java.util.function.Function<Figures, String> ratio) {
    sb.append("| ").append(name).append(" | ").append(plain);
    for (Figures f : fs) sb.append(" | ").append(value.apply(f)).append(" | ").append(ratio.apply(f));
    sb.append(" |\n");
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String spread(List<RunResult> rs, ToDoubleFunction<RunResult> f) {
    return String.format(Locale.ROOT, "%,.0f-%,.0f", min(rs, f), max(rs, f));
  }
}
