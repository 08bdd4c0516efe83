package dev.weft.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.core.Ids;
import dev.weft.core.Limits;
import dev.weft.core.Result;
import dev.weft.core.event.EventError;
import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.server.query.Query;
import dev.weft.server.query.QueryException;
import dev.weft.server.store.Store;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API over a {@link Store}: ingest, search, traces, autocomplete lists, health and metrics. See
 * {@code docs/http-api.md}.
 *
 * <p>Every refusal is a JSON object with an {@code error} message; no stack trace ever reaches a client. A refused
 * ingest stores nothing: the batch is parsed and validated completely before the store sees it, and the store writes
 * it in one transaction.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  /** Default and largest {@code limit} of a search. */
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;
  /** Most values returned by {@code tags/{key}/values}. */
  public static final int TAG_VALUES_LIMIT = 100;

  private static final String ERROR_ATTR = "weft.error";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Store store;
  private final ApiConfig config;
  private final byte[] tokenDigest;
  private final Metrics metrics = new Metrics();
  private final Javalin app;
  private final EventTail tail;
  private final SavedQueries savedQueries;
  private final UiAssets ui;

  /** Most concurrent live tails ({@code GET events} with {@code Accept: text/event-stream}); more get 503. */
  public static final int MAX_SSE_CLIENTS = 32;

  private ApiServer(Store store, ApiConfig config, SavedQueries savedQueries) {
    this.store = Objects.requireNonNull(store, "store");
    this.savedQueries = Objects.requireNonNull(savedQueries, "savedQueries");
    this.ui = UiAssets.load();
    this.config = Objects.requireNonNull(config, "config");
    this.tokenDigest = config.authToken() == null ? null : sha256(config.authToken());
    this.tail = new EventTail(store, MAX_SSE_CLIENTS);
    this.app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.http.maxRequestSize = config.maxBodyBytes();
      cfg.jetty.defaultHost = config.bind();
      cfg.jetty.defaultPort = config.port();
      // Jetty's own refusals (414, 431, a malformed path) in the API's JSON error shape
      cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
      cfg.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(new JsonErrorHandler()));
    });
    routes();
  }

  /** Starts a server on {@code config.bind():config.port()}. The caller keeps ownership of the store. */
  public static ApiServer start(Store store, ApiConfig config) {
    return start(store, config, SavedQueries.inMemory());
  }

  /** As {@link #start(Store, ApiConfig)}, with the saved queries of the UI's dashboards kept in {@code saved}. */
  public static ApiServer start(Store store, ApiConfig config, SavedQueries saved) {
    ApiServer s = new ApiServer(store, config, saved);
    s.app.start();
    return s;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return app.port();
  }

  public ApiConfig config() {
    return config;
  }

  /** Live tails currently connected. */
  int activeTails() {
    return tail.active();
  }

  @Override
  public void close() {
    tail.close();
    app.stop();
  }

  // ------------------------------------------------------------------ routes

  private void routes() {
    app.before("/api/v1/*", this::authorize);
    app.before("/metrics", this::authorize);

    app.get("/health", ctx -> ctx.json(Map.of("status", "ok")));
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
        .result(metrics.render(store)));
    app.post("/api/v1/events", this::ingest);
    app.get("/api/v1/events", this::events);
    app.get("/api/v1/search", this::search);
    app.get("/api/v1/traces/{id}", this::trace);
    app.get("/api/v1/services", ctx -> ctx.json(Map.of("services", store.services())));
    app.get("/api/v1/tags/{key}/values", this::tagValues);
    app.get("/api/v1/topology", this::topology);
    app.get("/api/v1/topology/declared", ctx -> ctx.json(store.topologyDrift()));
    new UiApi(store, savedQueries).routes(app);
    // the web UI: every other GET (registered last, so the API's routes win)
    app.get("/", ui::serve);
    app.get("/*", ui::serve);

    app.exception(ApiError.class, (e, ctx) -> fail(ctx, e));
    app.exception(Exception.class, (e, ctx) -> {
      LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
      if ("/api/v1/events".equals(ctx.path())) metrics.ingestRequest("error");
      fail(ctx, new ApiError(500, "internal error; see the server log"));
    });
    app.error(404, ctx -> {
      if (ctx.attribute(ERROR_ATTR) == null) {
        ctx.json(Map.of("error", "no such endpoint: " + ctx.method() + " " + clip(ctx.path(), 200)));
      }
    });
  }

  private static void fail(Context ctx, ApiError e) {
    ctx.attribute(ERROR_ATTR, Boolean.TRUE);
    if (e.status == 401) ctx.header("WWW-Authenticate", "Bearer realm=\"weft\"");
    ctx.status(e.status).json(e.body);
  }

  private void authorize(Context ctx) {
    if (tokenDigest == null) return;
    String h = ctx.header("Authorization");
    String token = null;
    if (h != null && h.length() > 7 && h.regionMatches(true, 0, "Bearer ", 0, 7)) token = h.substring(7).trim();
    // compare digests: constant time, and the token's length does not leak either
    if (token == null || !MessageDigest.isEqual(tokenDigest, sha256(token))) {
      if ("/api/v1/events".equals(ctx.path())) metrics.ingestRequest("unauthorized");
      throw new ApiError(401, h == null ? "missing Authorization header; expected 'Authorization: Bearer <token>'"
          : "invalid token");
    }
  }

  // ------------------------------------------------------------------ ingest

  private void ingest(Context ctx) throws IOException {
    String type = ctx.contentType();
    String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mime.equals("application/json") && !mime.equals("application/x-ndjson")) {
      metrics.ingestRequest("invalid");
      throw new ApiError(415, "unsupported Content-Type '" + clip(type == null ? "" : type, 100)
          + "'; expected application/json (an array of events) or application/x-ndjson (one event per line)");
    }
    long max = config.maxBodyBytes();
    long declared = ctx.req().getContentLengthLong();
    if (declared > max) throw tooLarge(max);
    byte[] bytes = readCapped(ctx.req().getInputStream(), max);
    if (bytes == null) throw tooLarge(max);
    String text;
    try {
      text = utf8(bytes);
    } catch (CharacterCodingException e) {
      metrics.ingestRequest("invalid");
      throw new ApiError(400, "request body is not valid UTF-8");
    }
    if (text.isBlank()) {
      metrics.ingestRequest("invalid");
      throw new ApiError(400, "empty body; expected a JSON array of events or NDJSON");
    }
    Result<List<TelemetryEvent>, EventError> parsed = EventJson.parseBatch(text);
    if (parsed instanceof Result.Err<List<TelemetryEvent>, EventError> err) {
      metrics.ingestRequest("invalid");
      EventError e = err.error();
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("index", e.index());
      extra.put("field", e.field());
      throw new ApiError(400, e.toString(), extra);
    }
    List<TelemetryEvent> batch = ((Result.Ok<List<TelemetryEvent>, EventError>) parsed).value();
    Store.IngestResult r = store.ingest(batch);
    metrics.ingestRequest("accepted");
    metrics.eventsIngested.add(r.accepted());
    metrics.duplicates.add(r.duplicates());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("accepted", r.accepted());
    body.put("duplicates", r.duplicates());
    ctx.status(202).json(body);
  }

  private ApiError tooLarge(long max) {
    metrics.ingestRequest("too_large");
    return new ApiError(413, "request body larger than " + max + " bytes; send smaller batches",
        Map.of("max_bytes", max));
  }

  /**
   * A request body as text: malformed UTF-8 is refused, not replaced with U+FFFD, so an event is never stored with
   * characters it did not have. Public for the server bench's ingest control, which decodes as the server does.
   */
  public static String utf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
  }

  /** Reads at most {@code max} bytes; {@code null} if the stream has more. Never buffers more than max + 1. */
  static byte[] readCapped(InputStream in, long max) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(max, 64 * 1024));
    byte[] buf = new byte[16 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buf, 0, (int) Math.min(buf.length, max + 1 - total))) > 0) {
      total += n;
      if (total > max) return null;
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  // ------------------------------------------------------------------ reads

  /** Parses a query parameter; a bad query is a 400 naming its position. */
  private static Query parseQuery(String q) {
    try {
      return Query.parse(q);
    } catch (QueryException e) {
      throw ApiError.badQuery(e);
    }
  }

  private void search(Context ctx) {
    long t0 = System.nanoTime();
    String q = ctx.queryParam("q");
    if (q == null) throw new ApiError(400, "missing parameter q; expected a query such as op=UpdateInventory");
    int limit = limit(ctx.queryParam("limit"));
    Query query = parseQuery(q);
    List<Store.OpRow> rows = store.search(query, limit);
    metrics.searchLatency(System.nanoTime() - t0);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", query.format());
    body.put("limit", limit);
    body.put("count", rows.size());
    body.put("operations", UiApi.withDetails(store, rows));
    ctx.json(body);
  }

  private static int limit(String text) {
    if (text == null) return DEFAULT_LIMIT;
    int v;
    try {
      v = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new ApiError(400, "bad limit '" + clip(text, 40) + "'; expected a whole number from 1 to " + MAX_LIMIT);
    }
    if (v < 1 || v > MAX_LIMIT) {
      throw new ApiError(400, "bad limit " + v + "; expected a whole number from 1 to " + MAX_LIMIT);
    }
    return v;
  }

  private void trace(Context ctx) {
    String raw = ctx.pathParam("id");
    String id = Ids.normalize(raw);
    if (id == null) {
      throw new ApiError(400, "not a trace id: '" + clip(raw, 80)
          + "'; expected 32 hexadecimal characters or a GUID");
    }
    Store.TraceView v = store.trace(id);
    if (v.operations().isEmpty() && v.messages().isEmpty() && v.events().isEmpty()) {
      throw new ApiError(404, "no trace " + id);
    }
    List<Map<String, Object>> events = new ArrayList<>(v.events().size());
    for (Store.EventRow e : v.events()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("eventId", e.eventId());
      m.put("ticks", e.ticks());
      m.put("eventType", e.eventType());
      m.put("service", e.service());
      m.put("opId", e.opId());
      m.put("event", tree(e.json()));
      events.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("traceId", v.traceId());
    body.put("operations", v.operations());
    body.put("messages", v.messages());
    body.put("edges", v.edges());
    body.put("events", events);
    body.put("linkedTraces", v.linkedTraces());
    body.put("criticalPath", dev.weft.server.store.CriticalPath.of(v));
    ctx.json(body);
  }

  private static JsonNode tree(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("stored event is not JSON", e);
    }
  }

  private void tagValues(Context ctx) {
    String key = ctx.pathParam("key");
    if (!Limits.isTagKey(key)) {
      throw new ApiError(400, "not a tag key: '" + clip(key, 80) + "'; expected 1 to " + Limits.MAX_TAG_KEY_LENGTH
          + " characters of letters, digits and _ . - :");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("key", key);
    body.put("values", store.tagValues(key, TAG_VALUES_LIMIT));
    ctx.json(body);
  }

  // ------------------------------------------------------------------ event log

  private static final java.util.regex.Pattern CURSOR = java.util.regex.Pattern.compile("-1|\\d{1,18}");

  /**
   * {@code GET events?q=&since=&limit=}: a page of the log, newest first; with {@code Accept: text/event-stream} a
   * live tail over Server-Sent Events.
   */
  private void events(Context ctx) {
    String q = ctx.queryParam("q");
    dev.weft.server.store.EventFilter filter = dev.weft.server.store.EventFilter.ALL;
    if (q != null && !q.isBlank()) {
      Query query = parseQuery(q);
      try {
        filter = dev.weft.server.store.EventFilter.of(query);
      } catch (dev.weft.server.store.EventFilter.UnsupportedKeyException e) {
        throw new ApiError(400, e.getMessage(), Map.of("key", e.key()));
      }
    }
    String sinceText = ctx.queryParam("since");
    boolean hasSince = sinceText != null && !sinceText.isBlank();
    long since = hasSince ? sinceTicks(sinceText.trim(), store.config().clock().instant()) : Long.MIN_VALUE;
    int limit = limit(ctx.queryParam("limit"));
    String accept = ctx.header("Accept");
    if (accept != null && accept.trim().equalsIgnoreCase("text/event-stream")) {
      liveTail(ctx, filter, hasSince ? since : null, limit);
      return;
    }
    List<Store.LogEntry> page = store.eventPage(filter, since, limit);
    List<JsonNode> events = new ArrayList<>(page.size());
    for (Store.LogEntry e : page) events.add(tree(e.json()));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", filter.text());
    body.put("since", hasSince ? since : null);
    body.put("limit", limit);
    body.put("count", events.size());
    body.put("cursor", store.lastEventCursor());
    body.put("events", events);
    ctx.json(body);
  }

  private void liveTail(Context ctx, dev.weft.server.store.EventFilter filter, Long since, int limit) {
    String last = ctx.header("Last-Event-ID");
    Long resume = null;
    if (last != null && !last.isBlank()) {
      if (!CURSOR.matcher(last.trim()).matches()) {
        throw new ApiError(400, "bad Last-Event-ID '" + clip(last, 40) + "'; expected a cursor sent by this server");
      }
      resume = Long.parseLong(last.trim());
    }
    long cursor;
    List<Store.LogEntry> backlog = new ArrayList<>();
    if (resume != null) {
      cursor = resume;
    } else {
      cursor = store.lastEventCursor();
      if (since != null) {
        // oldest first; entries past the cursor come through the tail itself
        for (Store.LogEntry e : store.eventPage(filter, since, limit)) {
          if (e.cursor() <= cursor) backlog.add(0, e);
        }
      }
    }
    if (!tail.reserve()) {
      throw new ApiError(503, "too many live tails (" + MAX_SSE_CLIENTS + "); try again later");
    }
    long start = cursor;
    try {
      new io.javalin.http.sse.SseHandler(0, client -> tail.serve(client, filter, backlog, start)).handle(ctx);
    } catch (RuntimeException e) {
      tail.release(); // the handler failed before it reached serve()
      throw e;
    }
  }

  // ------------------------------------------------------------------ topology

  /** Default window of {@code topology}: {@value}. */
  public static final String DEFAULT_SINCE = "24h";
  private static final java.util.regex.Pattern AGO =
      java.util.regex.Pattern.compile("(\\d{1,9}(?:\\.\\d{1,6})?)(ms|s|m|h|d)");

  private void topology(Context ctx) {
    String view = ctx.queryParam("view");
    if (view == null || view.isEmpty()) view = "services";
    String sinceText = ctx.queryParam("since");
    if (sinceText == null || sinceText.isBlank()) sinceText = DEFAULT_SINCE;
    java.time.Instant now = store.config().clock().instant();
    long since = sinceTicks(sinceText.trim(), now);
    String stepText = ctx.queryParam("step");
    if (!view.equals("services") && !view.equals("types")) {
      throw new ApiError(400, "bad view '" + clip(view, 40) + "'; expected services or types");
    }
    if (stepText == null || stepText.isBlank()) {
      ctx.json(view.equals("services") ? store.topologyServices(since) : store.topologyTypes(since));
      return;
    }
    long step = stepTicks(stepText.trim());
    long buckets = (dev.weft.core.Ticks.of(now) - since) / step + 1;
    if (buckets > MAX_BUCKETS) {
      throw new ApiError(400, "step '" + clip(stepText, 40) + "' makes " + buckets + " buckets; at most "
          + MAX_BUCKETS + ": use a longer step or a shorter since");
    }
    ctx.json(view.equals("services") ? store.topologyServiceSeries(since, step) : store.topologyTypeSeries(since, step));
  }

  /** Milliseconds of a duration unit of {@link #AGO}. */
  private static long unitMillis(String unit) {
    return switch (unit) {
      case "ms" -> 1L;
      case "s" -> 1_000L;
      case "m" -> 60_000L;
      case "h" -> 3_600_000L;
      default -> 86_400_000L;
    };
  }

  /** Most time buckets of one topology series. */
  static final int MAX_BUCKETS = 1_000;

  /** A bucket width such as 1m, 15m, 1h or 1d, in ticks; at least one millisecond. */
  static long stepTicks(String text) {
    java.util.regex.Matcher m = AGO.matcher(text);
    if (!m.matches()) {
      throw new ApiError(400, "bad step '" + clip(text, 40) + "'; expected a duration such as 1m, 15m, 1h or 1d");
    }
    long unitMillis = unitMillis(m.group(2));
    double millis = Double.parseDouble(m.group(1)) * unitMillis;
    if (!(millis >= 1) || millis > 3650d * 86_400_000L) {
      throw new ApiError(400, "bad step '" + clip(text, 40) + "'; expected between 1ms and 3650d");
    }
    return Math.round(millis) * 10_000L;
  }

  /**
   * {@code since}: a duration ago ({@code 90s}, {@code 15m}, {@code 1h}, {@code 7d}, {@code 250ms}; fractions
   * allowed) or an RFC 3339 instant ({@code 2024-05-01T12:00:00Z}), as ticks.
   */
  static long sinceTicks(String text, java.time.Instant now) {
    try {
      java.util.regex.Matcher m = AGO.matcher(text);
      if (m.matches()) {
        double amount = Double.parseDouble(m.group(1));
        long unitMillis = unitMillis(m.group(2));
        double millis = amount * unitMillis;
        if (millis > 3650d * 86_400_000L) throw new ApiError(400, "bad since '" + clip(text, 60)
            + "'; at most 3650d ago");
        return dev.weft.core.Ticks.of(now.minusMillis(Math.round(millis)));
      }
      java.time.Instant at = java.time.OffsetDateTime.parse(text).toInstant();
      if (at.getEpochSecond() < 0 || at.getEpochSecond() > 253_402_300_799L) {
        throw new ApiError(400, "bad since '" + clip(text, 60) + "'; expected a time between 1970 and 9999");
      }
      return dev.weft.core.Ticks.of(at);
    } catch (java.time.DateTimeException | ArithmeticException e) {
      throw new ApiError(400, "bad since '" + clip(text, 60)
          + "'; expected a duration ago such as 1h, 24h or 7d (units ms, s, m, h, d), or an RFC 3339 time such as"
          + " 2024-05-01T12:00:00Z");
    }
  }

  // ------------------------------------------------------------------ helpers

  private static String clip(String s, int max) {
    if (s == null) return "";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return s.length() > max ? b + "..." : b.toString();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
