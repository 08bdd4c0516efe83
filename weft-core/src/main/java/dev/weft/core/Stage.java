package dev.weft.core;

/**
 * The stage of an {@link Envelope}, as a compile-time type: the seed's {@code Serialized}, {@code In},
 * {@code InProcess} and {@code Out}. The marker types have no instances; they exist only to make a publisher refuse,
 * at compile time, an envelope that was not prepared for output.
 */
public sealed interface Stage permits Stage.Serialized, Stage.In, Stage.InProcess, Stage.Out {
  /** A message in its serialized state: bytes and a header, straight from or to a medium. */
  final class Serialized implements Stage {
    private Serialized() {}
  }

  /** A message read from a data source and decoded. */
  final class In implements Stage {
    private In() {}
  }

  /** A message being processed: the result of {@link Envelope#map}. */
  final class InProcess implements Stage {
    private InProcess() {}
  }

  /** A message ready to be written to a data source: its header was made by origin or propagate. */
  final class Out implements Stage {
    private Out() {}
  }
}
