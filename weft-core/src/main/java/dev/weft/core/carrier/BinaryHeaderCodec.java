package dev.weft.core.carrier;

import dev.weft.core.Header;
import dev.weft.core.Ids;
import dev.weft.core.Limits;
import dev.weft.core.Result;
import dev.weft.core.Tags;
import dev.weft.core.carrier.CodecError.Kind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The compact binary encoding of a header, for Kafka record headers: one record header named {@value #KEY}.
 *
 * <pre>
 * byte 0        version: major in the high nibble, minor in the low one (this writer: 0x10, version 1.0)
 * then fields   tag (1 byte) · length (unsigned LEB128 varint) · value
 *   0x01 correlation_ids   n × 16 bytes (ids in binary)
 *   0x02 message_id        16 bytes
 *   0x03 parent_ids        n × 16 bytes (field left out when empty)
 *   0x04 producer_id       ASCII
 *   0x05 payload_schema_uri ASCII
 *   0x06 ticks_from_epoch  8 bytes, big-endian
 *   0x07 mtags             repeated: varint key length · key (ASCII) · varint value length · value (UTF-8)
 *   0x08 ptags             as mtags
 * </pre>
 *
 * Every field says its length, so a reader skips tags it does not know: a newer minor version decodes on an older
 * reader. A different major version is refused as {@link Kind#UNSUPPORTED_VERSION}. The whole value is at most
 * {@link Limits#MAX_ENCODED_BYTES}. See {@code docs/wire-spec.md}.
 */
public final class BinaryHeaderCodec {
  /** The record header key. */
  public static final String KEY = "weft";
  /** Major and minor version this writer emits. */
  public static final int MAJOR = 1;
  public static final int MINOR = 0;

  static final int CORRELATION_IDS = 1;
  static final int MESSAGE_ID = 2;
  static final int PARENT_IDS = 3;
  static final int PRODUCER_ID = 4;
  static final int SCHEMA_URI = 5;
  static final int TICKS = 6;
  static final int MTAGS = 7;
  static final int PTAGS = 8;

  private BinaryHeaderCodec() {}

  // ------------------------------------------------------------------ encode

  /** The header as bytes, or {@link Kind#OVERSIZED} past 8 KiB. Never throws. */
  public static Result<byte[], CodecError> encode(Header h) {
    int size = 1;
    size += field(h.correlationIds().size() * Ids.BYTES);
    size += field(Ids.BYTES);
    if (!h.parentIds().isEmpty()) size += field(h.parentIds().size() * Ids.BYTES);
    size += field(h.producerId().length());
    size += field(h.payloadSchemaUri().length());
    size += field(8);
    byte[][] mtagValues = utf8Values(h.mtags());
    byte[][] ptagValues = utf8Values(h.ptags());
    int mtagsLen = tagsLength(h.mtags(), mtagValues);
    int ptagsLen = tagsLength(h.ptags(), ptagValues);
    if (mtagsLen > 0) size += field(mtagsLen);
    if (ptagsLen > 0) size += field(ptagsLen);
    if (size > Limits.MAX_ENCODED_BYTES) {
      return Result.err(CodecError.of(Kind.OVERSIZED, "header needs " + size + " bytes, more than "
          + Limits.MAX_ENCODED_BYTES));
    }
    byte[] out = new byte[size];
    int p = 0;
    out[p++] = (byte) ((MAJOR << 4) | MINOR);
    p = writeIds(out, p, CORRELATION_IDS, h.correlationIds());
    out[p++] = MESSAGE_ID;
    out[p++] = Ids.BYTES;
    Ids.writeBytes(h.messageId(), out, p);
    p += Ids.BYTES;
    if (!h.parentIds().isEmpty()) p = writeIds(out, p, PARENT_IDS, h.parentIds());
    p = writeAscii(out, p, PRODUCER_ID, h.producerId());
    p = writeAscii(out, p, SCHEMA_URI, h.payloadSchemaUri());
    out[p++] = TICKS;
    out[p++] = 8;
    long t = h.ticksFromEpoch();
    for (int i = 7; i >= 0; i--) out[p++] = (byte) (t >>> (8 * i));
    if (mtagsLen > 0) p = writeTags(out, p, MTAGS, h.mtags(), mtagValues, mtagsLen);
    if (ptagsLen > 0) p = writeTags(out, p, PTAGS, h.ptags(), ptagValues, ptagsLen);
    return Result.ok(out);
  }

  private static int field(int len) {
    return 1 + varintSize(len) + len;
  }

  private static int varintSize(int v) {
    int n = 1;
    while ((v >>>= 7) != 0) n++;
    return n;
  }

  private static int writeVarint(byte[] out, int p, int v) {
    while ((v & ~0x7f) != 0) {
      out[p++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out[p++] = (byte) v;
    return p;
  }

  private static int writeIds(byte[] out, int p, int tag, List<String> ids) {
    out[p++] = (byte) tag;
    p = writeVarint(out, p, ids.size() * Ids.BYTES);
    for (int i = 0; i < ids.size(); i++) {
      Ids.writeBytes(ids.get(i), out, p);
      p += Ids.BYTES;
    }
    return p;
  }

  private static int writeAscii(byte[] out, int p, int tag, String s) {
    out[p++] = (byte) tag;
    p = writeVarint(out, p, s.length());
    for (int i = 0; i < s.length(); i++) out[p++] = (byte) s.charAt(i);
    return p;
  }

  /** UTF-8 bytes of each value that is not plain ASCII (null entries mean "ASCII, write chars directly"). */
  private static byte[][] utf8Values(Tags tags) {
    byte[][] out = null;
    for (int i = 0; i < tags.size(); i++) {
      String v = tags.valueAt(i);
      if (!isAscii(v)) {
        if (out == null) out = new byte[tags.size()][];
        out[i] = v.getBytes(StandardCharsets.UTF_8);
      }
    }
    return out;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
    return true;
  }

  private static int tagsLength(Tags tags, byte[][] utf8) {
    int len = 0;
    for (int i = 0; i < tags.size(); i++) {
      int k = tags.keyAt(i).length();
      int v = utf8 != null && utf8[i] != null ? utf8[i].length : tags.valueAt(i).length();
      len += varintSize(k) + k + varintSize(v) + v;
    }
    return len;
  }

  private static int writeTags(byte[] out, int p, int tag, Tags tags, byte[][] utf8, int len) {
    out[p++] = (byte) tag;
    p = writeVarint(out, p, len);
    for (int i = 0; i < tags.size(); i++) {
      String k = tags.keyAt(i);
      p = writeVarint(out, p, k.length());
      for (int j = 0; j < k.length(); j++) out[p++] = (byte) k.charAt(j);
      if (utf8 != null && utf8[i] != null) {
        p = writeVarint(out, p, utf8[i].length);
        System.arraycopy(utf8[i], 0, out, p, utf8[i].length);
        p += utf8[i].length;
      } else {
        String v = tags.valueAt(i);
        p = writeVarint(out, p, v.length());
        for (int j = 0; j < v.length(); j++) out[p++] = (byte) v.charAt(j);
      }
    }
    return p;
  }

  // ------------------------------------------------------------------ decode

  /** Decodes a header, or says precisely why not. Never throws. */
  public static Result<Header, CodecError> decode(byte[] in) {
    if (in == null || in.length == 0) return Result.err(CodecError.of(Kind.MISSING, "no weft header"));
    if (in.length > Limits.MAX_ENCODED_BYTES) {
      return Result.err(CodecError.of(Kind.OVERSIZED, in.length + " bytes, more than " + Limits.MAX_ENCODED_BYTES));
    }
    try {
      return new Reader(in).read();
    } catch (Malformed m) {
      return Result.err(m.error);
    } catch (RuntimeException e) {
      return Result.err(CodecError.of(Kind.MALFORMED, "undecodable header: " + e.getClass().getSimpleName()));
    }
  }

  private static final class Malformed extends Exception {
    final CodecError error;

    Malformed(Kind kind, String message) {
      super(message, null, false, false);
      this.error = CodecError.of(kind, message);
    }
  }

  private static final class Reader {
    private final byte[] in;
    private int p;

    Reader(byte[] in) {
      this.in = in;
    }

    Result<Header, CodecError> read() throws Malformed {
      int version = in[p++] & 0xff;
      int major = version >>> 4;
      if (major != MAJOR) {
        throw new Malformed(Kind.UNSUPPORTED_VERSION, "header version " + major + "." + (version & 0xf)
            + "; this reader understands " + MAJOR + ".x");
      }
      List<String> correlations = null;
      String messageId = null;
      List<String> parents = List.of();
      String producer = null;
      String schema = null;
      long ticks = -1;
      Tags mtags = Tags.empty();
      Tags ptags = Tags.empty();
      int seen = 0;
      while (p < in.length) {
        int tag = in[p++] & 0xff;
        int len = varint();
        if (len > in.length - p) throw new Malformed(Kind.TRUNCATED, "field " + tag + " needs " + len + " bytes, "
            + (in.length - p) + " left");
        int end = p + len;
        if (tag >= 1 && tag <= 8) {
          if ((seen & (1 << tag)) != 0) throw new Malformed(Kind.MALFORMED, "field " + name(tag) + " appears twice");
          seen |= 1 << tag;
        }
        switch (tag) {
          case CORRELATION_IDS: correlations = ids(len, "correlation_ids", Limits.MAX_CORRELATION_IDS); break;
          case MESSAGE_ID:
            if (len != Ids.BYTES) throw new Malformed(Kind.MALFORMED, "message_id: " + len + " bytes, expected 16");
            messageId = id("message_id");
            break;
          case PARENT_IDS: parents = ids(len, "parent_ids", Limits.MAX_PARENT_IDS); break;
          case PRODUCER_ID: producer = ascii(len); break;
          case SCHEMA_URI: schema = ascii(len); break;
          case TICKS:
            if (len != 8) throw new Malformed(Kind.MALFORMED, "ticks_from_epoch: " + len + " bytes, expected 8");
            ticks = 0;
            for (int i = 0; i < 8; i++) ticks = (ticks << 8) | (in[p++] & 0xff);
            break;
          case MTAGS: mtags = tags(end, "mtags"); break;
          case PTAGS: ptags = tags(end, "ptags"); break;
          default: // unknown field from a newer minor version: skip it
        }
        p = end;
      }
      if (correlations == null) throw new Malformed(Kind.MALFORMED, "correlation_ids: missing");
      if (messageId == null) throw new Malformed(Kind.MALFORMED, "message_id: missing");
      if (producer == null) throw new Malformed(Kind.MALFORMED, "producer_id: missing");
      if (schema == null) throw new Malformed(Kind.MALFORMED, "payload_schema_uri: missing");
      if (ticks < 0) throw new Malformed(Kind.MALFORMED, "ticks_from_epoch: missing or negative");
      try {
        return Result.ok(dev.weft.core.internal.InternalHeaders.decoded(correlations, messageId, parents, producer,
            schema, ticks, mtags, ptags));
      } catch (IllegalArgumentException e) {
        throw new Malformed(Kind.INVALID_FIELD, e.getMessage());
      }
    }

    private int varint() throws Malformed {
      int v = 0;
      for (int shift = 0; shift < 32; shift += 7) {
        if (p >= in.length) throw new Malformed(Kind.TRUNCATED, "length cut off");
        int b = in[p++] & 0xff;
        v |= (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          if (v < 0) throw new Malformed(Kind.MALFORMED, "negative length");
          return v;
        }
      }
      throw new Malformed(Kind.MALFORMED, "length varint too long");
    }

    private String id(String field) throws Malformed {
      String id = Ids.fromBytes(in, p);
      if (id == null) throw new Malformed(Kind.INVALID_FIELD, field + ": all-zero id");
      p += Ids.BYTES;
      return id;
    }

    private List<String> ids(int len, String field, int max) throws Malformed {
      if (len % Ids.BYTES != 0) throw new Malformed(Kind.MALFORMED, field + ": " + len + " bytes, not a multiple of 16");
      int n = len / Ids.BYTES;
      if (n > max) throw new Malformed(Kind.INVALID_FIELD, field + ": " + n + " ids, at most " + max);
      if (n == 1) return List.of(id(field));
      String[] out = new String[n];
      for (int i = 0; i < n; i++) out[i] = id(field + "[" + i + "]");
      return List.of(out);
    }

    private String ascii(int len) {
      String s = new String(in, p, len, StandardCharsets.ISO_8859_1);
      p += len;
      return s;
    }

    /** Strict UTF-8: a bad sequence is MALFORMED (as in the text encoding), never a silent U+FFFD. */
    private String utf8(int len, String field, String key) throws Malformed {
      boolean ascii = true;
      for (int i = p; i < p + len; i++) {
        if (in[i] < 0) {
          ascii = false;
          break;
        }
      }
      if (ascii) return new String(in, p, len, StandardCharsets.ISO_8859_1);
      try {
        return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(in, p, len)).toString();
      } catch (java.nio.charset.CharacterCodingException e) {
        throw new Malformed(Kind.MALFORMED, field + "." + key + ": invalid UTF-8");
      }
    }

    private Tags tags(int end, String field) throws Malformed {
      String[] keys = new String[4];
      String[] values = new String[4];
      int n = 0;
      while (p < end) {
        int kl = varint();
        if (kl > end - p) throw new Malformed(Kind.TRUNCATED, field + ": key cut off");
        String k = new String(in, p, kl, StandardCharsets.ISO_8859_1);
        p += kl;
        int vl = varint();
        if (vl > end - p) throw new Malformed(Kind.TRUNCATED, field + "." + k + ": value cut off");
        String v = utf8(vl, field, k);
        p += vl;
        if (n == Limits.MAX_TAGS) {
          throw new Malformed(Kind.INVALID_FIELD, field + ": more than " + Limits.MAX_TAGS + " entries");
        }
        if (n == keys.length) {
          keys = java.util.Arrays.copyOf(keys, n * 2);
          values = java.util.Arrays.copyOf(values, n * 2);
        }
        keys[n] = k;
        values[n] = v;
        n++;
      }
      try {
        return Tags.fromSorted(keys, values, n);
      } catch (IllegalArgumentException e) {
        // writers sort their tags; a foreign writer may not, which is allowed as long as keys are unique
        if (!e.getMessage().startsWith("tag keys out of order")) {
          throw new Malformed(e.getMessage().startsWith("duplicate") ? Kind.MALFORMED : Kind.INVALID_FIELD,
              field + ": " + e.getMessage());
        }
      }
      Map<String, String> m = new java.util.TreeMap<>();
      for (int i = 0; i < n; i++) {
        if (m.put(keys[i], values[i]) != null) throw new Malformed(Kind.MALFORMED, field + ": duplicate key " + keys[i]);
      }
      try {
        return Tags.strict(m);
      } catch (IllegalArgumentException e) {
        throw new Malformed(Kind.INVALID_FIELD, field + ": " + e.getMessage());
      }
    }
  }

  private static String name(int tag) {
    switch (tag) {
      case CORRELATION_IDS: return "correlation_ids";
      case MESSAGE_ID: return "message_id";
      case PARENT_IDS: return "parent_ids";
      case PRODUCER_ID: return "producer_id";
      case SCHEMA_URI: return "payload_schema_uri";
      case TICKS: return "ticks_from_epoch";
      case MTAGS: return "mtags";
      default: return "ptags";
    }
  }
}
