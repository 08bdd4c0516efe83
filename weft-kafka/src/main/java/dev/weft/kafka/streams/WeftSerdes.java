package dev.weft.kafka.streams;

import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Result;
import dev.weft.core.carrier.BinaryHeaderCodec;
import dev.weft.core.carrier.CodecError;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serdes for {@link Traced} and {@link TracedAggregate}: the Weft binary header (the same encoding as the
 * {@code weft} record header) next to the value's own bytes.
 *
 * <pre>
 * Traced:          0x01 · u32 header length · header · i32 value length (-1 = null) · value
 * TracedAggregate: 0x01 · i32 value length (-1 = null) · value · u32 input count · (u32 length · header)* · i64 left off
 * </pre>
 */
public final class WeftSerdes {
  private static final byte FORMAT = 1;

  private WeftSerdes() {}

  /** A serde for traced values whose payload uses {@code values}. */
  public static <V> Serde<Traced<V>> traced(Serde<V> values) {
    Serializer<V> vs = values.serializer();
    Deserializer<V> vd = values.deserializer();
    Serializer<Traced<V>> ser = (topic, t) -> {
      if (t == null) return null;
      byte[] h = encode(t.header());
      byte[] v = t.value() == null ? null : vs.serialize(topic, t.value());
      ByteBuffer b = ByteBuffer.allocate(1 + 4 + h.length + 4 + (v == null ? 0 : v.length));
      b.put(FORMAT).putInt(h.length).put(h).putInt(v == null ? -1 : v.length);
      if (v != null) b.put(v);
      return b.array();
    };
    Deserializer<Traced<V>> de = (topic, bytes) -> {
      if (bytes == null) return null;
      try {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        checkFormat(b);
        Header h = decode(b);
        byte[] v = bytesOrNull(b);
        return new Traced<>(h, v == null ? null : vd.deserialize(topic, v));
      } catch (RuntimeException e) {
        throw e instanceof SerializationException ? e : new SerializationException("not a Weft traced value", e);
      }
    };
    return Serdes.serdeFrom(ser, de);
  }

  /** A serde for traced aggregates whose value uses {@code values}. */
  public static <A> Serde<TracedAggregate<A>> aggregate(Serde<A> values) {
    Serializer<A> vs = values.serializer();
    Deserializer<A> vd = values.deserializer();
    Serializer<TracedAggregate<A>> ser = (topic, a) -> {
      if (a == null) return null;
      byte[] v = a.value() == null ? null : vs.serialize(topic, a.value());
      List<byte[]> hs = new ArrayList<>(a.inputs().size());
      int size = 1 + 4 + (v == null ? 0 : v.length) + 4 + 8;
      for (Header h : a.inputs()) {
        byte[] e = encode(h);
        hs.add(e);
        size += 4 + e.length;
      }
      ByteBuffer b = ByteBuffer.allocate(size);
      b.put(FORMAT).putInt(v == null ? -1 : v.length);
      if (v != null) b.put(v);
      b.putInt(hs.size());
      for (byte[] e : hs) b.putInt(e.length).put(e);
      b.putLong(a.leftOff());
      return b.array();
    };
    Deserializer<TracedAggregate<A>> de = (topic, bytes) -> {
      if (bytes == null) return null;
      try {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        checkFormat(b);
        byte[] v = bytesOrNull(b);
        int n = b.getInt();
        if (n < 0 || n > TracedAggregate.MAX_INPUTS) throw new SerializationException("bad input count " + n);
        List<Header> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) inputs.add(decode(b));
        long leftOff = b.getLong();
        return new TracedAggregate<>(v == null ? null : vd.deserialize(topic, v), inputs, leftOff);
      } catch (RuntimeException e) {
        throw e instanceof SerializationException ? e : new SerializationException("not a Weft traced aggregate", e);
      }
    };
    return Serdes.serdeFrom(ser, de);
  }

  private static void checkFormat(ByteBuffer b) {
    byte f = b.get();
    if (f != FORMAT) throw new SerializationException("unknown Weft serde format " + f);
  }

  private static byte[] bytesOrNull(ByteBuffer b) {
    int len = b.getInt();
    if (len < 0) return null;
    byte[] v = new byte[len];
    b.get(v);
    return v;
  }

  private static byte[] encode(Header h) {
    Result<byte[], CodecError> r = BinaryHeaderCodec.encode(h);
    if (r instanceof Result.Ok<byte[], CodecError> ok) return ok.value();
    // only tags can push a valid header past 8 KiB: keep the lineage, drop the tags
    Faults.count(Fault.HEADER_ENCODE_ERROR);
    Result<byte[], CodecError> bare = BinaryHeaderCodec.encode(h.withMtags(Map.of()).withPtags(Map.of()));
    if (bare instanceof Result.Ok<byte[], CodecError> ok) return ok.value();
    throw new SerializationException("header cannot be encoded: " + bare);
  }

  private static Header decode(ByteBuffer b) {
    int len = b.getInt();
    if (len < 0 || len > b.remaining()) throw new SerializationException("bad header length " + len);
    byte[] h = new byte[len];
    b.get(h);
    Result<Header, CodecError> r = BinaryHeaderCodec.decode(h);
    if (r instanceof Result.Ok<Header, CodecError> ok) return ok.value();
    throw new SerializationException("bad Weft header: " + r);
  }
}
