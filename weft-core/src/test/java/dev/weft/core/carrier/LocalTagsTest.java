package dev.weft.core.carrier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Header;
import dev.weft.core.TraceContext;
import dev.weft.core.carrier.Propagation.Format;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Local tags stay in the process: no carrier key or value may ever contain one. */
class LocalTagsTest {
  private static final String KEY = "local.secret_key";
  private static final String VALUE = "SeCrEtLoCaLvAlUe9";

  private static final Propagation EVERYTHING =
      Propagation.of(Format.W3C, Format.W3C_BAGGAGE, Format.B3_SINGLE, Format.B3_MULTI);

  @Provide
  Arbitrary<Header> smallHeaders() {
    return WeftArbitraries.smallHeaders();
  }

  private static void assertNowhere(Map<String, String> text, Map<String, byte[]> bin) {
    assertThat(text).isNotEmpty();
    assertThat(bin).isNotEmpty();
    text.forEach((k, v) -> {
      assertThat(k).doesNotContain(KEY).doesNotContain(VALUE);
      assertThat(v).doesNotContain(KEY).doesNotContain(VALUE);
    });
    bin.forEach((k, v) -> {
      assertThat(k).doesNotContain(KEY).doesNotContain(VALUE);
      String asLatin1 = new String(v, StandardCharsets.ISO_8859_1);
      assertThat(asLatin1).doesNotContain(KEY).doesNotContain(VALUE);
    });
  }

  private static void injectEverywhere(Header h, Map<String, String> text, Map<String, byte[]> bin) {
    for (Propagation p : List.of(Propagation.defaults(), EVERYTHING, Propagation.of())) {
      p.inject(h, TextCarrier.of(text));
      p.inject(h, BinaryCarrier.of(bin));
    }
  }

  @Example
  void localTagsOfANewTraceNeverReachACarrier() {
    TraceContext ctx = TraceContext.newTrace().withLocalTag(KEY, VALUE);
    assertThat(ctx.tags()).containsEntry(KEY, VALUE);
    Header h = ctx.headerFor("svc", "urn:x:Y:v1", Map.of("m", "1"));
    Map<String, String> text = new HashMap<>();
    Map<String, byte[]> bin = new HashMap<>();
    injectEverywhere(h, text, bin);
    assertNowhere(text, bin);
    assertThat(h.mtags()).doesNotContainKey(KEY);
    assertThat(h.ptags()).doesNotContainKey(KEY);
  }

  @Property(tries = 200)
  void localTagsOfAReceivedMessageNeverReachACarrier(@ForAll("smallHeaders") Header received) {
    // a context continuing a received message, with local tags and a propagated tag set here
    TraceContext ctx = TraceContext.of(received).withLocalTag(KEY, VALUE).withLocalTag("other", VALUE);
    TraceContext withPtags = new TraceContext(ctx.traceId(), ctx.correlationIds(), "op", "0123456789abcdef",
        ctx.tags(), ctx.causes(), dev.weft.core.Tags.of("merchant_id", "m1"));
    for (TraceContext c : List.of(ctx, withPtags)) {
      Header h = c.headerFor("svc", "urn:x:Y:v1", Map.of());
      Map<String, String> text = new HashMap<>();
      Map<String, byte[]> bin = new HashMap<>();
      injectEverywhere(h, text, bin);
      assertNowhere(text, bin);
      // and what does travel is what was received, plus the ptags set here
      Extraction x = Propagation.defaults().extract(TextCarrier.of(text));
      assertThat(x.header().correlationIds()).isEqualTo(received.correlationIds());
      assertThat(x.header().parentIds()).containsExactly(received.messageId());
      assertThat(x.context().tags()).isEmpty();
    }
  }
}
