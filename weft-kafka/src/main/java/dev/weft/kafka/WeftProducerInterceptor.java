package dev.weft.kafka;

import dev.weft.core.Envelope;
import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Limits;
import dev.weft.core.Operation;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.BinaryHeaderCodec;
import dev.weft.core.carrier.Propagation;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The zero-code path for producers: stamps a Weft header on every record that has none and emits SEND for it.
 *
 * <p>The header is propagated from the tracer's {@linkplain Tracer#current() current operation} on the sending thread
 * (so a record sent while handling a message is its child), or is an origin when no operation is current. Records
 * that already carry a {@code weft} header (sent through {@link KafkaPublisher}, or forwarded on purpose) are left
 * untouched and get no second SEND: whoever wrote the header emitted it.
 *
 * <p>Configuration (in the producer properties, which Kafka hands to interceptors):
 *
 * <ul>
 *   <li>{@value WeftTracers#TRACER_NAME_CONFIG}: the name of a tracer registered with {@link WeftTracers}; default
 *       {@value WeftTracers#DEFAULT_NAME}. With no tracer registered under it, records pass through untouched.
 *   <li>{@value #SCHEMA_CONFIG}: the {@code payload_schema_uri} written in the headers; default
 *       {@code urn:kafka:TOPIC}.
 * </ul>
 *
 * Never throws into the producer: any failure is counted in {@link Faults} and the record goes out as it was.
 */
public final class WeftProducerInterceptor implements ProducerInterceptor<Object, Object> {
  /** The producer configuration key for the message type: {@value}. */
  public static final String SCHEMA_CONFIG = "weft.payload.schema.uri";

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
  public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
    try {
      Tracer tracer = WeftTracers.get(tracerName);
      if (tracer == null || record.headers().lastHeader(BinaryHeaderCodec.KEY) != null) return record;
      String type = schemaFor(record.topic());
      Operation current = tracer.current();
      Header h = current != null
          ? current.outputHeader(type)
          : Envelope.prepareOrigin(tracer.service(), type, null).header();
      ProducerRecord<Object, Object> out = record;
      try {
        propagation.inject(h, KafkaCarrier.of(record.headers()));
      } catch (IllegalStateException readOnly) {
        // the application re-sent a record whose headers were sealed by an earlier send: copy them
        RecordHeaders copy = new RecordHeaders(record.headers().toArray());
        propagation.inject(h, KafkaCarrier.of(copy));
        out = new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(),
            record.value(), copy);
      }
      tracer.sent(h, KafkaChannels.channelId(record.topic()), current);
      return out;
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
      return record;
    }
  }

  private String schemaFor(String topic) {
    if (schema != null) return schema;
    String s = "urn:kafka:" + topic;
    return Limits.isToken(s, Limits.MAX_SCHEMA_URI_LENGTH) ? s : "urn:kafka:record";
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    // SEND means "handed to the transport"; delivery failures are the producer's to report
  }

  @Override
  public void close() {}
}
