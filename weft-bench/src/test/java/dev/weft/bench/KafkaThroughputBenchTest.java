package dev.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.weft.bench.KafkaThroughputBench.Config;
import dev.weft.bench.KafkaThroughputBench.Mode;
import dev.weft.bench.KafkaThroughputBench.ProducerMode;
import dev.weft.bench.KafkaThroughputBench.Report;
import dev.weft.bench.KafkaThroughputBench.RunResult;
import dev.weft.bench.KafkaThroughputBench.TelemetryMode;
import dev.weft.testsupport.KafkaBroker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The throughput bench's logic, with a tiny N against a real broker: every record arrives, traced ones carry Weft. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkaThroughputBenchTest {
  private static final int N = 2_000;

  @Test
  void everyModeDeliversEveryRecordAndTracedRecordsCarryTheirHeaders() throws Exception {
    Config cfg = new Config(N, 200, 1, 3, 200, 16_384, 5, ProducerMode.OPERATION, TelemetryMode.KAFKA,
        KafkaThroughputBench.ConsumerMode.PER_RECORD, true, true, true, null,
        false);
    try (KafkaBroker broker = KafkaBroker.start()) {
      Report report = KafkaThroughputBench.run(cfg, broker);
      assertThat(report.results()).hasSize(4);

      RunResult plain = report.of(Mode.PLAIN).get(0);
      assertThat(plain.consumed()).isEqualTo(N);
      assertThat(plain.sendErrors()).isZero();
      assertThat(plain.readback().records()).isEqualTo(N);
      assertThat(plain.readback().weftHeaders()).isZero();
      assertThat(plain.readback().headerWireBytes()).isEqualTo(N); // one byte each: the zero header count
      assertThat(plain.readback().valueBytes()).isEqualTo(200L * N);
      assertThat(plain.topicLogBytes()).isGreaterThan(200L * N);
      assertThat(plain.e2eRate()).isPositive();

      RunResult weft = report.of(Mode.WEFT).get(0);
      assertThat(weft.consumed()).isEqualTo(N);
      assertThat(weft.sendErrors()).isZero();
      assertThat(weft.readback().records()).isEqualTo(N);
      assertThat(weft.readback().weftHeaders()).isEqualTo(N);
      assertThat(weft.readback().traceparents()).isEqualTo(N);
      assertThat(weft.readback().headerWireBytes()).isGreaterThan(plain.readback().headerWireBytes() + 50L * N);
      assertThat(weft.topicLogBytes()).isGreaterThan(plain.topicLogBytes());
      // producer START, SEND, COMPLETE and consumer RECEIVE, START, COMPLETE for each record
      assertThat(weft.telemetry().emitted()).isEqualTo(6L * N);
      assertThat(weft.telemetry().delivered() + weft.telemetry().dropped() + weft.telemetry().failed())
          .isEqualTo(weft.telemetry().emitted());
      assertThat(weft.telemetry().topicBytes()).isPositive();

      // the control: plain records, each with one opaque header exactly as large as one Weft record's headers
      long weftHeader = KafkaThroughputBench.weftHeaderWireBytes(cfg);
      RunResult padded = report.of(Mode.PADDED).get(0);
      assertThat(padded.consumed()).isEqualTo(N);
      assertThat(padded.sendErrors()).isZero();
      assertThat(padded.readback().records()).isEqualTo(N);
      assertThat(padded.readback().weftHeaders()).isZero();
      assertThat(padded.readback().headerWireBytes()).isEqualTo(weftHeader * N);
      assertThat((double) weft.readback().headerWireBytes() / N).isCloseTo(weftHeader, within(2.0));
      assertThat(padded.telemetry()).isEqualTo(KafkaThroughputBench.Telemetry.NONE);

      // the peer: a local, a producer, a consumer and a processing span for each record, in Zipkin's topic
      RunResult brave = report.of(Mode.BRAVE).get(0);
      assertThat(brave.consumed()).isEqualTo(N);
      assertThat(brave.sendErrors()).isZero();
      assertThat(brave.readback().records()).isEqualTo(N);
      assertThat(brave.readback().headerWireBytes()).isGreaterThan(plain.readback().headerWireBytes() + 20L * N);
      assertThat(brave.telemetry().emitted()).isEqualTo(4L * N);
      assertThat(brave.telemetry().delivered() + brave.telemetry().dropped()).isEqualTo(4L * N);
      assertThat(brave.telemetry().topicBytes()).isPositive();

      String md = KafkaThroughputBench.markdown(report);
      assertThat(md).contains("| 1 | plain |").contains("| 1 | weft |").contains("| 1 | padded |")
          .contains("| 1 | brave |")
          .contains("Target weft/plain >= 0.97");
      assertThat(KafkaThroughputBench.summary(report)).contains("weft: ratio to plain").contains("brave: ratio")
          .contains("padded (control");
    }
  }

  @Test
  void aBatchConsumerWithTheWeftHeaderOnlyDeliversEveryRecordWithFewerEvents() throws Exception {
    Config cfg = new Config(N, 200, 1, 3, 200, 16_384, 5, ProducerMode.OPERATION, TelemetryMode.KAFKA,
        KafkaThroughputBench.ConsumerMode.BATCH, false, false, false, null, false);
    try (KafkaBroker broker = KafkaBroker.start()) {
      Report report = KafkaThroughputBench.run(cfg, broker);
      RunResult weft = report.of(Mode.WEFT).get(0);
      assertThat(weft.consumed()).isEqualTo(N);
      assertThat(weft.readback().weftHeaders()).isEqualTo(N);
      assertThat(weft.readback().traceparents()).isZero();
      // producer START, SEND, COMPLETE per record; per batch of up to 128 records one START and COMPLETE, and a
      // RECEIVE per record
      assertThat(weft.telemetry().emitted()).isBetween(4L * N + 2L * N / 128, 4L * N + 2L * N);
      assertThat(weft.telemetry().delivered() + weft.telemetry().dropped() + weft.telemetry().failed())
          .isEqualTo(weft.telemetry().emitted());
      assertThat(KafkaThroughputBench.summary(report)).contains("consumer batch, propagation weft,");
    }
  }

  @Test
  void theControlsHeaderHasExactlyTheAskedWireSize() {
    for (long size = 6; size <= 300; size++) {
      var headers = new org.apache.kafka.common.header.internals.RecordHeaders(
          new org.apache.kafka.common.header.Header[] {KafkaThroughputBench.padHeader(size)});
      assertThat(KafkaThroughputBench.headerWireBytes(headers)).as("size %d", size).isEqualTo(size);
    }
  }

  @Test
  void varintSizesMatchKafkas() {
    assertThat(KafkaThroughputBench.varintBytes(0)).isEqualTo(1);
    assertThat(KafkaThroughputBench.varintBytes(-1)).isEqualTo(1);
    assertThat(KafkaThroughputBench.varintBytes(63)).isEqualTo(1);
    assertThat(KafkaThroughputBench.varintBytes(64)).isEqualTo(2);
    assertThat(KafkaThroughputBench.varintBytes(8191)).isEqualTo(2);
    assertThat(KafkaThroughputBench.varintBytes(8192)).isEqualTo(3);
    assertThat(org.apache.kafka.common.utils.ByteUtils.sizeOfVarint(8192)).isEqualTo(3);
  }
}
