package dev.weft.kafka;

import dev.weft.core.Envelope;
import dev.weft.core.Operation;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.Propagation;
import dev.weft.core.channel.Channel;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.topology.DeclaresChannel;
import dev.weft.core.topology.Direction;
import java.util.Objects;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Publishes envelopes to one Kafka topic, as the in-memory reference medium does: the payload is written with a
 * {@link PayloadCodec}, the Weft header goes into the record headers (binary {@code weft}, plus W3C
 * {@code traceparent} with the default {@link Propagation}), and SEND is emitted when the record is handed to the
 * producer. The producer is the application's: this class neither configures nor closes it.
 *
 * @param <A> the payload type
 */
public final class KafkaPublisher<A> implements DeclaresChannel {
  private final Producer<byte[], byte[]> producer;
  private final Tracer tracer;
  private final Channel channel;
  private final PayloadCodec<A> codec;
  private final Propagation propagation;

  public KafkaPublisher(Producer<byte[], byte[]> producer, Tracer tracer, Channel channel, PayloadCodec<A> codec) {
    this(producer, tracer, channel, codec, Propagation.defaults());
  }

  public KafkaPublisher(Producer<byte[], byte[]> producer, Tracer tracer, Channel channel, PayloadCodec<A> codec,
      Propagation propagation) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.tracer = Objects.requireNonNull(tracer, "tracer");
    this.channel = Objects.requireNonNull(channel, "channel");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.propagation = Objects.requireNonNull(propagation, "propagation");
    if (!KafkaChannels.MEDIUM.equals(channel.medium())) {
      throw new IllegalArgumentException("not a kafka channel: " + channel.id());
    }
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public Direction direction() {
    return Direction.PUBLISH;
  }

  /** Sends a prepared envelope without a key. */
  public Future<RecordMetadata> publish(Envelope<Stage.Out, A> envelope, Operation sender) throws Exception {
    return publish(null, envelope, sender, null);
  }

  /**
   * Sends a prepared envelope.
   *
   * @param key the record key, or null
   * @param sender the operation that produced the message, or null
   * @param callback the producer callback, or null
   * @throws Exception if the payload cannot be encoded; tracing itself never throws
   */
  public Future<RecordMetadata> publish(byte[] key, Envelope<Stage.Out, A> envelope, Operation sender,
      Callback callback) throws Exception {
    ProducerRecord<byte[], byte[]> record = encode(key, envelope);
    tracer.sent(envelope.header(), channel.id(), sender);
    return producer.send(record, callback);
  }

  /** The record this publisher would send: payload bytes and the header in the record headers. */
  public ProducerRecord<byte[], byte[]> encode(byte[] key, Envelope<Stage.Out, A> envelope) throws Exception {
    byte[] value = codec.encode(envelope.payload());
    RecordHeaders headers = new RecordHeaders();
    propagation.inject(envelope.header(), KafkaCarrier.of(headers));
    return new ProducerRecord<>(channel.name(), null, key, value, headers);
  }
}
