package dev.weft.core.sink;

import dev.weft.core.event.EventJson;
import dev.weft.core.event.TelemetryEvent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes events as NDJSON, one JSON object per line: to a file (appending) or to stdout. The sinks made here are
 * asynchronous: writing happens on the sink's thread, never on the application's.
 */
public final class NdjsonSink implements BatchExporter {
  private final Writer out;
  private final boolean closeStream;
  private final StringBuilder line = new StringBuilder(1024);

  private NdjsonSink(OutputStream stream, boolean closeStream) {
    this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 64 * 1024);
    this.closeStream = closeStream;
  }

  /** An asynchronous sink appending NDJSON to {@code file}, creating it if needed. */
  public static AsyncBatchingSink toFile(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    OutputStream s = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return AsyncBatchingSink.builder(new NdjsonSink(s, true)).name("ndjson").build();
  }

  /** An asynchronous sink writing NDJSON to standard output. */
  public static AsyncBatchingSink toStdout() {
    return AsyncBatchingSink.builder(new NdjsonSink(System.out, false)).name("ndjson-stdout").build();
  }

  /** An exporter writing NDJSON to any stream, for use behind an {@link AsyncBatchingSink}. */
  public static NdjsonSink exporter(OutputStream stream) {
    return new NdjsonSink(stream, false);
  }

  @Override
  public void export(List<TelemetryEvent> batch) throws IOException {
    for (TelemetryEvent e : batch) {
      line.setLength(0);
      EventJson.write(e, line);
      line.append('\n');
      out.append(line);
    }
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.flush();
    if (closeStream) out.close();
  }
}
