package dev.weft.server.query;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The reserved keys of the query language. They are matched case-insensitively ({@code Status=failed} is
 * {@code status=failed}); a tag whose key collides with one is written quoted: {@code "op"=x}.
 */
public enum Key implements Field {
  /** Operation name. Text, {@code =}/{@code !=}, wildcards. */
  OP("op", Kind.TEXT),
  /** The service (producer id) that ran the operation. */
  SERVICE("service", Kind.TEXT),
  /** A trace (correlation) id the operation belongs to. */
  TRACE("trace", Kind.TRACE),
  /** A channel the operation consumed from or sent to, e.g. {@code kafka:sku-updates}. */
  CHANNEL("channel", Kind.TEXT),
  /** A message type (payload schema URI) the operation consumed or sent, e.g. {@code urn:shop:SkuUpdated:v1}. */
  SCHEMA("schema", Kind.TEXT),
  /** A telemetry event type, e.g. {@code FAIL} or a custom {@code CACHE_MISS}. */
  TYPE("type", Kind.EVENT_TYPE),
  /** The outcome of the operation. */
  STATUS("status", Kind.STATUS),
  /** Processing time: from START to COMPLETE/FAIL. */
  DURATION("duration", Kind.DURATION),
  /** Time the consumed message waited in its channel before the operation started. */
  QUEUE_WAIT("queue_wait", Kind.DURATION),
  /** Start of the time window (inclusive). */
  SINCE("since", Kind.TIME),
  /** End of the time window (exclusive). */
  UNTIL("until", Kind.TIME),
  ;

  /** How a key's value is read. */
  enum Kind {
    TEXT(EnumSet.of(Op.EQ, Op.NE)),
    TRACE(EnumSet.of(Op.EQ, Op.NE)),
    EVENT_TYPE(EnumSet.of(Op.EQ, Op.NE)),
    STATUS(EnumSet.of(Op.EQ, Op.NE)),
    DURATION(EnumSet.allOf(Op.class)),
    TIME(EnumSet.of(Op.EQ)),
    ;

    final Set<Op> ops;

    Kind(Set<Op> ops) {
      this.ops = ops;
    }
  }

  private final String key;
  private final Kind kind;

  Key(String key, Kind kind) {
    this.key = key;
    this.kind = kind;
  }

  /** The key as written in a query. */
  public String key() {
    return key;
  }

  Kind kind() {
    return kind;
  }

  /** True if {@code op} may be used with this key. */
  public boolean allows(Op op) {
    return kind.ops.contains(op);
  }

  /** The operators this key takes, in declaration order. */
  public Set<Op> operators() {
    return EnumSet.copyOf(kind.ops);
  }

  @Override
  public String format() {
    return key;
  }

  @Override
  public String toString() {
    return key;
  }

  /** The reserved key spelled {@code text} in any case, or {@code null}. */
  public static Key lookup(String text) {
    if (text == null || text.length() > 10) return null;
    String lower = text.toLowerCase(Locale.ROOT);
    for (Key k : values()) {
      if (k.key.equals(lower)) return k;
    }
    return null;
  }
}
