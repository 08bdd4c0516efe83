package dev.weft.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link CriticalPath} over constructed traces. */
class CriticalPathTest {
  static Store.OpRow op(String id, String parent, long start, Long end) {
    return new Store.OpRow(id, "Op" + id, "svc-" + id, null, parent, start, end, end == null ? null : end - start,
        end == null ? "running" : "ok", null, null, null, null, List.of("t"));
  }

  static Store.MessageRow msg(String id, String sendOp, Long sendTicks, List<String> parents) {
    return new Store.MessageRow(id, "svc", "urn:x:" + id, "kafka:" + id, sendTicks, sendTicks, sendOp, List.of("t"),
        parents, Map.of(), Map.of());
  }

  static Store.TraceView trace(List<Store.OpRow> ops, List<Store.MessageRow> msgs, List<Store.Edge> edges) {
    return new Store.TraceView("t", ops, msgs, edges, List.of(), List.of());
  }

  static List<String> ids(CriticalPath.Path p) {
    List<String> out = new ArrayList<>();
    for (CriticalPath.Step s : p.steps()) out.add(s.kind() + ":" + s.id() + (s.via() == null ? "" : ">" + s.via()));
    return out;
  }

  /** A and B both send to C (fan-in); D runs inside C and finishes last. */
  static Store.TraceView fanIn(long aEnd, long bEnd) {
    List<Store.OpRow> ops = List.of(op("A", null, 0, aEnd), op("B", null, 0, bEnd), op("C", null, 60, 100L),
        op("D", "C", 70, 120L));
    List<Store.MessageRow> msgs = List.of(msg("m1", "A", aEnd, List.of()), msg("m2", "B", bEnd, List.of()));
    List<Store.Edge> edges = List.of(new Store.Edge("output", "A", "m1"), new Store.Edge("output", "B", "m2"),
        new Store.Edge("input", "m1", "C"), new Store.Edge("input", "m2", "C"), new Store.Edge("child", "C", "D"));
    return trace(ops, msgs, edges);
  }

  @Test
  void followsTheSlowerParentOfAFanIn() {
    CriticalPath.Path p = CriticalPath.of(fanIn(10, 50));
    assertThat(ids(p)).containsExactly("op:B>sent", "message:m2>input", "op:C>parent", "op:D");
    assertThat(p.totalTicks()).isEqualTo(120L);
    CriticalPath.Step m2 = p.steps().get(1);
    assertThat(m2.queueWaitTicks()).isEqualTo(10L);
    assertThat(p.steps().get(0).durationTicks()).isEqualTo(50L);
    assertThat(p.steps().get(3).durationTicks()).isEqualTo(50L);

    CriticalPath.Path q = CriticalPath.of(fanIn(55, 20));
    assertThat(ids(q)).containsExactly("op:A>sent", "message:m1>input", "op:C>parent", "op:D");
    assertThat(q.steps().get(1).queueWaitTicks()).isEqualTo(5L);
  }

  @Test
  void messageWithoutSenderContinuesThroughItsParentMessage() {
    List<Store.OpRow> ops = List.of(op("A", null, 0, 10L), op("C", null, 40, 90L));
    List<Store.MessageRow> msgs = List.of(msg("p", "A", 10L, List.of()), msg("m", null, 30L, List.of("p")));
    List<Store.Edge> edges = List.of(new Store.Edge("output", "A", "p"), new Store.Edge("parent", "m", "p"),
        new Store.Edge("input", "m", "C"));
    CriticalPath.Path p = CriticalPath.of(trace(ops, msgs, edges));
    assertThat(ids(p)).containsExactly("op:A>sent", "message:p>caused", "message:m>input", "op:C");
    assertThat(p.steps().get(2).queueWaitTicks()).isEqualTo(10L);
    assertThat(p.steps().get(1).queueWaitTicks()).isEqualTo(20L);
    assertThat(p.totalTicks()).isEqualTo(90L);
  }

  @Test
  void emptyAndSingleOperation() {
    assertThat(CriticalPath.of(trace(List.of(), List.of(), List.of())).steps()).isEmpty();
    CriticalPath.Path one = CriticalPath.of(trace(List.of(op("X", null, 5, null)), List.of(), List.of()));
    assertThat(ids(one)).containsExactly("op:X");
    assertThat(one.totalTicks()).isZero();
  }

  @Test
  void cyclesDoNotLoop() {
    List<Store.OpRow> ops = List.of(op("A", "B", 0, 10L), op("B", "A", 0, 20L));
    CriticalPath.Path p = CriticalPath.of(trace(ops, List.of(), List.of()));
    assertThat(ids(p)).containsExactly("op:A>parent", "op:B");
  }
}
