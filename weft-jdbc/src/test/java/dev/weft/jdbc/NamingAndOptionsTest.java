package dev.weft.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.core.Limits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pure parts: categories, channel names, option checks. No database. */
class NamingAndOptionsTest {
  @Test
  void categoryIsTheStreamIdUpToItsFirstDash() {
    assertThat(JdbcEventStore.category("order-42")).isEqualTo("order");
    assertThat(JdbcEventStore.category("order-42-line-3")).isEqualTo("order");
    assertThat(JdbcEventStore.category("inventory")).isEqualTo("inventory");
    assertThat(JdbcEventStore.category("-leading")).isEqualTo("-leading"); // no empty categories
  }

  @Test
  void channelNamesAreAlwaysLegalChannelNames() {
    assertThat(JdbcEventStore.defaultChannelName("sku-1")).isEqualTo("sku");
    assertThat(JdbcEventStore.defaultChannelName("caf\u00e9 au lait;x=1-7")).isEqualTo("caf__au_lait_x_1");
    String longId = "a".repeat(200);
    assertThat(JdbcEventStore.defaultChannelName(longId)).hasSize(200);
    for (String id : new String[] {"sku-1", "\"quoted\"", "a,b;c=d\\e", "\u4e2d\u6587", " "}) {
      assertThat(Limits.isToken(JdbcEventStore.defaultChannelName(id), 200)).as(id).isTrue();
    }
  }

  @Test
  void optionsRefuseNonsense() {
    SubscriptionOptions o = SubscriptionOptions.of("Project");
    assertThat(o.maxAttempts()).isEqualTo(3);
    assertThat(o.onExhausted()).isEqualTo(SubscriptionOptions.Exhausted.STOP);
    assertThatThrownBy(() -> o.batchSize(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> o.from(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> o.pollInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> o.schema("has space")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SubscriptionOptions.of(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamFilter.stream("bad\u0000id")).isInstanceOf(IllegalArgumentException.class);
  }
}
