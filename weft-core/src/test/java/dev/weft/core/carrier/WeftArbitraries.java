package dev.weft.core.carrier;

import dev.weft.core.Header;
import dev.weft.core.Ids;
import dev.weft.core.Limits;
import dev.weft.core.Tags;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Shared jqwik generators of VALID Weft data: canonical ids, tokens, tag maps and whole headers. Every value they
 * produce passes the {@link Header} constructor, so a codec that refuses one has a bug.
 */
public final class WeftArbitraries {
  private WeftArbitraries() {}

  /** The characters of a legal tag key. */
  public static final String TAG_KEY_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-";

  /** A canonical id: 32 lowercase hex, never all zeros; edge cases with a zero half included. */
  public static Arbitrary<String> ids() {
    Arbitrary<Long> half = Arbitraries.longs();
    return Combinators.combine(half, half)
        .as((hi, lo) -> Ids.toHex(hi, lo))
        .filter(Ids::isCanonical);
  }

  /** {@code min..max} distinct canonical ids, in generated order. */
  public static Arbitrary<List<String>> distinctIds(int min, int max) {
    return ids().list().ofMinSize(min).ofMaxSize(max).uniqueElements();
  }

  /** A 64-bit span id: 16 lowercase hex, not all zero. */
  public static Arbitrary<String> spanIds() {
    return Arbitraries.longs().filter(v -> v != 0).map(Ids::toHex);
  }

  /** A header token: printable ASCII without spaces or {@code , ; = " \}, length 1..max. */
  public static Arbitrary<String> tokens(int maxLength) {
    return Arbitraries.strings()
        .withCharRange('!', '~')
        .excludeChars(',', ';', '=', '"', '\\')
        .ofMinLength(1)
        .ofMaxLength(maxLength);
  }

  /** A legal tag key: {@code [A-Za-z0-9_.:-]{1,64}}. */
  public static Arbitrary<String> tagKeys() {
    return Arbitraries.strings().withChars(TAG_KEY_CHARS).ofMinLength(1).ofMaxLength(Limits.MAX_TAG_KEY_LENGTH);
  }

  /**
   * One Unicode code point (never a lone surrogate), mixing the separators the text encodings use, ASCII, Latin-1,
   * other BMP scripts, control characters and supplementary characters (emoji).
   */
  public static Arbitrary<Integer> codePoints() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.of((int) ',', (int) '=', (int) '%', (int) ';', (int) ' ', (int) '"',
            (int) '\\', (int) '+', (int) '&', (int) '\n', (int) '\t', 0x2028)),
        net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0x20, 0x7e)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x00, 0x1f)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x80, 0x7ff)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x800, 0xd7ff)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0xe000, 0xfffd)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10ffff)));
  }

  /** Arbitrary well-formed Unicode text of at most {@code maxUnits} UTF-16 code units. */
  public static Arbitrary<String> unicode(int maxUnits) {
    return unicode(0, maxUnits);
  }

  /** Well-formed Unicode text of {@code minCodePoints} code points or more, and at most {@code maxUnits} UTF-16 units. */
  public static Arbitrary<String> unicode(int minCodePoints, int maxUnits) {
    return codePoints().list().ofMinSize(minCodePoints).ofMaxSize(maxUnits).map(cps -> {
      StringBuilder sb = new StringBuilder();
      for (int cp : cps) {
        if (sb.length() + Character.charCount(cp) > maxUnits) break;
        sb.appendCodePoint(cp);
      }
      return sb.toString();
    });
  }

  /** A legal tag value: well-formed Unicode of at most 256 UTF-16 units, including separators and non-ASCII. */
  public static Arbitrary<String> tagValues() {
    return unicode(Limits.MAX_TAG_VALUE_LENGTH);
  }

  /** A legal tag map of 0..max entries. */
  public static Arbitrary<Tags> tags(int max) {
    return Arbitraries.maps(tagKeys(), tagValues()).ofMaxSize(max).map(Tags::strict);
  }

  /** A legal tag map of 0..32 entries. */
  public static Arbitrary<Tags> tags() {
    return tags(Limits.MAX_TAGS);
  }

  /** Tag maps near the limits: 16..32 entries with long values, so that encodings often pass 8 KiB. */
  public static Arbitrary<Tags> largeTags() {
    return Arbitraries.maps(tagKeys(), unicode(100, Limits.MAX_TAG_VALUE_LENGTH))
        .ofMinSize(16).ofMaxSize(Limits.MAX_TAGS).map(Tags::strict);
  }

  /** Ticks: non-negative, with 0 and Long.MAX_VALUE among the edge cases. */
  public static Arbitrary<Long> ticks() {
    return Arbitraries.longs().greaterOrEqual(0);
  }

  /**
   * An arbitrary valid header with all fields populated up to their limits; about a quarter carry tag maps near the
   * limits, so both sides of the 8 KiB bound are exercised.
   */
  public static Arbitrary<Header> headers() {
    Arbitrary<Tags> tags = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, tags()), net.jqwik.api.Tuple.of(1, largeTags()));
    return headers(tags, tags);
  }

  /** A valid header with the given tag generators. */
  public static Arbitrary<Header> headers(Arbitrary<Tags> mtags, Arbitrary<Tags> ptags) {
    return Combinators.combine(
            distinctIds(1, Limits.MAX_CORRELATION_IDS),
            ids(),
            distinctIds(0, Limits.MAX_PARENT_IDS),
            tokens(Limits.MAX_PRODUCER_ID_LENGTH),
            tokens(Limits.MAX_SCHEMA_URI_LENGTH),
            ticks(),
            mtags,
            ptags)
        .as((c, m, p, pr, s, t, mt, pt) -> new Header(Header.VERSION, c, m, p, pr, s, t, mt, pt));
  }

  /** Valid headers whose tags are small enough that every encoding fits in 8 KiB. */
  public static Arbitrary<Header> smallHeaders() {
    return Combinators.combine(
            distinctIds(1, 8),
            ids(),
            distinctIds(0, 8),
            tokens(40),
            tokens(60),
            ticks(),
            Arbitraries.maps(tagKeys(), unicode(24)).ofMaxSize(4).map(Tags::strict),
            Arbitraries.maps(tagKeys(), unicode(24)).ofMaxSize(4).map(Tags::strict))
        .as((c, m, p, pr, s, t, mt, pt) -> new Header(Header.VERSION, c, m, p, pr, s, t, mt, pt));
  }

  /** A fixed, fully populated header for example tests. */
  public static Header sampleHeader() {
    return new Header(Header.VERSION,
        List.of("0af7651916cd43dd8448eb211c80319c", "4bf92f3577b34da6a3ce929d0e0e4736"),
        "b7ad6b7169203331b7ad6b7169203331",
        List.of("00f067aa0ba902b700f067aa0ba902b7", "11111111111111112222222222222222"),
        "inventory-service/pod-7", "urn:shop:SkuUpdated:v1", 638_000_000_000_000_000L,
        Tags.strict(Map.of("region", "eu-west-1", "note", "caf\u00e9, a=b; 100% \uD83D\uDE00")),
        Tags.strict(Map.of("merchant_id", "m-42", "tenant:env", "prod")));
  }
}
