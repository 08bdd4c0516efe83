package dev.weft.server.collector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.event.EventJson;
import dev.weft.server.ShopEvents;
import dev.weft.core.event.TelemetryEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the collector reads one Kafka record value: one event, NDJSON of several, or an array. */
class RecordParseTest {
  private static final Logger LOG = LoggerFactory.getLogger(RecordParseTest.class);
  private final List<TelemetryEvent> events = ShopEvents.shop(2, "p-");

  private int parse(String value, List<TelemetryEvent> out) {
    return KafkaCollector.Batches.parse(value == null ? null : value.getBytes(StandardCharsets.UTF_8), "t-0@0", LOG,
        out);
  }

  private String line(int i) {
    return EventJson.toJson(events.get(i));
  }

  @Test
  void aSingleEventIsAOneLineRecord() {
    List<TelemetryEvent> out = new ArrayList<>();
    assertThat(parse(line(0), out)).isZero();
    assertThat(out).containsExactly(events.get(0));
  }

  @Test
  void ndjsonKeepsOrderSkipsBlankLinesAndOnlyTheBadLine() {
    List<TelemetryEvent> out = new ArrayList<>();
    String value = line(0) + "\n\n" + line(1) + "\r\n{\"v\":1}\n" + "not json\n" + line(2) + "\n";
    assertThat(parse(value, out)).isEqualTo(2);
    assertThat(out).containsExactly(events.get(0), events.get(1), events.get(2));
  }

  @Test
  void anArrayIsReadWholeOrSkippedWhole() {
    List<TelemetryEvent> out = new ArrayList<>();
    assertThat(parse("[" + line(0) + "," + line(1) + "]", out)).isZero();
    assertThat(out).containsExactly(events.get(0), events.get(1));
    out.clear();
    assertThat(parse("[" + line(0) + ",{\"v\":1}]", out)).isEqualTo(1);
    assertThat(out).isEmpty();
  }

  @Test
  void emptyAndMissingValuesCountAsOneBadRecord() {
    List<TelemetryEvent> out = new ArrayList<>();
    assertThat(parse(null, out)).isEqualTo(1);
    assertThat(parse("", out)).isEqualTo(1);
    assertThat(parse(" \n ", out)).isEqualTo(1);
    assertThat(out).isEmpty();
  }
}
