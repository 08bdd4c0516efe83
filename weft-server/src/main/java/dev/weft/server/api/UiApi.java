package dev.weft.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.server.query.QueryException;
import dev.weft.server.store.Store;
import dev.weft.server.store.UiQueries;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The endpoints the web UI adds to the API (docs/http-api.md, "For the web UI"): autocomplete lists, a service's
 * time series, and saved queries; plus the queue wait and tags that search results carry. Same auth and error shape
 * as every {@code /api/v1} route.
 */
final class UiApi {
  /** Most entries of each autocomplete list. */
  static final int LIST_LIMIT = 1000;
  static final int TAG_KEYS_LIMIT = 500;
  /** Most buckets of a series. */
  static final int MAX_BUCKETS = 1000;
  /** Largest body of {@code POST saved-queries}. */
  static final int MAX_SAVED_BODY = 16 * 1024;
  /** Operations of one service in the top failing list. */
  static final int TOP_FAILING = 10;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern STEP = Pattern.compile("(\\d{1,9})(s|m|h|d)");
  /** Steps tried in order for step=auto: the first that gives at most 120 buckets. */
  private static final long[] AUTO_STEPS_S = {10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
      86400, 172800, 604800};
  private static final long TICKS_PER_S = 10_000_000L;

  private final Store store;
  private final SavedQueries saved;

  UiApi(Store store, SavedQueries saved) {
    this.store = store;
    this.saved = saved;
  }

  void routes(Javalin app) {
    app.get("/api/v1/operations", this::operations);
    app.get("/api/v1/tags", ctx -> ctx.json(Map.of("keys", store.uiRead(q -> q.tagKeys(TAG_KEYS_LIMIT)))));
    app.get("/api/v1/channels", ctx -> ctx.json(Map.of("channels", store.uiRead(q -> q.channels(LIST_LIMIT)))));
    app.get("/api/v1/schemas", ctx -> ctx.json(Map.of("schemas", store.uiRead(q -> q.schemas(LIST_LIMIT)))));
    app.get("/api/v1/services/{service}/series", this::series);
    app.get("/api/v1/saved-queries", this::listSaved);
    app.post("/api/v1/saved-queries", this::addSaved);
    app.delete("/api/v1/saved-queries/{id}", this::deleteSaved);
  }

  /** Search results with their queue wait ({@code queueWaitTicks}) and tags added. */
  static List<Map<String, Object>> withDetails(Store store, List<Store.OpRow> rows) {
    Map<String, String> services = new LinkedHashMap<>();
    for (Store.OpRow r : rows) services.put(r.opId(), r.service());
    Map<String, UiQueries.OpDetails> details = services.isEmpty() ? Map.of() : store.uiRead(q -> q.details(services));
    List<Map<String, Object>> out = new ArrayList<>(rows.size());
    for (Store.OpRow r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("opId", r.opId());
      m.put("op", r.op());
      m.put("service", r.service());
      m.put("instanceId", r.instanceId());
      m.put("parentOpId", r.parentOpId());
      m.put("startTicks", r.startTicks());
      m.put("endTicks", r.endTicks());
      m.put("durationTicks", r.durationTicks());
      m.put("status", r.status());
      m.put("endStatus", r.endStatus());
      m.put("errorType", r.errorType());
      m.put("errorMessage", r.errorMessage());
      m.put("resource", r.resource());
      m.put("traces", r.traces());
      UiQueries.OpDetails d = details.get(r.opId());
      m.put("queueWaitTicks", d == null ? null : d.queueWaitTicks());
      m.put("tags", d == null ? List.of() : d.tags());
      out.add(m);
    }
    return out;
  }

  private void operations(Context ctx) {
    String service = ctx.queryParam("service");
    if (service != null && (service.isBlank() || service.length() > SavedQueries.MAX_SCOPE)) {
      throw new ApiError(400, "bad service; expected 1 to " + SavedQueries.MAX_SCOPE + " characters");
    }
    ctx.json(Map.of("operations", store.uiRead(q -> q.operationNames(service, LIST_LIMIT))));
  }

  // ------------------------------------------------------------------ series

  private void series(Context ctx) {
    String service = ctx.pathParam("service");
    if (service.isEmpty() || service.length() > SavedQueries.MAX_SCOPE) {
      throw new ApiError(400, "bad service; expected 1 to " + SavedQueries.MAX_SCOPE + " characters");
    }
    String sinceText = ctx.queryParam("since");
    if (sinceText == null || sinceText.isBlank()) sinceText = ApiServer.DEFAULT_SINCE;
    java.time.Instant now = store.config().clock().instant();
    long until = dev.weft.core.Ticks.of(now);
    long since = ApiServer.sinceTicks(sinceText.trim(), now);
    if (since >= until) throw new ApiError(400, "bad since '" + sinceText.trim() + "'; it must be in the past");
    long step = step(ctx.queryParam("step"), until - since);
    // align the buckets to whole steps, so that charts do not shift between two loads
    long alignedSince = Math.floorDiv(since, step) * step;
    List<UiQueries.Bucket> buckets = store.uiRead(q -> q.series(service, alignedSince, since, until, step));
    UiQueries.Totals totals = store.uiRead(q -> q.totals(service, since, until));
    List<UiQueries.FailingOp> failing = store.uiRead(q -> q.topFailing(service, since, until, TOP_FAILING));
    List<Store.EmitterLoss> loss = store.loss().stream().filter(l -> service.equals(l.service())).toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", service);
    body.put("sinceMs", Math.floorDiv(since, 10_000L));
    body.put("untilMs", Math.floorDiv(until, 10_000L));
    body.put("stepMs", step / 10_000L);
    body.put("totals", totals);
    body.put("buckets", buckets);
    body.put("topFailing", failing);
    body.put("loss", loss);
    ctx.json(body);
  }

  /** The bucket width in ticks: {@code auto} (or absent) picks one giving at most 120 buckets. */
  static long step(String text, long windowTicks) {
    if (text == null || text.isBlank() || text.equals("auto")) {
      for (long s : AUTO_STEPS_S) if (windowTicks / (s * TICKS_PER_S) <= 120) return s * TICKS_PER_S;
      return AUTO_STEPS_S[AUTO_STEPS_S.length - 1] * TICKS_PER_S * ((windowTicks / 120) / (604800 * TICKS_PER_S) + 1);
    }
    Matcher m = STEP.matcher(text.trim());
    if (!m.matches()) {
      throw new ApiError(400, "bad step '" + clip(text) + "'; expected auto or a duration such as 30s, 5m, 1h or 1d");
    }
    long n = Long.parseLong(m.group(1));
    long unit = switch (m.group(2)) {
      case "s" -> 1;
      case "m" -> 60;
      case "h" -> 3600;
      default -> 86400;
    };
    long step = n * unit * TICKS_PER_S;
    if (step <= 0) throw new ApiError(400, "bad step '" + clip(text) + "'; it must be more than zero");
    if (windowTicks / step >= MAX_BUCKETS) {
      throw new ApiError(400, "bad step '" + clip(text) + "': it gives more than " + MAX_BUCKETS
          + " buckets over this window; choose a larger one");
    }
    return step;
  }

  // ------------------------------------------------------------------ saved queries

  private void listSaved(Context ctx) {
    String scope = ctx.queryParam("scope");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("scope", scope);
    body.put("queries", saved.list(scope == null || scope.isBlank() ? null : scope.strip()));
    ctx.json(body);
  }

  private void addSaved(Context ctx) throws IOException {
    String type = ctx.contentType();
    String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mime.equals("application/json")) {
      throw new ApiError(415, "unsupported Content-Type; expected application/json with scope, name and query");
    }
    if (ctx.req().getContentLengthLong() > MAX_SAVED_BODY) throw tooLarge();
    byte[] bytes = ApiServer.readCapped(ctx.req().getInputStream(), MAX_SAVED_BODY);
    if (bytes == null) throw tooLarge();
    JsonNode body;
    try {
      body = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ApiError(400, "body is not JSON; expected {\"scope\": ..., \"name\": ..., \"query\": ...}");
    }
    if (body == null || !body.isObject()) {
      throw new ApiError(400, "expected a JSON object with scope, name and query");
    }
    String scope = field(body, "scope");
    String name = field(body, "name");
    String query = field(body, "query");
    try {
      ctx.status(201).json(saved.add(scope, name, query));
    } catch (SavedQueries.Refused e) {
      QueryException qe = e.queryError;
      throw new ApiError(e.status, e.getMessage(), qe == null ? Map.of() : ApiError.queryErrorFields(qe));
    }
  }

  private static String field(JsonNode body, String name) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) throw new ApiError(400, "missing field " + name, Map.of("field", name));
    if (!v.isTextual()) throw new ApiError(400, "field " + name + " must be a string", Map.of("field", name));
    return v.asText();
  }

  private static ApiError tooLarge() {
    return new ApiError(413, "request body larger than " + MAX_SAVED_BODY + " bytes", Map.of("max_bytes", MAX_SAVED_BODY));
  }

  private void deleteSaved(Context ctx) throws IOException {
    String id = ctx.pathParam("id");
    if (!id.matches("[0-9a-f]{16}")) throw new ApiError(400, "bad id '" + clip(id) + "'; expected 16 hex characters");
    if (!saved.delete(id)) throw new ApiError(404, "no saved query " + id);
    ctx.status(204);
  }

  private static String clip(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 40; i++) b.append(Character.isISOControl(s.charAt(i)) ? '?' : s.charAt(i));
    return s.length() > 40 ? b + "..." : b.toString();
  }
}
