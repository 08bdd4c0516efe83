package dev.weft.core.channel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Envelope;
import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.channel.memory.MemoryBroker;
import dev.weft.core.channel.memory.MemoryChannels;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A three-service flow over the in-memory medium, checked through the events alone. */
class MemoryChannelsTest {
  static final Channel SKU_UPDATES = Channel.pubSub("memory", "sku-updates", "urn:shop:SkuUpdated:v1");
  static final Channel CATALOG_CHANGED = Channel.pubSub("memory", "catalog-changed", "urn:shop:CatalogChanged:v1");
  static final Channel INDEX_WRITES = Channel.pubSub("memory", "index-writes", "urn:shop:IndexWritten:v1");

  @Test
  void aFlowWithFanInIsFullyDescribedByItsEvents() throws Exception {
    InMemorySink sink = new InMemorySink();
    try (MemoryBroker broker = new MemoryBroker()) {
      Tracer api = Tracer.builder("merchant-api").sink(sink).resource(Map.of()).build();
      Tracer catalog = Tracer.builder("catalog").sink(sink).resource(Map.of()).build();
      Tracer indexer = Tracer.builder("search-indexer").sink(sink).resource(Map.of()).build();

      MemoryChannels catalogCh = new MemoryChannels(broker, catalog);
      MemoryChannels.Publisher<String> changed = catalogCh.publisher(CATALOG_CHANGED, PayloadCodec.utf8());
      catalogCh.subscribe(SKU_UPDATES, PayloadCodec.utf8(), "ApplySkuUpdate",
          (in, op) -> changed.publish(op.prepareOut(CATALOG_CHANGED.schema(), in.payload().toUpperCase()), op));

      // the indexer batches three changes into one write: fan-in
      List<Envelope<Stage.In, String>> pending = new CopyOnWriteArrayList<>();
      CountDownLatch batchWritten = new CountDownLatch(1);
      MemoryChannels indexerCh = new MemoryChannels(broker, indexer);
      MemoryChannels.Publisher<String> writes = indexerCh.publisher(INDEX_WRITES, PayloadCodec.utf8());
      indexerCh.subscribe(CATALOG_CHANGED, PayloadCodec.utf8(), "CollectChange", (in, op) -> {
        pending.add(in);
        if (pending.size() == 3) {
          try (Operation write = indexer.start("IndexSkus", new ArrayList<>(pending))) {
            writes.publish(write.prepareOut(INDEX_WRITES.schema(), "3 skus"), write);
            write.complete();
          }
          batchWritten.countDown();
        }
      });

      MemoryChannels apiCh = new MemoryChannels(broker, api);
      MemoryChannels.Publisher<String> updates = apiCh.publisher(SKU_UPDATES, PayloadCodec.utf8());
      List<String> traces = new ArrayList<>();
      for (String merchant : List.of("m1", "m2", "m3")) {
        try (Operation req = api.start("UpdateSku")) {
          req.ptag("merchant_id", merchant);
          traces.add(req.traceId());
          updates.publish(req.prepareOut(SKU_UPDATES.schema(), "sku-of-" + merchant), req);
          req.complete();
        }
      }
      assertThat(batchWritten.await(10, TimeUnit.SECONDS)).isTrue();
      broker.drain(5_000);
    }

    List<TelemetryEvent> events = sink.events();
    List<TelemetryEvent> sends = byType(events, "SEND");
    List<TelemetryEvent> receives = byType(events, "RECEIVE");
    assertThat(sends).hasSize(3 + 3 + 1);
    assertThat(receives).hasSize(3 + 3); // index-writes has no subscriber

    // every receive is of a message that was sent, and names the operation that handled it
    for (TelemetryEvent r : receives) {
      Header h = r.message().header();
      assertThat(sends).anySatisfy(s -> assertThat(s.message().header()).isEqualTo(h));
      assertThat(byType(events, "START")).anySatisfy(s -> {
        assertThat(s.opId()).isEqualTo(r.opId());
        assertThat(s.inputs()).containsExactly(h.messageId());
      });
    }
    // the batch write lists every collected change as a parent and belongs to all three traces
    TelemetryEvent write = sends.stream().filter(s -> s.message().channel().equals("memory:index-writes"))
        .findFirst().orElseThrow();
    Header w = write.message().header();
    List<String> changedIds = sends.stream().filter(s -> s.message().channel().equals("memory:catalog-changed"))
        .map(s -> s.message().header().messageId()).toList();
    assertThat(w.parentIds()).containsExactlyInAnyOrderElementsOf(changedIds);
    assertThat(w.correlationIds()).hasSize(3);
    // merchant_id travelled as a ptag from the origin to every catalog change
    assertThat(sends).filteredOn(s -> s.message().channel().equals("memory:catalog-changed"))
        .extracting(s -> s.message().header().ptags().get("merchant_id"))
        .containsExactlyInAnyOrder("m1", "m2", "m3");
    // every operation ended successfully
    assertThat(byType(events, "COMPLETE")).hasSize(byType(events, "START").size());
  }

  @Test
  void aGarbledHeaderBecomesACountedOriginAndTheConsumerCarriesOn() throws Exception {
    InMemorySink sink = new InMemorySink();
    long before = Faults.get(Fault.HEADER_DECODE_ERROR);
    CountDownLatch handled = new CountDownLatch(1);
    try (MemoryBroker broker = new MemoryBroker()) {
      Tracer tracer = Tracer.builder("catalog").sink(sink).resource(Map.of()).build();
      new MemoryChannels(broker, tracer).subscribe(SKU_UPDATES, PayloadCodec.utf8(), "ApplySkuUpdate",
          (in, op) -> handled.countDown());
      Map<String, byte[]> headers = new java.util.HashMap<>();
      headers.put("weft", new byte[] {0x10, 0x01, (byte) 0xff, 0x00});
      broker.publish(SKU_UPDATES.name(), new BinaryMessage("x".getBytes(), headers));
      assertThat(handled.await(5, TimeUnit.SECONDS)).isTrue();
    }
    TelemetryEvent r = byType(sink.events(), "RECEIVE").get(0);
    assertThat(r.message().header().isOrigin()).isTrue();
    assertThat(r.message().header().mtags()).containsEntry("weft.adopted", "none").containsKey("weft.header_error");
    assertThat(Faults.get(Fault.HEADER_DECODE_ERROR)).isEqualTo(before + 1);
  }

  private static List<TelemetryEvent> byType(List<TelemetryEvent> events, String type) {
    return events.stream().filter(e -> e.eventType().equals(type)).toList();
  }
}
