package dev.weft.core;

/** The kinds of problem that tracing swallows instead of throwing into application code. */
public enum Fault {
  /** A tag was dropped or cut because it broke a {@link Limits} bound. */
  TAG_DROPPED,
  /** Correlation or parent ids beyond the header limits were left off the wire. */
  HEADER_TRUNCATED,
  /** A carrier held a Weft header that could not be decoded; the receiver started a new origin. */
  HEADER_DECODE_ERROR,
  /** A header could not be encoded within 8 KiB; the carrier got the W3C headers only. */
  HEADER_ENCODE_ERROR,
  /** A call on an operation that had already ended (a late tag, a second outcome). */
  OPERATION_ALREADY_ENDED,
  /** An operation closed without {@code complete()} or {@code fail()}. */
  OPERATION_NO_OUTCOME,
  /** An argument from application code was unusable (null, malformed) and was ignored. */
  BAD_ARGUMENT,
  /** A sink or exporter threw; the event was counted as dropped. */
  SINK_ERROR,
  /** Any other unexpected exception inside tracing. */
  INTERNAL_ERROR
}
