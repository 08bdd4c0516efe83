package dev.weft.core.event;

import static dev.weft.core.carrier.CodecTestSupport.err;
import static dev.weft.core.carrier.CodecTestSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.Header;
import dev.weft.core.Tags;
import dev.weft.core.Ticks;
import dev.weft.core.topology.DeclaredChannel;
import dev.weft.core.topology.DeclaredTopology;
import dev.weft.core.topology.Direction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventJsonTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String OTHER = "0af7651916cd43dd8448eb211c80319c";
  private static final String MSG = "b7ad6b7169203331b7ad6b7169203331";
  private static final String P0 = "11111111111111111111111111111111";
  private static final String P1 = "22222222222222222222222222222222";

  /** A valid SEND event with every field present. */
  private static final String FULL = """
      {"v":1,"event_id":"inst-1-7","event_type":"SEND","trace_id":"%s","correlation_ids":["%s","%s"],
       "timestamp":638000000000000000,"service":"inventory","instance_id":"inst-1","seq":7,"op":"reserve stock",
       "op_id":"00f067aa0ba902b7","parent_op_id":"a3ce929d0e0e4736","status":"error",
       "error":{"type":"java.lang.IllegalStateException","message":"out of stock"},
       "tags":{"sku":"A-1","note":"caf\\u00e9"},
       "message":{"header_version":1,"correlation_ids":["%s","%s"],"message_id":"%s","parent_ids":["%s","%s"],
         "producer_id":"inventory","payload_schema_uri":"urn:shop:StockReserved:v1","ticks_from_epoch":638000000000000001,
         "mtags":{"attempt":"1"},"ptags":{"merchant_id":"m-42"},"channel":"kafka:stock"},
       "inputs":["%s","%s"],
       "resource":{"host.name":"node-1","process.pid":"42"},
       "topology":{"service":"inventory","channels":[{"channel":"kafka:stock","schema":"urn:shop:StockReserved:v1",
         "reply_schema":"urn:shop:Ack:v1","direction":"publish"}]}}
      """.formatted(TRACE, TRACE, OTHER, TRACE, OTHER, MSG, P0, P1, P0, P1);

  // ------------------------------------------------------------------ helpers

  @SuppressWarnings("unchecked")
  private static Map<String, Object> fullTree() {
    try {
      return (Map<String, Object>) Json.parse(FULL);
    } catch (Json.ParseException e) {
      throw new AssertionError(e);
    }
  }

  /** Serialises a tree of Map / List / String / Long / Double / Boolean / null as JSON. */
  static String write(Object v) {
    StringBuilder sb = new StringBuilder();
    write(v, sb);
    return sb.toString();
  }

  private static void write(Object v, StringBuilder sb) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      Json.quote(sb, s);
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) sb.append(',');
        first = false;
        Json.quote(sb, (String) e.getKey());
        sb.append(':');
        write(e.getValue(), sb);
      }
      sb.append('}');
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) sb.append(',');
        write(l.get(i), sb);
      }
      sb.append(']');
    } else {
      sb.append(v);
    }
  }

  private static final Object REMOVE = new Object();

  /** The full event with the value at {@code path} (dots and [i]) replaced, or removed. */
  @SuppressWarnings("unchecked")
  private static String mutate(String path, Object value) {
    Map<String, Object> root = fullTree();
    Object parent = root;
    String[] steps = path.split("\\.");
    for (int i = 0; i < steps.length - 1; i++) parent = step(parent, steps[i]);
    String last = steps[steps.length - 1];
    if (last.endsWith("]")) {
      int b = last.indexOf('[');
      List<Object> list = (List<Object>) ((Map<String, Object>) parent).get(last.substring(0, b));
      int idx = Integer.parseInt(last.substring(b + 1, last.length() - 1));
      if (value == REMOVE) list.remove(idx);
      else list.set(idx, value);
    } else if (value == REMOVE) {
      ((Map<String, Object>) parent).remove(last);
    } else {
      ((Map<String, Object>) parent).put(last, value);
    }
    return write(root);
  }

  @SuppressWarnings("unchecked")
  private static Object step(Object node, String step) {
    if (step.endsWith("]")) {
      int b = step.indexOf('[');
      List<Object> list = (List<Object>) ((Map<String, Object>) node).get(step.substring(0, b));
      return list.get(Integer.parseInt(step.substring(b + 1, step.length() - 1)));
    }
    return ((Map<String, Object>) node).get(step);
  }

  private static Map<String, Object> obj(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  private static List<Object> list(Object... items) {
    return new ArrayList<>(List.of(items));
  }

  private static void assertRefusedAt(String json, String field) {
    EventError e = err(EventJson.parse(json));
    assertThat(e.field()).as("error %s", e).isEqualTo(field);
    assertThat(e.index()).isZero();
    assertThat(e.message()).isNotBlank();
  }

  private static TelemetryEvent parseOk(String json) {
    return ok(EventJson.parse(json));
  }

  // ------------------------------------------------------------------ the full event

  @Test
  void fullEventParsesIntoEveryField() {
    TelemetryEvent e = parseOk(FULL);
    assertThat(e.v()).isEqualTo(1);
    assertThat(e.eventId()).isEqualTo("inst-1-7");
    assertThat(e.eventType()).isEqualTo(EventType.SEND);
    assertThat(e.traceId()).isEqualTo(TRACE);
    assertThat(e.correlationIds()).containsExactly(TRACE, OTHER);
    assertThat(e.traces()).containsExactly(TRACE, OTHER);
    assertThat(e.timestamp()).isEqualTo(638000000000000000L);
    assertThat(e.service()).isEqualTo("inventory");
    assertThat(e.instanceId()).isEqualTo("inst-1");
    assertThat(e.seq()).isEqualTo(7);
    assertThat(e.op()).isEqualTo("reserve stock");
    assertThat(e.opId()).isEqualTo("00f067aa0ba902b7");
    assertThat(e.parentOpId()).isEqualTo("a3ce929d0e0e4736");
    assertThat(e.status()).isEqualTo("error");
    assertThat(e.error()).isEqualTo(new ErrorInfo("java.lang.IllegalStateException", "out of stock"));
    assertThat(e.tags()).isEqualTo(Map.of("sku", "A-1", "note", "caf\u00e9"));
    Header h = e.message().header();
    assertThat(e.message().channel()).isEqualTo("kafka:stock");
    assertThat(h).isEqualTo(new Header(1, List.of(TRACE, OTHER), MSG, List.of(P0, P1), "inventory",
        "urn:shop:StockReserved:v1", 638000000000000001L, Tags.strict(Map.of("attempt", "1")),
        Tags.strict(Map.of("merchant_id", "m-42"))));
    assertThat(e.inputs()).containsExactly(P0, P1);
    assertThat(e.resource()).isEqualTo(Map.of("host.name", "node-1", "process.pid", "42"));
    assertThat(e.topology()).isEqualTo(new DeclaredTopology("inventory", List.of(new DeclaredChannel(
        "kafka:stock", "urn:shop:StockReserved:v1", "urn:shop:Ack:v1", Direction.PUBLISH))));
    // and it writes back to the same event
    assertThat(parseOk(EventJson.toJson(e))).isEqualTo(e);
  }

  @Test
  void writerOutputIsPinned() {
    TelemetryEvent e = new TelemetryEvent(1, "i-3", "COMPLETE", TRACE, List.of(TRACE), 5, "svc", "i", 3, "op",
        "00f067aa0ba902b7", null, "ok", null, Tags.strict(Map.of("b", "2", "a", "\"1\"")), null, List.of(),
        Map.of(), null);
    assertThat(EventJson.toJson(e)).isEqualTo("{\"v\":1,\"event_id\":\"i-3\",\"event_type\":\"COMPLETE\","
        + "\"trace_id\":\"" + TRACE + "\",\"timestamp\":5,\"service\":\"svc\",\"instance_id\":\"i\",\"seq\":3,"
        + "\"op\":\"op\",\"op_id\":\"00f067aa0ba902b7\",\"status\":\"ok\",\"tags\":{\"a\":\"\\\"1\\\"\",\"b\":\"2\"}}");
  }

  @Test
  void idsInOtherFormsAreNormalised() {
    String guid = "4BF92F35-77B3-4DA6-A3CE-929D0E0E4736";
    TelemetryEvent e = parseOk(mutate("trace_id", "{" + guid + "}"));
    assertThat(e.traceId()).isEqualTo(TRACE);
    assertThat(parseOk(mutate("inputs[1]", "a3ce929d0e0e4736")).inputs().get(1))
        .isEqualTo("0000000000000000a3ce929d0e0e4736");
  }

  // ------------------------------------------------------------------ each field, wrong

  @Test
  void versionErrorsNameV() {
    assertRefusedAt(mutate("v", 2L), "v");
    assertRefusedAt(mutate("v", 0L), "v");
    assertRefusedAt(mutate("v", "1"), "v");
    assertRefusedAt(mutate("v", 1.0), "v");
    assertRefusedAt(mutate("v", REMOVE), "v");
    assertRefusedAt(mutate("v", null), "v");
  }

  @Test
  void eachTopLevelFieldIsNamedWhenWrong() {
    Object[][] cases = {
      {"event_id", 5L}, {"event_id", REMOVE}, {"event_id", ""}, {"event_id", "x".repeat(65)},
      {"event_type", 3L}, {"event_type", "send"}, {"event_type", REMOVE}, {"event_type", "A".repeat(65)},
      {"event_type", "9LIVES"}, {"event_type", "SEND-NOW"},
      {"trace_id", 123L}, {"trace_id", "nothex"}, {"trace_id", REMOVE}, {"trace_id", "0".repeat(32)},
      {"trace_id", TRACE + "0"},
      {"correlation_ids", "x"}, {"correlation_ids", list(OTHER)}, {"correlation_ids", obj()},
      {"timestamp", "yesterday"}, {"timestamp", -1L}, {"timestamp", REMOVE}, {"timestamp", 1.5},
      {"timestamp", true}, {"timestamp", "2024-13-01T00:00:00Z"},
      {"service", REMOVE}, {"service", 7L}, {"service", "a b"}, {"service", "s".repeat(129)}, {"service", ""},
      {"instance_id", 7L}, {"instance_id", ""}, {"instance_id", "i".repeat(129)},
      {"seq", -1L}, {"seq", "1"}, {"seq", 1.5},
      {"op", 5L}, {"op", "a\u0001b"}, {"op", "o".repeat(129)}, {"op", ""},
      {"op_id", list()}, {"op_id", "x".repeat(129)},
      {"parent_op_id", obj()},
      {"status", "s".repeat(33)}, {"status", false},
      {"error", 5L}, {"error", list()},
      {"tags", "x"}, {"tags", list()},
      {"message", "x"}, {"message", REMOVE}, {"message", list()},
      {"inputs", "x"}, {"inputs", obj()},
      {"resource", 5L}, {"resource", "x"},
      {"topology", 5L}, {"topology", list()},
    };
    for (Object[] c : cases) {
      String path = (String) c[0];
      assertRefusedAt(mutate(path, c[1]), path);
    }
  }

  @Test
  void nestedFieldsAreNamedByTheirPath() {
    Map<String, Object> tooManyTags = obj();
    for (int i = 0; i < 33; i++) tooManyTags.put("k" + i, "v");
    List<Object> tooManyIds = list();
    for (int i = 0; i < 33; i++) tooManyIds.add(dev.weft.core.Ids.toHex(1, i + 1));
    tooManyIds.set(0, TRACE);
    Object[][] cases = {
      // {path to mutate, new value, field expected in the error}
      {"correlation_ids[1]", 5L, "correlation_ids[1]"},
      {"correlation_ids[1]", "bad", "correlation_ids[1]"},
      {"correlation_ids[1]", TRACE, "correlation_ids[1]"},
      {"correlation_ids", tooManyIds, "correlation_ids"},
      {"error.type", REMOVE, "error.type"},
      {"error.type", "", "error.type"},
      {"error.type", 5L, "error.type"},
      {"error.type", "t".repeat(257), "error.type"},
      {"error.message", 5L, "error.message"},
      {"error.message", "m".repeat(4097), "error.message"},
      {"tags.sku", list(1L), "tags.sku"},
      {"tags.sku", obj(), "tags.sku"},
      {"tags.sku", null, "tags.sku"},
      {"tags.sku", "v".repeat(257), "tags.sku"},
      {"tags", obj("bad key", "v"), "tags.bad key"},
      {"tags", obj("", "v"), "tags."},
      {"tags", tooManyTags, "tags"},
      {"message.header_version", "1", "message.header_version"},
      {"message.header_version", 2L, "message.header_version"},
      {"message.header_version", REMOVE, "message.header_version"},
      {"message.correlation_ids", list(), "message.correlation_ids"},
      {"message.correlation_ids", REMOVE, "message.correlation_ids"},
      {"message.correlation_ids", "x", "message.correlation_ids"},
      {"message.correlation_ids[1]", 7L, "message.correlation_ids[1]"},
      {"message.correlation_ids[1]", TRACE, "message.correlation_ids[1]"},
      {"message.correlation_ids", tooManyIds, "message.correlation_ids"},
      {"message.message_id", "zz", "message.message_id"},
      {"message.message_id", REMOVE, "message.message_id"},
      {"message.message_id", 1L, "message.message_id"},
      {"message.parent_ids", REMOVE, "message.parent_ids"},
      {"message.parent_ids[1]", "bad", "message.parent_ids[1]"},
      {"message.parent_ids[1]", P0, "message.parent_ids[1]"},
      {"message.parent_ids[0]", null, "message.parent_ids[0]"},
      {"message.producer_id", "a b", "message.producer_id"},
      {"message.producer_id", REMOVE, "message.producer_id"},
      {"message.producer_id", "p".repeat(129), "message.producer_id"},
      {"message.producer_id", "caf\u00e9", "message.producer_id"},
      {"message.payload_schema_uri", 5L, "message.payload_schema_uri"},
      {"message.payload_schema_uri", "a;b", "message.payload_schema_uri"},
      {"message.ticks_from_epoch", -1L, "message.ticks_from_epoch"},
      {"message.ticks_from_epoch", "5", "message.ticks_from_epoch"},
      {"message.ticks_from_epoch", REMOVE, "message.ticks_from_epoch"},
      {"message.mtags", obj("bad key", "v"), "message.mtags.bad key"},
      {"message.mtags", "x", "message.mtags"},
      {"message.ptags", 5L, "message.ptags"},
      {"message.ptags.merchant_id", list(), "message.ptags.merchant_id"},
      {"message.channel", REMOVE, "message.channel"},
      {"message.channel", "has space", "message.channel"},
      {"message.channel", 5L, "message.channel"},
      {"inputs[1]", "bad", "inputs[1]"},
      {"inputs[1]", 5L, "inputs[1]"},
      {"inputs[1]", P0, "inputs[1]"},
      {"resource", obj("bad key", "v"), "resource.bad key"},
      {"resource.host.name", obj(), "resource.host.name"},
      {"topology.service", REMOVE, "topology.service"},
      {"topology.service", "a b", "topology.service"},
      {"topology.channels", REMOVE, "topology.channels"},
      {"topology.channels", "x", "topology.channels"},
      {"topology.channels[0]", 5L, "topology.channels[0]"},
      {"topology.channels[0].channel", REMOVE, "topology.channels[0].channel"},
      {"topology.channels[0].schema", 5L, "topology.channels[0].schema"},
      {"topology.channels[0].reply_schema", 5L, "topology.channels[0].reply_schema"},
      {"topology.channels[0].direction", "sideways", "topology.channels[0].direction"},
      {"topology.channels[0].direction", REMOVE, "topology.channels[0].direction"},
    };
    for (Object[] c : cases) {
      String json = c[0].equals("resource.host.name") ? mutateResourceHostName(c[1]) : mutate((String) c[0], c[1]);
      assertRefusedAt(json, (String) c[2]);
    }
  }

  /** "host.name" contains a dot, so the path helper cannot reach it. */
  @SuppressWarnings("unchecked")
  private static String mutateResourceHostName(Object value) {
    Map<String, Object> root = fullTree();
    ((Map<String, Object>) root.get("resource")).put("host.name", value);
    return write(root);
  }

  @Test
  void typeSpecificRequirements() {
    Map<String, Object> start = fullTree();
    start.put("event_type", "START");
    start.remove("op");
    assertRefusedAt(write(start), "op");
    start.put("op", "x");
    start.remove("op_id");
    assertRefusedAt(write(start), "op_id");
    start.put("event_type", "RECEIVE");
    start.remove("message");
    assertRefusedAt(write(start), "message");
    start.put("event_type", "DECLARE");
    start.remove("topology");
    assertRefusedAt(write(start), "topology");
    // a custom type needs none of them
    start.put("event_type", "CACHE_MISS");
    assertThat(parseOk(write(start)).eventType()).isEqualTo("CACHE_MISS");
  }

  @Test
  void notAnEventAtAll() {
    for (String json : new String[] {"[1]", "null", "5", "\"event\"", "{", "", "   ", "{\"v\":1,}", "{}{}"}) {
      EventError e = err(EventJson.parse(json));
      assertThat(e.field()).as(json).isIn("", "v");
    }
    assertThat(err(EventJson.parse(null)).field()).isEmpty();
    assertThat(err(EventJson.parse("{}")).field()).isEqualTo("v");
    assertThat(err(EventJson.parse("[]")).field()).isEmpty();
  }

  @Test
  void tooLargeEventIsRefusedWhole() {
    Map<String, Object> root = fullTree();
    root.put("padding", "x".repeat(EventJson.MAX_EVENT_CHARS));
    EventError e = err(EventJson.parse(write(root)));
    assertThat(e.field()).isEmpty();
  }

  // ------------------------------------------------------------------ leniency

  @Test
  @SuppressWarnings("unchecked")
  void unknownFieldsAreIgnored() {
    Map<String, Object> root = fullTree();
    root.put("future_field", obj("nested", list(1L, 2.5, obj("deeper", true)), "n", null));
    root.put("x", "y");
    ((Map<String, Object>) root.get("message")).put("header_extension", "z");
    ((List<Map<String, Object>>) ((Map<String, Object>) root.get("topology")).get("channels")).get(0)
        .put("qos", 1L);
    assertThat(parseOk(write(root))).isEqualTo(parseOk(FULL));
  }

  @Test
  void nullMeansAbsentForOptionalFields() {
    Map<String, Object> root = fullTree();
    for (String f : new String[] {"correlation_ids", "instance_id", "seq", "parent_op_id", "status", "error", "tags",
        "inputs", "resource", "topology"}) {
      root.put(f, null);
    }
    TelemetryEvent e = parseOk(write(root));
    assertThat(e.correlationIds()).isEmpty();
    assertThat(e.traces()).containsExactly(TRACE);
    assertThat(e.instanceId()).isNull();
    assertThat(e.seq()).isEqualTo(-1);
    assertThat(e.error()).isNull();
    assertThat(e.tags()).isEmpty();
    assertThat(e.inputs()).isEmpty();
    assertThat(e.resource()).isEmpty();
    assertThat(e.topology()).isNull();
  }

  @Test
  void rfc3339TimestampsBecomeTicks() {
    Object[][] cases = {
      {"2024-05-01T12:00:00Z", Instant.parse("2024-05-01T12:00:00Z")},
      {"2024-05-01T12:00:00.1234567Z", Instant.parse("2024-05-01T12:00:00.1234567Z")},
      {"2024-05-01T14:00:00+02:00", Instant.parse("2024-05-01T12:00:00Z")},
      {"2024-05-01T07:30:00.5-04:30", Instant.parse("2024-05-01T12:00:00.5Z")},
      {"1970-01-01T00:00:00Z", Instant.EPOCH},
      {"2024-05-01t12:00:00z", Instant.parse("2024-05-01T12:00:00Z")},
    };
    for (Object[] c : cases) {
      TelemetryEvent e = parseOk(mutate("timestamp", c[0]));
      assertThat(e.timestamp()).as((String) c[0]).isEqualTo(Ticks.of((Instant) c[1]));
    }
    // sub-tick precision is truncated to 100 ns
    assertThat(parseOk(mutate("timestamp", "2024-05-01T12:00:00.123456789Z")).timestamp())
        .isEqualTo(Ticks.of(Instant.parse("2024-05-01T12:00:00.1234567Z")));
  }

  @Test
  void timestampsOutsideTheTickRangeAreRefused() {
    for (String t : new String[] {"1969-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z",
        "-999999999-01-01T00:00:00Z", "2024-05-01", "12:00:00Z", "2024-05-01T12:00:00", "now", ""}) {
      assertRefusedAt(mutate("timestamp", t), "timestamp");
    }
    // the largest representable tick count still parses
    assertThat(parseOk(mutate("timestamp", Long.MAX_VALUE)).timestamp()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void seedOpNameTagIsAcceptedAsOp() {
    Map<String, Object> root = fullTree();
    root.remove("op");
    root.put("tags", obj("op_name", "reserve stock", "sku", "A-1"));
    TelemetryEvent e = parseOk(write(root));
    assertThat(e.op()).isEqualTo("reserve stock");
    assertThat(e.tags()).isEqualTo(Map.of("sku", "A-1"));
    // a START event of the seed, with only tags.op_name, is complete
    root.put("event_type", "START");
    assertThat(parseOk(write(root)).op()).isEqualTo("reserve stock");
    // when op is present, op_name stays an ordinary tag
    root.put("op", "explicit");
    TelemetryEvent both = parseOk(write(root));
    assertThat(both.op()).isEqualTo("explicit");
    assertThat(both.tags()).containsEntry("op_name", "reserve stock");
    // and the control-character rule applies to op_name too
    root.remove("op");
    root.put("tags", obj("op_name", "a\u0007b"));
    assertRefusedAt(write(root), "op");
  }

  @Test
  void scalarTagValuesAreKeptAsText() {
    TelemetryEvent e = parseOk(mutate("tags", obj("n", 5L, "b", true, "d", 1.5, "big", 1e20, "s", "x")));
    assertThat(e.tags()).isEqualTo(Map.of("n", "5", "b", "true", "d", "1.5", "big", "100000000000000000000",
        "s", "x"));
  }

  @Test
  void numbersOutsideTheDoubleRangeAreRefusedNamingTheField() {
    String marker = "\"NUMBER_HERE\"";
    assertRefusedAt(mutate("tags", obj("x", "NUMBER_HERE")).replace(marker, "1e400"), "tags.x");
    assertRefusedAt(mutate("tags", obj("x", "NUMBER_HERE")).replace(marker, "-1e400"), "tags.x");
    assertRefusedAt(mutate("resource", obj("r", "NUMBER_HERE")).replace(marker, "1e999"), "resource.r");
    // in range, they are kept as text
    assertThat(parseOk(mutate("tags", obj("x", "NUMBER_HERE")).replace(marker, "1e200")).tags().get("x"))
        .startsWith("1000000000");
  }

  @Test
  void errorAsAPlainString() {
    TelemetryEvent e = parseOk(mutate("error", "boom"));
    assertThat(e.error()).isEqualTo(new ErrorInfo("error", "boom"));
    TelemetryEvent noMessage = parseOk(mutate("error.message", REMOVE));
    assertThat(noMessage.error().message()).isEmpty();
  }

  @Test
  void deepNestingIsAnErrorNotAStackOverflow() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    assertThat(err(EventJson.parse(deep)).field()).isEmpty();
    assertThat(err(EventJson.parseBatch(deep)).field()).isEmpty();
    String deepObject = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
    assertThat(err(EventJson.parse(deepObject)).field()).isEmpty();
    assertThat(err(EventJson.parseBatch(deepObject)).field()).isEmpty();
    // hidden in an unknown field of an otherwise valid event
    Map<String, Object> root = fullTree();
    String json = write(root);
    String hidden = json.substring(0, json.length() - 1) + ",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000)
        + "}";
    assertThat(err(EventJson.parse(hidden)).field()).isEmpty();
    assertThat(err(EventJson.parseBatch("[" + hidden + "]")).field()).isEmpty();
  }

  // ------------------------------------------------------------------ batches

  @Test
  void badFourthEventOfABatchIsIndexThree() {
    String good = write(fullTree());
    String bad = mutate("message.parent_ids[1]", "bad");
    String ndjson = String.join("\n", good, good, "", good, bad, good);
    EventError e = err(EventJson.parseBatch(ndjson));
    assertThat(e.index()).isEqualTo(3);
    assertThat(e.field()).isEqualTo("message.parent_ids[1]");
    assertThat(e.toString()).contains("event 3").contains("message.parent_ids[1]");

    EventError a = err(EventJson.parseBatch("[" + String.join(",", good, good, good, bad, good) + "]"));
    assertThat(a.index()).isEqualTo(3);
    assertThat(a.field()).isEqualTo("message.parent_ids[1]");

    EventError syntax = err(EventJson.parseBatch(String.join("\n", good, good, good, "{\"v\":1,", good)));
    assertThat(syntax.index()).isEqualTo(3);
    assertThat(syntax.field()).isEmpty();
  }

  @Test
  void batchShapes() {
    String good = write(fullTree());
    assertThat(ok(EventJson.parseBatch("[]"))).isEmpty();
    assertThat(ok(EventJson.parseBatch(good))).hasSize(1);
    assertThat(ok(EventJson.parseBatch(good + "\n"))).hasSize(1);
    assertThat(err(EventJson.parseBatch(""))).isNotNull();
    assertThat(err(EventJson.parseBatch(" \n \n"))).isNotNull();
    assertThat(err(EventJson.parseBatch(null))).isNotNull();
    assertThat(err(EventJson.parseBatch("[" + good + "]x")).field()).isEmpty();
    assertThat(err(EventJson.parseBatch("[" + good + ",5]")).index()).isEqualTo(1);
  }
}
