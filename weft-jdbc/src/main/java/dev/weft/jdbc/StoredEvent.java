package dev.weft.jdbc;

import dev.weft.core.Envelope;
import dev.weft.core.Stage;
import dev.weft.core.carrier.CodecError;

/**
 * One event read back from the store.
 *
 * @param globalPosition its place in the store's total order; a catch-up reader's checkpoint
 * @param streamId the stream, exactly as appended
 * @param streamVersion its version in the stream: 0 for the first event
 * @param envelope the payload with the Weft header rebuilt from the metadata columns, or an adopted origin header when
 *     they were missing or unreadable (see {@link #headerStatus()})
 * @param headerStatus whether the header came from the row
 * @param headerError why the row's header was refused, when {@code headerStatus} is {@link HeaderStatus#GARBLED};
 *     otherwise null
 */
public record StoredEvent<A>(long globalPosition, String streamId, long streamVersion, Envelope<Stage.In, A> envelope,
    HeaderStatus headerStatus, CodecError headerError) {

  /** Where an event's header came from. */
  public enum HeaderStatus {
    /** The row's metadata columns held a valid Weft header. */
    WEFT,
    /** The row had no Weft metadata (written by something else): the reader adopted a new origin. */
    MISSING,
    /** The row's metadata was unreadable: the reader adopted a new origin and counted a header decode error. */
    GARBLED
  }
}
