package dev.weft.jdbc;

import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Ids;
import dev.weft.core.Limits;
import dev.weft.core.Tags;
import dev.weft.core.Ticks;
import dev.weft.core.carrier.CodecError;
import dev.weft.core.event.Json;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The Weft header as metadata columns: one column per header field, so the header is queryable in SQL and a partly
 * damaged row is diagnosable field by field.
 *
 * <ul>
 *   <li>{@code correlation_ids}, {@code parent_ids}: canonical ids joined by {@code ','} (ids are hex, so the
 *       separator is unambiguous); {@code ''} for no parents.
 *   <li>{@code mtags}, {@code ptags}: a JSON object of strings; {@code '{}'} when empty. JSON because tag values are
 *       free text.
 *   <li>the rest as plain typed columns.
 * </ul>
 *
 * Reading is strict (every field is re-validated through {@link Header}'s constructor) and never throws: the result
 * says whether the header was there, and if it was refused, why.
 */
final class HeaderColumns {
  /** The columns, in the order {@link #bind} fills them. */
  static final String NAMES = "header_version, message_id, correlation_ids, parent_ids, producer_id, "
      + "payload_schema_uri, ticks_from_epoch, mtags, ptags";
  static final int COUNT = 9;

  /** Longest metadata text accepted before parsing, per column: far above what a valid header needs. */
  private static final int MAX_COLUMN_CHARS = 64 * 1024;

  private HeaderColumns() {}

  /** Binds the header's columns starting at parameter {@code first}. */
  static void bind(PreparedStatement ps, int first, Header h) throws SQLException {
    ps.setInt(first, h.headerVersion());
    ps.setString(first + 1, h.messageId());
    ps.setString(first + 2, String.join(",", h.correlationIds()));
    ps.setString(first + 3, String.join(",", h.parentIds()));
    ps.setString(first + 4, h.producerId());
    ps.setString(first + 5, h.payloadSchemaUri());
    ps.setLong(first + 6, h.ticksFromEpoch());
    ps.setString(first + 7, tagsJson(h.mtags()));
    ps.setString(first + 8, tagsJson(h.ptags()));
  }

  static String tagsJson(Map<String, String> tags) {
    StringBuilder sb = new StringBuilder(2 + tags.size() * 24);
    sb.append('{');
    boolean first = true;
    for (Map.Entry<String, String> e : tags.entrySet()) {
      if (!first) sb.append(',');
      first = false;
      Json.quote(sb, e.getKey());
      sb.append(':');
      Json.quote(sb, e.getValue());
    }
    return sb.append('}').toString();
  }

  /** How reading a row's header went. */
  sealed interface Read {}

  record Present(Header header) implements Read {}

  /** Every metadata column is null: the row was written without Weft. */
  record Absent() implements Read {}

  record Garbled(CodecError error) implements Read {}

  /** A refused field, carried out of the parser without a stack trace. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final CodecError.Kind kind;

    Refused(CodecError.Kind kind, String message) {
      super(message, null, false, false);
      this.kind = kind;
    }
  }

  /** Reads the header columns of the current row (selected under their own names). Never throws. */
  static Read read(ResultSet rs) {
    try {
      int version = rs.getInt("header_version");
      boolean versionNull = rs.wasNull();
      String messageId = rs.getString("message_id");
      String correlations = rs.getString("correlation_ids");
      String parents = rs.getString("parent_ids");
      String producer = rs.getString("producer_id");
      String schema = rs.getString("payload_schema_uri");
      long ticks = rs.getLong("ticks_from_epoch");
      boolean ticksNull = rs.wasNull();
      String mtags = rs.getString("mtags");
      String ptags = rs.getString("ptags");
      // payload_schema_uri is left out on purpose: a non-Weft writer may well fill in the type column alone
      if (versionNull && messageId == null && correlations == null && parents == null && producer == null
          && ticksNull && mtags == null && ptags == null) {
        return new Absent();
      }
      if (versionNull) throw new Refused(CodecError.Kind.MALFORMED, "header_version: missing");
      if (version != Header.VERSION) {
        throw new Refused(CodecError.Kind.UNSUPPORTED_VERSION, "header_version: " + version + " is not supported");
      }
      if (ticksNull) throw new Refused(CodecError.Kind.MALFORMED, "ticks_from_epoch: missing");
      List<String> corr = ids("correlation_ids", required("correlation_ids", correlations));
      List<String> par = parents == null ? List.of() : ids("parent_ids", parents);
      try {
        return new Present(new Header(version, corr, required("message_id", messageId), par,
            required("producer_id", producer), required("payload_schema_uri", schema), ticks,
            tags("mtags", mtags), tags("ptags", ptags)));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new Refused(CodecError.Kind.INVALID_FIELD, e.getMessage());
      }
    } catch (Refused r) {
      return new Garbled(new CodecError(r.kind, r.getMessage()));
    } catch (SQLException | RuntimeException e) {
      // e.g. a column of the wrong type in a table someone altered by hand
      return new Garbled(new CodecError(CodecError.Kind.MALFORMED, "metadata columns unreadable: "
          + e.getClass().getSimpleName()));
    }
  }

  private static String required(String column, String value) throws Refused {
    if (value == null) throw new Refused(CodecError.Kind.MALFORMED, column + ": missing");
    return value;
  }

  private static List<String> ids(String column, String text) throws Refused {
    if (text.isEmpty()) return List.of();
    if (text.length() > MAX_COLUMN_CHARS) throw new Refused(CodecError.Kind.OVERSIZED, column + ": too long");
    List<String> out = new ArrayList<>();
    int start = 0;
    while (true) {
      int comma = text.indexOf(',', start);
      String id = comma < 0 ? text.substring(start) : text.substring(start, comma);
      if (!Ids.isCanonical(id)) {
        throw new Refused(CodecError.Kind.INVALID_FIELD,
            column + "[" + out.size() + "]: expected 32 lowercase hex characters, not all zero");
      }
      out.add(id);
      if (comma < 0) return out;
      start = comma + 1;
    }
  }

  private static Tags tags(String column, String json) throws Refused {
    if (json == null || json.isEmpty()) return Tags.empty();
    if (json.length() > MAX_COLUMN_CHARS) throw new Refused(CodecError.Kind.OVERSIZED, column + ": too long");
    Object v;
    try {
      v = Json.parse(json);
    } catch (Json.ParseException e) {
      throw new Refused(CodecError.Kind.MALFORMED, column + ": malformed JSON: " + e.getMessage());
    } catch (StackOverflowError | RuntimeException e) {
      throw new Refused(CodecError.Kind.MALFORMED, column + ": malformed JSON");
    }
    if (!(v instanceof Map<?, ?> map)) {
      throw new Refused(CodecError.Kind.MALFORMED, column + ": expected a JSON object of strings");
    }
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw new Refused(CodecError.Kind.INVALID_FIELD, column + "." + e.getKey() + ": expected a string");
      }
      out.put((String) e.getKey(), s);
    }
    try {
      return Tags.strict(out);
    } catch (IllegalArgumentException e) {
      throw new Refused(CodecError.Kind.INVALID_FIELD, column + ": " + e.getMessage());
    }
  }

  /**
   * The origin a reader adopts for a row without a usable header. Its ids are derived from the row's identity
   * ({@code table} and position) rather than drawn at random, so every read and every redelivery of that row names
   * the same message in the same trace. Like core's adopted headers it has producer {@code unknown} and says how it
   * came about in {@code weft.adopted} and {@code weft.header_error}.
   */
  static Header adopted(String table, long position, String rowSchema, CodecError error) {
    String base = "weft-jdbc:" + table + ":" + position;
    Map<String, String> mtags = new TreeMap<>();
    mtags.put("weft.adopted", "none");
    if (error != null) mtags.put("weft.header_error", error.kind().name().toLowerCase(java.util.Locale.ROOT));
    String schema = Limits.isToken(rowSchema, Limits.MAX_SCHEMA_URI_LENGTH) ? rowSchema : "unknown";
    return new Header(Header.VERSION, List.of(derivedId(base + ":trace")), derivedId(base + ":message"), List.of(),
        "unknown", schema, Ticks.now(), Tags.lenient(mtags), Tags.empty());
  }

  private static String derivedId(String seed) {
    UUID u = UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8));
    String id = Ids.toHex(u.getMostSignificantBits(), u.getLeastSignificantBits());
    return Ids.isCanonical(id) ? id : Ids.newId(); // all-zero is impossible for a v3 UUID; belt and braces
  }

  /** Counts a refused header the way core's carriers do. */
  static void countGarbled() {
    Faults.count(Fault.HEADER_DECODE_ERROR);
  }
}
