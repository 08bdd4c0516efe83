package dev.weft.server.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * DuckDB's JDBC driver copies its native library (about 60 MB) to a new file in {@code java.io.tmpdir} at every start
 * and deletes it only when the JVM exits normally. A server stopped by {@code kill -9}, the OOM killer or a power cut
 * leaves the file behind, and a server that crashes and restarts in a loop fills the disk with them (RATIONALE.md,
 * "The native library's copy"). Once loaded, the library is mapped into the process, and on Linux a mapped file can
 * be unlinked: the mapping keeps its pages until the process ends, however it ends. So the store unlinks the copy as
 * soon as the driver has loaded it.
 */
final class NativeLibraryFile {
  private NativeLibraryFile() {}

  /**
   * Unlinks the files this process has mapped that are DuckDB's extracted library in the temporary directory. Returns
   * how many it removed. Does nothing where {@code /proc/self/maps} does not exist (not Linux), and never throws: a
   * copy left behind is the driver's old behaviour, not a reason to refuse to open the store.
   */
  static int unlinkLoadedCopies() {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) return 0;
    try {
      Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
      return unlinkCopies(Files.readAllLines(maps), tmp);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** As {@link #unlinkLoadedCopies}, for the given lines of a {@code maps} file and temporary directory. */
  static int unlinkCopies(List<String> mapsLines, Path tmp) {
    java.util.Set<Path> copies = new java.util.TreeSet<>();
    for (String line : mapsLines) {
      // address perms offset dev inode path; a file already unlinked ends in " (deleted)" and is skipped
      int slash = line.indexOf('/');
      if (slash < 0 || line.endsWith(" (deleted)")) continue;
      Path p = Path.of(line.substring(slash));
      String name = p.getFileName().toString();
      if (name.startsWith("libduckdb_java") && name.endsWith(".so") && tmp.equals(p.getParent())) copies.add(p);
    }
    int removed = 0;
    for (Path p : copies) {
      try {
        if (Files.deleteIfExists(p)) removed++;
      } catch (IOException | RuntimeException e) {
        // left for the driver's own delete at exit
      }
    }
    return removed;
  }
}
