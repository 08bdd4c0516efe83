package dev.weft.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {
  @Test
  void durationsTakeUnitsAndFractions() {
    assertThat(DemoMain.parseDuration("--duration", "1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DemoMain.parseDuration("--duration", "30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(DemoMain.parseDuration("--duration", "1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DemoMain.parseDuration("--duration", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DemoMain.parseDuration("--duration", "1h")).isEqualTo(Duration.ofHours(1));
    for (String bad : new String[] {"soon", "30", "-5s", "0s", "s", "1e30h"}) {
      assertThatThrownBy(() -> DemoMain.parseDuration("--abandon-after", bad))
          .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--abandon-after");
    }
  }

  @Test
  void configurationsOutOfRangeAreRefused() {
    assertThat(DemoConfig.defaults().rate()).isEqualTo(20);
    assertThatThrownBy(() -> DemoConfig.defaults().withRate(0)).hasMessageContaining("rate");
    assertThatThrownBy(() -> DemoConfig.defaults().withPort(70000)).hasMessageContaining("port");
    assertThatThrownBy(() -> DemoConfig.defaults().withFailures(1.5, 0, 0)).hasMessageContaining("failure rate");
    assertThatThrownBy(() -> DemoConfig.defaults().withAbandonAfter(Duration.ZERO)).hasMessageContaining("abandon");
  }

  @Test
  void payloadsAreReadableFormEncodedFields() throws Exception {
    Map<String, String> p = Kv.of("merchant", "4c5d6e7", "note", "a&b=c d");
    byte[] bytes = Kv.CODEC.encode(p);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("merchant=4c5d6e7&note=a%26b%3Dc+d");
    assertThat(Kv.CODEC.decode(bytes)).containsExactlyEntriesOf(p);
    assertThatThrownBy(() -> Kv.decode("no-equals-sign")).isInstanceOf(IllegalArgumentException.class);
  }
}
