package dev.weft.kafka.streams;

import dev.weft.core.Header;
import java.util.Objects;

/**
 * A value with the Weft header of the message it is: what flows through a traced Kafka Streams topology. The header
 * travels inside the value, not in the record headers, because Kafka Streams keeps only the headers of the record
 * being processed: a join's other side, a table's value and an aggregate would lose theirs. Inside the value it
 * survives state stores, changelogs and repartition topics (see {@link WeftSerdes#traced}).
 *
 * @param header the message's header: as received, or as propagated by the step that made the value
 * @param value the payload
 */
public record Traced<V>(Header header, V value) {
  public Traced {
    Objects.requireNonNull(header, "header");
  }
}
