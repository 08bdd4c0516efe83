package dev.weft.demo;

import dev.weft.core.channel.PayloadCodec;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The shop's payloads: small maps of named fields, written as {@code key=value&key=value} (form encoding), so that a
 * record on a topic or a row in the event store is readable as it is. The message type is the channel's schema URN.
 */
final class Kv {
  private Kv() {}

  /** A payload from alternating keys and values. */
  static Map<String, String> of(String... kv) {
    if (kv.length % 2 != 0) throw new IllegalArgumentException("keys and values must alternate");
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return Collections.unmodifiableMap(m);
  }

  static String encode(Map<String, String> value) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : value.entrySet()) {
      if (sb.length() > 0) sb.append('&');
      sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  static Map<String, String> decode(String text) {
    Map<String, String> m = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) return Collections.unmodifiableMap(m);
    for (String pair : text.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("not a key=value pair: " + pair);
      m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return Collections.unmodifiableMap(m);
  }

  static final PayloadCodec<Map<String, String>> CODEC = new PayloadCodec<>() {
    @Override
    public byte[] encode(Map<String, String> value) {
      return Kv.encode(value).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Map<String, String> decode(byte[] bytes) {
      return Kv.decode(new String(bytes, StandardCharsets.UTF_8));
    }
  };

  /** The same format as a Kafka Streams serde. */
  static Serde<Map<String, String>> serde() {
    return Serdes.serdeFrom((topic, v) -> v == null ? null : encode(v).getBytes(StandardCharsets.UTF_8),
        (topic, b) -> b == null ? null : decode(new String(b, StandardCharsets.UTF_8)));
  }
}
