package dev.weft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ShopTest {
  @Test
  void theShopProducesFanInFailuresAbandonedWorkAndADeclaration() throws Exception {
    InMemorySink sink = new InMemorySink();
    EventLog log = new EventLog(1_000_000);
    try (Shop shop = new Shop(sink, 11, 0.05)) {
      for (int i = 0; i < 120; i++) shop.updateSku();
      shop.drain();
      for (TelemetryEvent e : sink.events()) log.add(e);

      List<TelemetryEvent> events = sink.events();
      Map<String, Long> byType = events.stream()
          .collect(Collectors.groupingBy(TelemetryEvent::eventType, Collectors.counting()));
      assertThat(byType).containsKeys("START", "COMPLETE", "FAIL", "SEND", "RECEIVE", "DECLARE");

      // search-indexer writes batches whose header lists every buffered change as a parent
      List<TelemetryEvent> writes = events.stream().filter(e -> e.eventType().equals("SEND")
          && e.message().channel().equals(Shop.INDEX_WRITES.id())).toList();
      assertThat(writes).isNotEmpty();
      assertThat(writes).allSatisfy(w -> assertThat(w.message().header().parentIds()).hasSize(Shop.BATCH));

      // pricing joins two flows: its output belongs to both traces
      assertThat(events).anySatisfy(e -> {
        assertThat(e.eventType()).isEqualTo("SEND");
        assertThat(e.message().channel()).isEqualTo(Shop.PRICE_CHANGED.id());
        assertThat(e.message().header().correlationIds()).hasSize(2);
        assertThat(e.message().header().parentIds()).hasSize(2);
      });

      // the failures the telemetry shows are exactly those the simulation recorded
      long failed = events.stream().filter(e -> e.eventType().equals("FAIL") && "UpdateInventory".equals(e.op()))
          .count();
      long recorded = shop.failuresByMerchant.values().stream().mapToLong(java.util.concurrent.atomic.AtomicLong::get)
          .sum();
      assertThat(failed).isEqualTo(recorded).isPositive();

      // the summary reports the seed's question and no loss
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new Summary(log, shop, sink.stats()).print(new PrintStream(out, true, StandardCharsets.UTF_8));
      String text = out.toString(StandardCharsets.UTF_8);
      long mine = shop.failuresByMerchant.getOrDefault(shop.failingMerchant,
          new java.util.concurrent.atomic.AtomicLong()).get();
      assertThat(text).contains("op=UpdateInventory status=failed merchant_id=" + shop.failingMerchant)
          .contains("telemetry shows " + mine + " failed operations; the simulation recorded " + mine)
          .contains("lost (gaps in seq): 0");
    }
  }

  @Test
  void durationsParseWithUnits() {
    assertThat(DemoMain.parseDuration("1500ms").toMillis()).isEqualTo(1500);
    assertThat(DemoMain.parseDuration("30s").getSeconds()).isEqualTo(30);
    assertThat(DemoMain.parseDuration("2m").getSeconds()).isEqualTo(120);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DemoMain.parseDuration("soon"))
        .hasMessageContaining("--duration");
  }
}
