package dev.weft.core.channel;

import java.nio.charset.StandardCharsets;

/** Turns a domain value into payload bytes and back. Serialization formats (JSON, Avro) live in the application. */
public interface PayloadCodec<A> {
  byte[] encode(A value) throws Exception;

  A decode(byte[] bytes) throws Exception;

  /** UTF-8 text. */
  static PayloadCodec<String> utf8() {
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public String decode(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
      }
    };
  }

  /** Raw bytes. */
  static PayloadCodec<byte[]> bytes() {
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(byte[] value) {
        return value;
      }

      @Override
      public byte[] decode(byte[] bytes) {
        return bytes;
      }
    };
  }
}
