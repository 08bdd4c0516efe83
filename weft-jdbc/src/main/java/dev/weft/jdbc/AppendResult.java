package dev.weft.jdbc;

/**
 * What an append stored.
 *
 * @param streamId the stream appended to
 * @param firstPosition the global position of the first appended event
 * @param lastPosition the global position of the last appended event
 * @param nextExpectedVersion the stream's version after the append: pass it as {@code expectedVersion} next time
 */
public record AppendResult(String streamId, long firstPosition, long lastPosition, long nextExpectedVersion) {}
