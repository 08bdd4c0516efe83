package dev.weft.kafka;

import dev.weft.core.carrier.BinaryCarrier;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Kafka record headers seen as a Weft {@link BinaryCarrier}. {@link #put} replaces every earlier value of the key:
 * Kafka allows repeated keys, and a forwarded record must not carry its cause's {@code weft} header next to its own.
 */
public final class KafkaCarrier implements BinaryCarrier {
  private final Headers headers;

  private KafkaCarrier(Headers headers) {
    this.headers = headers;
  }

  /** A carrier over {@code headers}; writes go straight into them. */
  public static KafkaCarrier of(Headers headers) {
    return new KafkaCarrier(Objects.requireNonNull(headers, "headers"));
  }

  @Override
  public void put(String key, byte[] value) {
    headers.remove(key);
    headers.add(key, value);
  }

  @Override
  public byte[] get(String key) {
    Header h = headers.lastHeader(key);
    return h == null ? null : h.value();
  }

  /** The Kafka headers behind this carrier. */
  public Headers headers() {
    return headers;
  }
}
