package dev.weft.kafka.streams;

import dev.weft.core.Header;
import dev.weft.core.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An aggregate with the headers of the messages folded into it, so that the message emitted for it lists every one as
 * a parent. At most {@value Limits#MAX_PARENT_IDS} inputs are kept (the header's parent limit); later ones are
 * counted in {@code leftOff} and named in the emitted message's mtag {@code weft.parents_left_off}. Inputs are kept
 * without their mtags: only ids, traces and ptags matter to the emitted header, and the aggregate lives in a state
 * store and its changelog.
 *
 * @param value the aggregate, or null before the first input
 * @param inputs headers of the aggregated messages, first first, without repeats
 * @param leftOff inputs aggregated past the bound
 */
public record TracedAggregate<A>(A value, List<Header> inputs, long leftOff) {
  /** The most inputs kept. */
  public static final int MAX_INPUTS = Limits.MAX_PARENT_IDS;

  public TracedAggregate {
    inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
  }

  /** An empty aggregate. */
  public static <A> TracedAggregate<A> of(A initial) {
    return new TracedAggregate<>(initial, List.of(), 0);
  }

  /** This aggregate with a new value, after folding in one more message. */
  public TracedAggregate<A> add(Header input, A newValue) {
    for (Header h : inputs) if (h.messageId().equals(input.messageId())) return new TracedAggregate<>(newValue, inputs, leftOff);
    if (inputs.size() >= MAX_INPUTS) return new TracedAggregate<>(newValue, inputs, leftOff + 1);
    List<Header> more = new ArrayList<>(inputs.size() + 1);
    more.addAll(inputs);
    more.add(input.mtags().isEmpty() ? input : input.withMtags(Map.of()));
    return new TracedAggregate<>(newValue, more, leftOff);
  }
}
