package dev.weft.demo;

import java.time.Duration;
import java.util.Objects;

/**
 * How the demo runs.
 *
 * @param port the Weft server's HTTP port (0: any free one)
 * @param rate merchant flows started per second
 * @param failureRate how often UpdateInventory fails for the troubled merchants (0..1)
 * @param inventoryCrashRate how often an inventory instance crashes in the middle of UpdateInventory (0..1): once per
 *     1/rate operations on average (see {@link Instance#crashesNow})
 * @param crashRate how often a notifications instance crashes in the middle of NotifyWatchers (0..1), likewise
 * @param abandonAfter the server's deadline after which an operation that never ended counts as abandoned
 * @param restartDelay how long a crashed instance stays down before it is restarted
 */
record DemoConfig(int port, double rate, double failureRate, double inventoryCrashRate, double crashRate,
    Duration abandonAfter, Duration restartDelay) {
  static final int DEFAULT_PORT = 9797;
  static final double DEFAULT_RATE = 20;
  static final double DEFAULT_FAILURE_RATE = 0.3;
  static final double DEFAULT_INVENTORY_CRASH_RATE = 0.004;
  static final double DEFAULT_CRASH_RATE = 0.01;
  static final Duration DEFAULT_ABANDON_AFTER = Duration.ofSeconds(15);
  static final Duration DEFAULT_RESTART_DELAY = Duration.ofSeconds(2);

  DemoConfig {
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
    if (!(rate > 0 && rate <= 1000)) {
      throw new IllegalArgumentException("rate must be above 0 and at most 1000 flows/s, got " + rate);
    }
    checkRate("failure rate", failureRate);
    checkRate("inventory crash rate", inventoryCrashRate);
    checkRate("crash rate", crashRate);
    Objects.requireNonNull(abandonAfter, "abandonAfter");
    Objects.requireNonNull(restartDelay, "restartDelay");
    if (abandonAfter.isNegative() || abandonAfter.isZero()) {
      throw new IllegalArgumentException("abandon-after must be positive");
    }
  }

  static DemoConfig defaults() {
    return new DemoConfig(DEFAULT_PORT, DEFAULT_RATE, DEFAULT_FAILURE_RATE, DEFAULT_INVENTORY_CRASH_RATE,
        DEFAULT_CRASH_RATE, DEFAULT_ABANDON_AFTER, DEFAULT_RESTART_DELAY);
  }

  private static void checkRate(String name, double r) {
    if (!(r >= 0 && r <= 1)) throw new IllegalArgumentException(name + " must be between 0 and 1, got " + r);
  }

  DemoConfig withPort(int p) {
    return new DemoConfig(p, rate, failureRate, inventoryCrashRate, crashRate, abandonAfter, restartDelay);
  }

  DemoConfig withRate(double r) {
    return new DemoConfig(port, r, failureRate, inventoryCrashRate, crashRate, abandonAfter, restartDelay);
  }

  DemoConfig withFailures(double failures, double inventoryCrashes, double crashes) {
    return new DemoConfig(port, rate, failures, inventoryCrashes, crashes, abandonAfter, restartDelay);
  }

  DemoConfig withAbandonAfter(Duration d) {
    return new DemoConfig(port, rate, failureRate, inventoryCrashRate, crashRate, d, restartDelay);
  }

  DemoConfig withRestartDelay(Duration d) {
    return new DemoConfig(port, rate, failureRate, inventoryCrashRate, crashRate, abandonAfter, d);
  }
}
