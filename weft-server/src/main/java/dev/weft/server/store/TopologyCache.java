package dev.weft.server.store;

import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
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
 *
 * <p>A bucket that a read recomputes is computed by {@link #FINE} sub-buckets, which it keeps for a while: the next
 * recompute of that bucket reads only the sub-buckets that changed, and adds them up with the others. So under a
 * steady stream a read recomputes the last seconds, not the whole five minutes of the live bucket.
 */
final class TopologyCache {
  /** The bucket width: 5 minutes in 100-ns ticks. */
  static final long WIDTH = 5L * 60 * dev.weft.core.Ticks.PER_SECOND;
  /** Most buckets kept per view (28 days); the oldest go first. */
  static final int MAX_BUCKETS = 8_064;
  /** The width of a sub-bucket: 5 seconds, so that a bucket has 60. */
  static final long FINE = 5L * dev.weft.core.Ticks.PER_SECOND;
  private static final long FINE_PER_BUCKET = WIDTH / FINE;
  /** Buckets whose sub-buckets are kept per view, the most recently recomputed ones: an hour's worth. */
  static final int FINE_BUCKETS = 12;

  /** The computed buckets of one view, and from which bucket on they are complete. */
  private static final class View<P> {
    /** Every bucket at or after this one is either in {@code parts} or empty (or has a sub-bucket in {@code dirty}). */
    long coveredFrom = Long.MAX_VALUE;
    final TreeMap<Long, P> parts = new TreeMap<>();
    /** The sub-buckets (of {@link #FINE}) that changed since their bucket was computed. */
    final java.util.NavigableSet<Long> dirty = new TreeSet<>();
    /**
     * The sub-buckets' roll-ups of recently recomputed buckets (a missing sub-bucket is empty), least recently
     * recomputed first; such a bucket's part in {@code parts} is their sum.
     */
    final LinkedHashMap<Long, TreeMap<Long, P>> fine = new LinkedHashMap<>(32, 0.75f, true);
  }

  /** Adds the sub-buckets' roll-ups of a bucket up into the bucket's. */
  @FunctionalInterface
  interface Merge<P> {
    P of(Collection<P> subBuckets);
  }

  /** A read of a view's roll-ups: buckets of {@code width} ticks in [lo, hi), or only those in {@code topo_want}. */
  @FunctionalInterface
  interface Compute<P> {
    Map<Long, P> parts(long width, long lo, long hi, boolean want) throws SQLException;
  }

  private final View<TopologyParts.ServicePart> services = new View<>();
  private final View<TopologyParts.TypePart> types = new View<>();
  /** The last batch the cached buckets reflect. */
  private long validAsOf = -1;
  private long computedBuckets;
  private long computedSubBuckets;

  /** The by-service roll-ups of every bucket from {@code fromBucket} on, as of batch {@code lastBatch}. */
  NavigableMap<Long, TopologyParts.ServicePart> services(TopologyQueries q, long fromBucket, long lastBatch)
      throws SQLException {
    refresh(q, lastBatch);
    return read(services, q, q::serviceParts, TopologyParts::mergeServices, fromBucket);
  }

  /** As {@link #services}, by type. */
  NavigableMap<Long, TopologyParts.TypePart> types(TopologyQueries q, long fromBucket, long lastBatch)
      throws SQLException {
    refresh(q, lastBatch);
    return read(types, q, q::typeParts, TopologyParts::mergeTypes, fromBucket);
  }

  /** How many bucket roll-ups were computed since the store opened (for /metrics and tests). */
  long computedBuckets() {
    return computedBuckets;
  }

  /** How many sub-buckets the recomputes of dirty buckets computed (for tests). */
  long computedSubBuckets() {
    return computedSubBuckets;
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
    v.dirty.removeIf(f -> bucketOf(f) >= fromBucket);
    v.fine.keySet().removeIf(b -> b >= fromBucket);
    v.coveredFrom = Math.min(v.coveredFrom, fromBucket);
    forgetBeyondBound(v, Long.MAX_VALUE);
  }

  /** Forgets the oldest buckets beyond {@link #MAX_BUCKETS}, but none from {@code keepFrom} on. */
  private static <P> void forgetBeyondBound(View<P> v, long keepFrom) {
    while (v.parts.size() > MAX_BUCKETS && v.parts.firstKey() < keepFrom) {
      long b = v.parts.pollFirstEntry().getKey();
      v.fine.remove(b);
      v.coveredFrom = b + 1;
    }
  }

  /** The bucket of the sub-bucket {@code f}. */
  private static long bucketOf(long f) {
    return Math.floorDiv(f, FINE_PER_BUCKET);
  }

  /**
   * How many buckets from {@code fromBucket} on a read would recompute now (dirty marks brought up to
   * {@code lastBatch}), or -1 when the cache does not cover them yet.
   */
  int stale(TopologyQueries q, long fromBucket, long lastBatch) throws SQLException {
    if (services.coveredFrom > fromBucket || types.coveredFrom > fromBucket) return -1;
    refresh(q, lastBatch);
    java.util.Set<Long> all = new TreeSet<>();
    for (long f : services.dirty.tailSet(fromBucket * FINE_PER_BUCKET, true)) all.add(bucketOf(f));
    for (long f : types.dirty.tailSet(fromBucket * FINE_PER_BUCKET, true)) all.add(bucketOf(f));
    return all.size();
  }

  /** Marks what the batches since the last read changed as dirty. */
  private void refresh(TopologyQueries q, long lastBatch) throws SQLException {
    if (lastBatch == validAsOf) return;
    // nothing computed yet: nothing can be dirty (a view holds parts only once it covers some buckets)
    if (services.coveredFrom != Long.MAX_VALUE || types.coveredFrom != Long.MAX_VALUE) {
      TopologyQueries.Dirty d = q.dirty(validAsOf, FINE);
      services.dirty.addAll(d.messageBuckets());
      services.dirty.addAll(d.opBuckets());
      types.dirty.addAll(d.opBuckets());
    }
    validAsOf = lastBatch;
  }

  private <P> NavigableMap<Long, P> read(View<P> v, TopologyQueries q, Compute<P> compute, Merge<P> merge,
      long fromBucket) throws SQLException {
    if (fromBucket < v.coveredFrom) {
      long hi = v.coveredFrom == Long.MAX_VALUE ? Long.MAX_VALUE : v.coveredFrom * WIDTH;
      Map<Long, P> fresh = compute.parts(WIDTH, fromBucket * WIDTH, hi, false);
      v.parts.putAll(fresh);
      computedBuckets += fresh.size();
      long coveredFrom = v.coveredFrom;
      v.dirty.removeIf(f -> bucketOf(f) >= fromBucket && bucketOf(f) < coveredFrom);
      v.coveredFrom = fromBucket;
    }
    v.dirty.removeIf(f -> bucketOf(f) < v.coveredFrom);
    if (!v.dirty.isEmpty()) recompute(v, q, compute, merge);
    forgetBeyondBound(v, fromBucket); // never a bucket this read needs
    return v.parts.tailMap(fromBucket, true);
  }

  /**
   * Recomputes the dirty buckets by sub-bucket: of a bucket whose sub-buckets are kept, only the dirty ones; of
   * another, all of them, which are kept from then on.
   */
  private <P> void recompute(View<P> v, TopologyQueries q, Compute<P> compute, Merge<P> merge) throws SQLException {
    TreeMap<Long, TreeSet<Long>> byBucket = new TreeMap<>();
    for (long f : v.dirty) byBucket.computeIfAbsent(bucketOf(f), b -> new TreeSet<>()).add(f);
    TreeSet<Long> want = new TreeSet<>();
    for (Map.Entry<Long, TreeSet<Long>> e : byBucket.entrySet()) {
      if (v.fine.containsKey(e.getKey())) {
        want.addAll(e.getValue());
      } else {
        for (long i = 0; i < FINE_PER_BUCKET; i++) want.add(e.getKey() * FINE_PER_BUCKET + i);
      }
    }
    q.want(want);
    Map<Long, P> fresh = compute.parts(FINE, want.first() * FINE, saturatedEnd(want.last()), true);
    for (long b : byBucket.keySet()) {
      TreeMap<Long, P> subs = v.fine.get(b); // marks it recently recomputed
      if (subs == null) v.fine.put(b, subs = new TreeMap<>());
      for (long f : want.subSet(b * FINE_PER_BUCKET, (b + 1) * FINE_PER_BUCKET)) {
        P p = fresh.get(f);
        if (p == null) subs.remove(f);
        else subs.put(f, p);
      }
      if (subs.isEmpty()) v.parts.remove(b);
      else v.parts.put(b, subs.size() == 1 ? subs.firstEntry().getValue() : merge.of(subs.values()));
    }
    computedBuckets += byBucket.size();
    computedSubBuckets += want.size();
    v.dirty.clear();
    while (v.fine.size() > FINE_BUCKETS) {
      java.util.Iterator<Long> eldest = v.fine.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
  }

  /** The tick after the sub-bucket {@code f}, without overflowing. */
  private static long saturatedEnd(long f) {
    return f >= Long.MAX_VALUE / FINE - 1 ? Long.MAX_VALUE : (f + 1) * FINE;
  }
}
