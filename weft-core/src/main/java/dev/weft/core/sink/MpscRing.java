package dev.weft.core.sink;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded, lock-free, multi-producer single-consumer ring buffer (Dmitry Vyukov's bounded queue). An offer is one
 * CAS and two ordered stores, allocates nothing, and fails at once when the ring is full: exactly what an application
 * thread may afford. Each slot carries a small int beside its item, so a producer can say which part of an item it
 * means without allocating a wrapper.
 */
final class MpscRing<E> {
  private final AtomicReferenceArray<E> items;
  private final int[] parts; // plain: written before, and read after, the slot's sequence is published
  private final AtomicLongArray sequences;
  private final int mask;
  private final AtomicLong tail = new AtomicLong();
  private volatile long head; // written by the single consumer only
  private int lastPart;

  MpscRing(int capacity) {
    int cap = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
    if (cap < capacity) cap <<= 1;
    items = new AtomicReferenceArray<>(cap);
    parts = new int[cap];
    sequences = new AtomicLongArray(cap);
    for (int i = 0; i < cap; i++) sequences.set(i, i);
    mask = cap - 1;
  }

  int capacity() {
    return mask + 1;
  }

  /**
   * Adds {@code e} with {@code part}. Safe from any thread.
   *
   * @return the position the item took (0, 1, 2, ... across the ring's life), or -1 at once if the ring is full
   */
  long offer(E e, int part) {
    long pos = tail.get();
    while (true) {
      int idx = (int) (pos & mask);
      long seq = sequences.get(idx);
      long dif = seq - pos;
      if (dif == 0) {
        if (tail.compareAndSet(pos, pos + 1)) {
          parts[idx] = part;
          items.lazySet(idx, e);
          sequences.lazySet(idx, pos + 1); // publishes the item and its part
          return pos;
        }
        pos = tail.get();
      } else if (dif < 0) {
        return -1; // full
      } else {
        pos = tail.get();
      }
    }
  }

  /** Removes the oldest item, or returns null if none is published yet. Consumer thread only. */
  E poll() {
    long pos = head;
    int idx = (int) (pos & mask);
    long seq = sequences.get(idx);
    if (seq != pos + 1) return null;
    E e = items.get(idx);
    lastPart = parts[idx];
    items.lazySet(idx, null);
    sequences.lazySet(idx, pos + mask + 1); // frees the slot for the next lap
    head = pos + 1;
    return e;
  }

  /** The part of the item the last {@link #poll} returned. Consumer thread only. */
  int lastPart() {
    return lastPart;
  }

  /** Items ever added. */
  long offered() {
    return tail.get();
  }

  /** Items in the ring now (approximate under concurrency). */
  int size() {
    long s = tail.get() - head;
    return (int) Math.max(0, Math.min(s, mask + 1));
  }
}
