package dev.weft.jdbc;

import dev.weft.core.channel.Channel;

import dev.weft.core.Envelope;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.CodecError;
import dev.weft.core.channel.Handler;
import dev.weft.core.channel.PayloadCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A traced event store over one stream table: appends with optimistic concurrency, reads by stream or by global
 * position, and catch-up subscriptions. The Weft header of each event lives in metadata columns beside the payload
 * (see {@code RATIONALE.md}), so the trace survives the database exactly as it survives a Kafka record.
 *
 * <p><b>Channels.</b> An event in stream {@code S} travels on the channel {@code jdbc:<category of S>}: the category
 * is the part of the stream id before its first {@code '-'} (the whole id when there is none), with every character
 * a channel name may not hold (space, control, non-ASCII, {@code , ; = " \}) replaced by {@code '_'} and cut at 200
 * characters. So {@code order-42} and {@code order-43} both appear as {@code jdbc:order}: the topology shows the kind of
 * stream, not one node per aggregate. {@link Builder#channelNaming} replaces the rule.
 *
 * <p><b>Tables.</b> For the base name {@code T} (default {@code weft_events}): {@code T} holds the events,
 * {@code T_lock} one row that serializes appends, {@code T_checkpoints} the positions of named subscriptions. The base
 * name is an SQL identifier and is validated; every value is a bound parameter.
 *
 * <p>Thread-safe. Storage errors reach the caller as {@link SQLException}; tracing never does.
 *
 * @param <A> the payload type (a sealed interface of event types, typically), encoded by a {@link PayloadCodec}
 */
public final class JdbcEventStore<A> {
  /** Expected version: append whatever the stream's version is. */
  public static final long ANY = -2;
  /** Expected version: the stream must not exist yet. Also the version of a stream with no events. */
  public static final long NO_STREAM = -1;

  /** Longest stream id, in UTF-16 units. */
  public static final int MAX_STREAM_ID_LENGTH = 200;

  private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,39}");

  private final DataSource dataSource;
  private final Tracer tracer;
  private final PayloadCodec<A> codec;
  private final String table;
  private final Function<String, String> channelNaming;
  private volatile Dialect dialect;
  private final String insertSql;
  private final String selectColumns;

  private JdbcEventStore(Builder<A> b) {
    this.dataSource = b.dataSource;
    this.tracer = b.tracer;
    this.codec = b.codec;
    this.table = b.table;
    this.dialect = b.dialect;
    this.channelNaming = b.channelNaming;
    this.insertSql = "INSERT INTO " + table + " (stream_id, stream_version, category, payload, " + HeaderColumns.NAMES
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    this.selectColumns = "global_position, stream_id, stream_version, payload, " + HeaderColumns.NAMES;
  }

  /** A store over {@code dataSource}, tracing with {@code tracer}, encoding payloads with {@code codec}. */
  public static <A> Builder<A> builder(DataSource dataSource, Tracer tracer, PayloadCodec<A> codec) {
    return new Builder<>(dataSource, tracer, codec);
  }

  /** Store options. */
  public static final class Builder<A> {
    private final DataSource dataSource;
    private final Tracer tracer;
    private final PayloadCodec<A> codec;
    private String table = "weft_events";
    private Dialect dialect;
    private Function<String, String> channelNaming = JdbcEventStore::defaultChannelName;

    private Builder(DataSource dataSource, Tracer tracer, PayloadCodec<A> codec) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.tracer = Objects.requireNonNull(tracer, "tracer");
      this.codec = Objects.requireNonNull(codec, "codec");
    }

    /** The base table name: 1..40 characters of {@code [a-z0-9_]}, not starting with a digit. */
    public Builder<A> table(String name) {
      if (name == null || !TABLE_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("table: 1..40 characters of [a-z0-9_], not starting with a digit, got "
            + name);
      }
      this.table = name;
      return this;
    }

    /** The dialect; by default it is detected from the first connection. */
    public Builder<A> dialect(Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * How a stream id becomes a channel name (the part after {@code jdbc:}); the default is described on the class.
     * The result must be a valid channel name, or SEND and RECEIVE events are dropped and counted.
     */
    public Builder<A> channelNaming(Function<String, String> streamIdToChannelName) {
      this.channelNaming = Objects.requireNonNull(streamIdToChannelName, "channelNaming");
      return this;
    }

    public JdbcEventStore<A> build() {
      return new JdbcEventStore<>(this);
    }
  }

  // ------------------------------------------------------------------ names

  /** The base table name. */
  public String table() {
    return table;
  }

  Tracer tracer() {
    return tracer;
  }

  /** The category of a stream: its id up to the first {@code '-'}. */
  public static String category(String streamId) {
    int dash = streamId.indexOf('-');
    return dash <= 0 ? streamId : streamId.substring(0, dash);
  }

  /** The default channel name of a stream: its category, made a legal channel name. */
  public static String defaultChannelName(String streamId) {
    return tokenOf(category(streamId));
  }

  static String tokenOf(String s) {
    return Channel.sanitizeName(s);
  }

  /** The channel id events of {@code streamId} travel on, e.g. {@code jdbc:order}. */
  public String channelId(String streamId) {
    try {
      return "jdbc:" + channelNaming.apply(streamId);
    } catch (RuntimeException e) {
      return "jdbc:" + defaultChannelName(streamId); // a broken naming function must not break the append
    }
  }

  /**
   * Stream ids are stored verbatim (they are always bound parameters), but must be 1..200 characters without control
   * characters or unpaired surrogates, which some databases cannot store (PostgreSQL refuses NUL in text).
   */
  static void checkStreamId(String streamId) {
    if (streamId == null || streamId.isEmpty() || streamId.length() > MAX_STREAM_ID_LENGTH) {
      throw new IllegalArgumentException("streamId: 1.." + MAX_STREAM_ID_LENGTH + " characters");
    }
    for (int i = 0; i < streamId.length(); i++) {
      char c = streamId.charAt(i);
      if (Character.isISOControl(c)) throw new IllegalArgumentException("streamId: control character at " + i);
      if (Character.isHighSurrogate(c) && i + 1 < streamId.length() && Character.isLowSurrogate(streamId.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException("streamId: unpaired surrogate at " + i);
      }
    }
  }

  // ------------------------------------------------------------------ schema

  Dialect dialect(Connection c) throws SQLException {
    Dialect d = dialect;
    if (d == null) dialect = d = Dialect.detect(c);
    return d;
  }

  /** Creates the tables and indexes if they do not exist. Idempotent. */
  public void createSchema() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      Dialect d = dialect(c);
      try (Statement s = c.createStatement()) {
        // Identity positions; the lock row below makes them commit in order (see RATIONALE.md).
        s.execute("CREATE TABLE IF NOT EXISTS " + table + " ("
            + "global_position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            + "stream_id VARCHAR(" + MAX_STREAM_ID_LENGTH + ") NOT NULL, "
            + "stream_version BIGINT NOT NULL, "
            + "category VARCHAR(" + MAX_STREAM_ID_LENGTH + ") NOT NULL, "
            + "payload " + d.binaryType() + ", "
            // metadata: unconstrained on purpose, so a damaged or foreign row is still readable and can be adopted
            + "header_version INT, message_id VARCHAR, correlation_ids VARCHAR, parent_ids VARCHAR, "
            + "producer_id VARCHAR, payload_schema_uri VARCHAR, ticks_from_epoch BIGINT, mtags VARCHAR, ptags VARCHAR, "
            + "CONSTRAINT " + table + "_stream_version UNIQUE (stream_id, stream_version))");
        s.execute("CREATE INDEX IF NOT EXISTS " + table + "_category_position ON " + table
            + " (category, global_position)");
        s.execute("CREATE INDEX IF NOT EXISTS " + table + "_message_id ON " + table + " (message_id)");
        s.execute("CREATE TABLE IF NOT EXISTS " + table + "_lock (id INT PRIMARY KEY)");
        s.execute("CREATE TABLE IF NOT EXISTS " + table + "_checkpoints ("
            + "subscription_id VARCHAR(200) PRIMARY KEY, checkpoint_position BIGINT NOT NULL)");
      }
      try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM " + table + "_lock WHERE id = 1");
          ResultSet rs = q.executeQuery()) {
        rs.next();
        if (rs.getLong(1) == 0) {
          try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + table + "_lock (id) VALUES (1)")) {
            ins.executeUpdate();
          } catch (SQLException e) {
            if (!isUniqueViolation(e)) throw e; // a concurrent createSchema inserted it first
          }
        }
      }
    }
  }

  static boolean isUniqueViolation(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) if ("23505".equals(x.getSQLState())) return true;
    return false;
  }

  // ------------------------------------------------------------------ append

  /**
   * Appends one event to a stream, if the stream is at {@code expectedVersion}, then emits SEND on the stream's
   * channel (only once the event is committed).
   *
   * @param expectedVersion the version of the stream's last event (0 for one event), {@link #NO_STREAM} for a stream
   *     that must not exist, or {@link #ANY}
   * @param sender the operation that produced the event, or null
   * @throws WrongExpectedVersion when the stream is at another version; nothing was stored
   */
  public AppendResult append(String streamId, long expectedVersion, Envelope<Stage.Out, A> event, Operation sender)
      throws WrongExpectedVersion, SQLException {
    return appendAll(streamId, expectedVersion, List.of(Objects.requireNonNull(event, "event")), sender);
  }

  /** Appends several events atomically: all of them or none. See {@link #append}. */
  public AppendResult appendAll(String streamId, long expectedVersion, List<Envelope<Stage.Out, A>> events,
      Operation sender) throws WrongExpectedVersion, SQLException {
    checkStreamId(streamId);
    if (expectedVersion < ANY) throw new IllegalArgumentException("expectedVersion: >= -2");
    if (events == null || events.isEmpty()) throw new IllegalArgumentException("events: at least one");
    // encode before touching the database: a payload the codec refuses is the application's error, not a conflict
    List<byte[]> payloads = new ArrayList<>(events.size());
    for (Envelope<Stage.Out, A> e : events) {
      try {
        payloads.add(codec.encode(e.payload()));
      } catch (Exception ex) {
        throw new SQLDataException("payload could not be encoded: " + ex, ex);
      }
    }
    String category = category(streamId);
    long first;
    long last = -1;
    long version;
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      int isolation = c.getTransactionIsolation();
      try {
        c.setAutoCommit(false);
        // READ COMMITTED so the version check after the lock sees what the previous holder committed
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        lock(c);
        long current = currentVersion(c, streamId);
        if (expectedVersion != ANY && expectedVersion != current) {
          c.rollback();
          throw new WrongExpectedVersion(streamId, expectedVersion, current);
        }
        version = current;
        first = -1;
        try (PreparedStatement ps = c.prepareStatement(insertSql, Statement.RETURN_GENERATED_KEYS)) {
          for (int i = 0; i < events.size(); i++) {
            version++;
            ps.setString(1, streamId);
            ps.setLong(2, version);
            ps.setString(3, category);
            ps.setBytes(4, payloads.get(i));
            HeaderColumns.bind(ps, 5, events.get(i).header());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
              if (!keys.next()) throw new SQLException("the database returned no global_position");
              last = keys.getLong(1); // global_position is the table's first column and its only generated one
            }
            if (first < 0) first = last;
          }
        }
        c.commit();
      } catch (SQLException e) {
        rollbackQuietly(c);
        if (isUniqueViolation(e)) {
          // only reachable if something appends without taking the lock; still a concurrency conflict
          throw new WrongExpectedVersion(streamId, expectedVersion, safeVersion(streamId));
        }
        throw e;
      } catch (RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        restore(c, autoCommit, isolation);
      }
    }
    // SEND only for what is durable: the message has now left on the channel
    String channel = channelId(streamId);
    for (Envelope<Stage.Out, A> e : events) tracer.sent(e.header(), channel, sender);
    return new AppendResult(streamId, first, last, version);
  }

  private void lock(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table + "_lock WHERE id = 1 FOR UPDATE");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) throw new SQLException(table + "_lock has no row: call createSchema() first");
    }
  }

  private long currentVersion(Connection c, String streamId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT MAX(stream_version) FROM " + table
        + " WHERE stream_id = ?")) {
      ps.setString(1, streamId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long v = rs.getLong(1);
        return rs.wasNull() ? NO_STREAM : v;
      }
    }
  }

  private long safeVersion(String streamId) {
    try {
      return streamVersion(streamId);
    } catch (SQLException e) {
      return NO_STREAM;
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the original failure is the one worth reporting
    }
  }

  private static void restore(Connection c, boolean autoCommit, int isolation) {
    try {
      c.setTransactionIsolation(isolation);
      c.setAutoCommit(autoCommit);
    } catch (SQLException ignored) {
      // a pooled connection that cannot be reset is the pool's to discard
    }
  }

  // ------------------------------------------------------------------ reads

  /** The version of a stream's last event, or {@link #NO_STREAM}. */
  public long streamVersion(String streamId) throws SQLException {
    checkStreamId(streamId);
    try (Connection c = dataSource.getConnection()) {
      return currentVersion(c, streamId);
    }
  }

  /** The highest global position stored, or 0 for an empty store. */
  public long headPosition() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT MAX(global_position) FROM " + table);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Reads a stream from {@code fromVersion} on, at most {@code max} events, in version order. A row whose metadata is
   * missing or unreadable comes back with an adopted origin header (see {@link StoredEvent#headerStatus()}); a payload
   * the codec refuses is an {@link SQLDataException}.
   */
  public List<StoredEvent<A>> readStream(String streamId, long fromVersion, int max) throws SQLException {
    checkStreamId(streamId);
    List<Row> rows = query("SELECT " + selectColumns + " FROM " + table
        + " WHERE stream_id = ? AND stream_version >= ? ORDER BY stream_version LIMIT ?",
        ps -> {
          ps.setString(1, streamId);
          ps.setLong(2, Math.max(0, fromVersion));
          ps.setInt(3, checkMax(max));
        });
    return decodeAll(rows);
  }

  /** Reads events after global position {@code afterPosition} (exclusive), in position order, at most {@code max}. */
  public List<StoredEvent<A>> readAll(long afterPosition, StreamFilter filter, int max) throws SQLException {
    return decodeAll(readRows(afterPosition, filter, checkMax(max)));
  }

  private List<StoredEvent<A>> decodeAll(List<Row> rows) throws SQLException {
    List<StoredEvent<A>> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      try {
        out.add(r.decode(codec));
      } catch (Exception e) {
        throw new SQLDataException("payload at global position " + r.position + " could not be decoded: " + e, e);
      }
    }
    return out;
  }

  private static int checkMax(int max) {
    if (max < 1) throw new IllegalArgumentException("max: at least 1");
    return max;
  }

  List<Row> readRows(long afterPosition, StreamFilter filter, int max) throws SQLException {
    Objects.requireNonNull(filter, "filter");
    String base = "SELECT " + selectColumns + " FROM " + table + " WHERE global_position > ?";
    if (filter instanceof StreamFilter.Stream s) {
      return query(base + " AND stream_id = ? ORDER BY global_position LIMIT ?", ps -> {
        ps.setLong(1, afterPosition);
        ps.setString(2, s.streamId());
        ps.setInt(3, max);
      });
    }
    if (filter instanceof StreamFilter.Category cat) {
      return query(base + " AND category = ? ORDER BY global_position LIMIT ?", ps -> {
        ps.setLong(1, afterPosition);
        ps.setString(2, cat.name());
        ps.setInt(3, max);
      });
    }
    return query(base + " ORDER BY global_position LIMIT ?", ps -> {
      ps.setLong(1, afterPosition);
      ps.setInt(2, max);
    });
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private List<Row> query(String sql, Binder binder) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      List<Row> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long position = rs.getLong("global_position");
          HeaderColumns.Read header = HeaderColumns.read(rs);
          Header h;
          StoredEvent.HeaderStatus status;
          CodecError error = null;
          if (header instanceof HeaderColumns.Present p) {
            h = p.header();
            status = StoredEvent.HeaderStatus.WEFT;
          } else {
            if (header instanceof HeaderColumns.Garbled g) {
              error = g.error();
              status = StoredEvent.HeaderStatus.GARBLED;
              HeaderColumns.countGarbled();
            } else {
              status = StoredEvent.HeaderStatus.MISSING;
            }
            h = HeaderColumns.adopted(table, position, safeString(rs, "payload_schema_uri"), error);
          }
          out.add(new Row(position, rs.getString("stream_id"), rs.getLong("stream_version"), rs.getBytes("payload"),
              h, status, error));
        }
      }
      return out;
    }
  }

  private static String safeString(ResultSet rs, String column) {
    try {
      return rs.getString(column);
    } catch (SQLException e) {
      return null;
    }
  }

  /** A row as read, before its payload is decoded. */
  record Row(long position, String streamId, long streamVersion, byte[] payload, Header header,
      StoredEvent.HeaderStatus status, CodecError headerError) {
    <A> StoredEvent<A> decode(PayloadCodec<A> codec) throws Exception {
      A value = payload == null ? null : codec.decode(payload);
      return new StoredEvent<>(position, streamId, streamVersion, Envelope.in(header, value), status, headerError);
    }
  }

  PayloadCodec<A> codec() {
    return codec;
  }

  // ------------------------------------------------------------------ checkpoints

  /** The stored checkpoint of a named subscription, or -1 when it has none. */
  public long loadCheckpoint(String subscriptionId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT checkpoint_position FROM " + table
            + "_checkpoints WHERE subscription_id = ?")) {
      ps.setString(1, subscriptionId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  /** Stores a named subscription's checkpoint: the position of the last event it handled. */
  public void saveCheckpoint(String subscriptionId, long position) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      // update, then insert: portable where the upsert syntax is not (PostgreSQL ON CONFLICT vs H2 MERGE)
      for (int attempt = 0; attempt < 3; attempt++) {
        try (PreparedStatement up = c.prepareStatement("UPDATE " + table
            + "_checkpoints SET checkpoint_position = ? WHERE subscription_id = ?")) {
          up.setLong(1, position);
          up.setString(2, subscriptionId);
          if (up.executeUpdate() > 0) return;
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + table
            + "_checkpoints (subscription_id, checkpoint_position) VALUES (?, ?)")) {
          ins.setString(1, subscriptionId);
          ins.setLong(2, position);
          ins.executeUpdate();
          return;
        } catch (SQLException e) {
          if (!isUniqueViolation(e)) throw e; // another instance inserted it meanwhile: update again
        }
      }
      throw new SQLException("checkpoint " + subscriptionId + " could not be saved");
    }
  }

  // ------------------------------------------------------------------ subscriptions

  /**
   * Starts a catch-up subscription: {@code handler} sees every event after {@code afterPosition} that
   * {@code filter} selects, in global-position order, each as an operation named {@code operationName}, then
   * follows new events by polling. The checkpoint is kept in memory only; use
   * {@link #subscribe(SubscriptionOptions, Handler)} with a name to persist it.
   */
  public CatchUpSubscription<A> subscribe(long afterPosition, StreamFilter filter, String operationName,
      Handler<A> handler) throws SQLException {
    return subscribe(SubscriptionOptions.of(operationName).from(afterPosition).filter(filter), handler);
  }

  /** Starts a catch-up subscription with options. */
  public CatchUpSubscription<A> subscribe(SubscriptionOptions options, Handler<A> handler) throws SQLException {
    CatchUpSubscription<A> s = subscription(options, handler);
    s.start();
    return s;
  }

  /**
   * A subscription that is not started: drive it with {@link CatchUpSubscription#pollOnce()}, or
   * {@link CatchUpSubscription#start()} it.
   */
  public CatchUpSubscription<A> subscription(SubscriptionOptions options, Handler<A> handler) throws SQLException {
    return new CatchUpSubscription<>(this, options, handler);
  }
}
