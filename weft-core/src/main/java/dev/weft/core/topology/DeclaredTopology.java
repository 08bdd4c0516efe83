package dev.weft.core.topology;

import java.util.List;
import java.util.Objects;

/**
 * The graph a service declares by holding channels: service → channel → message type, with direction. It is emitted
 * once as a DECLARE event, and the server compares it with what it observes.
 *
 * @param service the producer id of the declaring service
 * @param channels the declared channels, in a stable order (sorted by channel, then direction)
 */
public record DeclaredTopology(String service, List<DeclaredChannel> channels) {
  public DeclaredTopology {
    Objects.requireNonNull(service, "topology.service");
    channels = List.copyOf(channels);
  }
}
