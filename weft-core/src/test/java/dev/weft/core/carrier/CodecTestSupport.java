package dev.weft.core.carrier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.weft.core.Header;
import dev.weft.core.Ids;
import dev.weft.core.Result;
import dev.weft.core.Tags;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Assertions on {@link Result}s and a hand-written binary encoder for crafting (in)valid wire bytes. */
public final class CodecTestSupport {
  private CodecTestSupport() {}

  /** The value of an Ok, failing the test with the error otherwise. */
  public static <T, E> T ok(Result<T, E> r) {
    assertThat(r).as("result").isNotNull();
    if (r instanceof Result.Err<T, E> e) fail("expected Ok but got Err: " + e.error());
    return ((Result.Ok<T, E>) r).value();
  }

  /** The error of an Err, failing the test with the value otherwise. */
  public static <T, E> E err(Result<T, E> r) {
    assertThat(r).as("result").isNotNull();
    if (r instanceof Result.Ok<T, E> o) fail("expected Err but got Ok: " + o.value());
    E e = ((Result.Err<T, E>) r).error();
    assertThat(e).isNotNull();
    return e;
  }

  /** The error kind of an Err. */
  public static CodecError.Kind kind(Result<?, CodecError> r) {
    CodecError e = err(r);
    assertThat(e.kind()).isNotNull();
    assertThat(e.message()).isNotNull();
    return e.kind();
  }

  // ------------------------------------------------------------------ independent size computations

  static int varintSize(int v) {
    int n = 1;
    while ((v >>>= 7) != 0) n++;
    return n;
  }

  static int fieldSize(int len) {
    return 1 + varintSize(len) + len;
  }

  static int tagsBytes(Tags tags) {
    int len = 0;
    for (var e : tags.entrySet()) {
      int k = e.getKey().getBytes(StandardCharsets.US_ASCII).length;
      int v = e.getValue().getBytes(StandardCharsets.UTF_8).length;
      len += varintSize(k) + k + varintSize(v) + v;
    }
    return len;
  }

  /** The binary size of a header per the wire spec, computed independently of the codec. */
  public static int binarySize(Header h) {
    int size = 1 + fieldSize(16 * h.correlationIds().size()) + fieldSize(16);
    if (!h.parentIds().isEmpty()) size += fieldSize(16 * h.parentIds().size());
    size += fieldSize(h.producerId().length()) + fieldSize(h.payloadSchemaUri().length()) + fieldSize(8);
    int m = tagsBytes(h.mtags());
    int p = tagsBytes(h.ptags());
    if (m > 0) size += fieldSize(m);
    if (p > 0) size += fieldSize(p);
    return size;
  }

  /** Length of a value percent-encoded as W3C baggage does (RFC 3986 unreserved plus : / @ pass). */
  public static int percentEncodedLength(String value) {
    int n = 0;
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || c == ':' || c == '/' || c == '@';
      n += safe ? 1 : 3;
    }
    return n;
  }

  static int tagsTextLength(Tags tags) {
    if (tags.isEmpty()) return 0;
    int n = tags.size() - 1; // commas
    for (var e : tags.entrySet()) n += e.getKey().length() + 1 + percentEncodedLength(e.getValue());
    return n;
  }

  /** The text size of a header (keys plus values) per the wire spec, computed independently of the codec. */
  public static int textSize(Header h) {
    int main = 3 + 3 + 33 * h.correlationIds().size() - 1 + 3 + 32;
    if (!h.parentIds().isEmpty()) main += 3 + 33 * h.parentIds().size() - 1;
    main += 4 + h.producerId().length() + 3 + h.payloadSchemaUri().length() + 3
        + Long.toString(h.ticksFromEpoch()).length();
    int size = "weft".length() + main;
    if (!h.mtags().isEmpty()) size += "weft-mtags".length() + tagsTextLength(h.mtags());
    if (!h.ptags().isEmpty()) size += "weft-ptags".length() + tagsTextLength(h.ptags());
    return size;
  }

  // ------------------------------------------------------------------ hand-made binary

  /** Builds binary header bytes field by field, independently of {@link BinaryHeaderCodec}. */
  public static final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static Bytes version(int versionByte) {
      Bytes b = new Bytes();
      b.out.write(versionByte);
      return b;
    }

    public Bytes raw(int... bytes) {
      for (int x : bytes) out.write(x);
      return this;
    }

    public Bytes varint(int v) {
      while ((v & ~0x7f) != 0) {
        out.write((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      out.write(v);
      return this;
    }

    public Bytes field(int tag, byte[] value) {
      out.write(tag);
      varint(value.length);
      out.writeBytes(value);
      return this;
    }

    public Bytes ids(int tag, List<String> ids) {
      byte[] v = new byte[16 * ids.size()];
      for (int i = 0; i < ids.size(); i++) Ids.writeBytes(ids.get(i), v, 16 * i);
      return field(tag, v);
    }

    public Bytes ascii(int tag, String s) {
      return field(tag, s.getBytes(StandardCharsets.ISO_8859_1));
    }

    public Bytes ticks(long t) {
      return field(6, java.nio.ByteBuffer.allocate(8).putLong(t).array());
    }

    public Bytes tags(int tag, String... kv) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      Bytes inner = new Bytes();
      for (int i = 0; i < kv.length; i += 2) {
        byte[] k = kv[i].getBytes(StandardCharsets.ISO_8859_1);
        byte[] v = kv[i + 1].getBytes(StandardCharsets.UTF_8);
        inner.varint(k.length);
        inner.out.writeBytes(k);
        inner.varint(v.length);
        inner.out.writeBytes(v);
      }
      body.writeBytes(inner.build());
      return field(tag, body.toByteArray());
    }

    /** Version 1.0 and the required fields of a minimal valid header. */
    public static Bytes minimal(String traceId, String messageId) {
      return version(0x10).ids(1, List.of(traceId)).ids(2, List.of(messageId)).ascii(4, "svc")
          .ascii(5, "urn:x:Y:v1").ticks(42);
    }

    public byte[] build() {
      return out.toByteArray();
    }
  }
}
