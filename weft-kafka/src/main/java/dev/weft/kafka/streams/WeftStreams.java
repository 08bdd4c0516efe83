package dev.weft.kafka.streams;

import dev.weft.core.Fault;
import dev.weft.core.Faults;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Scope;
import dev.weft.core.Tracer;
import dev.weft.core.carrier.Propagation;
import dev.weft.kafka.KafkaCarrier;
import dev.weft.kafka.KafkaChannels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.Initializer;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.kstream.ValueMapper;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Continues Weft traces through a Kafka Streams topology, including joins and (windowed) aggregations, where one output
 * record is caused by several inputs.
 *
 * <p>The design: a topology works on {@link Traced} values, which carry their message's header inside the value.
 * {@link #receive} lifts records read from a topic into traced values (emitting RECEIVE); the wrappers below run the
 * application's own joiner, aggregator or mapper as Weft operations and propagate headers; {@link #send} writes the
 * header back into the record headers (emitting SEND) just before {@code to(topic)}.
 *
 * <pre>{@code
 * WeftStreams weft = WeftStreams.of(tracer);
 * KStream<String, Traced<Order>> orders = builder.stream("orders", Consumed.with(keys, orderSerde))
 *     .processValues(weft.receive("orders", "urn:shop:Order:v1"));
 * KStream<String, Traced<Payment>> payments = ...;
 * orders.join(payments, weft.joiner("MatchPayment", "urn:shop:PaidOrder:v1", PaidOrder::new),
 *         JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMinutes(5)),
 *         StreamJoined.with(keys, WeftSerdes.traced(orderSerde), WeftSerdes.traced(paymentSerde)))
 *     .processValues(weft.send("paid-orders"))
 *     .to("paid-orders", Produced.with(keys, paidSerde));
 * }</pre>
 *
 * <ul>
 *   <li><b>Join</b>: {@link #joiner} runs one operation whose inputs are both sides; the output's parents are both
 *       messages (one, for the missing side of an outer join) and it belongs to the union of their traces.
 *   <li><b>Aggregation</b>: {@link #aggregator} folds each message in an operation of its own and keeps its header in
 *       the {@link TracedAggregate} (bounded, see there); {@link #emit} turns an aggregate into a message through a
 *       fan-in operation over every kept input, so the emitted record lists them all as parents. Windowed aggregates
 *       work the same way: the kept inputs are those of the window.
 * </ul>
 *
 * Tracing never breaks the topology: header problems are counted, and only the application's own exceptions
 * propagate (after failing their operation), to be handled by Kafka Streams as usual.
 */
public final class WeftStreams {
  private final Tracer tracer;
  private final Propagation propagation;

  private WeftStreams(Tracer tracer, Propagation propagation) {
    this.tracer = Objects.requireNonNull(tracer, "tracer");
    this.propagation = Objects.requireNonNull(propagation, "propagation");
  }

  /** Helpers emitting through {@code tracer}, writing Weft and W3C {@code traceparent} headers. */
  public static WeftStreams of(Tracer tracer) {
    return new WeftStreams(tracer, Propagation.defaults());
  }

  /** Helpers with a chosen propagation (e.g. adding B3 for Brave peers). */
  public static WeftStreams of(Tracer tracer, Propagation propagation) {
    return new WeftStreams(tracer, propagation);
  }

  // ------------------------------------------------------------------ edges of the topology

  /**
   * Lifts records read from {@code topic} into traced values: the header is read from the record headers (a missing
   * or bad one becomes an adopted origin of type {@code schema}, counted) and RECEIVE is emitted. Use with
   * {@code KStream.processValues}.
   */
  public <K, V> FixedKeyProcessorSupplier<K, V, Traced<V>> receive(String topic, String schema) {
    String channel = KafkaChannels.channelId(topic);
    return () -> new Step<K, V, Traced<V>>() {
      @Override
      public void process(FixedKeyRecord<K, V> r) {
        Header h;
        try {
          h = propagation.extract(KafkaCarrier.of(r.headers())).receivedHeader(schema);
        } catch (RuntimeException e) {
          Faults.count(Fault.INTERNAL_ERROR);
          h = Header.origin("unknown", schema);
        }
        tracer.received(h, channel, null);
        context.forward(r.withValue(new Traced<>(h, r.value())));
      }
    };
  }

  /**
   * Unwraps traced values before they are written to {@code topic}: the header goes into the record headers
   * (replacing any inherited from the input record) and SEND is emitted. Use with {@code KStream.processValues},
   * right before {@code to(topic)}.
   */
  public <K, V> FixedKeyProcessorSupplier<K, Traced<V>, V> send(String topic) {
    String channel = KafkaChannels.channelId(topic);
    return () -> new Step<K, Traced<V>, V>() {
      @Override
      public void process(FixedKeyRecord<K, Traced<V>> r) {
        Traced<V> t = r.value();
        if (t == null) {
          context.forward(r.withValue(null)); // a tombstone carries no message
          return;
        }
        // a copy: the input record's headers may be shared with other branches of the topology
        RecordHeaders headers = new RecordHeaders(r.headers().toArray());
        propagation.inject(t.header(), KafkaCarrier.of(headers));
        tracer.sent(t.header(), channel, null);
        context.forward(r.withValue(t.value()).withHeaders(headers));
      }
    };
  }

  private abstract static class Step<K, V, R> implements FixedKeyProcessor<K, V, R> {
    FixedKeyProcessorContext<K, R> context;

    @Override
    public void init(FixedKeyProcessorContext<K, R> context) {
      this.context = context;
    }
  }

  // ------------------------------------------------------------------ operations inside the topology

  /**
   * Wraps a joiner: one operation named {@code operation} over both sides, whose result is a message of type
   * {@code schema} with both inputs as parents. Works for inner, left and outer joins (a missing side is null and is
   * simply not an input) and for stream-table joins, whose table values are traced too.
   */
  public <V1, V2, R> ValueJoiner<Traced<V1>, Traced<V2>, Traced<R>> joiner(String operation, String schema,
      ValueJoiner<? super V1, ? super V2, ? extends R> joiner) {
    Objects.requireNonNull(joiner, "joiner");
    return (left, right) -> {
      List<Header> inputs = new ArrayList<>(2);
      if (left != null) inputs.add(left.header());
      if (right != null) inputs.add(right.header());
      return run(operation, schema, inputs,
          () -> joiner.apply(left == null ? null : left.value(), right == null ? null : right.value()));
    };
  }

  /** Wraps a mapper: one operation per value, whose result is a message of type {@code schema} caused by the input. */
  public <V, R> ValueMapper<Traced<V>, Traced<R>> mapper(String operation, String schema,
      ValueMapper<? super V, ? extends R> mapper) {
    Objects.requireNonNull(mapper, "mapper");
    return in -> in == null ? null : run(operation, schema, List.of(in.header()), () -> mapper.apply(in.value()));
  }

  /** Wraps an initializer: an aggregate that starts with no inputs. */
  public <A> Initializer<TracedAggregate<A>> initializer(Initializer<A> initializer) {
    Objects.requireNonNull(initializer, "initializer");
    return () -> TracedAggregate.of(initializer.apply());
  }

  /**
   * Wraps an aggregator: each message is folded in an operation named {@code operation} whose input is that message,
   * and its header is kept in the aggregate so that {@link #emit} can list it as a parent.
   */
  @SuppressWarnings("try") // the scope only makes the operation current for the application's code
  public <K, V, A> Aggregator<K, Traced<V>, TracedAggregate<A>> aggregator(String operation,
      Aggregator<? super K, ? super V, A> aggregator) {
    Objects.requireNonNull(aggregator, "aggregator");
    return (key, in, agg) -> {
      if (in == null) return agg;
      try (Operation op = tracer.startFromHeaders(operation, List.of(in.header()));
          Scope ignored = op.makeCurrent()) {
        try {
          A next = aggregator.apply(key, in.value(), agg.value());
          op.complete();
          return agg.add(in.header(), next);
        } catch (RuntimeException e) {
          op.fail(e);
          throw e;
        }
      }
    };
  }

  /** A counting aggregator: {@code initializer(() -> 0L)} with this counts messages, each as an input. */
  public <K, V> Aggregator<K, Traced<V>, TracedAggregate<Long>> counter(String operation) {
    return aggregator(operation, (K k, V v, Long n) -> n == null ? 1L : n + 1);
  }

  /**
   * Turns an aggregate into a message of type {@code schema}: a fan-in operation named {@code operation} whose inputs
   * are every message kept in the aggregate, and whose output lists them all as parents. Use with {@code mapValues}
   * on the aggregate's stream (e.g. {@code table.toStream().mapValues(weft.emit(...))}).
   */
  public <A> ValueMapper<TracedAggregate<A>, Traced<A>> emit(String operation, String schema) {
    return agg -> {
      if (agg == null) return null;
      Map<String, String> mtags = agg.leftOff() > 0 ? Map.of("weft.parents_left_off", Long.toString(agg.leftOff()))
          : Map.of();
      if (agg.leftOff() > 0) Faults.count(Fault.HEADER_TRUNCATED, agg.leftOff());
      try (Operation op = tracer.startFromHeaders(operation, agg.inputs())) {
        if (agg.leftOff() > 0) op.tag("weft.inputs_left_off", agg.leftOff());
        Header out = op.prepareOut(schema, null, mtags).header();
        op.complete();
        return new Traced<>(out, agg.value());
      }
    };
  }

  @SuppressWarnings("try")
  private <R> Traced<R> run(String operation, String schema, List<Header> inputs, Supplier<? extends R> work) {
    try (Operation op = tracer.startFromHeaders(operation, inputs); Scope ignored = op.makeCurrent()) {
      try {
        R result = work.get();
        Header out = op.outputHeader(schema);
        op.complete();
        return new Traced<>(out, result);
      } catch (RuntimeException e) {
        op.fail(e);
        throw e;
      }
    }
  }
}
