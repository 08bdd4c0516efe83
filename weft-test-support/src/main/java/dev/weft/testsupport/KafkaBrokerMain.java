package dev.weft.testsupport;

import java.util.concurrent.TimeUnit;

/**
 * The main class of the broker's child JVM: formats the data directory on first start (KRaft needs a cluster id
 * written before the first boot), then runs {@code kafka.Kafka}. Doing both in one JVM halves the start-up time of a
 * fresh broker. A watchdog halts the broker when the parent JVM is gone, so a killed test run leaves no broker behind.
 *
 * <p>Arguments: {@code server.properties clusterId parentPid}.
 */
public final class KafkaBrokerMain {
  private KafkaBrokerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: KafkaBrokerMain server.properties clusterId parentPid");
      System.exit(2);
    }
    String config = args[0];
    watchParent(Long.parseLong(args[2]));
    // --ignore-formatted: on a restart the directory is already formatted, and that is fine
    int rc = kafka.tools.StorageTool.execute(
        new String[] {"format", "-t", args[1], "-c", config, "--ignore-formatted"}, System.out);
    if (rc != 0) {
      System.err.println("formatting the storage failed with " + rc);
      Runtime.getRuntime().halt(rc);
    }
    kafka.Kafka.main(new String[] {config});
  }

  private static void watchParent(long parentPid) {
    Thread t = new Thread(() -> {
      while (true) {
        if (ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
          try {
            TimeUnit.SECONDS.sleep(1);
          } catch (InterruptedException e) {
            return;
          }
        } else {
          System.err.println("parent JVM " + parentPid + " is gone: halting the broker");
          Runtime.getRuntime().halt(3);
        }
      }
    }, "weft-parent-watchdog");
    t.setDaemon(true);
    t.start();
  }
}
