package dev.weft.core.event;

import static dev.weft.core.carrier.CodecTestSupport.err;
import static dev.weft.core.carrier.CodecTestSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Header;
import dev.weft.core.Result;
import dev.weft.core.carrier.WeftArbitraries;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

class EventJsonPropertiesTest {

  @Provide
  Arbitrary<TelemetryEvent> events() {
    return EventArbitraries.events();
  }

  @Provide
  Arbitrary<TelemetryEvent> bigHeaderEvents() {
    return EventArbitraries.events(WeftArbitraries.headers());
  }

  @Provide
  Arbitrary<List<TelemetryEvent>> batches() {
    return EventArbitraries.fittingEvents().list().ofMinSize(1).ofMaxSize(6);
  }

  @Property(tries = 500)
  void toJsonThenParseIsIdentity(@ForAll("events") TelemetryEvent e) {
    String json = EventJson.toJson(e);
    assertThat(json).doesNotContain("\n").doesNotContain("\r"); // one NDJSON line
    Result<TelemetryEvent, EventError> r = EventJson.parse(json);
    if (json.length() <= EventJson.MAX_EVENT_CHARS) {
      Statistics.label("size").collect("fits");
      assertThat(ok(r)).isEqualTo(e);
      // written deterministically
      assertThat(EventJson.toJson(ok(r))).isEqualTo(json);
    } else {
      Statistics.label("size").collect("too large");
      EventError error = err(r);
      assertThat(error.field()).isEmpty();
      assertThat(error.message()).contains("larger");
    }
    Statistics.label("size").coverage(c -> c.check("fits").percentage(p -> p > 80));
  }

  @Property(tries = 40)
  void eventsWithFullSizeHeadersRoundTrip(@ForAll("bigHeaderEvents") TelemetryEvent e) {
    String json = EventJson.toJson(e);
    if (json.length() <= EventJson.MAX_EVENT_CHARS) assertThat(ok(EventJson.parse(json))).isEqualTo(e);
    else assertThat(err(EventJson.parse(json)).field()).isEmpty();
  }

  @Property(tries = 300)
  void jsonSurvivesUtf8(@ForAll("events") TelemetryEvent e) {
    String json = EventJson.toJson(e);
    String viaUtf8 = new String(json.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    assertThat(viaUtf8).isEqualTo(json);
  }

  @Property(tries = 200)
  void headerJsonRoundTrips(@ForAll("headers") Header h) throws Exception {
    StringBuilder sb = new StringBuilder();
    EventJson.writeHeader(sb, h, null);
    assertThat(ok(EventJson.headerFromValue(Json.parse(sb.toString())))).isEqualTo(h);
  }

  @Provide
  Arbitrary<Header> headers() {
    return WeftArbitraries.headers();
  }

  @Property(tries = 200)
  void batchAsJsonArrayParses(@ForAll("batches") List<TelemetryEvent> events) {
    String array = events.stream().map(EventJson::toJson).collect(Collectors.joining(",", "[", "]"));
    assertThat(ok(EventJson.parseBatch(array))).isEqualTo(events);
    String spaced = events.stream().map(EventJson::toJson).collect(Collectors.joining(" ,\n ", " [\n", "\n] "));
    assertThat(ok(EventJson.parseBatch(spaced))).isEqualTo(events);
  }

  @Property(tries = 200)
  void batchAsNdjsonParses(@ForAll("batches") List<TelemetryEvent> events) {
    String ndjson = events.stream().map(EventJson::toJson).collect(Collectors.joining("\n"));
    assertThat(ok(EventJson.parseBatch(ndjson))).isEqualTo(events);
    // trailing newline, blank lines and CRLF line ends are fine
    String loose = "\n" + events.stream().map(EventJson::toJson).collect(Collectors.joining("\r\n\n  \n")) + "\n";
    assertThat(ok(EventJson.parseBatch(loose))).isEqualTo(events);
  }

  @Property(tries = 200)
  void badEventInABatchIsReportedByItsIndex(@ForAll("batches") List<TelemetryEvent> events,
      @ForAll("badIndex") int bad) {
    int index = Math.min(bad, events.size());
    List<String> lines = new java.util.ArrayList<>(events.stream().map(EventJson::toJson).toList());
    lines.add(index, "{\"v\":1,\"event_id\":\"x\",\"event_type\":\"START\",\"trace_id\":\"nope\"}");
    EventError e = err(EventJson.parseBatch(String.join("\n", lines)));
    assertThat(e.index()).isEqualTo(index);
    assertThat(e.field()).isEqualTo("trace_id");
    EventError a = err(EventJson.parseBatch("[" + String.join(",", lines) + "]"));
    assertThat(a.index()).isEqualTo(index);
    assertThat(a.field()).isEqualTo("trace_id");
  }

  @Provide
  Arbitrary<Integer> badIndex() {
    return Arbitraries.integers().between(0, 6);
  }

  // ------------------------------------------------------------------ garbage never throws

  private static void assertTypedError(Result<?, EventError> r) {
    assertThat(r).isNotNull();
    if (!r.isOk()) {
      EventError e = err(r);
      assertThat(e.field()).isNotNull();
      assertThat(e.message()).isNotBlank();
      assertThat(e.index()).isGreaterThanOrEqualTo(0);
    }
  }

  @Property
  void randomTextNeverThrows(@ForAll String text) {
    assertTypedError(EventJson.parse(text));
    assertTypedError(EventJson.parseBatch(text));
    assertTypedError(EventJson.parseBatch("[" + text + "]"));
  }

  /** Valid events with one random splice: exercises every reader path with almost-valid input. */
  @Property(tries = 500)
  void splicedEventsNeverThrow(@ForAll("events") TelemetryEvent e, @ForAll("splices") String splice,
      @ForAll("positions") double where, @ForAll("positions") double cut) {
    String json = EventJson.toJson(e);
    int at = (int) (where * json.length());
    int end = Math.min(json.length(), at + (int) (cut * 20));
    String mutated = json.substring(0, at) + splice + json.substring(end);
    assertTypedError(EventJson.parse(mutated));
    assertTypedError(EventJson.parseBatch(mutated + "\n" + json));
    assertTypedError(EventJson.parseBatch("[" + json + "," + mutated + "]"));
  }

  @Provide
  Arbitrary<String> splices() {
    return Arbitraries.oneOf(
        Arbitraries.of("", "null", "1", "-1", "1.5", "true", "\"\"", "\"x\"", "[]", "{}", "[1]", "{\"a\":1}", ",",
            ":", "\"", "{", "}", "[", "]", "\"v\":2,", "\"trace_id\":5,", "\\u0000", "9999999999999999999999"),
        Arbitraries.strings().ofMaxLength(8));
  }

  @Provide
  Arbitrary<Double> positions() {
    return Arbitraries.doubles().between(0, 1);
  }
}
