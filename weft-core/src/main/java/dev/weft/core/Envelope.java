package dev.weft.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A header and a payload, with the stage in the type: {@code Envelope<Stage.Out, P>} can only come from
 * {@link #prepareOrigin} or {@link #prepareOut}, so a publisher that takes {@code Out} cannot be handed a message
 * whose header was never propagated. The stages follow the seed: a medium reads {@link Stage.Serialized}, decodes to
 * {@link Stage.In}, the service works in {@link Stage.InProcess}, and writes {@link Stage.Out}.
 *
 * <p>Not a record on purpose: a record's public constructor would let any code mint an {@code Out} envelope.
 *
 * @param <S> the stage
 * @param <P> the payload type
 */
public final class Envelope<S extends Stage, P> {
  private final Header header;
  private final P payload;

  private Envelope(Header header, P payload) {
    this.header = Objects.requireNonNull(header, "header");
    this.payload = payload;
  }

  public Header header() {
    return header;
  }

  public P payload() {
    return payload;
  }

  /** A message as bytes on a medium. */
  public static Envelope<Stage.Serialized, byte[]> serialized(Header header, byte[] bytes) {
    return new Envelope<>(header, bytes);
  }

  /** A message read from a medium. Mediums and decoders call this. */
  public static <P> Envelope<Stage.In, P> in(Header header, P payload) {
    return new Envelope<>(header, payload);
  }

  /** The payload transformed, keeping the header: the message is now in process. */
  public <Q> Envelope<Stage.InProcess, Q> map(Function<? super P, ? extends Q> f) {
    return new Envelope<>(header, f.apply(payload));
  }

  /**
   * Applies {@code f} to an ok payload and passes an error through untouched, as the seed's {@code resultMap}.
   */
  public static <A, B, E> Envelope<Stage.InProcess, Result<B, E>> resultMap(
      Envelope<Stage.In, Result<A, E>> envelope, Function<? super A, Result<B, E>> f) {
    return envelope.map(r -> r.flatMap(f::apply));
  }

  /** A message that starts a new flow, as the seed's {@code prepareOriginEnvelope}. */
  public static <P> Envelope<Stage.Out, P> prepareOrigin(String producerId, String payloadSchemaUri, P payload) {
    return new Envelope<>(Header.origin(producerId, payloadSchemaUri), payload);
  }

  /** A message that starts a new flow and carries propagated tags, such as {@code merchant_id}. */
  public static <P> Envelope<Stage.Out, P> prepareOrigin(String producerId, String payloadSchemaUri, P payload,
      Map<String, String> ptags) {
    return new Envelope<>(Header.origin(producerId, payloadSchemaUri, Tags.empty(), ptags), payload);
  }

  /**
   * The output of processing this envelope, keeping its payload, as the seed's {@code prepareOutEnvelope}: a new header
   * propagated from this one.
   */
  public Envelope<Stage.Out, P> prepareOut(String producerId, String payloadSchemaUri) {
    return new Envelope<>(Header.propagate(producerId, payloadSchemaUri, header), payload);
  }

  /** A new payload caused by this envelope. */
  public <Q> Envelope<Stage.Out, Q> prepareOut(String producerId, String payloadSchemaUri, Q newPayload) {
    return new Envelope<>(Header.propagate(producerId, payloadSchemaUri, header), newPayload);
  }

  /** A payload caused by several envelopes: a fan-in (join, batch, aggregate). See {@link Header#propagate}. */
  public static <Q> Envelope<Stage.Out, Q> prepareOut(String producerId, String payloadSchemaUri, Q payload,
      Collection<? extends Envelope<?, ?>> parents) {
    List<Header> headers = new ArrayList<>(parents.size());
    for (Envelope<?, ?> e : parents) headers.add(e.header);
    return new Envelope<>(Header.propagate(producerId, payloadSchemaUri, headers, Tags.empty()), payload);
  }

  /** A payload caused by the given headers, e.g. the inputs of an operation. */
  public static <Q> Envelope<Stage.Out, Q> prepareOutFromHeaders(String producerId, String payloadSchemaUri,
      Q payload, List<Header> parents, Map<String, String> mtags) {
    return new Envelope<>(Header.propagate(producerId, payloadSchemaUri, parents, mtags), payload);
  }

  /**
   * A payload produced in a context: propagated from the context's causes, or an origin in its traces when it has
   * none. This is how code that holds a {@link TraceContext} (from a decoder, or an operation) prepares output.
   */
  public static <Q> Envelope<Stage.Out, Q> prepareOut(TraceContext context, String producerId, String payloadSchemaUri,
      Q payload) {
    return new Envelope<>(context.headerFor(producerId, payloadSchemaUri, Map.of()), payload);
  }

  /** An envelope around a header that {@link Operation} or {@link TraceContext} has just propagated. */
  static <Q> Envelope<Stage.Out, Q> prepareOutFromHeaders(Header propagated, Q payload) {
    return new Envelope<>(propagated, payload);
  }

  /** This outgoing envelope with a different header, e.g. one with an extra tag. Only for {@code Out}. */
  public static <P> Envelope<Stage.Out, P> withHeader(Envelope<Stage.Out, P> out, Header header) {
    return new Envelope<>(header, out.payload);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Envelope<?, ?> e && header.equals(e.header) && Objects.equals(payload, e.payload);
  }

  @Override
  public int hashCode() {
    return header.hashCode() * 31 + Objects.hashCode(payload);
  }

  @Override
  public String toString() {
    return "Envelope{" + header.payloadSchemaUri() + " " + header.messageId() + "}";
  }
}
