package dev.weft.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The batch filter's shapes: a list padded to a power of two with its last batch, or one range past the bound. */
class PruneTest {
  @Test
  void aListIsPaddedWithItsLastBatchToAPowerOfTwo() {
    Prune p = new Prune(new int[] {3, 7, 9});
    assertThat(p.sql()).isEqualTo("(batch_no IN (?, ?, ?, ?))");
    assertThat(p.params("t")).containsExactly(3L, 7L, 9L, 9L, "t");
    assertThat(new Prune(new int[] {5}).params()).containsExactly(5L);
    assertThat(Prune.paddedLength(1)).isEqualTo(1);
    assertThat(Prune.paddedLength(2)).isEqualTo(2);
    assertThat(Prune.paddedLength(5)).isEqualTo(8);
    assertThat(Prune.paddedLength(Prune.MAX_LISTED)).isEqualTo(Prune.MAX_LISTED);
  }

  @Test
  void pastTheBoundItIsOneRange() {
    int[] many = new int[Prune.MAX_LISTED + 1];
    for (int i = 0; i < many.length; i++) many[i] = 10 + 2 * i;
    Prune p = new Prune(many);
    assertThat(p.sql("e")).isEqualTo("(e.batch_no BETWEEN ? AND ?)");
    assertThat(p.params()).isEqualTo(List.of(10L, 10L + 2L * Prune.MAX_LISTED));
  }
}
