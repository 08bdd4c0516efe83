package dev.weft.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Ids;
import dev.weft.core.event.TelemetryEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsyncBatchingSinkTest {
  private static TelemetryEvent event(int producer, int i) {
    return TelemetryEvent.builder("CUSTOM_MARK").eventId("p" + producer + "-" + i).traceId(Ids.newId())
        .service("svc").build();
  }

  @Test
  void severalProducersAgainstAFullQueueAccountForEveryDropExactly() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ConcurrentLinkedQueue<String> exportedIds = new ConcurrentLinkedQueue<>();
    AtomicInteger batches = new AtomicInteger();
    BatchExporter blocking = batch -> {
      if (batches.getAndIncrement() == 0) release.await(); // the first batch stalls: the ring must fill up
      for (TelemetryEvent e : batch) exportedIds.add(e.eventId());
    };
    AsyncBatchingSink sink = AsyncBatchingSink.builder(blocking).capacity(1024).maxBatchSize(100)
        .linger(Duration.ofMillis(1)).build();

    int producers = 4;
    int perProducer = 20_000;
    CyclicBarrier start = new CyclicBarrier(producers);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int id = p;
      Thread t = new Thread(() -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
        for (int i = 0; i < perProducer; i++) sink.send(event(id, i));
      });
      threads.add(t);
      t.start();
    }
    // every producer finishes while the exporter is still blocked: send never waits
    for (Thread t : threads) t.join();
    SinkStats whileBlocked = sink.stats();
    assertThat(whileBlocked.accepted()).isEqualTo(producers * perProducer);
    assertThat(whileBlocked.dropped()).isPositive();
    assertThat(whileBlocked.queued()).isEqualTo(1024); // the ring is full, not more

    release.countDown();
    sink.close();
    SinkStats end = sink.stats();
    Set<String> unique = new HashSet<>(exportedIds);
    assertThat(unique).hasSize(exportedIds.size()); // nothing exported twice
    assertThat(end.exported()).isEqualTo(exportedIds.size());
    assertThat(end.dropped() + end.exported()).isEqualTo(producers * perProducer);
    assertThat(end.dropped()).isEqualTo(whileBlocked.dropped()); // no more drops after the producers stopped
    assertThat(end.queued()).isZero();
    assertThat(end.exportFailed()).isZero();
    assertThat(end.lost()).isEqualTo(end.dropped());
  }

  @Test
  void closeFlushesEverythingQueued() {
    List<TelemetryEvent> got = new ArrayList<>();
    AsyncBatchingSink sink = AsyncBatchingSink.builder(got::addAll).linger(Duration.ofHours(1)).build();
    for (int i = 0; i < 1000; i++) sink.send(event(0, i));
    sink.close();
    assertThat(got).hasSize(1000);
    assertThat(got.get(999).eventId()).isEqualTo("p0-999"); // in order
    sink.send(event(0, 1000));
    assertThat(sink.stats().dropped()).isEqualTo(1); // closed sinks count, never throw
  }

  @Test
  void flushWaitsForEverythingSentBefore() {
    ConcurrentLinkedQueue<TelemetryEvent> got = new ConcurrentLinkedQueue<>();
    AsyncBatchingSink sink = AsyncBatchingSink.builder(got::addAll).linger(Duration.ofHours(1)).build();
    for (int i = 0; i < 10; i++) sink.send(event(0, i));
    assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(got).hasSize(10);
    sink.close();
  }

  @Test
  void aThrowingExporterIsCountedAndTheSinkCarriesOn() {
    AtomicInteger calls = new AtomicInteger();
    List<TelemetryEvent> good = new ArrayList<>();
    AsyncBatchingSink sink = AsyncBatchingSink.builder(batch -> {
      if (calls.getAndIncrement() == 0) throw new java.io.IOException("broker down");
      good.addAll(batch);
    }).maxBatchSize(10).linger(Duration.ofHours(1)).build();
    for (int i = 0; i < 10; i++) sink.send(event(0, i));
    sink.flush(Duration.ofSeconds(10));
    for (int i = 10; i < 15; i++) sink.send(event(0, i));
    sink.close();
    SinkStats s = sink.stats();
    assertThat(s.exportFailed()).isEqualTo(10);
    assertThat(s.exported()).isEqualTo(5);
    assertThat(good).hasSize(5);
    assertThat(s.accepted()).isEqualTo(s.exported() + s.exportFailed() + s.dropped());
  }
}
