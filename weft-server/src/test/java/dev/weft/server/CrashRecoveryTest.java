package dev.weft.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.server.cli.WeftCli;
import dev.weft.server.store.Store;
import dev.weft.testsupport.KafkaBroker;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Nothing lost", proved end to end: the real server runs as a child JVM collecting from a real broker, and is killed
 * with SIGKILL ({@link Process#destroyForcibly()}) several times at random moments while it ingests, then restarted on
 * the same data directory and consumer group. At the end the store must hold exactly the produced events (none lost,
 * none twice) and the projection must equal a clean single-pass ingest of the same events.
 */
class CrashRecoveryTest {
  static final int MERCHANTS = 200; // 6 events each: 1,200 events (the store ingests about 100 a second)
  static final int KILLS = 4;
  static final Pattern LISTENING = Pattern.compile("Collecting from Kafka");

  @TempDir Path dir;

  private Process child;

  @AfterEach
  void killChild() throws InterruptedException {
    if (child != null && child.isAlive()) {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void killNineDuringIngestLosesNothingAndDuplicatesNothing() throws Exception {
    long t0 = System.nanoTime();
    KafkaBroker broker = KafkaBroker.shared();
    String topic = "crash-" + UUID.randomUUID();
    String group = "crash-group-" + UUID.randomUUID();
    broker.createTopic(topic, 3);

    List<TelemetryEvent> events = ShopEvents.shop(MERCHANTS, "m-");
    int n = events.size();
    assertThat(new HashSet<>(events.stream().map(TelemetryEvent::eventId).toList())).hasSize(n);
    // Produced as a live stream (60 events every 500 ms, about 10 s in all), so the server commits many small
    // batches and the kills fall at random points between and inside them.
    KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new StringSerializer());
    CompletableFuture<Void> produced = CompletableFuture.runAsync(() -> {
      try (producer) {
        for (int i = 0; i < n; i += 60) {
          for (TelemetryEvent e : events.subList(i, Math.min(n, i + 60))) {
            producer.send(new ProducerRecord<>(topic, e.traceId(), EventJson.toJson(e)));
          }
          producer.flush();
          Thread.sleep(500);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    Path data = dir.resolve("data");
    Path argFile = writeArgFile(dir.resolve("java.args"));
    Path logDir = Files.createDirectories(Path.of("target", "crash-recovery").toAbsolutePath());
    String runId = Long.toString(ProcessHandle.current().pid()) + "-" + System.currentTimeMillis();
    Random random = new Random();
    List<String> report = new ArrayList<>();
    int midIngestKills = 0;

    try (Admin admin = broker.admin()) {
      for (int k = 1; k <= KILLS; k++) {
        Path log = logDir.resolve("server-" + runId + "-" + k + ".log");
        startServer(argFile, data, broker, topic, group, log);
        // startServer returns once the collector has started; it joins the group and ingests within milliseconds.
        // The store takes about 10 ms an event, so a batch is a transaction of a second or more: most kills land
        // inside a transaction, others between the store's commit and the offsets' commit, or during a poll.
        int delay = 200 + random.nextInt(1301);
        Thread.sleep(delay);
        long atKill = committedTotal(admin, group);
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no close
        assertThat(child.waitFor(15, TimeUnit.SECONDS)).as("killed server exits").isTrue();
        if (atKill < n) midIngestKills++;
        report.add("kill " + k + " at +" + delay + " ms (offsets committed " + atKill + "/" + n + ")");
        // The dead member would keep its partitions until its session expires (45 s); remove it at once, as an
        // operator would. This shortens the wait only: the offsets it committed stay as they are.
        removeMembers(admin, group);
      }

      // The last incarnation runs until the group has committed the end of every partition and the store holds N.
      produced.get(30, TimeUnit.SECONDS);
      Path log = logDir.resolve("server-" + runId + "-final.log");
      startServer(argFile, data, broker, topic, group, log);
      Map<TopicPartition, Long> ends = endOffsets(admin, topic);
      long deadline = System.nanoTime() + Duration.ofSeconds(50).toNanos();
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        boolean atEnd = ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
            && committed.get(e.getKey()).offset() == e.getValue());
        if (atEnd) break;
        if (System.nanoTime() > deadline) {
          throw new AssertionError("not caught up within 50 s: committed " + committed + ", ends " + ends
              + "; log " + log + ":\n" + tail(log));
        }
        Thread.sleep(100);
      }
      child.destroy(); // graceful stop: SIGTERM runs the shutdown hook, which closes the store
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("server stops on SIGTERM").isTrue();
    }

    Map<String, Long> recovered;
    List<String> recoveredLog;
    List<Store.EmitterLoss> recoveredLoss;
    try (Store store = Store.open(data.resolve("weft.duckdb"), config())) {
      recovered = store.tableCounts();
      recoveredLog = store.eventLog();
      recoveredLoss = store.loss();
    }
    Map<String, Long> clean;
    List<String> cleanLog;
    List<Store.EmitterLoss> cleanLoss;
    try (Store store = Store.open(dir.resolve("clean.duckdb"), config())) {
      store.ingest(events);
      clean = store.tableCounts();
      cleanLog = store.eventLog();
      cleanLoss = store.loss();
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    System.out.println("CrashRecoveryTest: N=" + n + ", kills=" + KILLS + " (mid-ingest " + midIngestKills
        + "), " + String.join("; ", report) + "; recovered " + recovered + "; clean " + clean + "; " + seconds
        + " s");

    assertThat(recovered.get("events")).as("raw events: none lost, none twice").isEqualTo(n);
    assertThat(recovered).as("projection equals a clean single-pass ingest").isEqualTo(clean);
    assertThat(recoveredLog).as("the stored event log, line for line").isEqualTo(cleanLog);
    assertThat(recoveredLoss).as("emitter seq accounting").isEqualTo(cleanLoss)
        .allSatisfy(l -> assertThat(l.lost()).as("lost events of " + l.service()).isZero());
    assertThat(midIngestKills).as("kills that landed while events were still arriving").isGreaterThan(0);
  }

  // ------------------------------------------------------------------ the child server

  private void startServer(Path argFile, Path data, KafkaBroker broker, String topic, String group, Path log)
      throws IOException, InterruptedException {
    if (child != null) assertThat(child.isAlive()).as("previous server is dead (DuckDB file lock)").isFalse();
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "@" + argFile,
        WeftCli.class.getName(), "server", "--port", "0", "--data", data.toString(), "--kafka",
        broker.bootstrapServers(), "--topic", topic, "--group", group);
    child = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (!child.isAlive()) {
        throw new AssertionError("server exited with " + child.exitValue() + "; log " + log + ":\n" + tail(log));
      }
      Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
      if (m.find()) return;
      Thread.sleep(25);
    }
    throw new AssertionError("collector did not start within 20 s; log " + log + ":\n" + tail(log));
  }

  private static long committedTotal(Admin admin, String group) throws Exception {
    return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).values()
        .stream().mapToLong(OffsetAndMetadata::offset).sum();
  }

  private static void removeMembers(Admin admin, String group) throws InterruptedException {
    try {
      admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions()).all()
          .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
      // no member registered yet (killed before joining): nothing to remove
    }
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
    var desc = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    desc.partitions().forEach(p -> specs.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
    Map<TopicPartition, ListOffsetsResultInfo> r = admin.listOffsets(specs).all().get(10, TimeUnit.SECONDS);
    Map<TopicPartition, Long> out = new HashMap<>();
    r.forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  private static Path writeArgFile(Path file) throws IOException {
    List<String> args = new ArrayList<>();
    args.add("-Xmx512m");
    args.add("-XX:+UseSerialGC");
    args.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    args.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn");
    args.add("-cp");
    String cp = String.join(File.pathSeparator, KafkaBroker.classpath());
    args.add("\"" + cp.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    return Files.write(file, args, StandardCharsets.UTF_8);
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  // ------------------------------------------------------------------ telemetry

  private static Store.Config config() {
    return new Store.Config(Duration.ofHours(1), Clock.systemUTC());
  }

}
