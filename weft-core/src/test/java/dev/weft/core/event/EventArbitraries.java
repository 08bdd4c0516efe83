package dev.weft.core.event;

import dev.weft.core.Header;
import dev.weft.core.Limits;
import dev.weft.core.Tags;
import dev.weft.core.carrier.WeftArbitraries;
import dev.weft.core.topology.DeclaredChannel;
import dev.weft.core.topology.DeclaredTopology;
import dev.weft.core.topology.Direction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Generators of VALID telemetry events: every one should survive toJson then parse unchanged. */
public final class EventArbitraries {
  private EventArbitraries() {}

  static Arbitrary<String> nonEmpty(int max) {
    return WeftArbitraries.unicode(max).filter(s -> !s.isEmpty());
  }

  static Arbitrary<String> printable(int max) {
    return nonEmpty(max).filter(s -> s.chars().noneMatch(Character::isISOControl));
  }

  static Arbitrary<String> eventTypes() {
    Arbitrary<String> custom = Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
        .ofMaxLength(EventType.MAX_LENGTH - 1).map(s -> "X" + s);
    return Arbitraries.oneOf(Arbitraries.of(EventType.START, EventType.COMPLETE, EventType.FAIL, EventType.SEND,
        EventType.RECEIVE, EventType.DECLARE), custom);
  }

  static Arbitrary<ErrorInfo> errors() {
    return Combinators.combine(nonEmpty(ErrorInfo.MAX_TYPE_LENGTH), WeftArbitraries.unicode(600))
        .as(ErrorInfo::new);
  }

  static Arbitrary<MessageInfo> messages(Arbitrary<Header> headers) {
    return Combinators.combine(headers, WeftArbitraries.tokens(256)).as(MessageInfo::new);
  }

  static Arbitrary<DeclaredTopology> topologies() {
    Arbitrary<DeclaredChannel> channel = Combinators.combine(nonEmpty(80), nonEmpty(80),
            WeftArbitraries.unicode(40).injectNull(0.5), Arbitraries.of(Direction.class))
        .as(DeclaredChannel::new);
    return Combinators.combine(WeftArbitraries.tokens(128), channel.list().ofMaxSize(6))
        .as(DeclaredTopology::new);
  }

  static Arbitrary<Map<String, String>> resources() {
    return Arbitraries.maps(WeftArbitraries.tagKeys(), WeftArbitraries.unicode(64)).ofMaxSize(12)
        .map(m -> (Map<String, String>) new TreeMap<>(m));
  }

  /** Event tags; never {@code op_name}, which the reader maps to {@code op} for seed compatibility. */
  static Arbitrary<Tags> eventTags() {
    return Arbitraries.maps(WeftArbitraries.tagKeys().filter(k -> !k.equals("op_name")),
        WeftArbitraries.unicode(80)).ofMaxSize(Limits.MAX_TAGS).map(Tags::strict);
  }

  /** Every field drawn, optional ones sometimes absent; type-specific requirements are met. */
  public static Arbitrary<TelemetryEvent> events() {
    return events(WeftArbitraries.smallHeaders());
  }

  public static Arbitrary<TelemetryEvent> events(Arbitrary<Header> headers) {
    Arbitrary<Long> seq = Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.longs().greaterOrEqual(0));
    var identity = Combinators.combine(
        nonEmpty(TelemetryEvent.MAX_EVENT_ID_LENGTH),
        eventTypes(),
        WeftArbitraries.ids(),
        WeftArbitraries.distinctIds(0, Limits.MAX_CORRELATION_IDS - 1),
        Arbitraries.longs().greaterOrEqual(0),
        WeftArbitraries.tokens(EventJson.MAX_NAME_LENGTH),
        nonEmpty(EventJson.MAX_NAME_LENGTH).injectNull(0.3),
        seq).as(Tuple::of);
    var operation = Combinators.combine(
        printable(EventJson.MAX_NAME_LENGTH).injectNull(0.3),
        nonEmpty(EventJson.MAX_NAME_LENGTH).injectNull(0.3),
        nonEmpty(EventJson.MAX_NAME_LENGTH).injectNull(0.5),
        nonEmpty(32).injectNull(0.5),
        errors().injectNull(0.6),
        eventTags(),
        resources(),
        WeftArbitraries.distinctIds(0, 20)).as(Tuple::of);
    var parts = Combinators.combine(
        messages(headers).injectNull(0.4),
        topologies().injectNull(0.6),
        Arbitraries.integers().between(0, 31)).as(Tuple::of);
    return Combinators.combine(identity, operation, parts).as((a, b, c) -> {
      String type = a.get2();
      String traceId = a.get3();
      List<String> correlations = new ArrayList<>();
      List<String> others = new ArrayList<>(a.get4());
      others.remove(traceId);
      if (!others.isEmpty()) {
        correlations.addAll(others);
        correlations.add(Math.min(c.get3(), correlations.size()), traceId);
      }
      String op = b.get1();
      String opId = b.get2();
      String status = b.get4();
      MessageInfo message = c.get1();
      DeclaredTopology topology = c.get2();
      switch (type) {
        case EventType.START, EventType.COMPLETE, EventType.FAIL -> {
          if (op == null) op = "op";
          if (opId == null) opId = "0123456789abcdef";
          // the reader fills in the obvious status of an outcome
          if (status == null && type.equals(EventType.COMPLETE)) status = TelemetryEvent.STATUS_OK;
          if (status == null && type.equals(EventType.FAIL)) status = TelemetryEvent.STATUS_ERROR;
        }
        case EventType.SEND, EventType.RECEIVE -> {
          if (message == null) message = new MessageInfo(WeftArbitraries.sampleHeader(), "kafka:sku-updates");
        }
        case EventType.DECLARE -> {
          if (topology == null) topology = new DeclaredTopology("svc", List.of());
        }
        default -> { }
      }
      return new TelemetryEvent(TelemetryEvent.VERSION, a.get1(), type, traceId, correlations, a.get5(), a.get6(),
          a.get7(), a.get8(), op, opId, b.get3(), status, b.get5(), b.get6(), message, b.get8(), b.get7(), topology);
    });
  }

  /** Events whose JSON fits the single-event limit. */
  public static Arbitrary<TelemetryEvent> fittingEvents() {
    return events().filter(e -> EventJson.toJson(e).length() <= EventJson.MAX_EVENT_CHARS);
  }
}
