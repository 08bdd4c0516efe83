package dev.weft.core.channel;

import dev.weft.core.Result;

/**
 * Turns a medium's message into a domain value paired with its trace context, as the seed's
 * {@code Dec<'m, 'a * TraceContext>}. A bad or missing header is not a decode failure (the message becomes an origin
 * and the problem is counted); only an unreadable payload is.
 */
@FunctionalInterface
public interface Decoder<M, A> {
  Result<Decoded<A>, String> decode(M message);
}
