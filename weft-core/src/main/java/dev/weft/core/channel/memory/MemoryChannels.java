package dev.weft.core.channel.memory;

import dev.weft.core.Envelope;
import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Operation;
import dev.weft.core.Result;
import dev.weft.core.Stage;
import dev.weft.core.Tracer;
import dev.weft.core.channel.BinaryCodecs;
import dev.weft.core.channel.BinaryMessage;
import dev.weft.core.channel.Channel;
import dev.weft.core.channel.Decoded;
import dev.weft.core.channel.Handler;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.channel.PubClient;
import dev.weft.core.channel.SubClient;
import dev.weft.core.carrier.Propagation;

/**
 * Traced publishers and subscribers on a {@link MemoryBroker}: the reference for what every medium does.
 *
 * <ul>
 *   <li>publish: encode the {@code Out} envelope (header into the carrier), emit SEND, hand it to the transport;
 *   <li>receive: decode (a bad header becomes a counted, adopted origin), emit RECEIVE, run the handler as an
 *       operation whose input is the message, complete it or fail it.
 * </ul>
 */
public final class MemoryChannels {
  private final MemoryBroker broker;
  private final Tracer tracer;
  private final Propagation propagation;

  public MemoryChannels(MemoryBroker broker, Tracer tracer) {
    this(broker, tracer, Propagation.defaults());
  }

  public MemoryChannels(MemoryBroker broker, Tracer tracer, Propagation propagation) {
    this.broker = broker;
    this.tracer = tracer;
    this.propagation = propagation;
  }

  /** A publisher for a channel. */
  public <A> Publisher<A> publisher(Channel channel, PayloadCodec<A> codec) {
    return new Publisher<>(new PubClient<>(channel, BinaryCodecs.encoder(codec, propagation)));
  }

  /** Subscribes {@code handler} to a channel; each message runs as an operation named {@code operationName}. */
  public <A> SubClient<BinaryMessage, A> subscribe(Channel channel, PayloadCodec<A> codec, String operationName,
      Handler<A> handler) {
    SubClient<BinaryMessage, A> sub = new SubClient<>(channel, BinaryCodecs.decoder(channel, codec, propagation));
    broker.subscribe(channel.name(), message -> {
      Result<Decoded<A>, String> r = sub.decode(message);
      if (!(r instanceof Result.Ok<Decoded<A>, String> ok)) {
        Faults.count(Fault.BAD_ARGUMENT); // an unreadable payload: the application's problem, counted here
        return;
      }
      Envelope<Stage.In, A> in = ok.value().envelope();
      Operation op = tracer.start(operationName, in);
      tracer.received(in.header(), channel.id(), op);
      try {
        handler.handle(in, op);
        if (op.isRunning()) op.complete();
      } catch (Exception e) {
        op.fail(e);
      }
    });
    return sub;
  }

  /** Publishes envelopes on one channel. */
  public final class Publisher<A> implements dev.weft.core.topology.DeclaresChannel {
    private final PubClient<BinaryMessage, A> client;

    private Publisher(PubClient<BinaryMessage, A> client) {
      this.client = client;
    }

    @Override
    public Channel channel() {
      return client.channel();
    }

    @Override
    public dev.weft.core.topology.Direction direction() {
      return dev.weft.core.topology.Direction.PUBLISH;
    }

    /** Sends a prepared envelope; {@code sender} is the operation that produced it, or null. */
    public void publish(Envelope<Stage.Out, A> envelope, Operation sender) throws Exception {
      BinaryMessage m = client.encode(envelope);
      tracer.sent(envelope.header(), client.channel().id(), sender);
      broker.publish(client.channel().name(), m);
    }
  }
}
