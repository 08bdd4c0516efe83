package dev.weft.server.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The critical path of a trace: the chain of operations and messages that ends at the last-finishing operation and,
 * walking backwards, always follows the predecessor that became ready last (the one the next step had to wait for).
 *
 * <p>The predecessors of an operation are the producers of its input messages (operation &larr; input message &larr;
 * the operation that sent it) and its parent operation ({@code parent_op_id}). A message is ready when it was sent; a
 * parent is "ready" for its child when it started. A message without a known sending operation continues through its
 * latest parent message, if that is in the trace. Ties go to the smaller id, so the result is deterministic.
 */
public final class CriticalPath {
  private CriticalPath() {}

  /**
   * One step. {@code kind} is {@code op} or {@code message}; {@code via} says how the step leads to the next one
   * ({@code input}: consumed by it, {@code caused}: parent message of it, {@code parent}: parent operation of it,
   * {@code sent}: sent it; null on the last step). For an op, {@code durationTicks} is its
   * processing time; for a message, {@code queueWaitTicks} is the time from its send to the start of the consuming
   * step (clamped at 0 against clock skew). Unknown values are null.
   */
  public record Step(String kind, String id, String name, String service, Long startTicks, Long endTicks,
      Long durationTicks, Long queueWaitTicks, String via) {}

  /** The steps from the first to the last, and the time they span ({@code totalTicks}, null if unknown). */
  public record Path(List<Step> steps, Long totalTicks) {}

  /** The critical path of {@code v}; empty when the trace has no operation with a start or end time. */
  public static Path of(Store.TraceView v) {
    Map<String, Store.OpRow> ops = new HashMap<>();
    for (Store.OpRow o : v.operations()) ops.put(o.opId(), o);
    Map<String, Store.MessageRow> msgs = new HashMap<>();
    for (Store.MessageRow m : v.messages()) msgs.put(m.messageId(), m);
    Map<String, List<String>> inputs = new HashMap<>();
    for (Store.Edge e : v.edges()) {
      if (e.kind().equals("input")) inputs.computeIfAbsent(e.to(), k -> new ArrayList<>()).add(e.from());
    }

    Store.OpRow last = null;
    for (Store.OpRow o : v.operations()) {
      Long t = finish(o);
      if (t == null) continue;
      if (last == null || t > finish(last) || (t.equals(finish(last)) && o.opId().compareTo(last.opId()) < 0)) {
        last = o;
      }
    }
    if (last == null) return new Path(List.of(), null);

    List<Step> reversed = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Store.OpRow op = last;
    String via = null;
    while (op != null && seen.add("op:" + op.opId())) {
      reversed.add(opStep(op, via));
      // candidates: the latest-sent input message, or the parent op by its start
      String bestMsg = null;
      long bestMsgReady = Long.MIN_VALUE;
      for (String id : inputs.getOrDefault(op.opId(), List.of())) {
        Store.MessageRow m = msgs.get(id);
        Long ready = m == null ? null : sent(m, ops);
        if (ready == null) continue;
        if (bestMsg == null || ready > bestMsgReady || (ready == bestMsgReady && id.compareTo(bestMsg) < 0)) {
          bestMsg = id;
          bestMsgReady = ready;
        }
      }
      Store.OpRow parent = op.parentOpId() == null ? null : ops.get(op.parentOpId());
      Long parentReady = parent == null ? null : parent.startTicks();
      if (bestMsg != null && (parentReady == null || bestMsgReady >= parentReady)) {
        Store.MessageRow m = msgs.get(bestMsg);
        // follow message-to-message parents while the sender is unknown
        Long consumerStart = op.startTicks();
        Store.OpRow next = null;
        String msgVia = "input";
        while (m != null && seen.add("msg:" + m.messageId())) {
          Long s = sent(m, ops);
          Long wait = consumerStart == null || s == null ? null : Math.max(0, consumerStart - s);
          reversed.add(new Step("message", m.messageId(), m.schema(), m.producer(), s, null, null, wait, msgVia));
          msgVia = "caused";
          next = m.sendOpId() == null ? null : ops.get(m.sendOpId());
          if (next != null) break;
          consumerStart = s;
          m = latestParent(m, msgs, ops);
        }
        op = next;
        via = "sent";
      } else if (parent != null && parentReady != null) {
        op = parent;
        via = "parent";
      } else {
        op = null;
      }
    }
    Collections.reverse(reversed);
    Long first = reversed.get(0).startTicks();
    Long end = finish(last);
    return new Path(List.copyOf(reversed), first == null || end == null ? null : end - first);
  }

  private static Step opStep(Store.OpRow o, String via) {
    return new Step("op", o.opId(), o.op(), o.service(), o.startTicks(), o.endTicks(), o.durationTicks(), null, via);
  }

  /** When an operation finished: its end, or its start when it has not ended. */
  private static Long finish(Store.OpRow o) {
    return o.endTicks() != null ? o.endTicks() : o.startTicks();
  }

  /** When a message was sent: the SEND time, else the header's time. */
  private static Long sent(Store.MessageRow m, Map<String, Store.OpRow> ops) {
    return m.sendTicks() != null ? m.sendTicks() : m.msgTicks();
  }

  private static Store.MessageRow latestParent(Store.MessageRow m, Map<String, Store.MessageRow> msgs,
      Map<String, Store.OpRow> ops) {
    Store.MessageRow best = null;
    Long bestAt = null;
    for (String id : m.parentIds()) {
      Store.MessageRow p = msgs.get(id);
      Long at = p == null ? null : sent(p, ops);
      if (at == null) continue;
      if (best == null || at > bestAt || (at.equals(bestAt) && id.compareTo(best.messageId()) < 0)) {
        best = p;
        bestAt = at;
      }
    }
    return best;
  }
}
