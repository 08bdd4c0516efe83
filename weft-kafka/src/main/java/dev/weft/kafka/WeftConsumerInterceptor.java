package dev.weft.kafka;

import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.Extraction;
import dev.weft.core.carrier.Propagation;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The zero-code path for consumers: emits RECEIVE for every consumed record, with the Weft header it carried (or an
 * adopted origin when it had none or a bad one: see {@link Extraction#receivedHeader}). It starts no operation: what
 * the application does with a record is invisible here. To trace the handling too, use {@link KafkaSubscriber}.
 *
 * <p>Configuration: {@value WeftTracers#TRACER_NAME_CONFIG} names a tracer registered with {@link WeftTracers};
 * {@value #SCHEMA_CONFIG} is the {@code payload_schema_uri} given to adopted headers (default {@code urn:kafka:TOPIC}).
 * Never throws into the consumer.
 */
public final class WeftConsumerInterceptor implements ConsumerInterceptor<Object, Object> {
  /** The consumer configuration key for the type given to adopted headers: {@value}. */
  public static final String SCHEMA_CONFIG = "weft.payload.schema.uri";

  /** Records without a usable Weft header, process-wide: a cheap health signal for tests and dashboards. */
  private static final LongAdder ADOPTED = new LongAdder();

  private String tracerName = WeftTracers.DEFAULT_NAME;
  private String schema;
  private final Propagation propagation = Propagation.defaults();

  @Override
  public void configure(Map<String, ?> configs) {
    tracerName = WeftTracers.nameFrom(configs);
    Object s = configs.get(SCHEMA_CONFIG);
    schema = s == null ? null : s.toString();
  }

  @Override
  public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
    Tracer tracer = WeftTracers.get(tracerName);
    if (tracer == null) return records;
    for (ConsumerRecord<Object, Object> r : records) {
      try {
        Extraction x = propagation.extract(KafkaCarrier.of(r.headers()));
        if (x.source() != Extraction.Source.WEFT) ADOPTED.increment();
        String type = schema != null ? schema : "urn:kafka:" + r.topic();
        tracer.received(x.receivedHeader(type), KafkaChannels.channelId(r.topic()), null);
      } catch (RuntimeException e) {
        Faults.count(Fault.INTERNAL_ERROR);
      }
    }
    return records;
  }

  /** Records that reached any consumer interceptor in this process without a usable Weft header. */
  public static long adoptedCount() {
    return ADOPTED.sum();
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {}
}
