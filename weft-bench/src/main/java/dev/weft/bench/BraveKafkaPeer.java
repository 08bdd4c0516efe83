package dev.weft.bench;

import brave.Span;
import brave.Tracer;
import brave.Tracing;
import brave.kafka.clients.KafkaTracing;
import brave.sampler.Sampler;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import zipkin2.reporter.InMemoryReporterMetrics;
import zipkin2.reporter.brave.AsyncZipkinSpanHandler;
import zipkin2.reporter.kafka.KafkaSender;

/**
 * The peer of the Kafka throughput bench: one service instrumented with Brave's kafka-clients instrumentation
 * ({@link KafkaTracing}), every span sampled and reported by Zipkin's asynchronous reporter over its Kafka sender, all
 * at their defaults, to the topic {@value #TOPIC} on the same broker. This is how a Zipkin user traces Kafka, with the
 * spans carried by Kafka, as Weft's events are.
 *
 * <p>The work per record matches Weft's: the producing service sends inside a local span ({@code PublishSkuUpdate},
 * like Weft's producer operation), under which the instrumentation adds a PRODUCER span; the consuming service's
 * instrumentation adds a CONSUMER span per record on {@code poll}, and the handler runs in a processing span
 * ({@code nextSpan(record)}, like Weft's consumer operation). Four spans per record, against Weft's six events
 * (two operations of two events each, SEND and RECEIVE).
 */
final class BraveKafkaPeer implements AutoCloseable {
  /** Zipkin's default Kafka topic. */
  static final String TOPIC = "zipkin";

  private final KafkaSender sender;
  private final AsyncZipkinSpanHandler handler;
  private final InMemoryReporterMetrics metrics = new InMemoryReporterMetrics();
  private final Tracing tracing;
  private final KafkaTracing kafkaTracing;
  private final Tracer tracer;

  BraveKafkaPeer(String service, String bootstrapServers) {
    sender = KafkaSender.newBuilder().bootstrapServers(bootstrapServers).topic(TOPIC).build();
    handler = AsyncZipkinSpanHandler.newBuilder(sender).metrics(metrics).build();
    tracing = Tracing.newBuilder().localServiceName(service).sampler(Sampler.ALWAYS_SAMPLE).addSpanHandler(handler)
        .build();
    kafkaTracing = KafkaTracing.newBuilder(tracing).remoteServiceName("kafka").build();
    tracer = tracing.tracer();
  }

  <K, V> Producer<K, V> producer(Producer<K, V> producer) {
    return kafkaTracing.producer(producer);
  }

  <K, V> Consumer<K, V> consumer(Consumer<K, V> consumer) {
    return kafkaTracing.consumer(consumer);
  }

  /** Sends {@code record} through the traced {@code producer} inside a new local span, as a service would. */
  <K, V> void publish(Producer<K, V> producer, ProducerRecord<K, V> record, Callback callback) {
    Span span = tracer.newTrace().name("PublishSkuUpdate").start();
    try (Tracer.SpanInScope ws = tracer.withSpanInScope(span)) {
      producer.send(record, callback);
    } finally {
      span.finish();
    }
  }

  /** Runs {@code handle} in a processing span continuing the record's trace. */
  void process(ConsumerRecord<?, ?> record, Runnable handle) {
    Span span = kafkaTracing.nextSpan(record).name("ApplySkuUpdate").start();
    try (Tracer.SpanInScope ws = tracer.withSpanInScope(span)) {
      handle.run();
    } finally {
      span.finish();
    }
  }

  /** Spans finished so far (every span is sampled, so every span is reported). */
  long spans() {
    return metrics.spans();
  }

  /** Spans the reporter dropped: its queue was full, or a message failed to send. */
  long dropped() {
    return metrics.spansDropped();
  }

  /** Spans still in the reporter's queue. */
  long queued() {
    return metrics.queuedSpans();
  }

  /** Hands everything queued to the sender and waits until the queue is empty or the timeout passes. */
  void flush(long timeoutMs) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    do {
      handler.flush();
    } while (metrics.queuedSpans() > 0 && System.nanoTime() < deadline);
  }

  @Override
  public void close() {
    tracing.close();
    handler.close();
    sender.close();
  }
}
