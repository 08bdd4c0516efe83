package dev.weft.core;

import java.util.Objects;
import java.util.function.Function;

/**
 * A value or an error, as the seed's {@code Result<'a, 'err>}: what a decoder returns and what
 * {@link Envelope#resultMap} threads through a pipeline.
 */
public sealed interface Result<T, E> permits Result.Ok, Result.Err {

  /** A success. */
  record Ok<T, E>(T value) implements Result<T, E> {}

  /** A failure. */
  record Err<T, E>(E error) implements Result<T, E> {
    public Err {
      Objects.requireNonNull(error, "error");
    }
  }

  static <T, E> Result<T, E> ok(T value) {
    return new Ok<>(value);
  }

  static <T, E> Result<T, E> err(E error) {
    return new Err<>(error);
  }

  default boolean isOk() {
    return this instanceof Ok;
  }

  /** The value, or {@code fallback} for an error. */
  default T orElse(T fallback) {
    return this instanceof Ok<T, E> ok ? ok.value() : fallback;
  }

  default <U> Result<U, E> map(Function<? super T, ? extends U> f) {
    if (this instanceof Ok<T, E> ok) return new Ok<>(f.apply(ok.value()));
    return new Err<>(((Err<T, E>) this).error());
  }

  default <U> Result<U, E> flatMap(Function<? super T, Result<U, E>> f) {
    if (this instanceof Ok<T, E> ok) return f.apply(ok.value());
    return new Err<>(((Err<T, E>) this).error());
  }

  default <F> Result<T, F> mapError(Function<? super E, ? extends F> f) {
    if (this instanceof Err<T, E> err) return new Err<>(f.apply(err.error()));
    return new Ok<>(((Ok<T, E>) this).value());
  }
}
