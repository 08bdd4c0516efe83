package dev.weft.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.server.query.Query;
import dev.weft.server.query.QueryException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Queries saved by teams for their dashboards, kept in one small JSON file next to the store
 * ({@code DATA/saved-queries.json}). They are not telemetry, so they live outside the store: a replay that rebuilds
 * the store from the log keeps them. Every change rewrites the file atomically (a temporary file, fsync, rename), so a
 * crash leaves the old list or the new one, never half of either.
 *
 * <p>Queries are validated with the query parser and stored in canonical form. Sizes are bounded: a scope (team or
 * service) of at most {@value #MAX_SCOPE} characters, a name of at most {@value #MAX_NAME}, at most
 * {@value #MAX_PER_SCOPE} queries per scope and {@value #MAX_TOTAL} in all.
 */
public final class SavedQueries {
  public static final int MAX_SCOPE = 128;
  public static final int MAX_NAME = 100;
  public static final int MAX_PER_SCOPE = 100;
  public static final int MAX_TOTAL = 5000;
  /** The file's name inside the data directory. */
  public static final String FILE = "saved-queries.json";

  /** One saved query. {@code createdAt} is RFC 3339 in UTC. */
  public record Saved(String id, String scope, String name, String query, String createdAt) {}

  /** A request the list refuses; the message is for people. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    /** HTTP status: 400 invalid (queryError set when the query does not parse, or a limit is reached), 409 a duplicate name. */
    public final int status;
    public final transient QueryException queryError;

    Refused(int status, String message, QueryException queryError) {
      super(message, null, false, false);
      this.status = status;
      this.queryError = queryError;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path file;
  private final List<Saved> all = new ArrayList<>();

  private SavedQueries(Path file) {
    this.file = file;
  }

  /** Kept in memory only (tests, embedded servers): lost when the process ends. */
  public static SavedQueries inMemory() {
    return new SavedQueries(null);
  }

  /**
   * Opens the list stored in {@code file}, or an empty one if the file does not exist yet.
   *
   * @throws IOException if the file cannot be read or is not a saved-query list; the server should not start then,
   *     rather than overwrite a list it could not read
   */
  public static SavedQueries open(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    SavedQueries s = new SavedQueries(file);
    if (!Files.exists(file)) return s;
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException("cannot read saved queries " + file + ": " + e.getMessage(), e);
    }
    JsonNode list = root == null ? null : root.get("queries");
    if (list == null || !list.isArray()) throw new IOException("saved queries " + file + ": expected {\"queries\": [...]}");
    for (JsonNode q : list) {
      String id = text(q, "id");
      String scope = text(q, "scope");
      String name = text(q, "name");
      String query = text(q, "query");
      String created = text(q, "createdAt");
      if (id == null || scope == null || name == null || query == null) {
        throw new IOException("saved queries " + file + ": an entry lacks id, scope, name or query");
      }
      s.all.add(new Saved(id, scope, name, query, created == null ? "" : created));
    }
    return s;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  /** The saved queries of one scope, by name; every scope's when {@code scope} is null. */
  public synchronized List<Saved> list(String scope) {
    return all.stream().filter(s -> scope == null || s.scope().equals(scope))
        .sorted(Comparator.comparing(Saved::scope).thenComparing(Saved::name)).toList();
  }

  /** Saves a query under a name in a scope. The stored query is the canonical form of {@code query}. */
  public synchronized Saved add(String scope, String name, String query) throws Refused, IOException {
    scope = scope == null ? "" : scope.strip();
    name = name == null ? "" : name.strip();
    checkText("scope", scope, MAX_SCOPE);
    checkText("name", name, MAX_NAME);
    if (query == null || query.isBlank()) throw new Refused(400, "query is empty; expected a query such as status=failed", null);
    String canonical;
    try {
      canonical = Query.parse(query).format();
    } catch (QueryException e) {
      throw new Refused(400, e.getMessage(), e);
    }
    String sc = scope;
    String nm = name;
    if (all.stream().anyMatch(s -> s.scope().equals(sc) && s.name().equals(nm))) {
      throw new Refused(409, "a query named '" + name + "' is already saved for " + scope + "; delete it first or choose"
          + " another name", null);
    }
    if (all.stream().filter(s -> s.scope().equals(sc)).count() >= MAX_PER_SCOPE) {
      throw new Refused(400, scope + " has " + MAX_PER_SCOPE + " saved queries, the most one scope may keep", null);
    }
    if (all.size() >= MAX_TOTAL) throw new Refused(400, "the server keeps at most " + MAX_TOTAL + " saved queries", null);
    byte[] idBytes = new byte[8];
    RANDOM.nextBytes(idBytes);
    Saved s = new Saved(HexFormat.of().formatHex(idBytes), scope, name, canonical,
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    all.add(s);
    try {
      persist();
    } catch (IOException e) {
      all.remove(s);
      throw e;
    }
    return s;
  }

  /** Deletes a saved query; false if there is none with this id. */
  public synchronized boolean delete(String id) throws IOException {
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).id().equals(id)) {
        Saved removed = all.remove(i);
        try {
          persist();
        } catch (IOException e) {
          all.add(i, removed);
          throw e;
        }
        return true;
      }
    }
    return false;
  }

  private static void checkText(String what, String v, int max) throws Refused {
    if (v.isEmpty()) throw new Refused(400, what + " is empty", null);
    if (v.length() > max) throw new Refused(400, what + " is " + v.length() + " characters long; the limit is " + max, null);
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (Character.isISOControl(c) || (Character.isSurrogate(c) && !validSurrogate(v, i))) {
        throw new Refused(400, what + " holds a control character at position " + i, null);
      }
    }
  }

  private static boolean validSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  /** Writes the whole list to a temporary file, forces it to disk, then renames it over the old one. */
  private void persist() throws IOException {
    if (file == null) return;
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    ArrayNode list = root.putArray("queries");
    for (Saved s : all) {
      ObjectNode o = list.addObject();
      o.put("id", s.id());
      o.put("scope", s.scope());
      o.put("name", s.name());
      o.put("query", s.query());
      o.put("createdAt", s.createdAt());
    }
    byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, FILE, ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
          OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
        out.write(bytes);
        out.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
