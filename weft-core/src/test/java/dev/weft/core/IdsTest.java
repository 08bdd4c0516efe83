package dev.weft.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.carrier.WeftArbitraries;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class IdsTest {

  @Provide
  Arbitrary<String> canonicalIds() {
    return WeftArbitraries.ids();
  }

  // ------------------------------------------------------------------ generation

  @Example
  void newIdIsCanonicalAndRandom() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = Ids.newId();
      assertThat(Ids.isCanonical(id)).as(id).isTrue();
      seen.add(id);
    }
    assertThat(seen).hasSize(1000);
  }

  @Example
  void newShortIdIsSixteenLowercaseHexAndNotZero() {
    for (int i = 0; i < 1000; i++) {
      String id = Ids.newShortId();
      assertThat(id).hasSize(16).matches("[0-9a-f]{16}").isNotEqualTo("0000000000000000");
    }
  }

  @Example
  void toHexWritesFixedWidthLowercase() {
    assertThat(Ids.toHex(0L, 1L)).isEqualTo("00000000000000000000000000000001");
    assertThat(Ids.toHex(-1L, -1L)).isEqualTo("ffffffffffffffffffffffffffffffff");
    assertThat(Ids.toHex(0x0123456789abcdefL)).isEqualTo("0123456789abcdef");
    assertThat(Ids.toHex(0L)).isEqualTo("0000000000000000");
  }

  @Property
  void toHexAgreesWithTheJdk(@ForAll long hi, @ForAll long lo) {
    String expected = String.format(Locale.ROOT, "%016x%016x", hi, lo);
    assertThat(Ids.toHex(hi, lo)).isEqualTo(expected);
    assertThat(Ids.toHex(hi)).isEqualTo(String.format(Locale.ROOT, "%016x", hi));
  }

  // ------------------------------------------------------------------ canonical

  @Example
  void isCanonicalRules() {
    assertThat(Ids.isCanonical("4bf92f3577b34da6a3ce929d0e0e4736")).isTrue();
    assertThat(Ids.isCanonical("4BF92F3577B34DA6A3CE929D0E0E4736")).isFalse();
    assertThat(Ids.isCanonical("00000000000000000000000000000000")).isFalse();
    assertThat(Ids.isCanonical("4bf92f3577b34da6a3ce929d0e0e473")).isFalse();
    assertThat(Ids.isCanonical("4bf92f3577b34da6a3ce929d0e0e47366")).isFalse();
    assertThat(Ids.isCanonical("4bf92f3577b34da6a3ce929d0e0e473g")).isFalse();
    assertThat(Ids.isCanonical(null)).isFalse();
    assertThat(Ids.isCanonical("")).isFalse();
  }

  // ------------------------------------------------------------------ normalize

  @Property
  void normalizeKeepsCanonical(@ForAll("canonicalIds") String id) {
    assertThat(Ids.normalize(id)).isSameAs(id);
  }

  @Property
  void normalizeAcceptsUppercaseAndMixedCase(@ForAll("canonicalIds") String id, @ForAll long mask) {
    StringBuilder mixed = new StringBuilder();
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      mixed.append(((mask >>> (i % 64)) & 1) == 1 ? Character.toUpperCase(c) : c);
    }
    assertThat(Ids.normalize(id.toUpperCase(Locale.ROOT))).isEqualTo(id);
    assertThat(Ids.normalize(mixed.toString())).isEqualTo(id);
  }

  @Property
  void normalizeAcceptsGuidsWithDashesAndBraces(@ForAll("canonicalIds") String id, @ForAll boolean upper) {
    String guid = id.substring(0, 8) + "-" + id.substring(8, 12) + "-" + id.substring(12, 16) + "-"
        + id.substring(16, 20) + "-" + id.substring(20);
    if (upper) guid = guid.toUpperCase(Locale.ROOT);
    assertThat(guid).hasSize(36);
    assertThat(Ids.normalize(guid)).isEqualTo(id);
    assertThat(Ids.normalize("{" + guid + "}")).isEqualTo(id);
    // a java.util.UUID prints the same shape
    assertThat(Ids.normalize(java.util.UUID.fromString(guid).toString())).isEqualTo(id);
  }

  @Property
  void normalizeLeftPadsSixteenHex(@ForAll long v) {
    String hex = Ids.toHex(v);
    String n = Ids.normalize(hex.toUpperCase(Locale.ROOT));
    if (v == 0) {
      assertThat(n).isNull();
    } else {
      assertThat(n).isEqualTo("0000000000000000" + hex);
    }
  }

  @Example
  void normalizeRejectsEverythingElse() {
    String id = "4bf92f3577b34da6a3ce929d0e0e4736";
    String guid = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736";
    String[] bad = {
      null, "", " ", id.substring(1), id + "0", id.substring(0, 31) + "g", id.substring(0, 31) + " ",
      " " + id, id + " ", "00000000000000000000000000000000", "0000000000000000",
      "00000000-0000-0000-0000-000000000000", "{00000000-0000-0000-0000-000000000000}",
      "4bf92f35-77b3-4da6-a3ce929d0e0e47-36", // dash in the wrong place
      "4bf92f35_77b3_4da6_a3ce_929d0e0e4736", "{" + id + "}", "(" + guid + ")", "{" + guid, guid + "}",
      "{" + guid + ")", "0x4bf92f3577b34da6a3ce929d0e0e47", "4bf92f3577b34da", "4bf92f3577b34da6a",
      "+bf92f3577b34da6a3ce929d0e0e4736", "-bf92f3577b34da6a3ce929d0e0e4736",
      "4bf92f35-77b3-4da6-a3ce-929d0e0e473g", "4bf92f3577b34da6-3ce929d0e0e4736",
    };
    for (String b : bad) assertThat(Ids.normalize(b)).as("normalize(%s)", b).isNull();
  }

  @Example
  void normalizeRejectsNonAsciiDigitsThatJavaCallsHex() {
    // Character.digit(c, 16) accepts full-width and other Unicode digits; an id is ASCII hex only.
    String fullwidthOne = "\uFF11"; // FULLWIDTH DIGIT ONE
    String fullwidthA = "\uFF21"; // FULLWIDTH LATIN CAPITAL LETTER A
    String arabicIndicOne = "\u0661";
    String base = "4bf92f3577b34da6a3ce929d0e0e473";
    assertThat(Ids.normalize(base + fullwidthOne)).isNull();
    assertThat(Ids.normalize(base + fullwidthA)).isNull();
    assertThat(Ids.normalize(base + arabicIndicOne)).isNull();
    assertThat(Ids.normalize("4bf92f3577b34da" + fullwidthOne)).isNull();
    assertThat(Ids.normalize("4bf92f35-77b3-4da6-a3ce-929d0e0e473" + fullwidthOne)).isNull();
  }

  @Property
  void normalizeNeverThrowsAndOnlyReturnsCanonical(@ForAll String text) {
    String n = Ids.normalize(text);
    if (n != null) assertThat(Ids.isCanonical(n)).isTrue();
  }

  @Property
  void normalizeOnHexLikeStrings(@ForAll("hexish") String text) {
    String n = Ids.normalize(text);
    if (n != null) {
      assertThat(Ids.isCanonical(n)).isTrue();
      String digits = text.replace("{", "").replace("}", "").replace("-", "").toLowerCase(Locale.ROOT);
      assertThat(n).endsWith(digits);
    }
  }

  @Provide
  Arbitrary<String> hexish() {
    return Arbitraries.strings().withChars("0123456789abcdefABCDEF-{}g").ofMinLength(14).ofMaxLength(40);
  }

  // ------------------------------------------------------------------ bytes

  @Property
  void writeBytesAndFromBytesRoundTrip(@ForAll("canonicalIds") String id, @ForAll byte fill) {
    byte[] buf = new byte[Ids.BYTES + 5];
    java.util.Arrays.fill(buf, fill);
    Ids.writeBytes(id, buf, 3);
    assertThat(buf[0]).isEqualTo(fill);
    assertThat(buf[2]).isEqualTo(fill);
    assertThat(buf[3 + Ids.BYTES]).isEqualTo(fill);
    assertThat(Ids.fromBytes(buf, 3)).isEqualTo(id);
  }

  @Property
  void bytesAreBigEndian(@ForAll long hi, @ForAll long lo) {
    String id = Ids.toHex(hi, lo);
    if (!Ids.isCanonical(id)) return;
    byte[] buf = new byte[16];
    Ids.writeBytes(id, buf, 0);
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf);
    assertThat(bb.getLong()).isEqualTo(hi);
    assertThat(bb.getLong()).isEqualTo(lo);
  }

  @Example
  void fromBytesOfZerosIsNull() {
    assertThat(Ids.fromBytes(new byte[20], 2)).isNull();
    byte[] one = new byte[16];
    one[15] = 1;
    assertThat(Ids.fromBytes(one, 0)).isEqualTo("00000000000000000000000000000001");
  }

  // ------------------------------------------------------------------ span ids

  @Example
  void spanIdOfTakesTheLowHalfOrTheHighHalfWhenTheLowIsZero() {
    assertThat(Ids.spanIdOf("4bf92f3577b34da6a3ce929d0e0e4736")).isEqualTo("a3ce929d0e0e4736");
    assertThat(Ids.spanIdOf("4bf92f3577b34da60000000000000000")).isEqualTo("4bf92f3577b34da6");
  }

  @Property
  void spanIdOfIsAValidW3cSpanId(@ForAll("canonicalIds") String id) {
    String span = Ids.spanIdOf(id);
    assertThat(span).matches("[0-9a-f]{16}").isNotEqualTo("0000000000000000");
    assertThat(Ids.spanIdOf(id)).isEqualTo(span);
  }
}
