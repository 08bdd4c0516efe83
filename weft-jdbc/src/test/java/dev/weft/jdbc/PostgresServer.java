package dev.weft.jdbc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL server for the tests: the local Debian cluster, started when it is down, with a role and a
 * database of the tests' own. Idempotent: a running cluster, an existing role or database are fine.
 *
 * <p>Set {@code WEFT_PG_URL} (and {@code WEFT_PG_USER}, {@code WEFT_PG_PASSWORD}) to use a server that is already
 * prepared instead; nothing is started then. Otherwise this needs root (to act as the {@code postgres} user) and the
 * Debian packages ({@code run-tests.sh} installs {@code postgresql} when missing).
 */
final class PostgresServer {
  static final String USER = "weft";
  static final String PASSWORD = "weft";
  static final String DATABASE = "weft_test";

  private static String url;
  private static String user;
  private static String password;

  private PostgresServer() {}

  /** A data source on the tests' database, preparing the server on first use. */
  static synchronized PGSimpleDataSource dataSource() {
    ensure();
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    ds.setUser(user);
    ds.setPassword(password);
    return ds;
  }

  private static void ensure() {
    if (url != null) return;
    String envUrl = System.getenv("WEFT_PG_URL");
    if (envUrl != null && !envUrl.isBlank()) {
      url = envUrl;
      user = System.getenv().getOrDefault("WEFT_PG_USER", USER);
      password = System.getenv().getOrDefault("WEFT_PG_PASSWORD", PASSWORD);
      return;
    }
    try {
      String port = startCluster();
      prepare(port);
      url = "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
      user = USER;
      password = PASSWORD;
      waitForLogin();
    } catch (IOException e) {
      throw new IllegalStateException("could not prepare PostgreSQL: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing PostgreSQL", e);
    }
  }

  /** Starts the first local cluster (creating one when a server is installed but has none); returns its port. */
  private static String startCluster() throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of("/usr/bin/pg_lsclusters"))) {
      throw new IOException("PostgreSQL is not installed: run ./run-tests.sh (it installs postgresql), "
          + "or apt-get install postgresql, or set WEFT_PG_URL");
    }
    String[] cluster = firstCluster();
    if (cluster == null) {
      String version = installedVersion();
      run(List.of("pg_createcluster", version, "main"), 60);
      cluster = firstCluster();
      if (cluster == null) throw new IOException("pg_createcluster made no cluster");
    }
    // columns: version, name, port, status, ...
    if (!cluster[3].startsWith("online")) {
      Result r = run(List.of("pg_ctlcluster", cluster[0], cluster[1], "start"), 60);
      // exit 2 means "already running": another test JVM won the race
      if (r.exit != 0 && r.exit != 2) throw new IOException("pg_ctlcluster start failed: " + r.output);
    }
    String port = cluster[2];
    for (int i = 0; i < 100; i++) {
      if (run(List.of("pg_isready", "-q", "-h", "127.0.0.1", "-p", port), 10).exit == 0) return port;
      Thread.sleep(100);
    }
    throw new IOException("PostgreSQL on port " + port + " did not become ready");
  }

  private static String[] firstCluster() throws IOException, InterruptedException {
    Result r = run(List.of("pg_lsclusters", "-h"), 30);
    if (r.exit != 0) throw new IOException("pg_lsclusters failed: " + r.output);
    for (String line : r.output.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4) return f;
    }
    return null;
  }

  private static String installedVersion() throws IOException {
    try (var dirs = Files.list(Path.of("/usr/lib/postgresql"))) {
      return dirs.map(p -> p.getFileName().toString()).filter(s -> s.matches("\\d+")).max(
          (a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b))).orElseThrow(
              () -> new IOException("no PostgreSQL server under /usr/lib/postgresql"));
    }
  }

  /** The role and database, created only when missing. The values are constants, so the SQL text is fixed. */
  private static void prepare(String port) throws IOException, InterruptedException {
    if (!psql(port, "SELECT 1 FROM pg_roles WHERE rolname = '" + USER + "'").equals("1")) {
      psql(port, "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
    }
    if (!psql(port, "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'").equals("1")) {
      psql(port, "CREATE DATABASE " + DATABASE + " OWNER " + USER);
    }
  }

  private static String psql(String port, String sql) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", "psql", "-p", port, "-X", "-q",
        "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql));
    Result r = run(cmd, 60);
    // a concurrent creator may have won between the check and the create
    if (r.exit != 0 && !r.output.contains("already exists")) {
      throw new IOException("psql failed (" + sql + "): " + r.output);
    }
    return r.output.trim();
  }

  private static void waitForLogin() throws InterruptedException {
    SQLException last = null;
    for (int i = 0; i < 50; i++) {
      try (Connection c = DriverManager.getConnection(url, user, password)) {
        if (c.isValid(5)) return;
      } catch (SQLException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("cannot log in to " + url + " as " + user, last);
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
    // output to a file, not a pipe: pg_ctlcluster leaves a server running that could hold a pipe open forever
    Path out = Files.createTempFile("weft-pg", ".out");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " timed out");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
