package dev.weft.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.core.Ticks;
import dev.weft.server.query.Query;
import dev.weft.server.query.QueryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft query '<query>'}: runs a search on a running server and prints a table, or the JSON. */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = "Search operations on a running Weft server (docs/query-language.md).")
final class QueryCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "QUERY", description = "e.g. 'op=UpdateInventory status=failed merchant_id=4c5d6e7'")
  String query;

  @Option(names = "--server", defaultValue = "http://127.0.0.1:9797",
      description = "Server URL (default ${DEFAULT-VALUE}).")
  String server;

  @Option(names = "--json", description = "Print the server's JSON instead of a table.")
  boolean json;

  @Option(names = "--limit", defaultValue = "100", description = "Most operations to return, 1 to 1000 (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--auth-token", defaultValue = "${env:WEFT_AUTH_TOKEN:-}",
      description = "Token for a server started with --auth-token (default: $WEFT_AUTH_TOKEN).")
  String authToken;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // Parse locally first: the same parser as the server, and an answer without a round trip.
    try {
      Query.parse(query);
    } catch (QueryException e) {
      err.println("weft: bad query " + e.getMessage());
      err.println(indent(e.pointer(query)));
      return 2;
    }
    String base = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    URI uri;
    try {
      uri = URI.create(base + "/api/v1/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
          + "&limit=" + limit);
    } catch (IllegalArgumentException e) {
      err.println("weft: bad --server URL '" + server + "'; expected e.g. http://127.0.0.1:9797");
      return 2;
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET()
        .header("Accept", "application/json");
    if (authToken != null && !authToken.isEmpty()) req.header("Authorization", "Bearer " + authToken);
    HttpResponse<String> resp;
    try {
      resp = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException | HttpConnectTimeoutException e) {
      err.println("weft: cannot reach the Weft server at " + base + " (is it running?). Start one with "
          + "'./weft server', or point to another with --server URL.");
      return 3;
    } catch (IOException | IllegalArgumentException e) {
      err.println("weft: request to " + base + " failed: " + e);
      return 3;
    }
    JsonNode body;
    try {
      body = new ObjectMapper().readTree(resp.body());
    } catch (IOException e) {
      err.println("weft: the server at " + base + " answered HTTP " + resp.statusCode() + " with something that is "
          + "not JSON; is it a Weft server?");
      return 3;
    }
    if (resp.statusCode() != 200) {
      String msg = body.path("error").asText("HTTP " + resp.statusCode());
      if (resp.statusCode() == 401) {
        err.println("weft: " + msg + ". The server requires a token: pass --auth-token or set WEFT_AUTH_TOKEN.");
      } else if (resp.statusCode() == 400 && body.has("position")) {
        err.println("weft: bad query " + msg);
        err.println(indent(caret(query, body.path("position").asInt())));
      } else {
        err.println("weft: " + msg);
      }
      return resp.statusCode() == 400 ? 2 : 1;
    }
    if (json) {
      out.println(resp.body());
    } else {
      printTable(out, body.path("operations"));
    }
    out.flush();
    return 0;
  }

  static void printTable(PrintWriter out, JsonNode ops) {
    String[] head = {"OP", "SERVICE", "STATUS", "START (UTC)", "DURATION", "TRACE IDS"};
    List<String[]> rows = new ArrayList<>();
    for (JsonNode o : ops) {
      List<String> traces = new ArrayList<>();
      o.path("traces").forEach(t -> traces.add(t.asText()));
      rows.add(new String[] {
          o.path("op").asText(""), o.path("service").asText(""), o.path("status").asText(""),
          o.path("startTicks").isNumber() ? TIME.format(Ticks.toInstant(o.path("startTicks").asLong())) : "-",
          o.path("durationTicks").isNumber() ? duration(o.path("durationTicks").asLong()) : "-",
          String.join(",", traces)});
    }
    int[] w = new int[head.length];
    for (int i = 0; i < head.length; i++) w[i] = head[i].length();
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], Math.min(r[i].length(), 60));
    }
    line(out, head, w);
    for (String[] r : rows) line(out, r, w);
    out.println(rows.size() + (rows.size() == 1 ? " operation" : " operations"));
  }

  private static void line(PrintWriter out, String[] cells, int[] w) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      String c = printable(cells[i]);
      if (i < cells.length - 1 && c.length() > 60) c = c.substring(0, 57) + "...";
      b.append(c);
      if (i < cells.length - 1) b.append(" ".repeat(w[i] - c.length() + 2));
    }
    out.println(b.toString().stripTrailing());
  }

  /** Keeps control characters (from user-supplied names) out of the terminal. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> b.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
    return b.toString();
  }

  static String duration(long ticks) {
    double ms = ticks / (double) Ticks.PER_MILLI;
    if (ms < 1) return String.format(java.util.Locale.ROOT, "%.0fus", ticks / 10.0);
    if (ms < 1000) return String.format(java.util.Locale.ROOT, "%.1fms", ms);
    if (ms < 60_000) return String.format(java.util.Locale.ROOT, "%.2fs", ms / 1000);
    return String.format(java.util.Locale.ROOT, "%.1fm", ms / 60_000);
  }

  private static String caret(String q, int position) {
    int p = Math.max(0, Math.min(position, q.length()));
    return q + "\n" + " ".repeat(q.codePointCount(0, p)) + "^";
  }

  private static String indent(String s) {
    return "  " + s.replace("\n", "\n  ");
  }
}
