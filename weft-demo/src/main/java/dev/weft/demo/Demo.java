package dev.weft.demo;

import dev.weft.kafka.KafkaTelemetrySink;
import dev.weft.server.api.ApiConfig;
import dev.weft.server.api.ApiServer;
import dev.weft.server.collector.KafkaCollector;
import dev.weft.server.store.Store;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Everything {@code ./weft demo} runs, in this process: an embedded Kafka broker, the Weft server (store, Kafka
 * collector and HTTP API, wired as {@code weft server --kafka} wires them) and the simulated {@link Shop}.
 *
 * <p>The data directory holds this run's store ({@code weft.duckdb}), the broker's log ({@code kafka/}), the catalog's
 * event store ({@code catalog.mv.db}) and the pricing state ({@code streams/}). Each run starts from a clean slate: it
 * deletes those (and only those) entries left by the previous run, under a lock that keeps two demos out of one
 * directory. The store stays after the run, so {@code ./weft server --data DIR} can browse it later.
 */
final class Demo implements AutoCloseable {
  static final String STORE_FILE = "weft.duckdb";
  static final String TELEMETRY_TOPIC = KafkaTelemetrySink.DEFAULT_TOPIC;
  /** What a previous run left in the data directory; nothing else there is touched. */
  private static final List<String> OWNED = List.of(STORE_FILE, STORE_FILE + ".wal", "kafka", "streams",
      "catalog.mv.db", "catalog.trace.db");

  private final Path dataDir;
  private final DemoConfig config;
  private FileChannel lockChannel;
  private FileLock lock;
  private EmbeddedKafka kafka;
  private Store store;
  private ApiServer api;
  private KafkaCollector collector;
  private Shop shop;
  private boolean shopStopped;
  private boolean closed;

  private Demo(Path dataDir, DemoConfig config) {
    this.dataDir = dataDir.toAbsolutePath();
    this.config = config;
  }

  /** Starts the broker, the server and the shop's services (traffic starts with {@link Shop#startTraffic()}). */
  static Demo start(DemoConfig config, Path dataDir, PrintStream log) throws Exception {
    Demo d = new Demo(dataDir, config);
    try {
      Phases phases = new Phases(log);
      d.lockAndClean();
      checkPortFree(config.port()); // before the broker's start-up, so that a busy port is reported at once
      d.kafka = EmbeddedKafka.start(d.dataDir.resolve("kafka"));
      phases.done("broker");
      d.store = Store.open(d.dataDir.resolve(STORE_FILE), new Store.Config(config.abandonAfter(), Clock.systemUTC()));
      try {
        d.api = ApiServer.start(d.store, new ApiConfig(ApiConfig.DEFAULT_BIND, config.port(), null,
            ApiConfig.DEFAULT_MAX_BODY));
      } catch (RuntimeException e) {
        throw new DemoException("cannot listen on 127.0.0.1:" + config.port() + " (" + e.getMessage()
            + "); is a Weft server or another demo running? Try --port", e);
      }
      phases.done("store and API");
      Map<String, Integer> topics = new HashMap<>(Shop.TOPICS);
      topics.put(TELEMETRY_TOPIC, 3);
      d.kafka.createTopics(topics);
      // Smaller batches than the server's default: one poll is one store transaction, and the API waits for it.
      d.collector = KafkaCollector.start(d.store, new KafkaCollector.Config(d.kafka.bootstrapServers(),
          TELEMETRY_TOPIC, "weft-server", Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500)));
      phases.done("topics and collector");
      d.shop = Shop.start(config, d.kafka.bootstrapServers(), d.dataDir, log);
      phases.done("shop");
      return d;
    } catch (Exception | Error e) {
      d.close();
      throw e;
    }
  }

  /** With {@code -Dweft.demo.timing=true}, prints how long each start-up phase took (to tune start-up). */
  private static final class Phases {
    private final PrintStream log;
    private final boolean on = Boolean.getBoolean("weft.demo.timing");
    private long last = System.nanoTime();

    Phases(PrintStream log) {
      this.log = log;
    }

    void done(String phase) {
      long now = System.nanoTime();
      if (on) log.printf(java.util.Locale.ROOT, "weft demo: %s started in %.2f s%n", phase, (now - last) / 1e9);
      last = now;
    }
  }

  /** Thrown for a problem the user can fix (a port in use, a data directory in use). */
  static final class DemoException extends RuntimeException {
    DemoException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  Shop shop() {
    return shop;
  }

  DemoConfig config() {
    return config;
  }

  Path dataDir() {
    return dataDir;
  }

  /** The server's base URL, e.g. {@code http://127.0.0.1:9797}. */
  String serverUrl() {
    return "http://127.0.0.1:" + api.port();
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  KafkaCollector.Stats collectorStats() {
    return collector.stats();
  }

  /**
   * Waits until the collector has stored at least {@code events} events and read its topic to the end. Returns false
   * on timeout.
   */
  boolean awaitStored(long events, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      KafkaCollector.Stats s = collector.stats();
      if (s.eventsIngested() >= events && s.lag() == 0) return true;
      Thread.sleep(100);
    }
    return false;
  }

  private static void checkPortFree(int port) {
    if (port == 0) return;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (IOException e) {
      throw new DemoException("port " + port + " on 127.0.0.1 is in use; is a Weft server or another demo running?"
          + " Try --port", e);
    }
  }

  private void lockAndClean() throws IOException {
    Files.createDirectories(dataDir);
    lockChannel = FileChannel.open(dataDir.resolve("demo.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw new DemoException("another weft demo is using " + dataDir + "; stop it or pass another --data", null);
    }
    for (String name : OWNED) deleteTree(dataDir.resolve(name));
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) return;
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear the previous run's " + root, e);
    }
  }

  /**
   * Stops the shop: its traffic, its services, and its telemetry sink, which delivers what it holds first. Then waits
   * (up to 10 s) for the collector to store what reached the topic. The server keeps answering.
   */
  synchronized void stopShop() {
    if (shop == null || shopStopped) return;
    shopStopped = true;
    try {
      shop.stopTraffic();
      shop.close();
      if (collector != null) awaitStored(shop.telemetry().exported(), Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      System.err.println("weft demo: stopping the shop: " + e);
    }
  }

  /** Stops the shop (see {@link #stopShop()}), then the server and the broker. Safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    stopShop();
    if (collector != null) collector.close();
    if (api != null) api.close();
    if (store != null) store.close();
    if (kafka != null) kafka.close();
    try {
      if (lock != null) lock.release();
      if (lockChannel != null) lockChannel.close();
    } catch (IOException e) {
      // the lock goes with the process anyway
    }
  }
}
