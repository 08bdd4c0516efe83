package dev.weft.core.carrier;

/**
 * Why a header could not be decoded (or encoded). Decoders return it instead of throwing.
 *
 * @param kind the class of problem
 * @param message what was wrong, naming the field where there is one
 */
public record CodecError(Kind kind, String message) {
  /** The classes of problem. */
  public enum Kind {
    /** The carrier holds no header of this format. */
    MISSING,
    /** The bytes or text end before the header does. */
    TRUNCATED,
    /** The structure is broken: a bad length, a bad separator, a duplicate field. */
    MALFORMED,
    /** A major version this reader does not understand. */
    UNSUPPORTED_VERSION,
    /** Larger than the 8 KiB bound. */
    OVERSIZED,
    /** Well-formed, but a field breaks the header's rules (a bad id, too many tags). */
    INVALID_FIELD
  }

  static CodecError of(Kind kind, String message) {
    return new CodecError(kind, message);
  }

  @Override
  public String toString() {
    return kind + ": " + message;
  }
}
