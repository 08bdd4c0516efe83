package dev.weft.server.store;

import java.sql.SQLException;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The topology roll-ups of 5-minute buckets, kept between reads and recomputed only where ingest changed them (see
 * RATIONALE.md, "Topology roll-ups"). A bucket's roll-up is computed from the store's tables; a later batch makes it
 * dirty if it wrote a row that the bucket's roll-up reads, which {@link TopologyQueries#dirty} finds from the
 * {@code touched_batch} and {@code batch_no} columns. Memory only: a restart starts empty, and nothing here can
 * disagree with the tables for longer than the next read. Not thread-safe; the store's lock guards it.
 */
final class TopologyCache {
  /** The bucket width: 5 minutes in 100-ns ticks. */
  static final long WIDTH = 5L * 60 * dev.weft.core.Ticks.PER_SECOND;
  /** Most buckets kept per view (28 days); the oldest go first. */
  static final int MAX_BUCKETS = 8_064;

  /** The computed buckets of one view, and from which bucket on they are complete. */
  private static final class View<P> {
    /** Every bucket at or after this one is either in {@code parts} or empty (or in {@code dirty}). */
    long coveredFrom = Long.MAX_VALUE;
    final TreeMap<Long, P> parts = new TreeMap<>();
    final java.util.NavigableSet<Long> dirty = new TreeSet<>();
  }

  /** A read of a view's roll-ups: buckets of {@link #WIDTH} in [lo, hi), or only those in {@code topo_want}. */
  @FunctionalInterface
  interface Compute<P> {
    Map<Long, P> parts(long width, long lo, long hi, boolean want) throws SQLException;
  }

  private final View<TopologyParts.ServicePart> services = new View<>();
  private final View<TopologyParts.TypePart> types = new View<>();
  /** The last batch the cached buckets reflect. */
  private long validAsOf = -1;
  private long computedBuckets;

  /** The by-service roll-ups of every bucket from {@code fromBucket} on, as of batch {@code lastBatch}. */
  NavigableMap<Long, TopologyParts.ServicePart> services(TopologyQueries q, long fromBucket, long lastBatch)
      throws SQLException {
    refresh(q, lastBatch);
    return read(services, q, q::serviceParts, fromBucket);
  }

  /** As {@link #services}, by type. */
  NavigableMap<Long, TopologyParts.TypePart> types(TopologyQueries q, long fromBucket, long lastBatch)
      throws SQLException {
    refresh(q, lastBatch);
    return read(types, q, q::typeParts, fromBucket);
  }

  /** How many bucket roll-ups were computed since the store opened (for /metrics and tests). */
  long computedBuckets() {
    return computedBuckets;
  }

  /**
   * Installs roll-ups that were computed outside the store's lock, by reads that each saw at least the committed
   * batches up to {@code asOf}: both views' buckets from {@code fromBucket} on are replaced. The dirty marks are first brought
   * up to {@code lastBatch}; then the cache counts as valid only as of {@code asOf}, so the next read marks dirty
   * (and recomputes) whatever later batches changed, including rows of an uncommitted batch that a read saw.
   */
  void install(TopologyQueries q, long lastBatch, long fromBucket, Map<Long, TopologyParts.ServicePart> servicesParts,
      Map<Long, TopologyParts.TypePart> typesParts, long asOf) throws SQLException {
    refresh(q, lastBatch);
    replace(services, fromBucket, servicesParts);
    replace(types, fromBucket, typesParts);
    computedBuckets += servicesParts.size() + typesParts.size();
    validAsOf = Math.min(validAsOf, asOf);
  }

  private static <P> void replace(View<P> v, long fromBucket, Map<Long, P> parts) {
    v.parts.tailMap(fromBucket, true).clear();
    v.parts.putAll(parts);
    v.dirty.removeIf(b -> b >= fromBucket);
    v.coveredFrom = Math.min(v.coveredFrom, fromBucket);
    while (v.parts.size() > MAX_BUCKETS) v.coveredFrom = v.parts.pollFirstEntry().getKey() + 1;
  }

  /**
   * How many buckets from {@code fromBucket} on a read would recompute now (dirty marks brought up to
   * {@code lastBatch}), or -1 when the cache does not cover them yet.
   */
  int stale(TopologyQueries q, long fromBucket, long lastBatch) throws SQLException {
    if (services.coveredFrom > fromBucket || types.coveredFrom > fromBucket) return -1;
    refresh(q, lastBatch);
    java.util.Set<Long> all = new TreeSet<>(services.dirty.tailSet(fromBucket, true));
    all.addAll(types.dirty.tailSet(fromBucket, true));
    return all.size();
  }

  /** Marks what the batches since the last read changed as dirty. */
  private void refresh(TopologyQueries q, long lastBatch) throws SQLException {
    if (lastBatch == validAsOf) return;
    // nothing computed yet: nothing can be dirty (a view holds parts only once it covers some buckets)
    if (services.coveredFrom != Long.MAX_VALUE || types.coveredFrom != Long.MAX_VALUE) {
      TopologyQueries.Dirty d = q.dirty(validAsOf, WIDTH);
      services.dirty.addAll(d.messageBuckets());
      services.dirty.addAll(d.opBuckets());
      types.dirty.addAll(d.opBuckets());
    }
    validAsOf = lastBatch;
  }

  private <P> NavigableMap<Long, P> read(View<P> v, TopologyQueries q, Compute<P> compute, long fromBucket)
      throws SQLException {
    if (fromBucket < v.coveredFrom) {
      long hi = v.coveredFrom == Long.MAX_VALUE ? Long.MAX_VALUE : v.coveredFrom * WIDTH;
      Map<Long, P> fresh = compute.parts(WIDTH, fromBucket * WIDTH, hi, false);
      v.parts.putAll(fresh);
      computedBuckets += fresh.size();
      v.dirty.removeIf(b -> b >= fromBucket && b < v.coveredFrom);
      v.coveredFrom = fromBucket;
    }
    v.dirty.removeIf(b -> b < v.coveredFrom);
    if (!v.dirty.isEmpty()) {
      TreeSet<Long> want = new TreeSet<>(v.dirty);
      q.want(want);
      Map<Long, P> fresh = compute.parts(WIDTH, want.first() * WIDTH, saturatedEnd(want.last()), true);
      for (Long b : want) v.parts.remove(b);
      v.parts.putAll(fresh);
      computedBuckets += want.size();
      v.dirty.clear();
    }
    // Forget the oldest buckets beyond the bound, but never one this read needs.
    while (v.parts.size() > MAX_BUCKETS && v.parts.firstKey() < fromBucket) {
      v.coveredFrom = v.parts.pollFirstEntry().getKey() + 1;
    }
    return v.parts.tailMap(fromBucket, true);
  }

  /** The tick after the bucket {@code b}, without overflowing. */
  private static long saturatedEnd(long b) {
    return b >= Long.MAX_VALUE / WIDTH - 1 ? Long.MAX_VALUE : (b + 1) * WIDTH;
  }
}
