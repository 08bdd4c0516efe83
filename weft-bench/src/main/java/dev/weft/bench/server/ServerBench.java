package dev.weft.bench.server;

import dev.weft.core.Result;
import dev.weft.core.event.EventError;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The server benchmark: the Weft server (its runnable jar, as a child JVM) against the Zipkin server (in-memory
 * storage, also a child JVM), fed the same shop flows over HTTP in the same run.
 *
 * <ol>
 *   <li>Generate the flows ({@link ShopWorkload}, spread over the last 24 hours) to files: Weft events as NDJSON
 *       batches, and the same flows as Zipkin v2 span batches (one span per operation and per sent message).
 *   <li>The ingest controls: the same POSTs to {@link ParseOnlyServer} (the server's HTTP stack and parser, nothing
 *       stored), and the parser alone on one thread.
 *   <li>Sustained ingest: two client threads POST the batches as fast as the server takes them. Weft answers 202 only
 *       after its store has committed the batch, so the rate is into the durable store.
 *   <li>Queries at the full size: a trace by id, the seed query, the 24-hour topology; p50/p99 over HTTP.
 *   <li>Freshness: new flows at half the measured rate; the time from sending a batch to its trace being returned by a
 *       trace query, p99.
 *   <li>Bytes on disk per event, after a clean stop.
 * </ol>
 *
 * Usage: {@code ServerBench --events N --batch N --weft-jar PATH --zipkin-jar PATH --work DIR}. See BENCHMARKS.md.
 */
public final class ServerBench {
  private static final PrintStream OUT = System.out;
  private static final long TICKS_PER_MS = 10_000;
  /** The seed of the generated flows: every run ingests the same ones. */
  private static final long WORKLOAD_SEED = 42;

  private long events = 10_000_000;
  private int batch = 5_000;
  private Path weftJar = Path.of("weft-server/target/weft-server.jar");
  private Path zipkinJar;
  private Path work = Path.of("weft-bench/target/server-bench");
  private boolean skipZipkin;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public static void main(String[] args) throws Exception {
    ServerBench b = new ServerBench();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--events" -> b.events = Long.parseLong(args[++i].replace("_", ""));
        case "--batch" -> b.batch = Integer.parseInt(args[++i]);
        case "--weft-jar" -> b.weftJar = Path.of(args[++i]);
        case "--zipkin-jar" -> b.zipkinJar = Path.of(args[++i]);
        case "--work" -> b.work = Path.of(args[++i]);
        case "--no-zipkin" -> b.skipZipkin = true;
        case "--help", "-h" -> {
          OUT.println("""
              Usage: ServerBench [--events N] [--batch N] [--weft-jar PATH] [--zipkin-jar PATH] [--work DIR] [--no-zipkin]
                --events N     events to ingest (default 10000000); Zipkin gets the same flows as spans
                --batch N      events per POST (default 5000)
                --weft-jar     the Weft server's runnable jar (default weft-server/target/weft-server.jar)
                --zipkin-jar   io.zipkin:zipkin-server:3.5.1:exec (./weft bench server downloads it)
                --work DIR     generated data, server data and logs (default weft-bench/target/server-bench)""");
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--help lists them)");
      }
    }
    b.run();
  }

  // ------------------------------------------------------------------ the run

  private record Generated(Path weftFile, Path zipkinFile, long events, long spans, long flows,
      List<String> sampleTraces) {}

  /**
   * One kind of query: p50 and p99 of the answered calls in milliseconds, how many were answered, and how many were
   * not (a peer's failed call is recorded, not fatal, so that one peer error cannot lose the whole run's figures).
   */
  private record Timing(double p50, double p99, int samples, int failures, String firstFailure) {
    static Timing single(double ms) {
      return new Timing(ms, ms, 1, 0, null);
    }

    String cell() {
      String answered = samples == 0 ? "no answer" : String.format("%.1f / %.1f ms (%d)", p50, p99, samples);
      return failures == 0 ? answered : answered + String.format("; %d failed: %s", failures, firstFailure);
    }
  }

  /**
   * The ingest controls: the same POSTs to {@link ParseOnlyServer} (the server's HTTP stack and parser, nothing
   * stored), and the parser alone on one thread in this process. Both in events per second.
   */
  private record Controls(double parseOnlyServer, double parserAlone) {}

  private record Figures(long items, long flows, double seconds, Map<String, Timing> queries,
      double freshnessP50, double freshnessP99, long diskBytes) {
    double itemsPerSecond() {
      return items / seconds;
    }

    double flowsPerSecond() {
      return flows / seconds;
    }
  }

  private void run() throws Exception {
    Files.createDirectories(work);
    Generated g = generate();
    Controls controls = new Controls(g.events() / runParseOnly(g), parserAlone(g));
    Figures weft = runWeft(g);
    Figures zipkin = null;
    String zipkinFailure = null;
    if (!skipZipkin && zipkinJar != null) {
      try {
        zipkin = runZipkin(g);
      } catch (Exception e) {
        // the peer failing must not lose Weft's figures: record it in the report instead
        zipkinFailure = String.valueOf(e.getMessage());
        OUT.println("Zipkin failed: " + zipkinFailure);
      }
    }
    String md = report(g, controls, weft, zipkin, zipkinFailure);
    Files.writeString(work.resolve("server-bench.md"), md);
    OUT.println();
    OUT.println(md);
  }

  // ------------------------------------------------------------------ workload

  private Generated generate() throws IOException {
    Path weftFile = work.resolve("weft-events.ndjson");
    Path zipkinFile = work.resolve("zipkin-spans.jsonl");
    long now = System.currentTimeMillis() * TICKS_PER_MS;
    // The flows must end before "now - 10 minutes": the step comes from the number of flows the events make, counted
    // on a sample of this seed's flows (19.2 events a flow; a fixed guess of 22 once put the last 3 hours in the
    // future), with 2 % to spare.
    long flowsEstimate = Math.max(1, (long) Math.ceil(events / eventsPerFlow(WORKLOAD_SEED, 2_000) * 1.02));
    long window = 24L * 3600 * 1000 * TICKS_PER_MS;
    // leave the last 10 minutes free for the freshness flows
    long start = now - window;
    long step = Math.max(1, (window - 10L * 60 * 1000 * TICKS_PER_MS) / flowsEstimate);
    ShopWorkload w = new ShopWorkload(WORKLOAD_SEED, start, step);
    List<String> sample = new ArrayList<>();
    long n = 0;
    long spans = 0;
    long flows = 0;
    Progress p = new Progress("generate", events);
    try (BufferedWriter we = Files.newBufferedWriter(weftFile); BufferedWriter ze = Files.newBufferedWriter(zipkinFile)) {
      StringBuilder sb = new StringBuilder(1024);
      int inBatch = 0;
      StringBuilder spanBatch = new StringBuilder(1 << 20);
      while (n < events) {
        ShopWorkload.Flow f = w.next();
        flows++;
        if (flows % 997 == 0) sample.add(f.traceId());
        for (TelemetryEvent e : f.events()) {
          sb.setLength(0);
          EventJson.write(e, sb);
          we.append(sb).append('\n');
          n++;
          if (++inBatch == batch) {
            we.append('\n'); // an empty line ends a batch in this file
            inBatch = 0;
          }
        }
        for (ShopWorkload.Span s : f.spans()) {
          spanBatch.append(spanBatch.length() == 0 ? '[' : ',');
          zipkinSpan(spanBatch, s);
          spans++;
        }
        // Zipkin batches carry the same flows as a Weft batch: about batch/22 flows
        if (spanBatch.length() > 0 && flows % Math.max(1, batch / 22) == 0) {
          ze.append(spanBatch).append("]\n");
          spanBatch.setLength(0);
        }
        p.update(n);
      }
      if (spanBatch.length() > 0) ze.append(spanBatch).append("]\n");
    }
    p.done();
    return new Generated(weftFile, zipkinFile, n, spans, flows, sample);
  }

  /** The mean events per flow of the first {@code flows} flows of the workload with {@code seed}. */
  static double eventsPerFlow(long seed, int flows) {
    ShopWorkload w = new ShopWorkload(seed, 0, 1);
    long n = 0;
    for (int i = 0; i < flows; i++) n += w.next().events().size();
    return (double) n / flows;
  }

  private static void zipkinSpan(StringBuilder sb, ShopWorkload.Span s) {
    sb.append("{\"traceId\":\"").append(s.traceId()).append("\",\"id\":\"").append(s.id()).append('"');
    if (s.parentId() != null) sb.append(",\"parentId\":\"").append(s.parentId()).append('"');
    sb.append(",\"name\":\"").append(s.name().toLowerCase(Locale.ROOT)).append('"');
    if (s.kind() != null) sb.append(",\"kind\":\"").append(s.kind()).append('"');
    sb.append(",\"timestamp\":").append(s.timestampMicros()).append(",\"duration\":").append(Math.max(1, s.durationMicros()));
    sb.append(",\"localEndpoint\":{\"serviceName\":\"").append(s.service()).append("\"}");
    if (!s.tags().isEmpty()) {
      sb.append(",\"tags\":{");
      boolean first = true;
      for (Map.Entry<String, String> t : s.tags().entrySet()) {
        if (!first) sb.append(',');
        first = false;
        sb.append('"').append(t.getKey()).append("\":\"").append(t.getValue()).append('"');
      }
      sb.append('}');
    }
    sb.append('}');
  }

  // ------------------------------------------------------------------ controls

  /**
   * The same batches, from the same two client threads, to {@link ParseOnlyServer} as a child JVM with Weft's heap:
   * the rate this machine allows for this API with no store behind it. Returns the seconds.
   */
  private double runParseOnly(Generated g) throws Exception {
    int port = freePort();
    OUT.println("Control: the server's HTTP stack and event parser, nothing stored, on 127.0.0.1:" + port);
    Process server = new ProcessBuilder("java", "-Xms2g", "-Xmx6g", "-cp", System.getProperty("java.class.path"),
        ParseOnlyServer.class.getName(), Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(work.resolve("parse-only-server.log").toFile()).start();
    try {
      awaitHealth("http://127.0.0.1:" + port + "/health", server);
      return ingest(g.weftFile(), g.events(), "http://127.0.0.1:" + port + "/api/v1/events", "application/x-ndjson",
          true);
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  /**
   * The event parser alone, on this thread: up to 1,000,000 events of the batch file, each batch parsed as the
   * server parses a POST body, after one warm-up pass over the first tenth. Returns events per second.
   */
  private double parserAlone(Generated g) throws IOException {
    long limit = Math.min(g.events(), 1_000_000);
    List<String> bodies = new ArrayList<>();
    long n = 0;
    try (BufferedReader in = Files.newBufferedReader(g.weftFile())) {
      StringBuilder sb = new StringBuilder();
      int count;
      while (n < limit && (count = nextBatch(in, sb)) > 0) {
        bodies.add(sb.toString());
        n += count;
      }
    }
    for (int i = 0; i < Math.max(1, bodies.size() / 10); i++) EventJson.parseBatch(bodies.get(i));
    long parsed = 0;
    long t0 = System.nanoTime();
    for (String body : bodies) {
      if (EventJson.parseBatch(body) instanceof Result.Ok<List<TelemetryEvent>, EventError> ok) {
        parsed += ok.value().size();
      } else {
        throw new IllegalStateException("the generated batch does not parse");
      }
    }
    double rate = parsed / ((System.nanoTime() - t0) / 1e9);
    OUT.printf("Control: the event parser alone, one thread: %,d events at %,.0f/s%n", parsed, rate);
    return rate;
  }

  // ------------------------------------------------------------------ Weft

  private Figures runWeft(Generated g) throws Exception {
    Path data = work.resolve("weft-data");
    deleteTree(data);
    int port = freePort();
    OUT.println("Weft server on 127.0.0.1:" + port + ", data in " + data);
    Process server = new ProcessBuilder("java", "-Xms2g", "-Xmx6g", "-jar", weftJar.toString(), "server",
        "--port", Integer.toString(port), "--data", data.toString(), "--max-body", "64MiB")
        .redirectErrorStream(true).redirectOutput(work.resolve("weft-server.log").toFile()).start();
    String base = "http://127.0.0.1:" + port;
    try {
      awaitHealth(base + "/health", server);
      double seconds = ingest(g.weftFile(), g.events(), base + "/api/v1/events", "application/x-ndjson", true);
      Map<String, Timing> q = new LinkedHashMap<>();
      SplittableRandom r = new SplittableRandom(7);
      q.put("trace by id", latencies(200, true, () -> base + "/api/v1/traces/"
          + g.sampleTraces().get(r.nextInt(g.sampleTraces().size()))));
      q.put("seed query", latencies(100, true, () -> base + "/api/v1/search?limit=100&q=" + enc(
          "op=UpdateInventory status=failed merchant_id=" + ShopWorkload.badMerchant(r.nextInt(1000)))));
      String topology = base + "/api/v1/topology?view=services&since=24h";
      long t0 = System.nanoTime();
      if (get(topology).statusCode() != 200) throw new IllegalStateException("topology failed");
      double first = (System.nanoTime() - t0) / 1e6;
      q.put("topology, 24 h", latencies(20, true, () -> topology));
      q.put("topology, 24 h, first read after ingest", Timing.single(first));
      double[] fresh = freshness(base, g.events() / seconds / 2, 99);
      q.put("topology, 24 h, under ingest (dashboard)", topologyUnderIngest(base, topology, g.events() / seconds / 2,
          100));
      // the other view, by message type, as the UI's toggle shows it: settled, then under ingest
      String byType = base + "/api/v1/topology?view=types&since=24h";
      q.put("topology by type, 24 h", latencies(20, true, () -> byType));
      q.put("topology by type, 24 h, under ingest (dashboard)", topologyUnderIngest(base, byType,
          g.events() / seconds / 2, 102));
      stop(server);
      long disk = treeSize(data);
      return new Figures(g.events(), g.flows(), seconds, q, fresh[0], fresh[1], disk);
    } finally {
      server.destroyForcibly();
    }
  }

  /**
   * A dashboard open during live ingest: {@link #freshness} runs again, with the flows of {@code seed}, while another
   * thread reads {@code topology} once a second. Returns its p50, p99 and sample count (ms), and prints the freshness
   * it saw meanwhile.
   */
  private Timing topologyUnderIngest(String base, String topology, double rate, long seed) throws Exception {
    List<Double> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
    Thread poller = new Thread(() -> {
      while (!stop.get()) {
        long t0 = System.nanoTime();
        try {
          HttpResponse<String> r = get(topology);
          if (r.statusCode() != 200) throw new IllegalStateException("topology: " + r.statusCode() + " " + clip(r.body()));
          samples.add((System.nanoTime() - t0) / 1e6);
          Thread.sleep(Math.max(0, 1000 - (System.nanoTime() - t0) / 1_000_000));
        } catch (Exception e) {
          failure.set(e);
          return;
        }
      }
    }, "dashboard");
    OUT.println("topology under ingest: the freshness run again, with " + topology + " read once a second");
    poller.start();
    double[] fresh = freshness(base, rate, seed); // other flows than the other runs'
    stop.set(true);
    poller.join();
    if (failure.get() != null) throw failure.get();
    double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    OUT.printf("  %d topology reads, p50 %.1f ms, p99 %.1f ms; freshness meanwhile p50 %.0f ms, p99 %.0f ms%n",
        s.length, pct(s, 0.5), pct(s, 0.99), fresh[0], fresh[1]);
    return new Timing(pct(s, 0.5), pct(s, 0.99), s.length, 0, null);
  }

  /**
   * New flows at {@code rate} events/s for 15 s, one POST per batch; each batch's first trace is then polled until
   * a trace query returns it. Returns p50 and p99 of send → visible, in milliseconds.
   */
  private double[] freshness(String base, double rate, long seed) throws Exception {
    OUT.printf("freshness at %,.0f events/s (half the measured rate) for 15 s%n", rate);
    ShopWorkload w = new ShopWorkload(seed, System.currentTimeMillis() * TICKS_PER_MS, 10_000);
    List<Double> samples = new ArrayList<>();
    long end = System.nanoTime() + 15_000_000_000L;
    int perPost = (int) Math.max(22, Math.min(batch, rate / 10)); // ten POSTs a second
    long interval = (long) (perPost / rate * 1e9);
    long next = System.nanoTime();
    while (System.nanoTime() < end) {
      StringBuilder body = new StringBuilder();
      String trace = null;
      int n = 0;
      while (n < perPost) {
        ShopWorkload.Flow f = w.next();
        if (trace == null) trace = f.traceId();
        for (TelemetryEvent e : f.events()) {
          EventJson.write(e, body);
          body.append('\n');
          n++;
        }
      }
      while (System.nanoTime() < next) Thread.onSpinWait();
      next += interval;
      long t0 = System.nanoTime();
      post(base + "/api/v1/events", "application/x-ndjson", body.toString().getBytes(StandardCharsets.UTF_8));
      while (true) {
        HttpResponse<String> r = get(base + "/api/v1/traces/" + trace);
        if (r.statusCode() == 200 && r.body().contains("\"operations\":[{")) break;
        if (System.nanoTime() - t0 > 30_000_000_000L) {
          throw new IllegalStateException("trace " + trace + " never became visible: " + r.statusCode() + " "
              + clip(r.body()));
        }
      }
      samples.add((System.nanoTime() - t0) / 1e6);
    }
    double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new double[] {pct(s, 0.5), pct(s, 0.99)};
  }

  // ------------------------------------------------------------------ Zipkin

  private Figures runZipkin(Generated g) throws Exception {
    int port = freePort();
    OUT.println("Zipkin server on 127.0.0.1:" + port + " (in-memory storage)");
    ProcessBuilder pb = new ProcessBuilder("java", "-Xms2g", "-Xmx12g", "-jar", zipkinJar.toString())
        .redirectErrorStream(true).redirectOutput(work.resolve("zipkin-server.log").toFile());
    pb.environment().put("STORAGE_TYPE", "mem");
    pb.environment().put("MEM_MAX_SPANS", Long.toString(g.spans() + 1_000));
    pb.environment().put("QUERY_PORT", Integer.toString(port));
    pb.environment().put("COLLECTOR_KAFKA_ENABLED", "false");
    pb.environment().put("SERVER_ADDRESS", "127.0.0.1"); // loopback only, like Weft
    Process server = pb.start();
    String base = "http://127.0.0.1:" + port;
    try {
      awaitHealth(base + "/health", server);
      double seconds = ingest(g.zipkinFile(), g.spans(), base + "/api/v2/spans", "application/json", false);
      Map<String, Timing> q = new LinkedHashMap<>();
      SplittableRandom r = new SplittableRandom(7);
      long endTs = System.currentTimeMillis();
      q.put("trace by id", latencies(200, false, () -> base + "/api/v2/trace/"
          + g.sampleTraces().get(r.nextInt(g.sampleTraces().size()))));
      q.put("seed query", latencies(100, false, () -> base + "/api/v2/traces?serviceName=inventory&spanName=updateinventory"
          + "&limit=100&endTs=" + endTs + "&lookback=" + 2 * 86_400_000L + "&annotationQuery=" + enc(
          "merchant_id=" + ShopWorkload.badMerchant(r.nextInt(1000)) + " and error")));
      q.put("topology, 24 h", latencies(20, false, () -> base + "/api/v2/dependencies?endTs=" + endTs + "&lookback="
          + 86_400_000L));
      return new Figures(g.spans(), g.flows(), seconds, q, Double.NaN, Double.NaN, -1);
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  // ------------------------------------------------------------------ HTTP

  /**
   * POSTs every batch of {@code file} (NDJSON batches separated by an empty line, or one JSON array per line) from
   * two threads; returns the seconds from the first send to the last answer.
   */
  private double ingest(Path file, long items, String url, String type, boolean ndjsonBatches) throws Exception {
    Progress p = new Progress("ingest " + url.substring(url.indexOf("/api")), items);
    AtomicLong done = new AtomicLong();
    Object lock = new Object();
    long t0 = System.nanoTime();
    try (BufferedReader in = Files.newBufferedReader(file)) {
      Runnable sender = () -> {
        try {
          while (true) {
            String body;
            int count;
            synchronized (lock) {
              if (ndjsonBatches) {
                StringBuilder sb = new StringBuilder(batch * 600);
                count = nextBatch(in, sb);
                body = count == 0 ? null : sb.toString();
              } else {
                body = in.readLine();
                count = body == null ? 0 : countSpans(body);
              }
            }
            if (body == null) return;
            post(url, type, body.getBytes(StandardCharsets.UTF_8));
            p.update(done.addAndGet(count));
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
      List<Thread> threads = new ArrayList<>();
      List<Throwable> errors = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Thread t = new Thread(sender, "sender-" + i);
        t.setUncaughtExceptionHandler((th, e) -> {
          synchronized (errors) {
            errors.add(e);
          }
        });
        t.start();
        threads.add(t);
      }
      for (Thread t : threads) t.join();
      if (!errors.isEmpty()) throw new IllegalStateException("ingest failed", errors.get(0));
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    p.done();
    OUT.printf("  %,d items in %.1f s: %,.0f/s%n", done.get(), seconds, done.get() / seconds);
    return seconds;
  }

  /**
   * Reads the next NDJSON batch of the Weft file (its lines up to an empty line or the end) into {@code sb}, which is
   * cleared first. Returns its events; 0 at the end.
   */
  private static int nextBatch(BufferedReader in, StringBuilder sb) throws IOException {
    sb.setLength(0);
    int count = 0;
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      sb.append(line).append('\n');
      count++;
    }
    return count;
  }

  private static int countSpans(String jsonArray) {
    int n = 0;
    for (int i = jsonArray.indexOf("\"traceId\""); i >= 0; i = jsonArray.indexOf("\"traceId\"", i + 1)) n++;
    return n;
  }

  private void post(String url, String type, byte[] body) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
        .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) {
      throw new IllegalStateException("POST " + url + " answered " + r.statusCode() + ": " + clip(r.body()));
    }
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The longest one kind of query is timed; a slow server gets fewer samples rather than an endless run. */
  static final Duration QUERY_BUDGET = Duration.ofSeconds(90);

  /**
   * Up to {@code n} GETs (after 3 warm-up calls), each expected to answer 200. Stops early once {@link #QUERY_BUDGET}
   * has passed, with at least 5 calls. With {@code strict} (Weft's own queries) a failed call ends the run; otherwise
   * (the peer) it is counted and left out of the percentiles.
   */
  private Timing latencies(int n, boolean strict, java.util.function.Supplier<String> url) throws Exception {
    for (int i = 0; i < 3; i++) {
      try {
        get(url.get());
      } catch (IOException e) {
        if (strict) throw e;
      }
    }
    double[] t = new double[n];
    long deadline = System.nanoTime() + QUERY_BUDGET.toNanos();
    int answered = 0;
    int failed = 0;
    String firstFailure = null;
    while (answered + failed < n && (answered + failed < 5 || System.nanoTime() < deadline)) {
      String u = url.get();
      long t0 = System.nanoTime();
      String failure;
      try {
        HttpResponse<String> r = get(u);
        failure = r.statusCode() == 200 ? null : "HTTP " + r.statusCode();
      } catch (IOException e) {
        failure = e.getClass().getSimpleName();
      }
      double ms = (System.nanoTime() - t0) / 1e6;
      if (failure == null) {
        t[answered++] = ms;
        continue;
      }
      if (strict) throw new IllegalStateException("GET " + u + " answered " + failure);
      if (failed++ == 0) {
        firstFailure = failure;
        OUT.println("  GET " + u + " failed: " + failure + " (counted, not timed)");
      }
    }
    t = Arrays.copyOf(t, answered);
    Arrays.sort(t);
    if (answered + failed < n) {
      OUT.printf("  %d of %d calls within the %d s budget%n", answered + failed, n, QUERY_BUDGET.toSeconds());
    }
    return new Timing(pct(t, 0.5), pct(t, 0.99), answered, failed, firstFailure);
  }

  private void awaitHealth(String url, Process p) throws Exception {
    long end = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < end) {
      if (!p.isAlive()) throw new IllegalStateException("server exited with " + p.exitValue() + "; see " + work);
      try {
        if (get(url).statusCode() == 200) return;
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("server not healthy after 120 s: " + url);
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy(); // SIGTERM: the server closes its store, which checkpoints
    if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
  }

  // ------------------------------------------------------------------ report

  private String report(Generated g, Controls c, Figures w, Figures z, String zipkinFailure) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("Workload: %,d Weft events (%,d shop flows, %.1f events per flow) = %,d Zipkin spans; "
        + "batches of %,d events; server heap 6 GiB (Weft), 12 GiB (Zipkin).%n%n", g.events(), g.flows(),
        (double) g.events() / g.flows(), g.spans(), batch));
    sb.append("| figure | Weft | Zipkin | target |\n|---|---|---|---|\n");
    sb.append(String.format("| sustained ingest, events (spans) / s | %,.0f | %s | ≥ 300,000 |%n", w.itemsPerSecond(),
        z == null ? "—" : String.format("%,.0f spans/s", z.itemsPerSecond())));
    sb.append(String.format("| control: the same POSTs to the server's HTTP stack and parser, nothing stored"
        + " | %,.0f events/s (Weft = %.2f×) | — | — |%n", c.parseOnlyServer(), w.itemsPerSecond() / c.parseOnlyServer()));
    sb.append(String.format("| control: the event parser alone, one thread | %,.0f events/s | — | — |%n",
        c.parserAlone()));
    sb.append(String.format("| sustained ingest, shop flows / s | %,.0f | %s | Weft ≥ 2× Zipkin |%n",
        w.flowsPerSecond(), z == null ? "—" : String.format("%,.0f (Weft = %.2f×)", z.flowsPerSecond(),
            w.flowsPerSecond() / z.flowsPerSecond())));
    sb.append(String.format("| freshness p50 / p99 at half rate | %.0f / %.0f ms | — | p99 ≤ 1 s |%n",
        w.freshnessP50(), w.freshnessP99()));
    for (Map.Entry<String, Timing> q : w.queries().entrySet()) {
      String target = q.getKey().startsWith("trace") ? "≤ 5 ms" : q.getKey().startsWith("seed") ? "≤ 50 ms"
          : "≤ 100 ms";
      Timing zq = z == null ? null : z.queries().get(q.getKey());
      sb.append(String.format("| %s p50 / p99 (samples) | %s | %s | %s |%n", q.getKey(), q.getValue().cell(),
          zq == null ? "—" : zq.cell(), target));
    }
    sb.append(String.format("| bytes on disk per event | %.0f | in memory | ≤ 40 |%n",
        (double) w.diskBytes() / g.events()));
    if (zipkinFailure != null) sb.append("\nZipkin did not finish: ").append(zipkinFailure).append('\n');
    return sb.toString();
  }

  // ------------------------------------------------------------------ helpers

  private static double pct(double[] sorted, double p) {
    if (sorted.length == 0) return Double.NaN;
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String clip(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static long treeSize(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
    }
  }

  /** A one-line progress bar on stderr. */
  static final class Progress {
    private final String label;
    private final long total;
    private long lastPrint;

    Progress(String label, long total) {
      this.label = label;
      this.total = total;
    }

    synchronized void update(long done) {
      long now = System.nanoTime();
      if (now - lastPrint < 250_000_000L) return;
      lastPrint = now;
      int width = 30;
      int filled = (int) Math.min(width, width * done / Math.max(1, total));
      System.err.printf("\r%-28s [%s%s] %5.1f%% %,d", label, "#".repeat(filled), " ".repeat(width - filled),
          100.0 * done / Math.max(1, total), done);
    }

    void done() {
      lastPrint = 0;
      update(total);
      System.err.println();
    }
  }
}
