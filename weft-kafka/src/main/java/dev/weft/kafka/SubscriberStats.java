package dev.weft.kafka;

/**
 * What a {@link KafkaSubscriber} did. Every record it was given is counted once in {@code records}, and ends as
 * handled, failed (the handler threw) or a payload error.
 *
 * @param records records processed
 * @param handled records whose handler returned normally (in batch mode: records of such batches)
 * @param failed records whose handler threw: their operation failed and the subscriber went on
 * @param payloadErrors records whose payload the codec could not read (their operation fails)
 * @param adopted records without a usable Weft header, which became an adopted origin (missing or bad header)
 * @param badHeaders records whose Weft header was present but unusable: garbled, oversized, invalid
 * @param operations operations run (one per record, or one per batch)
 * @param pollErrors exceptions from {@code poll} or {@code commit} that the loop survived, and asynchronous commits
 *     that failed
 */
public record SubscriberStats(long records, long handled, long failed, long payloadErrors, long adopted,
    long badHeaders, long operations, long pollErrors) {}
