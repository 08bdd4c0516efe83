package dev.weft.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Kafka broker (KRaft, broker and controller in one server) running <b>inside</b> the demo's JVM, on
 * loopback ports chosen at start, with its log in a directory of the demo's data directory.
 *
 * <p>In-process rather than a child JVM: the demo is one process by design (one Ctrl-C stops everything, nothing can
 * be orphaned), and it saves a second JVM's start-up and class loading. See weft-demo/RATIONALE.md.
 */
final class EmbeddedKafka implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final int port;
  private final KafkaRaftServer server;
  private boolean closed;

  private EmbeddedKafka(int port, KafkaRaftServer server) {
    this.port = port;
    this.server = server;
  }

  /**
   * Formats {@code logDir} (a fresh directory, or one this class formatted before) and starts the broker; returns once
   * it answers requests.
   */
  static EmbeddedKafka start(Path logDir) throws IOException {
    Files.createDirectories(logDir);
    int port = freePort();
    int controllerPort = freePort();
    while (controllerPort == port) controllerPort = freePort();
    Map<String, String> c = config(logDir, port, controllerPort);
    Path file = logDir.resolve("server.properties");
    StringBuilder sb = new StringBuilder("# written by weft demo (dev.weft.demo.EmbeddedKafka)\n");
    c.forEach((k, v) -> sb.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
    Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);

    // KRaft needs the storage formatted with a cluster id before the first start.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc = kafka.tools.StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
        file.toString(), "--ignore-formatted"}, new PrintStream(out, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IOException("formatting the Kafka storage in " + logDir + " failed (" + rc + "): "
          + out.toString(StandardCharsets.UTF_8).trim());
    }
    Properties props = new Properties();
    props.putAll(c);
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    EmbeddedKafka k = new EmbeddedKafka(port, server);
    try {
      k.awaitReady();
    } catch (RuntimeException e) {
      k.close();
      throw e;
    }
    return k;
  }

  private static Map<String, String> config(Path logDir, int port, int controllerPort) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("process.roles", "broker,controller");
    c.put("node.id", "1");
    c.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    c.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    c.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    c.put("controller.listener.names", "CONTROLLER");
    c.put("inter.broker.listener.name", "PLAINTEXT");
    c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    c.put("log.dirs", logDir.toAbsolutePath().toString());
    c.put("num.partitions", "3");
    c.put("auto.create.topics.enable", "false"); // the demo creates its topics; a typo should fail, not create one
    c.put("offsets.topic.replication.factor", "1");
    c.put("offsets.topic.num.partitions", "3"); // the default 50 costs seconds of start-up on a small machine
    c.put("transaction.state.log.replication.factor", "1");
    c.put("transaction.state.log.min.isr", "1");
    c.put("transaction.state.log.num.partitions", "3");
    c.put("share.coordinator.state.topic.replication.factor", "1");
    c.put("share.coordinator.state.topic.min.isr", "1");
    c.put("group.initial.rebalance.delay.ms", "0"); // a restarted instance rejoins its group at once
    c.put("num.network.threads", "2");
    c.put("num.io.threads", "2");
    c.put("background.threads", "2");
    c.put("num.recovery.threads.per.data.dir", "1");
    c.put("num.replica.fetchers", "1");
    c.put("log.cleaner.threads", "1");
    c.put("log.cleaner.dedupe.buffer.size", "8388608");
    // The demo's topics are small; keep a run's log bounded on disk however long it runs.
    c.put("log.segment.bytes", "33554432");
    c.put("log.retention.bytes", "268435456");
    return c;
  }

  /** {@code 127.0.0.1:PORT}. */
  String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    return Admin.create(p);
  }

  /** Creates the topics (those that exist are left alone) and waits until they are. */
  void createTopics(Map<String, Integer> partitionsByTopic) {
    List<NewTopic> topics = new ArrayList<>();
    partitionsByTopic.forEach((t, n) -> topics.add(new NewTopic(t, n, (short) 1)));
    try (Admin admin = admin()) {
      for (var e : admin.createTopics(topics).values().entrySet()) {
        try {
          e.getValue().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException x) {
          if (!(x.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + x.getCause(), x);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("creating topics timed out", e);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Exception last = null;
    try (Admin admin = admin()) {
      while (System.nanoTime() < deadline) {
        try {
          if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) return;
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new IllegalStateException("the embedded Kafka broker was not ready within " + READY_TIMEOUT.toSeconds()
        + " s", last);
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    server.shutdown();
    server.awaitShutdown();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
