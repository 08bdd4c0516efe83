package dev.weft.server.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The topology roll-up of one time bucket, and how buckets add up to an answer (see RATIONALE.md, "Topology
 * roll-ups"). Every number in a bucket is additive: distinct messages (a message belongs to the bucket of its header
 * ticks), distinct operations (an operation belongs to the bucket of its start), failures, and histograms
 * ({@link Bins}) instead of exact percentiles. Abandonment depends on "now", so a bucket keeps the start ticks of its
 * operations that have not ended, and the answer counts those started before the cutoff.
 */
final class TopologyParts {
  private TopologyParts() {}

  /** producer service → channel → consumer service. */
  record EdgeKey(String producer, String channel, String consumer) {}

  /** A channel as its producer uses it. */
  record ChanKey(String producer, String channel) {}

  /** input type → service and operation → output type. */
  record TypeKey(String input, String service, String op, String output) {}

  /**
   * What one bucket knows of an operation group: how many, how many failed, the start ticks of those still open, and
   * the histogram of durations of those that ended.
   */
  record Ops(long count, long failed, long[] openStarts, Bins durations) {
    static final Ops NONE = new Ops(0, 0, new long[0], Bins.EMPTY);

    /** Failed, plus open and started before {@code abandonCutoff}. */
    long errors(long abandonCutoff) {
      long abandoned = 0;
      for (long start : openStarts) if (start < abandonCutoff) abandoned++;
      return failed + abandoned;
    }
  }

  /** One service edge in one bucket: distinct messages received, their queue waits, the receiving operations. */
  record ServiceCell(long messages, Bins waits, Ops ops) {}

  /** The by-service roll-up of one bucket; {@code sent}: distinct messages per channel, received or not. */
  record ServicePart(Map<EdgeKey, ServiceCell> edges, Map<ChanKey, Long> sent) {}

  /** The by-type roll-up of one bucket. */
  record TypePart(Map<TypeKey, Ops> edges) {}

  // ------------------------------------------------------------------ adding buckets up

  /**
   * The roll-ups of several buckets (or of a bucket's sub-buckets, TopologyCache) as one: every number adds up, since
   * a message and an operation each belong to exactly one bucket.
   */
  static ServicePart mergeServices(Collection<ServicePart> parts) {
    Map<ChanKey, Long> sent = new HashMap<>();
    Map<EdgeKey, List<ServiceCell>> cells = new HashMap<>();
    for (ServicePart p : parts) {
      p.sent().forEach((k, n) -> sent.merge(k, n, Long::sum));
      p.edges().forEach((k, cell) -> cells.computeIfAbsent(k, x -> new ArrayList<>()).add(cell));
    }
    Map<EdgeKey, ServiceCell> edges = new HashMap<>();
    cells.forEach((k, list) -> {
      long messages = 0;
      Bins.Acc waits = new Bins.Acc();
      List<Ops> ops = new ArrayList<>(list.size());
      for (ServiceCell c : list) {
        messages += c.messages();
        waits.add(c.waits());
        ops.add(c.ops());
      }
      edges.put(k, new ServiceCell(messages, waits.build(), mergeOps(ops)));
    });
    return new ServicePart(edges, Map.copyOf(sent));
  }

  /** As {@link #mergeServices}, by type. */
  static TypePart mergeTypes(Collection<TypePart> parts) {
    Map<TypeKey, List<Ops>> groups = new HashMap<>();
    for (TypePart p : parts) p.edges().forEach((k, o) -> groups.computeIfAbsent(k, x -> new ArrayList<>()).add(o));
    Map<TypeKey, Ops> edges = new HashMap<>();
    groups.forEach((k, list) -> edges.put(k, mergeOps(list)));
    return new TypePart(edges);
  }

  private static Ops mergeOps(List<Ops> list) {
    if (list.size() == 1) return list.get(0);
    long count = 0;
    long failed = 0;
    int open = 0;
    Bins.Acc durations = new Bins.Acc();
    for (Ops o : list) {
      count += o.count();
      failed += o.failed();
      open += o.openStarts().length;
      durations.add(o.durations());
    }
    long[] starts = new long[open];
    int at = 0;
    for (Ops o : list) {
      System.arraycopy(o.openStarts(), 0, starts, at, o.openStarts().length);
      at += o.openStarts().length;
    }
    return new Ops(count, failed, starts, durations.build());
  }

  /**
   * The by-service edges of the given buckets together. A channel that nobody was seen receiving from in any of them
   * is an edge with a null consumer, counting the messages sent on it.
   */
  static List<Topology.ServiceEdge> services(Collection<ServicePart> parts, long abandonCutoff) {
    ServicePart all = mergeServices(parts);
    List<Topology.ServiceEdge> out = new ArrayList<>();
    Set<ChanKey> received = new HashSet<>();
    all.edges().forEach((k, cell) -> {
      Ops ops = cell.ops();
      out.add(new Topology.ServiceEdge(k.producer(), k.channel(), k.consumer(), cell.messages(), ops.count(),
          ops.errors(abandonCutoff), ms(ops.durations(), 0.5), ms(ops.durations(), 0.99), ms(cell.waits(), 0.5),
          ms(cell.waits(), 0.99)));
      if (cell.messages() > 0) received.add(new ChanKey(k.producer(), k.channel()));
    });
    all.sent().forEach((k, n) -> {
      if (!received.contains(k)) {
        out.add(new Topology.ServiceEdge(k.producer(), k.channel(), null, n, 0, 0, null, null, null, null));
      }
    });
    out.sort(Comparator.comparing(Topology.ServiceEdge::producer, NULLS_FIRST)
        .thenComparing(Topology.ServiceEdge::channel, NULLS_FIRST)
        .thenComparing(Topology.ServiceEdge::consumer, NULLS_LAST));
    return out;
  }

  /** The by-type edges of the given buckets together. */
  static List<Topology.TypeEdge> types(Collection<TypePart> parts, long abandonCutoff) {
    List<Topology.TypeEdge> out = new ArrayList<>();
    mergeTypes(parts).edges().forEach((k, ops) -> out.add(new Topology.TypeEdge(k.input(), k.service(), k.op(),
        k.output(), ops.count(), ops.errors(abandonCutoff), ms(ops.durations(), 0.5), ms(ops.durations(), 0.99))));
    out.sort(Comparator.comparing(Topology.TypeEdge::service, NULLS_FIRST)
        .thenComparing(Topology.TypeEdge::op, NULLS_FIRST)
        .thenComparing(Topology.TypeEdge::input, NULLS_FIRST)
        .thenComparing(Topology.TypeEdge::output, NULLS_FIRST));
    return out;
  }

  private static final Comparator<String> NULLS_FIRST = Comparator.nullsFirst(Comparator.naturalOrder());
  private static final Comparator<String> NULLS_LAST = Comparator.nullsLast(Comparator.naturalOrder());

  private static Double ms(Bins b, double q) {
    Double v = b.quantile(q);
    return v == null ? null : v / dev.weft.core.Ticks.PER_MILLI;
  }
}
