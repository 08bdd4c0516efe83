package dev.weft.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code weft-server.jar}: {@code server} runs the collector and API, {@code query} asks a running server,
 * {@code replay} rebuilds the store from the telemetry topic.
 */
@Command(name = "weft", mixinStandardHelpOptions = true, version = "weft 0.1.0-SNAPSHOT",
    description = "Weft: distributed tracing for asynchronous systems.",
    subcommands = {ServerCommand.class, QueryCommand.class, ReplayCommand.class})
public final class WeftCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  /** A command line ready to execute, with the converters Weft's options need. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new WeftCli());
    cl.registerConverter(java.time.Duration.class, Units::duration);
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
