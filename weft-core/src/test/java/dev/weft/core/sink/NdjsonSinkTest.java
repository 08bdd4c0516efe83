package dev.weft.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Operation;
import dev.weft.core.Result;
import dev.weft.core.Tracer;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NdjsonSinkTest {
  @TempDir Path dir;

  @Test
  void writesOneParseableEventPerLine() throws Exception {
    Path file = dir.resolve("events/weft.ndjson");
    InMemorySink copy = new InMemorySink();
    AsyncBatchingSink ndjson = NdjsonSink.toFile(file);
    TelemetrySink both = new TelemetrySink() {
      @Override
      public void send(TelemetryEvent event) {
        copy.send(event);
        ndjson.send(event);
      }

      @Override
      public void close() {
        ndjson.close();
      }
    };
    Tracer tracer = Tracer.builder("catalog").sink(both).resource(Map.of("host.name", "h")).build();
    Operation op = tracer.start("AppendSku");
    op.tag("sku", "a \"quoted\"\nvalue");
    op.fail(new RuntimeException("boom"));
    tracer.close();

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    for (int i = 0; i < lines.size(); i++) {
      Result<TelemetryEvent, ?> r = EventJson.parse(lines.get(i));
      assertThat(r.isOk()).as(lines.get(i)).isTrue();
      assertThat(r.orElse(null)).isEqualTo(copy.events().get(i));
    }
  }
}
