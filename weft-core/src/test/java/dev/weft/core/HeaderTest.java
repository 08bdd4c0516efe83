package dev.weft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.core.carrier.WeftArbitraries;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class HeaderTest {
  private static final String A = "0af7651916cd43dd8448eb211c80319c";
  private static final String B = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String C = "b7ad6b7169203331b7ad6b7169203331";

  private static Header header(List<String> correlations, String messageId, List<String> parents,
      Map<String, String> ptags) {
    return new Header(Header.VERSION, correlations, messageId, parents, "svc", "urn:x:Y:v1", 1L, Tags.empty(),
        Tags.strict(ptags));
  }

  private static List<String> ids(int n, int salt) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(Ids.toHex(salt + 1L, i + 1L));
    return out;
  }

  @Provide
  Arbitrary<Header> smallHeaders() {
    return WeftArbitraries.smallHeaders();
  }

  @Provide
  Arbitrary<List<Header>> parentLists() {
    return WeftArbitraries.smallHeaders().list().ofMinSize(2).ofMaxSize(12);
  }

  // ------------------------------------------------------------------ validation

  private static void assertRefused(Runnable construct, String field) {
    assertThatThrownBy(construct::run)
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).startsWith(field + ":"));
  }

  private static void assertRefusedAt(Runnable construct, String fieldWithIndex) {
    assertThatThrownBy(construct::run)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(fieldWithIndex + ":");
  }

  @Example
  void validationErrorsNameTheField() {
    Tags none = Tags.empty();
    List<String> one = List.of(A);
    assertRefused(() -> new Header(2, one, B, List.of(), "p", "s", 0, none, none), "header_version");
    assertRefused(() -> new Header(0, one, B, List.of(), "p", "s", 0, none, none), "header_version");
    assertRefused(() -> new Header(1, List.of(), B, List.of(), "p", "s", 0, none, none), "correlation_ids");
    assertRefused(() -> new Header(1, ids(33, 1), B, List.of(), "p", "s", 0, none, none), "correlation_ids");
    assertRefusedAt(() -> new Header(1, List.of(A, "xyz"), B, List.of(), "p", "s", 0, none, none),
        "correlation_ids[1]");
    assertRefusedAt(() -> new Header(1, List.of(A, A.toUpperCase()), B, List.of(), "p", "s", 0, none, none),
        "correlation_ids[1]");
    assertRefusedAt(() -> new Header(1, List.of(A, B, A), C, List.of(), "p", "s", 0, none, none),
        "correlation_ids[2]");
    assertRefusedAt(() -> new Header(1, List.of("00000000000000000000000000000000"), B, List.of(), "p", "s", 0,
        none, none), "correlation_ids[0]");
    assertRefused(() -> new Header(1, one, "nope", List.of(), "p", "s", 0, none, none), "message_id");
    assertRefused(() -> new Header(1, one, null, List.of(), "p", "s", 0, none, none), "message_id");
    assertRefused(() -> new Header(1, one, B, ids(129, 2), "p", "s", 0, none, none), "parent_ids");
    assertRefusedAt(() -> new Header(1, one, B, List.of("bad"), "p", "s", 0, none, none), "parent_ids[0]");
    assertRefusedAt(() -> new Header(1, one, B, List.of(C, C), "p", "s", 0, none, none), "parent_ids[1]");
    assertRefused(() -> new Header(1, one, B, List.of(), "", "s", 0, none, none), "producer_id");
    assertRefused(() -> new Header(1, one, B, List.of(), null, "s", 0, none, none), "producer_id");
    assertRefused(() -> new Header(1, one, B, List.of(), "a b", "s", 0, none, none), "producer_id");
    assertRefused(() -> new Header(1, one, B, List.of(), "a;b", "s", 0, none, none), "producer_id");
    assertRefused(() -> new Header(1, one, B, List.of(), "caf\u00e9", "s", 0, none, none), "producer_id");
    assertRefused(() -> new Header(1, one, B, List.of(), "p".repeat(129), "s", 0, none, none), "producer_id");
    assertRefused(() -> new Header(1, one, B, List.of(), "p", "", 0, none, none), "payload_schema_uri");
    assertRefused(() -> new Header(1, one, B, List.of(), "p", "s=1", 0, none, none), "payload_schema_uri");
    assertRefused(() -> new Header(1, one, B, List.of(), "p", "s".repeat(257), 0, none, none),
        "payload_schema_uri");
    assertRefused(() -> new Header(1, one, B, List.of(), "p", "s", -1, none, none), "ticks_from_epoch");
  }

  @Example
  void limitsAreInclusive() {
    Header h = new Header(1, ids(32, 1), B, ids(128, 2), "p".repeat(128), "s".repeat(256), Long.MAX_VALUE,
        null, null);
    assertThat(h.correlationIds()).hasSize(32);
    assertThat(h.parentIds()).hasSize(128);
    assertThat(h.mtags()).isSameAs(Tags.empty());
    assertThat(h.ptags()).isSameAs(Tags.empty());
  }

  @Example
  void listsAreDefensivelyCopiedAndImmutable() {
    List<String> corr = new ArrayList<>(List.of(A));
    List<String> parents = new ArrayList<>(List.of(C));
    Header h = new Header(1, corr, B, parents, "p", "s", 0, null, null);
    corr.add(C);
    parents.clear();
    assertThat(h.correlationIds()).containsExactly(A);
    assertThat(h.parentIds()).containsExactly(C);
    assertThatThrownBy(() -> h.correlationIds().add(C)).isInstanceOf(UnsupportedOperationException.class);
    assertThat(h.traceId()).isEqualTo(A);
    assertThat(h.isOrigin()).isFalse();
  }

  // ------------------------------------------------------------------ origin

  @Example
  void originHasFreshIdsNoParentsAndCurrentTicks() {
    long before = Ticks.now();
    Header h = Header.origin("svc", "urn:x:Y:v1");
    long after = Ticks.now();
    assertThat(h.isOrigin()).isTrue();
    assertThat(h.correlationIds()).hasSize(1);
    assertThat(Ids.isCanonical(h.traceId())).isTrue();
    assertThat(h.messageId()).isNotEqualTo(h.traceId());
    assertThat(h.ticksFromEpoch()).isBetween(before, after);
    assertThat(h.mtags()).isEmpty();
    assertThat(h.ptags()).isEmpty();
    assertThat(Header.origin("svc", "urn:x:Y:v1").traceId()).isNotEqualTo(h.traceId());
  }

  @Example
  void originRepairsBadTagsInsteadOfThrowing() {
    long dropped = Faults.get(Fault.TAG_DROPPED);
    Map<String, String> mtags = new LinkedHashMap<>();
    mtags.put("ok", "v");
    mtags.put("bad key", "v");
    mtags.put("long", "x".repeat(300));
    Header h = Header.origin("svc", "urn:x:Y:v1", mtags, Map.of("merchant_id", "m1"));
    assertThat(h.mtags()).containsOnlyKeys("ok", "long");
    assertThat(h.mtags().get("long")).hasSize(256);
    assertThat(h.ptags()).containsExactly(Map.entry("merchant_id", "m1"));
    assertThat(Faults.get(Fault.TAG_DROPPED) - dropped).isGreaterThanOrEqualTo(2);
  }

  // ------------------------------------------------------------------ propagate

  @Example
  void propagateFromOneParent() {
    Header parent = header(List.of(A, B), C, List.of(), Map.of("merchant_id", "m1"))
        .withMtag("only_here", "x");
    Header child = Header.propagate("child-svc", "urn:x:Z:v1", parent);
    assertThat(child.correlationIds()).containsExactly(A, B);
    assertThat(child.parentIds()).containsExactly(C);
    assertThat(child.ptags()).isEqualTo(parent.ptags());
    assertThat(child.mtags()).isEmpty();
    assertThat(child.messageId()).isNotIn(A, B, C);
    assertThat(child.producerId()).isEqualTo("child-svc");
    assertThat(child.payloadSchemaUri()).isEqualTo("urn:x:Z:v1");
    assertThat(child.ticksFromEpoch()).isGreaterThan(parent.ticksFromEpoch());

    Header viaList = Header.propagate("child-svc", "urn:x:Z:v1", List.of(parent), Map.of("k", "v"));
    assertThat(viaList.correlationIds()).containsExactly(A, B);
    assertThat(viaList.parentIds()).containsExactly(C);
    assertThat(viaList.mtags()).containsExactly(Map.entry("k", "v"));
    assertThat(viaList.ptags()).isEqualTo(parent.ptags());
  }

  @Example
  void propagateWithNoParentsIsAnOrigin() {
    Header h = Header.propagate("svc", "urn:x:Y:v1", List.of(), Map.of("k", "v"));
    assertThat(h.isOrigin()).isTrue();
    assertThat(h.correlationIds()).hasSize(1);
    assertThat(h.mtags()).containsExactly(Map.entry("k", "v"));
    assertThat(h.ptags()).isEmpty();
  }

  @Example
  void fanInTakesTheOrderedUnionAndTheFirstParentsTags() {
    String d = "dddddddddddddddddddddddddddddddd";
    String m1 = "11111111111111111111111111111111";
    String m2 = "22222222222222222222222222222222";
    String m3 = "33333333333333333333333333333333";
    Header p1 = header(List.of(A, B), m1, List.of(), Map.of("shared", "from-p1", "only1", "1"));
    Header p2 = header(List.of(C, A), m2, List.of(), Map.of("shared", "from-p2", "only2", "2"));
    Header p3 = header(List.of(B, d), m3, List.of(), Map.of("shared", "from-p3", "only2", "from-p3"));
    Header h = Header.propagate("svc", "urn:x:Y:v1", List.of(p1, p2, p3, p1), Map.of("m", "1"));
    assertThat(h.correlationIds()).containsExactly(A, B, C, d);
    assertThat(h.parentIds()).containsExactly(m1, m2, m3);
    assertThat(h.ptags()).containsExactlyInAnyOrderEntriesOf(
        Map.of("shared", "from-p1", "only1", "1", "only2", "2"));
    assertThat(h.mtags()).containsExactly(Map.entry("m", "1"));
    assertThat(h.messageId()).isNotIn(m1, m2, m3);

    Header varargs = Header.propagate("svc", "urn:x:Y:v1", p2, p1);
    assertThat(varargs.correlationIds()).containsExactly(C, A, B);
    assertThat(varargs.parentIds()).containsExactly(m2, m1);
    assertThat(varargs.ptags().get("shared")).isEqualTo("from-p2");
  }

  @Example
  void fanInCapsCorrelationIdsAtThirtyTwoAndCountsTheTruncation() {
    List<Header> parents = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      parents.add(header(List.of(Ids.toHex(7, i + 1)), Ids.toHex(9, i + 1), List.of(), Map.of()));
    }
    long before = Faults.get(Fault.HEADER_TRUNCATED);
    Header h = Header.propagate("svc", "urn:x:Y:v1", parents, Map.of());
    assertThat(h.correlationIds()).hasSize(Limits.MAX_CORRELATION_IDS);
    for (int i = 0; i < 32; i++) assertThat(h.correlationIds().get(i)).isEqualTo(Ids.toHex(7, i + 1));
    assertThat(h.parentIds()).hasSize(40);
    assertThat(Faults.get(Fault.HEADER_TRUNCATED) - before).isGreaterThanOrEqualTo(8);
  }

  @Example
  void fanInCapsParentsAtOneHundredTwentyEight() {
    List<Header> parents = new ArrayList<>();
    for (int i = 0; i < 130; i++) parents.add(header(List.of(A), Ids.toHex(9, i + 1), List.of(), Map.of()));
    long before = Faults.get(Fault.HEADER_TRUNCATED);
    Header h = Header.propagate("svc", "urn:x:Y:v1", parents, Map.of());
    assertThat(h.correlationIds()).containsExactly(A);
    assertThat(h.parentIds()).hasSize(Limits.MAX_PARENT_IDS);
    for (int i = 0; i < 128; i++) assertThat(h.parentIds().get(i)).isEqualTo(Ids.toHex(9, i + 1));
    assertThat(Faults.get(Fault.HEADER_TRUNCATED) - before).isGreaterThanOrEqualTo(2);
  }

  @Example
  void fanInCapsMergedPtagsKeepingTheFirstParentsOwn() {
    Map<String, String> first = new TreeMap<>();
    Map<String, String> second = new TreeMap<>();
    for (int i = 0; i < 20; i++) {
      first.put("z" + i, "first");
      second.put("a" + i, "second");
    }
    Header p1 = header(List.of(A), B, List.of(), first);
    Header p2 = header(List.of(A), C, List.of(), second);
    long before = Faults.get(Fault.TAG_DROPPED);
    Header h = Header.propagate("svc", "urn:x:Y:v1", p1, p2);
    assertThat(h.ptags()).hasSize(Limits.MAX_TAGS);
    assertThat(h.ptags()).containsAllEntriesOf(first);
    assertThat(Faults.get(Fault.TAG_DROPPED) - before).isGreaterThanOrEqualTo(8);
  }

  @Property(tries = 300)
  void fanInFollowsTheDocumentedRules(@ForAll("parentLists") List<Header> parents) {
    Header h = Header.propagate("svc", "urn:x:Y:v1", parents, Map.of());

    LinkedHashSet<String> corr = new LinkedHashSet<>();
    LinkedHashSet<String> pids = new LinkedHashSet<>();
    Map<String, String> ptags = new TreeMap<>();
    for (Header p : parents) {
      corr.addAll(p.correlationIds());
      pids.add(p.messageId());
      p.ptags().forEach(ptags::putIfAbsent);
    }
    List<String> expectedCorr = new ArrayList<>(corr).subList(0, Math.min(corr.size(), 32));
    assertThat(h.correlationIds()).containsExactlyElementsOf(expectedCorr);
    assertThat(h.parentIds()).containsExactlyElementsOf(new ArrayList<>(pids));
    if (ptags.size() <= 32) {
      assertThat(h.ptags()).isEqualTo(ptags);
    } else {
      assertThat(h.ptags()).hasSize(32);
      assertThat(h.ptags()).containsAllEntriesOf(parents.get(0).ptags());
      h.ptags().forEach((k, v) -> assertThat(ptags).containsEntry(k, v));
    }
    assertThat(h.mtags()).isEmpty();
    assertThat(pids).doesNotContain(h.messageId());
  }

  @Property(tries = 200)
  void propagateFromOneParentKeepsItsTraces(@ForAll("smallHeaders") Header parent) {
    Header h = Header.propagate("svc", "urn:x:Y:v1", parent);
    assertThat(h.correlationIds()).isEqualTo(parent.correlationIds());
    assertThat(h.parentIds()).containsExactly(parent.messageId());
    assertThat(h.ptags()).isEqualTo(parent.ptags());
    assertThat(h.traceId()).isEqualTo(parent.traceId());
  }

  // ------------------------------------------------------------------ withers

  @Example
  void withersReplaceTagsAndKeepEverythingElse() {
    Header h = header(List.of(A), B, List.of(C), Map.of("p", "1"));
    Header h2 = h.withPtag("merchant_id", "m9").withMtag("attempt", "2");
    assertThat(h2.ptags()).containsOnlyKeys("p", "merchant_id");
    assertThat(h2.mtags()).containsExactly(Map.entry("attempt", "2"));
    assertThat(h2.messageId()).isEqualTo(h.messageId());
    assertThat(h2.parentIds()).isEqualTo(h.parentIds());
    assertThat(h2.ticksFromEpoch()).isEqualTo(h.ticksFromEpoch());
    assertThat(h.withPtags(Collections.emptyMap()).ptags()).isEmpty();
    assertThat(h.withMtags(null).mtags()).isEmpty();
    // a bad key is dropped, not thrown
    assertThat(h.withPtag("bad key", "x").ptags()).isEqualTo(h.ptags());
  }
}
