package dev.weft.core.carrier;

import dev.weft.core.Header;
import dev.weft.core.Ids;
import dev.weft.core.Limits;
import dev.weft.core.Result;
import dev.weft.core.Tags;
import dev.weft.core.carrier.CodecError.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text encoding of a header, for HTTP: up to three headers.
 *
 * <pre>
 * weft:       1.0;c=ID[,ID...];m=ID;p=ID[,ID...];pr=PRODUCER;s=SCHEMA;t=TICKS
 * weft-mtags: key=value[,key=value...]      (values percent-encoded UTF-8, as in W3C baggage)
 * weft-ptags: key=value[,key=value...]
 * </pre>
 *
 * The first element of {@code weft} is the version {@code MAJOR.MINOR}; readers ignore fields they do not know, so a
 * newer minor version decodes here. {@code p} is left out for an origin, and the tag headers when empty. All three
 * together are at most {@link Limits#MAX_ENCODED_BYTES}. See {@code docs/wire-spec.md}.
 */
public final class TextHeaderCodec {
  public static final String KEY = "weft";
  public static final String MTAGS_KEY = "weft-mtags";
  public static final String PTAGS_KEY = "weft-ptags";

  private TextHeaderCodec() {}

  /** Writes the header into the carrier, or writes nothing and returns the error. Never throws. */
  public static Result<Integer, CodecError> encode(Header h, TextCarrier carrier) {
    StringBuilder main = new StringBuilder(160);
    main.append(BinaryHeaderCodec.MAJOR).append('.').append(BinaryHeaderCodec.MINOR);
    main.append(";c=");
    join(h.correlationIds(), main);
    main.append(";m=").append(h.messageId());
    if (!h.parentIds().isEmpty()) {
      main.append(";p=");
      join(h.parentIds(), main);
    }
    main.append(";pr=").append(h.producerId());
    main.append(";s=").append(h.payloadSchemaUri());
    main.append(";t=").append(h.ticksFromEpoch());
    String mtags = h.mtags().isEmpty() ? null : tags(h.mtags());
    String ptags = h.ptags().isEmpty() ? null : tags(h.ptags());
    int size = KEY.length() + main.length()
        + (mtags == null ? 0 : MTAGS_KEY.length() + mtags.length())
        + (ptags == null ? 0 : PTAGS_KEY.length() + ptags.length());
    if (size > Limits.MAX_ENCODED_BYTES) {
      return Result.err(CodecError.of(Kind.OVERSIZED, "header needs " + size + " bytes of text, more than "
          + Limits.MAX_ENCODED_BYTES));
    }
    carrier.put(KEY, main.toString());
    if (mtags != null) carrier.put(MTAGS_KEY, mtags);
    if (ptags != null) carrier.put(PTAGS_KEY, ptags);
    return Result.ok(size);
  }

  private static void join(List<String> ids, StringBuilder out) {
    for (int i = 0; i < ids.size(); i++) {
      if (i > 0) out.append(',');
      out.append(ids.get(i));
    }
  }

  static String tags(Tags tags) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < tags.size(); i++) {
      if (i > 0) sb.append(',');
      sb.append(tags.keyAt(i)).append('=');
      PercentCodec.encode(tags.valueAt(i), sb);
    }
    return sb.toString();
  }

  /** Reads the header from the carrier; {@link Kind#MISSING} when there is none. Never throws. */
  public static Result<Header, CodecError> decode(TextCarrier carrier) {
    try {
      String main = carrier.get(KEY);
      if (main == null) return Result.err(CodecError.of(Kind.MISSING, "no weft header"));
      String mt = carrier.get(MTAGS_KEY);
      String pt = carrier.get(PTAGS_KEY);
      int size = KEY.length() + main.length() + (mt == null ? 0 : MTAGS_KEY.length() + mt.length())
          + (pt == null ? 0 : PTAGS_KEY.length() + pt.length());
      if (size > Limits.MAX_ENCODED_BYTES) {
        return Result.err(CodecError.of(Kind.OVERSIZED, size + " bytes of text, more than " + Limits.MAX_ENCODED_BYTES));
      }
      return parse(main.trim(), mt, pt);
    } catch (RuntimeException e) {
      return Result.err(CodecError.of(Kind.MALFORMED, "undecodable header: " + e.getClass().getSimpleName()));
    }
  }

  private static Result<Header, CodecError> parse(String main, String mt, String pt) {
    String[] parts = main.split(";", -1);
    String version = parts[0].trim();
    int dot = version.indexOf('.');
    String majorText = dot < 0 ? version : version.substring(0, dot);
    int major;
    try {
      major = Integer.parseInt(majorText);
      if (dot >= 0) Integer.parseInt(version.substring(dot + 1));
    } catch (NumberFormatException e) {
      return err(Kind.MALFORMED, "version: expected MAJOR.MINOR, got \"" + abbreviate(version) + "\"");
    }
    if (major != BinaryHeaderCodec.MAJOR) {
      return err(Kind.UNSUPPORTED_VERSION, "header version " + version + "; this reader understands "
          + BinaryHeaderCodec.MAJOR + ".x");
    }
    String c = null, m = null, p = null, pr = null, s = null, t = null;
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i].trim();
      if (part.isEmpty()) continue;
      int eq = part.indexOf('=');
      if (eq <= 0) return err(Kind.MALFORMED, "field " + (i) + ": expected key=value, got \"" + abbreviate(part) + "\"");
      String k = part.substring(0, eq);
      String v = part.substring(eq + 1);
      String previous;
      switch (k) {
        case "c": previous = c; c = v; break;
        case "m": previous = m; m = v; break;
        case "p": previous = p; p = v; break;
        case "pr": previous = pr; pr = v; break;
        case "s": previous = s; s = v; break;
        case "t": previous = t; t = v; break;
        default: previous = null; // a field from a newer minor version
      }
      if (previous != null) return err(Kind.MALFORMED, "field " + k + " appears twice");
    }
    if (c == null) return err(Kind.MALFORMED, "correlation_ids (c): missing");
    if (m == null) return err(Kind.MALFORMED, "message_id (m): missing");
    if (pr == null) return err(Kind.MALFORMED, "producer_id (pr): missing");
    if (s == null) return err(Kind.MALFORMED, "payload_schema_uri (s): missing");
    if (t == null) return err(Kind.MALFORMED, "ticks_from_epoch (t): missing");
    long ticks;
    try {
      ticks = Long.parseLong(t);
    } catch (NumberFormatException e) {
      return err(Kind.INVALID_FIELD, "ticks_from_epoch: not an integer: \"" + abbreviate(t) + "\"");
    }
    Result<List<String>, CodecError> correlations = ids(c, "correlation_ids", Limits.MAX_CORRELATION_IDS);
    if (!correlations.isOk()) return Result.err(((Result.Err<List<String>, CodecError>) correlations).error());
    Result<List<String>, CodecError> parents = p == null || p.isEmpty() ? Result.ok(List.of())
        : ids(p, "parent_ids", Limits.MAX_PARENT_IDS);
    if (!parents.isOk()) return Result.err(((Result.Err<List<String>, CodecError>) parents).error());
    String messageId = Ids.normalize(m);
    if (messageId == null) return err(Kind.INVALID_FIELD, "message_id: not an id: \"" + abbreviate(m) + "\"");
    Result<Tags, CodecError> mtags = parseTags(mt, "mtags");
    if (!mtags.isOk()) return Result.err(((Result.Err<Tags, CodecError>) mtags).error());
    Result<Tags, CodecError> ptags = parseTags(pt, "ptags");
    if (!ptags.isOk()) return Result.err(((Result.Err<Tags, CodecError>) ptags).error());
    try {
      return Result.ok(new Header(Header.VERSION, correlations.orElse(null), messageId, parents.orElse(null), pr, s,
          ticks, mtags.orElse(null), ptags.orElse(null)));
    } catch (IllegalArgumentException e) {
      return err(Kind.INVALID_FIELD, e.getMessage());
    }
  }

  private static Result<List<String>, CodecError> ids(String text, String field, int max) {
    String[] raw = text.split(",", -1);
    if (raw.length > max) return err(Kind.INVALID_FIELD, field + ": " + raw.length + " ids, at most " + max);
    List<String> out = new ArrayList<>(raw.length);
    for (int i = 0; i < raw.length; i++) {
      String id = Ids.normalize(raw[i].trim());
      if (id == null) return err(Kind.INVALID_FIELD, field + "[" + i + "]: not an id: \"" + abbreviate(raw[i]) + "\"");
      out.add(id);
    }
    return Result.ok(out);
  }

  static Result<Tags, CodecError> parseTags(String text, String field) {
    if (text == null || text.isBlank()) return Result.ok(Tags.empty());
    Map<String, String> m = new TreeMap<>();
    for (String member : text.split(",", -1)) {
      String mbr = member.trim();
      if (mbr.isEmpty()) continue;
      int eq = mbr.indexOf('=');
      if (eq <= 0) return err(Kind.MALFORMED, field + ": expected key=value, got \"" + abbreviate(mbr) + "\"");
      String k = mbr.substring(0, eq).trim();
      String v = PercentCodec.decode(mbr.substring(eq + 1).trim());
      if (v == null) return err(Kind.MALFORMED, field + "." + abbreviate(k) + ": bad percent-encoding");
      if (m.put(k, v) != null) return err(Kind.MALFORMED, field + ": duplicate key " + abbreviate(k));
    }
    try {
      return Result.ok(Tags.strict(m));
    } catch (IllegalArgumentException e) {
      return err(Kind.INVALID_FIELD, field + ": " + e.getMessage());
    }
  }

  private static <T> Result<T, CodecError> err(Kind kind, String message) {
    return Result.err(CodecError.of(kind, message));
  }

  static String abbreviate(String s) {
    return s.length() <= 48 ? s : s.substring(0, 48) + "...";
  }
}
