package dev.weft.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Operation;
import dev.weft.core.Result;
import dev.weft.core.Tracer;
import dev.weft.core.event.EventError;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.SinkStats;
import dev.weft.testsupport.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker dies (SIGKILL) while an application emits telemetry through {@link KafkaTelemetrySink}, and comes back.
 * The application must never block, telemetry must resume, and every event must be either on the topic or counted as
 * lost, with the lost ones exactly the gaps in {@code seq}.
 */
class TelemetryBrokerFailureTest {
  private static final String TOPIC = "weft.telemetry";

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void killedBrokerNeverBlocksTheAppAndLossesAreCountedExactly() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start()) {
      broker.createTopic(TOPIC, 3);
      // small bounds, so that a few seconds of outage overflow them
      KafkaTelemetrySink sink = KafkaTelemetrySink.builder(broker.bootstrapServers()).topic(TOPIC)
          .capacity(2048).maxBatchSize(256).linger(Duration.ofMillis(20))
          .bufferMemory(96 * 1024).maxBlock(Duration.ofSeconds(2)).build();
      Tracer tracer = Tracer.builder("failure-app").sink(sink).build();

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong worstNanos = new AtomicLong();
      AtomicLong ops = new AtomicLong();
      Thread app = new Thread(() -> {
        while (!stop.get()) {
          long t0 = System.nanoTime();
          Operation op = tracer.start("Tick");
          op.tag("n", ops.get());
          op.complete();
          long took = System.nanoTime() - t0;
          if (took > worstNanos.get()) worstNanos.set(took);
          ops.incrementAndGet();
          LockSupport.parkNanos(500_000); // ~2k operations, ~4k events a second
        }
      }, "app");
      app.start();

      Thread.sleep(1_500);
      long opsBeforeKill = ops.get();
      broker.kill();
      Thread.sleep(4_000);
      long opsWhileDown = ops.get() - opsBeforeKill;
      broker.restart();
      long seqAtRestart = tracer.stats().eventsEmitted();
      Thread.sleep(2_500);
      stop.set(true);
      app.join(5_000);

      assertThat(opsWhileDown).as("the application kept running while the broker was down").isGreaterThan(1_000);
      // an application thread that waited on the dead broker would stall for the producer's 2 s max.block; the bound
      // leaves room for a GC pause on a loaded 2-core machine
      assertThat(TimeUnit.NANOSECONDS.toMillis(worstNanos.get())).as("slowest emit (ms)").isLessThan(1000);

      assertThat(tracer.flush(Duration.ofSeconds(60))).as("flushed after the broker came back").isTrue();
      long emitted = tracer.stats().eventsEmitted();
      SinkStats s = sink.stats();
      assertThat(s.accepted()).isEqualTo(emitted);
      assertThat(s.queued()).isZero();
      assertThat(s.exported() + s.dropped() + s.exportFailed()).isEqualTo(emitted);
      assertThat(s.lost()).as("the outage overflowed the bounded buffers").isPositive();

      // what actually reached the topic
      List<ConsumerRecord<byte[], byte[]>> records = TestKafka.readUntil(broker.bootstrapServers(), TOPIC,
          Duration.ofSeconds(60), l -> TestKafka.events(l).size() >= s.exported());
      Set<String> ids = new HashSet<>();
      BitSet seqs = new BitSet();
      for (TestKafka.Read r : TestKafka.events(records)) {
        TelemetryEvent e = r.event();
        assertThat(e.instanceId()).isEqualTo(tracer.instanceId());
        ids.add(e.eventId());
        seqs.set((int) e.seq());
      }
      long received = ids.size();
      long gaps = emitted - seqs.cardinality();
      tracer.close();

      assertThat(received).as("distinct events on the topic = events the broker acknowledged").isEqualTo(s.exported());
      assertThat(received + s.lost()).as("received + counted losses = emitted").isEqualTo(emitted);
      assertThat(gaps).as("seq gaps = counted losses").isEqualTo(s.lost());
      assertThat(seqs.length() - 1L).as("telemetry resumed after the restart").isGreaterThan(seqAtRestart);
      assertThat(seqs.get(0)).isTrue();
      System.out.printf("failure test: emitted %d, received %d, dropped %d, export failed %d (%s), "
          + "ops while down %d, slowest emit %.2f ms%n", emitted, received, s.dropped(), s.exportFailed(),
          sink.exportStats(), opsWhileDown, worstNanos.get() / 1e6);
    }
  }
}
