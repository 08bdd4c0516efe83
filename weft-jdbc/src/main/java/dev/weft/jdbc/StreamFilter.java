package dev.weft.jdbc;

import java.util.Objects;

/**
 * Which events a reader wants: all of them, one category, or one stream. A category is the part of a stream id
 * before its first {@code '-'} ({@code order-42} is in category {@code order}); a stream id without {@code '-'} is its
 * own category.
 */
public sealed interface StreamFilter {
  /** Every event in the store. */
  static StreamFilter all() {
    return All.INSTANCE;
  }

  /** Events of every stream in one category. */
  static StreamFilter category(String category) {
    return new Category(category);
  }

  /** Events of one stream. */
  static StreamFilter stream(String streamId) {
    return new Stream(streamId);
  }

  /** Every event. */
  enum All implements StreamFilter {
    INSTANCE
  }

  /** One category. */
  record Category(String name) implements StreamFilter {
    public Category {
      JdbcEventStore.checkStreamId(Objects.requireNonNull(name, "category"));
    }
  }

  /** One stream. */
  record Stream(String streamId) implements StreamFilter {
    public Stream {
      JdbcEventStore.checkStreamId(Objects.requireNonNull(streamId, "streamId"));
    }
  }
}
