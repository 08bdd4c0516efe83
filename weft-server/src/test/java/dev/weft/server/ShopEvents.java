package dev.weft.server;

import dev.weft.core.Envelope;
import dev.weft.core.Operation;
import dev.weft.core.Tracer;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import java.util.List;

/** The small shop the collector and crash tests feed through Kafka, emitted by real tracers. */
public final class ShopEvents {
  public static final String SKU = "urn:shop:SkuUpdated:v1";

  private ShopEvents() {}

  /**
   * Merchants {@code prefix0..} update SKUs; inventory handles each update, failing for every third merchant. Six
   * events per merchant, in emission order.
   */
  public static List<TelemetryEvent> shop(int merchants, String prefix) {
    InMemorySink sink = new InMemorySink();
    Tracer api = Tracer.builder("merchant-api").sink(sink).build();
    Tracer inv = Tracer.builder("inventory").sink(sink).build();
    for (int m = 0; m < merchants; m++) {
      Operation u = api.start("UpdateSku").ptag("merchant_id", prefix + m);
      Envelope<?, String> out = u.prepareOut(SKU, "sku-" + m);
      api.sent(out.header(), "kafka:sku-updates", u);
      u.complete();
      Operation h = inv.start("UpdateInventory", Envelope.in(out.header(), "x"));
      inv.received(out.header(), "kafka:sku-updates", h);
      if (m % 3 == 0) h.fail("OUT_OF_STOCK", "none left");
      else h.complete();
    }
    return sink.events();
  }
}
