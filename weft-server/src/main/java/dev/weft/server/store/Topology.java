package dev.weft.server.store;

import java.util.List;

/**
 * What the topology reads return. Times are milliseconds (fractions allowed), converted from the store's 100-ns ticks;
 * a percentile is {@code null} when there is nothing to measure (no finished operation, no receive).
 * See weft-server/RATIONALE.md, "Topology".
 */
public final class Topology {
  private Topology() {}

  /** A node of a graph. {@code kind}: {@code service}, {@code type} (a payload_schema_uri) or {@code operation}. */
  public record Node(String kind, String id, String service, String name) {}

  /**
   * producer service → channel → consumer service. {@code consumer} is null for a channel whose messages (in the
   * window) no one was seen receiving. {@code count}: distinct messages; {@code errors}: distinct receiving operations
   * that failed or were abandoned; {@code operations}: distinct receiving operations.
   */
  public record ServiceEdge(String producer, String channel, String consumer, long count, long operations,
      long errors, Double processingP50Ms, Double processingP99Ms, Double queueWaitP50Ms, Double queueWaitP99Ms) {}

  /** The by-service graph of messages sent since {@code sinceTicks}. */
  public record ServiceGraph(long sinceTicks, List<Node> nodes, List<ServiceEdge> edges) {}

  /**
   * input message type → operation (service + op name) → output message type. {@code input} is null for operations
   * without a known input, {@code output} null for operations that sent nothing. {@code count}: distinct operations;
   * {@code errors}: those that failed or were abandoned.
   */
  public record TypeEdge(String input, String service, String op, String output, long count, long errors,
      Double processingP50Ms, Double processingP99Ms) {}

  /** The by-type graph of operations started since {@code sinceTicks}. */
  public record TypeGraph(long sinceTicks, List<Node> nodes, List<TypeEdge> edges) {}

  /** The by-service edges of one time bucket starting at {@code startMs} (epoch milliseconds). */
  public record ServiceBucket(long startMs, List<ServiceEdge> edges) {}

  /** The by-type edges of one time bucket starting at {@code startMs} (epoch milliseconds). */
  public record TypeBucket(long startMs, List<TypeEdge> edges) {}

  /** Topology roll-ups over time: {@code buckets} of {@code stepMs} from {@code sinceTicks} on, oldest first. */
  public record Series<B>(long sinceTicks, long stepMs, List<B> buckets) {}

  /** A channel a service declared: {@code direction} is publish, subscribe, serve or call. */
  public record DeclaredChannel(String service, String channel, String schema, String direction) {}

  /** A channel a service was seen using: {@code sent} and/or {@code received} on it. */
  public record ObservedChannel(String service, String channel, boolean sent, boolean received,
      boolean serviceDeclared) {}

  /** A channel both declared and observed for the same service. */
  public record MatchedChannel(String service, String channel, List<String> directions, boolean sent,
      boolean received) {}

  /**
   * Declared against observed, matched by (service, channel), over all stored time. {@code declaredOnly}: declared but
   * never seen; {@code observedOnly}: seen but not declared ({@code serviceDeclared} tells whether the service
   * published a declaration at all).
   */
  public record Drift(List<String> declaredServices, List<MatchedChannel> matched,
      List<DeclaredChannel> declaredOnly, List<ObservedChannel> observedOnly) {}
}
