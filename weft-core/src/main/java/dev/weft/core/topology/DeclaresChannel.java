package dev.weft.core.topology;

import dev.weft.core.channel.Channel;

/**
 * Implemented by anything a service holds that uses a channel (a medium's publisher or subscriber), so the
 * {@link TopologyScanner} finds it. The core channel types ({@code PubClient}, {@code SubClient},
 * {@code ReqRepServer}, {@code ReqRepClient}) are recognized without it.
 */
public interface DeclaresChannel {
  Channel channel();

  Direction direction();
}
