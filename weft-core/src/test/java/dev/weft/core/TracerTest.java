package dev.weft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.weft.core.event.EventType;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import dev.weft.core.sink.TelemetrySink;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracerTest {
  private final InMemorySink sink = new InMemorySink();
  private final Tracer tracer = Tracer.builder("inventory").sink(sink).resource(Map.of("host.name", "h1")).build();

  @Test
  void rootOperationStartsANewTraceAndCompletesWithItsTags() {
    Operation op = tracer.start("UpdateInventory");
    op.tag("sku", "42").tag("warehouse", "nj-1");
    op.complete();

    List<TelemetryEvent> events = sink.events();
    assertThat(events).extracting(TelemetryEvent::eventType).containsExactly(EventType.START, EventType.COMPLETE);
    TelemetryEvent start = events.get(0);
    TelemetryEvent end = events.get(1);
    assertThat(Ids.isCanonical(start.traceId())).isTrue();
    assertThat(start.op()).isEqualTo("UpdateInventory");
    assertThat(start.opId()).hasSize(16).isEqualTo(op.id()).isEqualTo(end.opId());
    assertThat(start.parentOpId()).isNull();
    assertThat(start.resource()).containsEntry("host.name", "h1");
    assertThat(start.inputs()).isEmpty();
    assertThat(end.traceId()).isEqualTo(start.traceId());
    assertThat(end.status()).isEqualTo("ok");
    assertThat(end.error()).isNull();
    assertThat(end.tags()).containsExactly(Map.entry("sku", "42"), Map.entry("warehouse", "nj-1"));
    assertThat(end.timestamp()).isGreaterThanOrEqualTo(start.timestamp());
    assertThat(op.isRunning()).isFalse();
    assertThat(op.durationNanos()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void everyEventCarriesInstanceIdAndAGapFreeSequence() {
    for (int i = 0; i < 5; i++) {
      try (Operation op = tracer.start("op" + i)) {
        op.event("CACHE_MISS", Map.of("key", "k" + i));
        op.complete();
      }
    }
    List<TelemetryEvent> events = sink.events();
    assertThat(events).hasSize(15);
    for (int i = 0; i < events.size(); i++) {
      TelemetryEvent e = events.get(i);
      assertThat(e.instanceId()).isEqualTo(tracer.instanceId());
      assertThat(e.seq()).isEqualTo(i);
      assertThat(e.eventId()).isEqualTo(tracer.instanceId() + "-" + i);
    }
    assertThat(tracer.stats().eventsEmitted()).isEqualTo(15);
  }

  @Test
  void failureFromAnExceptionRecordsTypeAndMessage() {
    Operation op = tracer.start("UpdateInventory");
    op.fail(new IllegalStateException("sku 42 is locked"));
    TelemetryEvent fail = sink.ofType(EventType.FAIL).get(0);
    assertThat(fail.status()).isEqualTo("error");
    assertThat(fail.error().type()).isEqualTo("java.lang.IllegalStateException");
    assertThat(fail.error().message()).isEqualTo("sku 42 is locked");
  }

  @Test
  void domainFailureRecordsItsCode() {
    tracer.start("Reserve").fail("OUT_OF_STOCK", "0 left");
    TelemetryEvent fail = sink.ofType(EventType.FAIL).get(0);
    assertThat(fail.error().type()).isEqualTo("OUT_OF_STOCK");
    assertThat(fail.error().message()).isEqualTo("0 left");
  }

  @Test
  void closingWithoutAnOutcomeIsReportedAsSuch() {
    long before = Faults.get(Fault.OPERATION_NO_OUTCOME);
    try (Operation op = tracer.start("Forgetful")) {
      op.tag("step", "1");
    }
    TelemetryEvent fail = sink.ofType(EventType.FAIL).get(0);
    assertThat(fail.status()).isEqualTo(TelemetryEvent.STATUS_NO_OUTCOME);
    assertThat(fail.error().type()).isEqualTo("weft.NoOutcome");
    assertThat(fail.tags()).containsEntry("step", "1");
    assertThat(Faults.get(Fault.OPERATION_NO_OUTCOME)).isEqualTo(before + 1);
  }

  @Test
  void closingAfterAnOutcomeEmitsNothingMore() {
    try (Operation op = tracer.start("Tidy")) {
      op.complete();
    }
    assertThat(sink.events()).extracting(TelemetryEvent::eventType).containsExactly("START", "COMPLETE");
  }

  @Test
  void aSecondOutcomeOrALateTagIsIgnoredAndCounted() {
    long before = Faults.get(Fault.OPERATION_ALREADY_ENDED);
    Operation op = tracer.start("Twice");
    op.complete();
    op.fail(new RuntimeException("late"));
    op.tag("late", "tag");
    assertThat(sink.events()).extracting(TelemetryEvent::eventType).containsExactly("START", "COMPLETE");
    assertThat(Faults.get(Fault.OPERATION_ALREADY_ENDED)).isEqualTo(before + 2);
  }

  @Test
  void operationFromAnEnvelopeRecordsItsInputAndInheritsItsTracesAndPtags() {
    Envelope<Stage.In, String> in = Envelope.in(
        Header.origin("merchant-api", "urn:shop:SkuUpdated:v1", Map.of(), Map.of("merchant_id", "4c5d6e7")), "sku");
    Operation op = tracer.start("UpdateInventory", in);
    TelemetryEvent start = sink.ofType("START").get(0);
    assertThat(start.traceId()).isEqualTo(in.header().traceId());
    assertThat(start.inputs()).containsExactly(in.header().messageId());
    assertThat(start.tags()).containsEntry("merchant_id", "4c5d6e7");

    Envelope<Stage.Out, String> out = op.prepareOut("urn:shop:InventoryChanged:v1", "changed");
    assertThat(out.header().parentIds()).containsExactly(in.header().messageId());
    assertThat(out.header().correlationIds()).isEqualTo(in.header().correlationIds());
    assertThat(out.header().ptags()).containsEntry("merchant_id", "4c5d6e7");
    assertThat(out.header().producerId()).isEqualTo("inventory");
    op.complete();
  }

  @Test
  void fanInOperationBelongsToEveryTraceAndItsOutputListsEveryParent() {
    Header a = Header.origin("catalog", "urn:shop:CatalogChanged:v1", Map.of(), Map.of("merchant_id", "m1"));
    Header b = Header.origin("catalog", "urn:shop:CatalogChanged:v1", Map.of(), Map.of("merchant_id", "m2"));
    Header c = Header.propagate("catalog", "urn:shop:CatalogChanged:v1", a);
    List<Envelope<Stage.In, String>> batch =
        List.of(Envelope.in(a, "a"), Envelope.in(b, "b"), Envelope.in(c, "c"));

    Operation op = tracer.start("IndexSkus", batch);
    TelemetryEvent start = sink.ofType("START").get(0);
    assertThat(start.inputs()).containsExactly(a.messageId(), b.messageId(), c.messageId());
    assertThat(start.correlationIds()).containsExactly(a.traceId(), b.traceId());
    assertThat(start.traceId()).isEqualTo(a.traceId());
    assertThat(start.tags()).containsEntry("merchant_id", "m1"); // the first input holding the key wins

    Header out = op.prepareOut("urn:shop:IndexWritten:v1", "w").header();
    assertThat(out.parentIds()).containsExactly(a.messageId(), b.messageId(), c.messageId());
    assertThat(out.correlationIds()).containsExactly(a.traceId(), b.traceId());
    op.complete();
    assertThat(sink.ofType("COMPLETE").get(0).correlationIds()).containsExactly(a.traceId(), b.traceId());
  }

  @Test
  void childOperationsNameTheirParentAndShareItsTrace() {
    Operation parent = tracer.start("HandleRequest");
    Operation child = parent.child("LoadSku");
    child.complete();
    parent.complete();
    TelemetryEvent childStart = sink.ofType("START").get(1);
    assertThat(childStart.parentOpId()).isEqualTo(parent.id());
    assertThat(childStart.traceId()).isEqualTo(parent.traceId());

    Operation viaContext = tracer.start("Other", parent.context());
    assertThat(sink.ofType("START").get(2).parentOpId()).isEqualTo(parent.id());
    viaContext.complete();
  }

  @Test
  void currentOperationIsTheParentOfOperationsStartedFromEnvelopes() {
    Operation outer = tracer.start("Poll");
    Envelope<Stage.In, String> in = Envelope.in(Header.origin("p", "urn:x:Y:v1"), "x");
    try (Scope s = outer.makeCurrent()) {
      assertThat(tracer.current()).isSameAs(outer);
      tracer.start("Handle", in).complete();
    }
    assertThat(tracer.current()).isNull();
    assertThat(sink.ofType("START").get(1).parentOpId()).isEqualTo(outer.id());
  }

  @Test
  void anOriginOperationsOutputStaysInItsTraceAndCarriesItsPtags() {
    Operation op = tracer.start("UpdateSku");
    op.ptag("merchant_id", "4c5d6e7");
    Header out = op.prepareOut("urn:shop:SkuUpdated:v1", "p").header();
    assertThat(out.correlationIds()).containsExactly(op.traceId());
    assertThat(out.parentIds()).isEmpty();
    assertThat(out.ptags()).containsEntry("merchant_id", "4c5d6e7");
    op.complete();
    assertThat(sink.ofType("COMPLETE").get(0).tags()).containsEntry("merchant_id", "4c5d6e7");
  }

  @Test
  void sendAndReceiveCarryTheMessageHeaderAndChannel() {
    Operation op = tracer.start("Publish");
    Header h = op.prepareOut("urn:shop:SkuUpdated:v1", "p").header();
    tracer.sent(h, "kafka:sku-updates", op);
    tracer.received(h, "kafka:sku-updates", null);
    TelemetryEvent send = sink.ofType("SEND").get(0);
    TelemetryEvent recv = sink.ofType("RECEIVE").get(0);
    assertThat(send.message().header()).isEqualTo(h);
    assertThat(send.message().channel()).isEqualTo("kafka:sku-updates");
    assertThat(send.opId()).isEqualTo(op.id());
    assertThat(recv.opId()).isNull();
    assertThat(recv.timestamp()).isGreaterThanOrEqualTo(h.ticksFromEpoch());
  }

  @Test
  void nothingThrowsIntoApplicationCodeEvenWithABrokenSinkOrBadArguments() {
    TelemetrySink broken = e -> {
      throw new IllegalStateException("disk on fire");
    };
    Tracer t = Tracer.builder("svc").sink(broken).resource(Map.of()).build();
    long before = Faults.get(Fault.SINK_ERROR);
    assertThatCode(() -> {
      Operation op = t.start(null);
      op.tag(null, "v").tag("bad key with spaces", "v").tag("k", (String) null);
      op.tag("long", "x".repeat(10_000));
      op.event("not upper", Map.of());
      op.event("START", Map.of());
      op.fail((Throwable) null);
      op.close();
      t.start("x", (TraceContext) null).close();
      t.start("y", (Envelope<?, ?>) null).complete();
      t.sent(null, null, null);
      t.declare(null);
      t.event("CUSTOM", null, null);
      t.flush(java.time.Duration.ofMillis(1));
      t.close();
    }).doesNotThrowAnyException();
    assertThat(Faults.get(Fault.SINK_ERROR)).isGreaterThan(before);
  }

  @Test
  void tagsBeyondTheLimitsAreCutOrDroppedAndCounted() {
    long before = Faults.get(Fault.TAG_DROPPED);
    Operation op = tracer.start("Tags");
    op.tag("long", "y".repeat(300));
    for (int i = 0; i < 40; i++) op.tag("k" + i, "v");
    op.complete();
    TelemetryEvent end = sink.ofType("COMPLETE").get(0);
    assertThat(end.tags()).hasSize(Limits.MAX_TAGS);
    assertThat(end.tags().get("long")).hasSize(Limits.MAX_TAG_VALUE_LENGTH);
    assertThat(Faults.get(Fault.TAG_DROPPED)).isEqualTo(before + 1 + 9);
  }
}
