package dev.weft.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) for tests.
 *
 * <p>It runs in a <b>child JVM</b> built from this JVM's classpath, so a test can {@link #kill()} it like a crashed
 * broker and {@link #restart()} it on the same port and data directory, which an in-process broker cannot do
 * faithfully. It listens on 127.0.0.1 only, on free ports chosen at start, with a fresh temporary data directory; its
 * output goes to {@code target/kafka-broker-N.log}.
 *
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.start()) {
 *   props.put("bootstrap.servers", broker.bootstrapServers());
 *   ...
 * }
 * }</pre>
 *
 * Nothing here is thread-safe beyond what a test needs: start, stop, kill and restart are meant to be called from one
 * thread. A shutdown hook kills any broker still running when the test JVM exits, and the child halts itself if its
 * parent disappears, so no broker outlives a crashed test run.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static volatile KafkaBroker shared;

  private final int port;
  private final int controllerPort;
  private final Path dataDir;
  private final Path configFile;
  private final Path logFile;
  private final Path argFile;
  private final String clusterId;
  private final Thread reaper;
  private Process process;
  private boolean closed;

  private KafkaBroker(Map<String, String> overrides) throws IOException {
    this.port = freePort();
    int q = freePort();
    while (q == port) q = freePort();
    this.controllerPort = q;
    this.dataDir = Files.createTempDirectory("weft-kafka-");
    this.clusterId = Uuid.randomUuid().toString();
    Path workDir = Files.createTempDirectory("weft-kafka-conf-");
    this.configFile = workDir.resolve("server.properties");
    this.argFile = workDir.resolve("java.args");
    this.logFile = logDirectory().resolve("kafka-broker-" + ProcessHandle.current().pid() + "-"
        + COUNTER.incrementAndGet() + ".log");
    writeConfig(overrides);
    writeArgFile();
    this.reaper = new Thread(this::reap, "weft-kafka-broker-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Starts a broker with the default single-node settings and waits until it serves requests. */
  public static KafkaBroker start() {
    return builder().start();
  }

  /** Options for a broker. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * One broker shared by every test in this JVM, started on first use and killed when the JVM exits. Tests that stop,
   * kill or restart a broker must use their own from {@link #start()}.
   */
  public static synchronized KafkaBroker shared() {
    if (shared == null || !shared.isRunning()) shared = start();
    return shared;
  }

  /** Broker settings. */
  public static final class Builder {
    private final Map<String, String> overrides = new LinkedHashMap<>();

    private Builder() {}

    /** Sets one broker property, overriding the defaults (e.g. {@code num.partitions}). */
    public Builder property(String key, String value) {
      overrides.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    /** Starts the broker and waits until it is ready. */
    public KafkaBroker start() {
      try {
        KafkaBroker b = new KafkaBroker(overrides);
        b.launch();
        return b;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  // ------------------------------------------------------------------ public API

  /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. The port stays the same across restarts. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The client port. */
  public int port() {
    return port;
  }

  /** The broker's data directory (its {@code log.dirs}); kept across restarts, deleted by {@link #close()}. */
  public Path dataDirectory() {
    return dataDir;
  }

  /** The file the child JVM writes its output to. */
  public Path logFile() {
    return logFile;
  }

  /** True while the child process is alive. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the broker gracefully (SIGTERM, so Kafka runs its shutdown hook), waiting up to 30 s before killing it. */
  public synchronized void stop() {
    if (process == null) return;
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  /** Kills the broker at once (SIGKILL), as a crash would: for failure tests. */
  public synchronized void kill() {
    if (process == null) return;
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Starts the broker again on the same ports and data directory; stops it first if it is running. */
  public synchronized void restart() {
    if (closed) throw new IllegalStateException("broker closed");
    stop();
    launch();
  }

  /** Creates a topic (no error if it exists) and waits until it is created. */
  public void createTopic(String name, int partitions) {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw new IllegalStateException("createTopic " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("createTopic " + name + " timed out", e);
    }
  }

  /** An admin client for this broker; the caller closes it. */
  public Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    return Admin.create(p);
  }

  /** Stops the broker and deletes its data. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs anyway
    }
    deleteTree(dataDir);
    deleteTree(configFile.getParent());
  }

  @Override
  public String toString() {
    return "KafkaBroker{" + bootstrapServers() + ", log " + logFile + "}";
  }

  // ------------------------------------------------------------------ child process

  private synchronized void launch() {
    if (isRunning()) return;
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("@" + argFile); // the classpath can be long; an argument file keeps the command line short
    cmd.add(KafkaBrokerMain.class.getName());
    cmd.add(configFile.toString());
    cmd.add(clusterId);
    cmd.add(Long.toString(ProcessHandle.current().pid()));
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the broker JVM", e);
    }
    awaitReady();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Exception last = null;
    try (Admin admin = admin()) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the Kafka broker exited with " + process.exitValue() + "; log "
              + logFile + ":\n" + tail());
        }
        try {
          if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) return;
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    destroyQuietly();
    throw new IllegalStateException("the Kafka broker was not ready within " + READY_TIMEOUT.toSeconds()
        + " s; log " + logFile + ":\n" + tail(), last);
  }

  /** At JVM exit, for a broker nobody closed (such as {@link #shared()}): kill it and delete its data. */
  private void reap() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    deleteTree(dataDir);
    deleteTree(configFile.getParent());
  }

  private void destroyQuietly() {
    Process p = process;
    if (p != null) p.destroyForcibly();
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private void writeConfig(Map<String, String> overrides) throws IOException {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("process.roles", "broker,controller");
    c.put("node.id", "1");
    c.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    c.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    c.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    c.put("controller.listener.names", "CONTROLLER");
    c.put("inter.broker.listener.name", "PLAINTEXT");
    c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    c.put("log.dirs", dataDir.toString());
    c.put("num.partitions", "3");
    c.put("auto.create.topics.enable", "true");
    c.put("offsets.topic.replication.factor", "1");
    // fewer internal partitions: creating 50 offsets partitions costs seconds on a small machine
    c.put("offsets.topic.num.partitions", "5");
    c.put("transaction.state.log.replication.factor", "1");
    c.put("transaction.state.log.min.isr", "1");
    c.put("transaction.state.log.num.partitions", "5");
    c.put("share.coordinator.state.topic.replication.factor", "1");
    c.put("share.coordinator.state.topic.min.isr", "1");
    c.put("group.initial.rebalance.delay.ms", "0");
    // a restarted broker waits for its previous registration's session to expire (9 s by default): keep it short
    c.put("broker.session.timeout.ms", "2500");
    c.put("broker.heartbeat.interval.ms", "500");
    c.put("num.network.threads", "2");
    c.put("num.io.threads", "2");
    c.put("background.threads", "2");
    c.put("num.recovery.threads.per.data.dir", "1");
    c.put("log.cleaner.threads", "1");
    c.put("log.cleaner.dedupe.buffer.size", "8388608");
    c.putAll(overrides);
    StringBuilder sb = new StringBuilder("# written by dev.weft.testsupport.KafkaBroker\n");
    c.forEach((k, v) -> sb.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
    Files.writeString(configFile, sb.toString(), StandardCharsets.UTF_8);
  }

  private void writeArgFile() throws IOException {
    List<String> args = new ArrayList<>();
    args.add("-Xmx512m");
    args.add("-Xms64m");
    args.add("-XX:+UseSerialGC");
    args.add("-XX:TieredStopAtLevel=1"); // C1 only: the broker is up sooner, and tests never need peak throughput
    args.add("-Xss1m");
    args.add("-Djava.awt.headless=true");
    args.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    args.add("-Dorg.slf4j.simpleLogger.logFile=System.out");
    args.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    args.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn");
    args.add("-Dorg.slf4j.simpleLogger.log.kafka=warn");
    args.add("-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info");
    args.add("-cp");
    args.add(quote(String.join(File.pathSeparator, classpath())));
    Files.write(argFile, args, StandardCharsets.UTF_8);
  }

  /** Argument files treat spaces and backslashes specially; quote the one argument that may hold either. */
  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /**
   * The classpath of the test JVM, as real file paths, for starting child JVMs from it (the broker, or a server under
   * test). Surefire may run tests from a manifest-only jar whose {@code Class-Path} lists the real entries, and it also
   * publishes them as {@code surefire.test.class.path}. Fails if the Kafka broker is not on it.
   */
  public static List<String> classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path", "");
    List<String> out = new ArrayList<>();
    for (String entry : cp.split(File.pathSeparator)) {
      if (entry.isBlank()) continue;
      out.add(entry);
      out.addAll(manifestClassPath(entry));
    }
    if (out.stream().noneMatch(e -> e.contains("kafka_2.13")) && !hasClass(out)) {
      throw new IllegalStateException("the Kafka broker (org.apache.kafka:kafka_2.13) is not on the classpath: " + out);
    }
    return out;
  }

  private static boolean hasClass(List<String> entries) {
    return entries.stream().anyMatch(e -> Files.isRegularFile(Path.of(e, "kafka", "Kafka.class")));
  }

  private static List<String> manifestClassPath(String entry) {
    if (!entry.endsWith(".jar")) return List.of();
    File jar = new File(entry);
    if (!jar.isFile()) return List.of();
    try (JarFile jf = new JarFile(jar)) {
      Manifest m = jf.getManifest();
      String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
      if (cp == null || cp.isBlank()) return List.of();
      List<String> out = new ArrayList<>();
      URI base = jar.getParentFile().toURI();
      for (String rel : cp.trim().split("\\s+")) {
        try {
          out.add(new File(base.resolve(rel)).getPath());
        } catch (IllegalArgumentException e) {
          // not a file URI: skip it
        }
      }
      return out;
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Path logDirectory() throws IOException {
    String configured = System.getProperty("weft.kafka.logDir");
    Path dir = configured != null ? Path.of(configured) : Path.of("target");
    if (configured == null && !Files.isDirectory(dir)) dir = Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(dir);
    return dir.toAbsolutePath();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) return;
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a leftover temp dir is not worth failing a test for
    }
  }
}
