package dev.weft.kafka;

import dev.weft.core.Envelope;
import dev.weft.core.Header;
import dev.weft.core.Limits;
import dev.weft.core.Operation;
import dev.weft.core.Scope;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.Extraction;
import dev.weft.core.carrier.Propagation;
import dev.weft.core.channel.Channel;
import dev.weft.core.channel.Handler;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.topology.DeclaresChannel;
import dev.weft.core.topology.Direction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Consumes one Kafka topic and runs a handler for each record as an operation, as the in-memory reference medium
 * does: decode (a missing or bad header becomes a counted, adopted origin), START the operation with the message as
 * its input, emit RECEIVE (the server derives the queue wait from the header's ticks and this event's timestamp), run
 * the handler with the operation current on the thread, then COMPLETE or FAIL.
 *
 * <p>In batch mode ({@link #batch}) one operation handles up to {@code maxBatch} records of a poll: a fan-in whose
 * output lists every input as a parent.
 *
 * <p>Nothing a record contains can break the loop: header problems are counted, an unreadable payload fails that
 * record's operation, a handler exception fails its operation, and the loop goes on. Use either {@link #start()} (a
 * poll loop on its own thread, which then owns the consumer and closes it) or {@link #process} from a loop of your
 * own.
 *
 * @param <A> the payload type
 */
public final class KafkaSubscriber<A> implements DeclaresChannel, AutoCloseable {
  private static final String PAYLOAD_ERROR = "weft.PayloadDecodeError";

  private final Consumer<byte[], byte[]> consumer;
  private final Tracer tracer;
  private final Channel channel;
  private final PayloadCodec<A> codec;
  private final Propagation propagation;
  private final String operationName;
  private final Handler<A> handler;
  private final BatchHandler<A> batchHandler;
  private final int maxBatch;

  private final LongAdder records = new LongAdder();
  private final LongAdder handled = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder payloadErrors = new LongAdder();
  private final LongAdder adopted = new LongAdder();
  private final LongAdder badHeaders = new LongAdder();
  private final LongAdder operations = new LongAdder();
  private final LongAdder pollErrors = new LongAdder();
  /** An asynchronous commit that fails (a rebalance, the broker away) is counted; the next one covers its offsets. */
  private final OffsetCommitCallback commitCallback = (offsets, e) -> {
    if (e != null) pollErrors.increment();
  };

  private volatile boolean running;
  private Thread loop;

  private KafkaSubscriber(Consumer<byte[], byte[]> consumer, Tracer tracer, Channel channel, PayloadCodec<A> codec,
      Propagation propagation, String operationName, Handler<A> handler, BatchHandler<A> batchHandler, int maxBatch) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.tracer = Objects.requireNonNull(tracer, "tracer");
    this.channel = Objects.requireNonNull(channel, "channel");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.propagation = Objects.requireNonNull(propagation, "propagation");
    this.operationName = Objects.requireNonNull(operationName, "operationName");
    this.handler = handler;
    this.batchHandler = batchHandler;
    if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be at least 1");
    this.maxBatch = maxBatch;
    if (!KafkaChannels.MEDIUM.equals(channel.medium())) {
      throw new IllegalArgumentException("not a kafka channel: " + channel.id());
    }
  }

  /** Runs {@code handler} once per record, each in an operation named {@code operationName}. */
  public static <A> KafkaSubscriber<A> perRecord(Consumer<byte[], byte[]> consumer, Tracer tracer, Channel channel,
      PayloadCodec<A> codec, String operationName, Handler<A> handler) {
    return new KafkaSubscriber<>(consumer, tracer, channel, codec, Propagation.defaults(), operationName,
        Objects.requireNonNull(handler, "handler"), null, 1);
  }

  /**
   * Runs {@code handler} once per batch of up to {@value Limits#MAX_PARENT_IDS} records of a poll, in one fan-in
   * operation. The default batch bound is the header's parent limit, so an output of the batch can list every input
   * as a parent.
   */
  public static <A> KafkaSubscriber<A> batch(Consumer<byte[], byte[]> consumer, Tracer tracer, Channel channel,
      PayloadCodec<A> codec, String operationName, BatchHandler<A> handler) {
    return batch(consumer, tracer, channel, codec, operationName, Limits.MAX_PARENT_IDS, handler);
  }

  /** As {@link #batch(Consumer, Tracer, Channel, PayloadCodec, String, BatchHandler)} with another batch bound. */
  public static <A> KafkaSubscriber<A> batch(Consumer<byte[], byte[]> consumer, Tracer tracer, Channel channel,
      PayloadCodec<A> codec, String operationName, int maxBatch, BatchHandler<A> handler) {
    return new KafkaSubscriber<>(consumer, tracer, channel, codec, Propagation.defaults(), operationName, null,
        Objects.requireNonNull(handler, "handler"), maxBatch);
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public Direction direction() {
    return Direction.SUBSCRIBE;
  }

  // ------------------------------------------------------------------ poll loop

  /**
   * Subscribes the consumer to the channel's topic and polls it on a thread named {@code weft-sub-TOPIC} until
   * {@link #close()}. Offsets are committed asynchronously after each poll's records are handled (at least once), and
   * synchronously when the loop stops.
   */
  public synchronized KafkaSubscriber<A> start() {
    if (loop != null) throw new IllegalStateException("already started");
    running = true;
    loop = new Thread(this::run, "weft-sub-" + channel.name());
    loop.setDaemon(true);
    loop.start();
    return this;
  }

  private void run() {
    try {
      consumer.subscribe(List.of(channel.name()));
      while (running) {
        try {
          ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(100));
          if (polled.isEmpty()) continue;
          process(polled);
          consumer.commitAsync(commitCallback);
        } catch (WakeupException | InterruptException e) {
          if (!running) break;
        } catch (RuntimeException e) {
          pollErrors.increment(); // e.g. a commit refused during a rebalance: the next poll goes on
          pause();
        }
      }
    } finally {
      commitOnStop();
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        pollErrors.increment();
      }
    }
  }

  /** Commits what was handled before leaving, so that a clean stop redelivers nothing to the group's next member. */
  private void commitOnStop() {
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        consumer.commitSync(Duration.ofSeconds(5));
        return;
      } catch (WakeupException e) {
        // close()'s wakeup came after the loop had already seen the stop: it is spent now, so try once more
      } catch (RuntimeException e) {
        pollErrors.increment();
        return;
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the poll loop started by {@link #start()} and closes the consumer; waits up to 10 s. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      t = loop;
      running = false;
    }
    if (t == null) return;
    consumer.wakeup();
    try {
      t.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ processing

  /**
   * Handles polled records of this channel's topic (records of other topics are left alone). Never throws: every
   * problem is counted or recorded as a failed operation.
   */
  public void process(ConsumerRecords<byte[], byte[]> polled) {
    List<ConsumerRecord<byte[], byte[]>> mine = new ArrayList<>(polled.count());
    for (ConsumerRecord<byte[], byte[]> r : polled.records(channel.name())) mine.add(r);
    process(mine);
  }

  /** Handles the given records, in order. Never throws. */
  public void process(List<ConsumerRecord<byte[], byte[]>> batch) {
    if (batchHandler == null) {
      for (ConsumerRecord<byte[], byte[]> r : batch) handleOne(decode(r));
      return;
    }
    List<Received<A>> chunk = new ArrayList<>(Math.min(batch.size(), maxBatch));
    for (ConsumerRecord<byte[], byte[]> r : batch) {
      Received<A> in = decode(r);
      if (in.payloadError() != null) {
        handleOne(in); // its operation fails on its own; the rest of the batch goes on
        continue;
      }
      chunk.add(in);
      if (chunk.size() == maxBatch) {
        handleBatch(chunk);
        chunk = new ArrayList<>(maxBatch);
      }
    }
    if (!chunk.isEmpty()) handleBatch(chunk);
  }

  /** A record read: its envelope (an adopted origin header when it had no usable one), and a payload error or null. */
  record Received<A>(Envelope<Stage.In, A> envelope, String payloadError) {}

  private Received<A> decode(ConsumerRecord<byte[], byte[]> r) {
    records.increment();
    Header h;
    try {
      Extraction x = propagation.extract(KafkaCarrier.of(r.headers()));
      if (x.source() != Extraction.Source.WEFT) adopted.increment();
      if (x.hadBadHeader()) badHeaders.increment();
      h = x.receivedHeader(channel.schema());
    } catch (RuntimeException e) {
      adopted.increment(); // Propagation never throws; this guards against a misbehaving Headers implementation
      badHeaders.increment();
      h = Header.origin("unknown", channel.schema());
    }
    try {
      return new Received<>(Envelope.in(h, codec.decode(r.value())), null);
    } catch (Exception e) {
      payloadErrors.increment();
      String where = r.topic() + "-" + r.partition() + "@" + r.offset();
      return new Received<>(Envelope.in(h, null), "payload of " + where + " unreadable: " + e);
    }
  }

  @SuppressWarnings("try") // the scope only makes the operation current for the handler
  private void handleOne(Received<A> in) {
    operations.increment();
    Operation op = tracer.start(operationName, in.envelope());
    tracer.received(in.envelope().header(), channel.id(), op);
    if (in.payloadError() != null) {
      op.fail(PAYLOAD_ERROR, in.payloadError());
      return;
    }
    try (Scope ignored = op.makeCurrent()) {
      handler.handle(in.envelope(), op);
      end(op, 1);
    } catch (Throwable t) {
      fail(op, t, 1);
    }
  }

  @SuppressWarnings("try")
  private void handleBatch(List<Received<A>> chunk) {
    operations.increment();
    List<Envelope<Stage.In, A>> inputs = new ArrayList<>(chunk.size());
    for (Received<A> r : chunk) inputs.add(r.envelope());
    Operation op = tracer.start(operationName, inputs);
    for (Envelope<Stage.In, A> e : inputs) tracer.received(e.header(), channel.id(), op);
    try (Scope ignored = op.makeCurrent()) {
      batchHandler.handle(List.copyOf(inputs), op);
      end(op, inputs.size());
    } catch (Throwable t) {
      fail(op, t, inputs.size());
    }
  }

  private void end(Operation op, int n) {
    if (op.isRunning()) op.complete();
    handled.add(n); // a handler that failed its own operation still handled the record: it decided the outcome
  }

  private void fail(Operation op, Throwable t, int n) {
    op.fail(t);
    failed.add(n);
    if (t instanceof VirtualMachineError vme) throw vme; // out of memory is not the record's fault
  }

  /** Counters of what this subscriber did. */
  public SubscriberStats stats() {
    return new SubscriberStats(records.sum(), handled.sum(), failed.sum(), payloadErrors.sum(), adopted.sum(),
        badHeaders.sum(), operations.sum(), pollErrors.sum());
  }
}
