package dev.weft.core.carrier;

import static dev.weft.core.carrier.CodecTestSupport.binarySize;
import static dev.weft.core.carrier.CodecTestSupport.err;
import static dev.weft.core.carrier.CodecTestSupport.kind;
import static dev.weft.core.carrier.CodecTestSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Header;
import dev.weft.core.Ids;
import dev.weft.core.Limits;
import dev.weft.core.Result;
import dev.weft.core.Tags;
import dev.weft.core.carrier.CodecError.Kind;
import dev.weft.core.carrier.CodecTestSupport.Bytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;

class BinaryHeaderCodecTest {
  private static final String T1 = "0af7651916cd43dd8448eb211c80319c";
  private static final String T2 = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String M = "b7ad6b7169203331b7ad6b7169203331";

  @Provide
  Arbitrary<Header> headers() {
    return WeftArbitraries.headers();
  }

  @Provide
  Arbitrary<Header> smallHeaders() {
    return WeftArbitraries.smallHeaders();
  }

  private static byte[] encode(Header h) {
    return ok(BinaryHeaderCodec.encode(h));
  }

  // ------------------------------------------------------------------ round trip

  @Property(tries = 500)
  void encodeThenDecodeIsIdentityOrOversized(@ForAll("headers") Header h) {
    int expected = binarySize(h);
    Result<byte[], CodecError> r = BinaryHeaderCodec.encode(h);
    if (r.isOk()) {
      byte[] bytes = ok(r);
      Statistics.label("outcome").collect("encoded");
      assertThat(bytes.length).isEqualTo(expected).isLessThanOrEqualTo(Limits.MAX_ENCODED_BYTES);
      assertThat(ok(BinaryHeaderCodec.decode(bytes))).isEqualTo(h);
    } else {
      Statistics.label("outcome").collect("oversized");
      CodecError e = err(r);
      assertThat(e.kind()).isEqualTo(Kind.OVERSIZED);
      assertThat(expected).isGreaterThan(Limits.MAX_ENCODED_BYTES);
      assertThat(e.message()).contains(Integer.toString(expected));
    }
    Statistics.label("outcome").coverage(c -> {
      c.check("encoded").count(n -> n > 0);
      c.check("oversized").count(n -> n > 0);
    });
  }

  @Property(tries = 500)
  void smallHeadersAlwaysRoundTrip(@ForAll("smallHeaders") Header h) {
    byte[] bytes = encode(h);
    assertThat(bytes[0]).isEqualTo((byte) 0x10);
    Header back = ok(BinaryHeaderCodec.decode(bytes));
    assertThat(back).isEqualTo(h);
    assertThat(encode(back)).isEqualTo(bytes); // deterministic, canonical
  }

  @Example
  void sampleRoundTripsWithNonAsciiTagValues() {
    Header h = WeftArbitraries.sampleHeader();
    byte[] bytes = encode(h);
    Header back = ok(BinaryHeaderCodec.decode(bytes));
    assertThat(back).isEqualTo(h);
    assertThat(back.mtags().get("note")).isEqualTo("caf\u00e9, a=b; 100% \uD83D\uDE00");
  }

  @Example
  void encodingIsIndependentOfTagInsertionOrder() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("b", "2");
    a.put("a", "1");
    a.put("c", "\u00fc");
    Map<String, String> b = new TreeMap<>(a);
    Header h1 = new Header(1, List.of(T1), M, List.of(), "svc", "s", 5, Tags.strict(a), Tags.strict(a));
    Header h2 = new Header(1, List.of(T1), M, List.of(), "svc", "s", 5, Tags.strict(b), Tags.strict(b));
    assertThat(encode(h1)).isEqualTo(encode(h2));
  }

  @Example
  void wireLayoutMatchesTheSpec() {
    Header h = new Header(1, List.of(T1, T2), M, List.of(T2), "svc", "urn:x", 0x0102030405060708L,
        Tags.strict(Map.of("k", "\u00e9")), Tags.empty());
    byte[] expected = Bytes.version(0x10).ids(1, List.of(T1, T2)).ids(2, List.of(M)).ids(3, List.of(T2))
        .ascii(4, "svc").ascii(5, "urn:x").ticks(0x0102030405060708L).tags(7, "k", "\u00e9").build();
    byte[] actual = encode(h);
    assertThat(actual).isEqualTo(expected);
    // spot-check the bytes a reader in another language would see
    assertThat(actual[0]).isEqualTo((byte) 0x10);
    assertThat(actual[1]).isEqualTo((byte) 0x01);
    assertThat(actual[2]).isEqualTo((byte) 32);
    assertThat(Ids.fromBytes(actual, 3)).isEqualTo(T1);
    // mtags: tag 7, len 5: key len 1, 'k', value len 2, UTF-8 of e-acute
    byte[] tail = Arrays.copyOfRange(actual, actual.length - 7, actual.length);
    assertThat(tail).containsExactly(7, 5, 1, 'k', 2, (byte) 0xc3, (byte) 0xa9);
  }

  @Example
  void originLeavesOutParentsAndEmptyTags() {
    Header h = new Header(1, List.of(T1), M, List.of(), "svc", "urn:x", 7, null, null);
    byte[] bytes = encode(h);
    assertThat(bytes).isEqualTo(Bytes.version(0x10).ids(1, List.of(T1)).ids(2, List.of(M)).ascii(4, "svc")
        .ascii(5, "urn:x").ticks(7).build());
  }

  @Example
  void encodeAtTheExactLimitSucceedsAndOneMoreByteFails() {
    // grow one mtag value until the header is exactly 8192 bytes
    Header base = new Header(1, List.of(T1), M, List.of(), "svc", "s", 1, Tags.empty(), Tags.empty());
    Map<String, String> tags = new TreeMap<>();
    for (int i = 0; i < 31; i++) tags.put("k" + i, "v".repeat(256));
    Header h = base.withMtags(tags);
    int size = binarySize(h);
    assertThat(size).isLessThan(Limits.MAX_ENCODED_BYTES);
    // fill the rest with a ptag whose value is multi-byte UTF-8 (3 bytes per char)
    Header exact = null;
    for (int n = 0; n <= 256; n++) {
      for (int ascii = 0; ascii < 3; ascii++) {
        Header c = h.withPtags(Map.of("fill", "\u20ac".repeat(n) + "a".repeat(ascii)));
        if (binarySize(c) == Limits.MAX_ENCODED_BYTES) exact = c;
      }
    }
    if (exact == null) {
      // fall back to ASCII padding in a second ptag
      for (int n = 0; n <= 256 && exact == null; n++) {
        Header c = h.withPtags(Map.of("fill", "\u20ac".repeat(256), "pad", "a".repeat(n)));
        if (binarySize(c) == Limits.MAX_ENCODED_BYTES) exact = c;
      }
    }
    assertThat(exact).as("a header of exactly 8192 bytes").isNotNull();
    assertThat(encode(exact)).hasSize(Limits.MAX_ENCODED_BYTES);
    assertThat(ok(BinaryHeaderCodec.decode(encode(exact)))).isEqualTo(exact);
    Header over = exact.withMtag("k0", "v".repeat(255) + "\u00e9"); // one more byte
    assertThat(binarySize(over)).isEqualTo(Limits.MAX_ENCODED_BYTES + 1);
    assertThat(kind(BinaryHeaderCodec.encode(over))).isEqualTo(Kind.OVERSIZED);
  }

  // ------------------------------------------------------------------ versions

  @Example
  void majorVersionTwoIsUnsupported() {
    byte[] bytes = encode(WeftArbitraries.sampleHeader());
    for (int v : new int[] {0x20, 0x21, 0x2f, 0x00, 0x0f, 0xf0, 0xff}) {
      bytes[0] = (byte) v;
      assertThat(kind(BinaryHeaderCodec.decode(bytes))).as("version byte %02x", v)
          .isEqualTo(Kind.UNSUPPORTED_VERSION);
    }
    assertThat(kind(BinaryHeaderCodec.decode(new byte[] {0x20}))).isEqualTo(Kind.UNSUPPORTED_VERSION);
  }

  @Example
  void newerMinorVersionWithUnknownFieldsStillDecodes() {
    Header h = WeftArbitraries.sampleHeader();
    byte[] v10 = encode(h);
    byte[] unknown = Bytes.version(0x00).field(0x2A, new byte[] {1, 2, 3, 4, 5}).field(0x09, new byte[0])
        .field(0xff, new byte[300]).build();
    byte[] v11 = new byte[v10.length + unknown.length - 1];
    System.arraycopy(v10, 0, v11, 0, v10.length);
    System.arraycopy(unknown, 1, v11, v10.length, unknown.length - 1);
    v11[0] = 0x11;
    assertThat(ok(BinaryHeaderCodec.decode(v11))).isEqualTo(h);

    // an unknown field in the middle, before the required ones, and minor version 15
    byte[] mixed = Bytes.version(0x1f).field(0x2A, "future".getBytes(StandardCharsets.US_ASCII))
        .ids(1, List.of(T1)).field(0x00, new byte[] {9}).ids(2, List.of(M)).ascii(4, "svc").ascii(5, "urn:x")
        .field(0x2B, new byte[200]).ticks(99).build();
    Header back = ok(BinaryHeaderCodec.decode(mixed));
    assertThat(back).isEqualTo(new Header(1, List.of(T1), M, List.of(), "svc", "urn:x", 99, null, null));
  }

  @Property(tries = 200)
  void minorVersionIsIgnoredAndMajorIsChecked(@ForAll("smallHeaders") Header h,
      @ForAll @IntRange(min = 0, max = 255) int version) {
    byte[] bytes = encode(h);
    bytes[0] = (byte) version;
    Result<Header, CodecError> r = BinaryHeaderCodec.decode(bytes);
    if (version >>> 4 == 1) assertThat(ok(r)).isEqualTo(h);
    else assertThat(kind(r)).isEqualTo(Kind.UNSUPPORTED_VERSION);
  }

  // ------------------------------------------------------------------ malformed input

  @Provide
  Arbitrary<byte[]> randomBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(10_000);
  }

  @Provide
  Arbitrary<byte[]> randomBytesWithVersion1() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(600).map(b -> {
      byte[] out = new byte[b.length + 1];
      out[0] = 0x10;
      System.arraycopy(b, 0, out, 1, b.length);
      return out;
    });
  }

  /** Random TLV structures with plausible tags and lengths, to reach deep into the reader. */
  @Provide
  Arbitrary<byte[]> randomFields() {
    Arbitrary<byte[]> field = Combinators.combine(
            Arbitraries.integers().between(0, 10),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(80),
            Arbitraries.integers().between(-3, 3))
        .as((tag, value, lenSkew) -> {
          Bytes b = new Bytes();
          b.raw(tag).varint(Math.max(0, value.length + lenSkew));
          b.raw(toInts(value));
          return b.build();
        });
    return field.list().ofMaxSize(12).map(fields -> {
      Bytes b = Bytes.version(0x10);
      for (byte[] f : fields) b.raw(toInts(f));
      return b.build();
    });
  }

  private static int[] toInts(byte[] b) {
    int[] out = new int[b.length];
    for (int i = 0; i < b.length; i++) out[i] = b[i] & 0xff;
    return out;
  }

  private static final EnumSet<Kind> DECODE_KINDS = EnumSet.of(Kind.MISSING, Kind.TRUNCATED, Kind.MALFORMED,
      Kind.UNSUPPORTED_VERSION, Kind.OVERSIZED, Kind.INVALID_FIELD);

  private static void assertDecodesOrTypedError(byte[] bytes) {
    Result<Header, CodecError> r = BinaryHeaderCodec.decode(bytes);
    assertThat(r).isNotNull();
    if (r instanceof Result.Ok<Header, CodecError> o) {
      // whatever decodes must be a valid header that encodes again
      assertThat(BinaryHeaderCodec.encode(o.value()).isOk()).isTrue();
    } else {
      CodecError e = err(r);
      assertThat(DECODE_KINDS).contains(e.kind());
      assertThat(e.message()).isNotBlank();
      assertThat(e.message()).doesNotContain("Exception");
    }
  }

  @Property(tries = 300)
  void randomBytesNeverThrow(@ForAll("randomBytes") byte[] bytes) {
    assertDecodesOrTypedError(bytes);
    Result<Header, CodecError> r = BinaryHeaderCodec.decode(bytes);
    if (bytes.length == 0) assertThat(kind(r)).isEqualTo(Kind.MISSING);
    if (bytes.length > Limits.MAX_ENCODED_BYTES) assertThat(kind(r)).isEqualTo(Kind.OVERSIZED);
  }

  @Property
  void randomBytesAfterAValidVersionNeverThrow(@ForAll("randomBytesWithVersion1") byte[] bytes) {
    assertDecodesOrTypedError(bytes);
  }

  @Property
  void randomFieldsNeverThrow(@ForAll("randomFields") byte[] bytes) {
    assertDecodesOrTypedError(bytes);
  }

  @Property(tries = 200)
  void everyTruncationIsATypedErrorOrAFieldBoundaryPrefix(@ForAll("smallHeaders") Header h) {
    byte[] full = encode(h);
    // where each field ends, to recognise cuts that fall between fields
    List<Integer> boundaries = fieldEnds(full);
    int ticksEnd = boundaries.get(indexOfTag(full, 6));
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      Result<Header, CodecError> r = BinaryHeaderCodec.decode(cut);
      if (n == 0) {
        assertThat(kind(r)).isEqualTo(Kind.MISSING);
      } else if (n >= ticksEnd && boundaries.contains(n)) {
        // A cut exactly between optional trailing fields (mtags, ptags) cannot be detected by a TLV format
        // without a total length; it decodes as the header without those fields.
        Header back = ok(r);
        assertThat(back.correlationIds()).isEqualTo(h.correlationIds());
        assertThat(back.messageId()).isEqualTo(h.messageId());
        assertThat(back.ticksFromEpoch()).isEqualTo(h.ticksFromEpoch());
        assertThat(back.ptags()).isEmpty();
      } else {
        assertThat(kind(r)).as("cut at %d of %d", n, full.length).isIn(Kind.TRUNCATED, Kind.MALFORMED);
      }
    }
  }

  /** Offsets just after each field of a well-formed encoding. */
  private static List<Integer> fieldEnds(byte[] b) {
    List<Integer> ends = new ArrayList<>();
    int p = 1;
    while (p < b.length) {
      p++; // tag
      int len = 0;
      int shift = 0;
      int x;
      do {
        x = b[p++] & 0xff;
        len |= (x & 0x7f) << shift;
        shift += 7;
      } while ((x & 0x80) != 0);
      p += len;
      ends.add(p);
    }
    return ends;
  }

  private static int indexOfTag(byte[] b, int tag) {
    int p = 1;
    int i = 0;
    while (p < b.length) {
      int t = b[p++];
      int len = 0;
      int shift = 0;
      int x;
      do {
        x = b[p++] & 0xff;
        len |= (x & 0x7f) << shift;
        shift += 7;
      } while ((x & 0x80) != 0);
      if (t == tag) return i;
      p += len;
      i++;
    }
    throw new AssertionError("no field " + tag);
  }

  @Property(tries = 500)
  void bitFlipsNeverThrow(@ForAll("smallHeaders") Header h, @ForAll @IntRange(min = 0, max = 1 << 20) int seed,
      @ForAll @IntRange(min = 1, max = 4) int flips) {
    byte[] bytes = encode(h);
    java.util.Random random = new java.util.Random(seed);
    int firstBit = -1;
    for (int i = 0; i < flips; i++) {
      int bit = random.nextInt(bytes.length * 8);
      if (i == 0) firstBit = bit;
      bytes[bit / 8] ^= (byte) (1 << (bit % 8));
    }
    assertDecodesOrTypedError(bytes);
    if (flips == 1 && firstBit < 8) {
      Result<Header, CodecError> r = BinaryHeaderCodec.decode(bytes);
      if (firstBit >= 4) assertThat(kind(r)).isEqualTo(Kind.UNSUPPORTED_VERSION); // major nibble
      else assertThat(ok(r)).isEqualTo(h); // minor nibble
    }
  }

  @Example
  void nullAndEmptyAreMissing() {
    assertThat(kind(BinaryHeaderCodec.decode(null))).isEqualTo(Kind.MISSING);
    assertThat(kind(BinaryHeaderCodec.decode(new byte[0]))).isEqualTo(Kind.MISSING);
  }

  @Example
  void moreThan8KiBIsOversized() {
    byte[] big = new byte[Limits.MAX_ENCODED_BYTES + 1];
    big[0] = 0x10;
    assertThat(kind(BinaryHeaderCodec.decode(big))).isEqualTo(Kind.OVERSIZED);
    // even when the content would be a valid header followed by an unknown padding field
    byte[] valid = Bytes.minimal(T1, M).field(0x2A, new byte[Limits.MAX_ENCODED_BYTES]).build();
    assertThat(kind(BinaryHeaderCodec.decode(valid))).isEqualTo(Kind.OVERSIZED);
  }

  @Example
  void duplicateFieldsAreMalformed() {
    byte[][] cases = {
      Bytes.minimal(T1, M).ascii(4, "svc").build(),
      Bytes.minimal(T1, M).ids(2, List.of(M)).build(),
      Bytes.minimal(T1, M).ids(1, List.of(T2)).build(),
      Bytes.minimal(T1, M).ticks(1).build(),
      Bytes.minimal(T1, M).ascii(5, "other").build(),
      Bytes.minimal(T1, M).ids(3, List.of(T2)).ids(3, List.of(T2)).build(),
      Bytes.minimal(T1, M).tags(7, "a", "1").tags(7, "b", "2").build(),
      Bytes.minimal(T1, M).tags(8, "a", "1").tags(8, "a", "1").build(),
      Bytes.minimal(T1, M).tags(7, "a", "1", "a", "2").build(), // duplicate key inside mtags
      Bytes.minimal(T1, M).tags(8, "a", "1", "b", "2", "a", "1").build(),
    };
    for (byte[] c : cases) {
      CodecError e = err(BinaryHeaderCodec.decode(c));
      assertThat(e.kind()).as(e.toString()).isEqualTo(Kind.MALFORMED);
    }
  }

  @Example
  void missingRequiredFieldsAreMalformedAndNamed() {
    Object[][] cases = {
      {Bytes.version(0x10).ids(2, List.of(M)).ascii(4, "s").ascii(5, "u").ticks(1), "correlation_ids"},
      {Bytes.version(0x10).ids(1, List.of(T1)).ascii(4, "s").ascii(5, "u").ticks(1), "message_id"},
      {Bytes.version(0x10).ids(1, List.of(T1)).ids(2, List.of(M)).ascii(5, "u").ticks(1), "producer_id"},
      {Bytes.version(0x10).ids(1, List.of(T1)).ids(2, List.of(M)).ascii(4, "s").ticks(1), "payload_schema_uri"},
      {Bytes.version(0x10).ids(1, List.of(T1)).ids(2, List.of(M)).ascii(4, "s").ascii(5, "u"), "ticks_from_epoch"},
      {Bytes.version(0x10), "correlation_ids"},
    };
    for (Object[] c : cases) {
      CodecError e = err(BinaryHeaderCodec.decode(((Bytes) c[0]).build()));
      assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
      assertThat(e.message()).startsWith((String) c[1]);
    }
  }

  @Example
  void badFieldContentsAreTyped() {
    String zero = "00000000000000000000000000000000";
    byte[] zeroId = new byte[16];
    // message id of the wrong size
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.version(0x10).ids(1, List.of(T1)).field(2, new byte[15])
        .ascii(4, "s").ascii(5, "u").ticks(1).build()))).isEqualTo(Kind.MALFORMED);
    // all-zero ids
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.version(0x10).ids(1, List.of(T1)).field(2, zeroId)
        .ascii(4, "s").ascii(5, "u").ticks(1).build()))).isEqualTo(Kind.INVALID_FIELD);
    CodecError zeroParent = err(BinaryHeaderCodec.decode(Bytes.minimal(T1, M)
        .field(3, concat(idBytes(T2), zeroId)).build()));
    assertThat(zeroParent.kind()).isEqualTo(Kind.INVALID_FIELD);
    assertThat(zeroParent.message()).startsWith("parent_ids[1]");
    assertThat(zero).hasSize(32);
    // ids not a multiple of 16
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.minimal(T1, M).field(3, new byte[17]).build())))
        .isEqualTo(Kind.MALFORMED);
    // too many ids
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 33; i++) many.add(Ids.toHex(1, i + 1));
    CodecError tooMany = err(BinaryHeaderCodec.decode(Bytes.version(0x10).ids(1, many).ids(2, List.of(M))
        .ascii(4, "s").ascii(5, "u").ticks(1).build()));
    assertThat(tooMany.kind()).isEqualTo(Kind.INVALID_FIELD);
    assertThat(tooMany.message()).startsWith("correlation_ids");
    // duplicate correlation ids
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.version(0x10).ids(1, List.of(T1, T1)).ids(2, List.of(M))
        .ascii(4, "s").ascii(5, "u").ticks(1).build()))).isEqualTo(Kind.INVALID_FIELD);
    // ticks of the wrong size, and negative
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.version(0x10).ids(1, List.of(T1)).ids(2, List.of(M))
        .ascii(4, "s").ascii(5, "u").field(6, new byte[4]).build()))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.version(0x10).ids(1, List.of(T1)).ids(2, List.of(M))
        .ascii(4, "s").ascii(5, "u").ticks(-5).build()))).isIn(Kind.MALFORMED, Kind.INVALID_FIELD);
    // producer that is not a token
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.version(0x10).ids(1, List.of(T1)).ids(2, List.of(M))
        .field(4, new byte[] {'a', (byte) 0xe9}).ascii(5, "u").ticks(1).build()))).isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.version(0x10).ids(1, List.of(T1)).ids(2, List.of(M))
        .ascii(4, "").ascii(5, "u").ticks(1).build()))).isEqualTo(Kind.INVALID_FIELD);
    // bad tag key, too many tags, value too long
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.minimal(T1, M).tags(7, "bad key", "v").build())))
        .isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.minimal(T1, M).tags(7, "", "v").build())))
        .isEqualTo(Kind.INVALID_FIELD);
    String[] kv = new String[66];
    for (int i = 0; i < 33; i++) {
      kv[2 * i] = "k" + i;
      kv[2 * i + 1] = "v";
    }
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.minimal(T1, M).tags(8, kv).build())))
        .isEqualTo(Kind.INVALID_FIELD);
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.minimal(T1, M).tags(8, "k", "v".repeat(257)).build())))
        .isEqualTo(Kind.INVALID_FIELD);
    // a tag entry whose value runs past its field
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.minimal(T1, M).field(7, new byte[] {1, 'k', 5, 'v'})
        .build()))).isEqualTo(Kind.TRUNCATED);
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.minimal(T1, M).field(7, new byte[] {9, 'k'}).build())))
        .isEqualTo(Kind.TRUNCATED);
  }

  @Example
  void badLengthsAreTyped() {
    // a field claiming more bytes than remain
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.version(0x10).raw(1).varint(5000).raw(1, 2, 3).build())))
        .isEqualTo(Kind.TRUNCATED);
    // a varint cut off
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.version(0x10).raw(1, 0x80).build())))
        .isEqualTo(Kind.TRUNCATED);
    // a varint that never ends, and one that overflows into a negative length
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.version(0x10).raw(1, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)
        .build()))).isEqualTo(Kind.MALFORMED);
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.version(0x10).raw(1, 0xff, 0xff, 0xff, 0xff, 0x0f).build())))
        .isIn(Kind.MALFORMED, Kind.TRUNCATED);
    // a tag with no length at all
    assertThat(kind(BinaryHeaderCodec.decode(Bytes.version(0x10).raw(1).build()))).isEqualTo(Kind.TRUNCATED);
  }

  @Example
  void invalidUtf8InATagValueIsMalformedNotSilentlyReplaced() {
    // the text codec refuses bad UTF-8 in a tag value; the binary one must not turn it into U+FFFD instead
    byte[][] cases = {
      {1, 'k', 2, (byte) 0xc3, (byte) 0x28}, // bad continuation byte
      {1, 'k', 1, (byte) 0xe2}, // cut-off sequence
      {1, 'k', 3, (byte) 0xed, (byte) 0xa0, (byte) 0x80}, // an encoded surrogate
      {1, 'k', 2, (byte) 0xc0, (byte) 0xaf}, // overlong '/'
    };
    for (byte[] value : cases) {
      CodecError e = err(BinaryHeaderCodec.decode(Bytes.minimal(T1, M).field(8, value).build()));
      assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
      assertThat(e.message()).startsWith("ptags.k");
    }
    // valid multi-byte UTF-8, including a 4-byte sequence, decodes
    Header h = ok(BinaryHeaderCodec.decode(Bytes.minimal(T1, M).tags(7, "k", "\u00e9\u20ac\uD83D\uDE00").build()));
    assertThat(h.mtags().get("k")).isEqualTo("\u00e9\u20ac\uD83D\uDE00");
  }

  private static byte[] idBytes(String id) {
    byte[] b = new byte[16];
    Ids.writeBytes(id, b, 0);
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
  }
}
