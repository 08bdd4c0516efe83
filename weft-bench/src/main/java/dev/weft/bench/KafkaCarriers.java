package dev.weft.bench;

import dev.weft.core.carrier.BinaryCarrier;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Kafka {@link Headers} adapted for each library, written the same way for both so neither gets a cheaper carrier:
 * a write replaces the key ({@code remove} then {@code add}), a read takes {@code lastHeader}.
 */
final class KafkaCarriers {
  private KafkaCarriers() {}

  /** Weft's view of record headers. */
  static final class WeftCarrier implements BinaryCarrier {
    private final Headers headers;

    WeftCarrier(Headers headers) {
      this.headers = headers;
    }

    @Override
    public void put(String key, byte[] value) {
      headers.remove(key).add(key, value);
    }

    @Override
    public byte[] get(String key) {
      Header h = headers.lastHeader(key);
      return h == null ? null : h.value();
    }
  }

  /** OpenTelemetry's setter: values as UTF-8 bytes. */
  static final TextMapSetter<Headers> SETTER =
      (headers, key, value) -> headers.remove(key).add(key, value.getBytes(StandardCharsets.UTF_8));

  /** OpenTelemetry's getter: the last value of a key, decoded as UTF-8. */
  static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers headers) {
      List<String> keys = new ArrayList<>();
      for (Header h : headers) keys.add(h.key());
      return keys;
    }

    @Override
    public String get(Headers headers, String key) {
      if (headers == null) return null;
      Header h = headers.lastHeader(key);
      return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
  };
}
