package dev.weft.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The examples and error messages in docs/query-language.md are what the parser does, word for word. */
class QueryDocTest {
  private static final Path DOC = Path.of("..", "docs", "query-language.md");
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  /** The first two code spans of each table row between the begin and end markers. */
  static List<String[]> rows(String section) throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int from = doc.indexOf("<!-- begin " + section);
    int to = doc.indexOf("<!-- end " + section);
    assertThat(from).as("section %s", section).isPositive();
    assertThat(to).isGreaterThan(from);
    List<String[]> rows = new ArrayList<>();
    for (String line : doc.substring(from, to).split("\n")) {
      if (!line.startsWith("| `")) continue;
      Matcher m = CODE.matcher(line);
      assertThat(m.find()).isTrue();
      String first = m.group(1);
      assertThat(m.find()).as(line).isTrue();
      rows.add(new String[] {first, m.group(1)});
    }
    return rows;
  }

  @Test
  void examplesParseToTheirCanonicalForm() throws Exception {
    List<String[]> rows = rows("examples");
    assertThat(rows).hasSizeGreaterThanOrEqualTo(15);
    assertThat(rows.get(0)[0]).isEqualTo("op=UpdateInventory status=failed merchant_id=4c5d6e7");
    for (String[] row : rows) {
      Query q = Query.parse(row[0]);
      assertThat(q.format()).as(row[0]).isEqualTo(row[1]);
      assertThat(Query.parse(row[1])).isEqualTo(q);
    }
  }

  @Test
  void errorsAreWordForWord() throws Exception {
    List<String[]> rows = rows("errors");
    assertThat(rows).hasSizeGreaterThanOrEqualTo(30);
    for (String[] row : rows) {
      QueryException e = catchThrowableOfType(QueryException.class, () -> Query.parse(row[0]));
      assertThat(e).as(row[0]).isNotNull();
      assertThat(e.getMessage()).as(row[0]).isEqualTo(row[1]);
    }
  }

  @Test
  void limitMessagesInProse() {
    QueryException e = catchThrowableOfType(QueryException.class, () -> Query.parse("a=1 ".repeat(1250)));
    assertThat(e.getMessage()).isEqualTo("at column 4097: query is 5000 characters long; the limit is 4096");
  }
}
