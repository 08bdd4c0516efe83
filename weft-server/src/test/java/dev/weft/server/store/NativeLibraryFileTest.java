package dev.weft.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DuckDB's extracted native library does not outlive the process that loaded it, however that process ends. */
class NativeLibraryFileTest {
  @TempDir Path dir;

  private static String mapping(Path p) {
    return "7f3a1c000000-7f3a1c200000 r-xp 00000000 fe:01 1234567                    " + p;
  }

  @Test
  void unlinksOnlyMappedCopiesOfTheLibraryInTheTemporaryDirectory() throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp")).toRealPath();
    Path mapped = Files.createFile(tmp.resolve("libduckdb_java123.so"));
    Path notMapped = Files.createFile(tmp.resolve("libduckdb_java456.so")); // another process's copy
    Path other = Files.createFile(tmp.resolve("libother.so"));
    Path elsewhere = Files.createFile(Files.createDirectory(dir.resolve("lib")).resolve("libduckdb_java789.so"));
    List<String> maps = List.of(
        mapping(mapped), mapping(mapped), // one line per mapped segment
        mapping(other),
        mapping(elsewhere),
        mapping(tmp.resolve("libduckdb_java000.so")) + " (deleted)",
        "7ffd5e1f2000-7ffd5e213000 rw-p 00000000 00:00 0                          [stack]");

    assertThat(NativeLibraryFile.unlinkCopies(maps, tmp)).isEqualTo(1);
    assertThat(mapped).doesNotExist();
    assertThat(notMapped).exists();
    assertThat(other).exists();
    assertThat(elsewhere).exists();
  }

  @Test
  void anOpenStoreLeavesNoCopyOfTheLibraryOnDisk() throws Exception {
    try (Store s = Store.open(dir.resolve("weft.duckdb"), Store.Config.defaults())) {
      Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
      List<String> copies = Files.readAllLines(Path.of("/proc/self/maps")).stream()
          .filter(l -> l.contains(tmp + "/libduckdb_java")).toList();
      assertThat(copies).as("DuckDB is loaded from its extracted copy").isNotEmpty();
      assertThat(copies).allMatch(l -> l.endsWith(" (deleted)"));
      assertThat(s.tableCounts()).isNotEmpty(); // and the loaded library still works
    }
  }
}
