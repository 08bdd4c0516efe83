package dev.weft.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UI's files over real HTTP: routes, content types, caching, gzip, security headers, and auth. */
class UiAssetsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  HttpResponse<byte[]> get(Browsers.Server s, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url(path))).GET();
    if (headers.length > 0) b.headers(headers);
    return s.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The Content-Type without spaces (Jetty writes "text/html;charset=utf-8"). */
  static String type(HttpResponse<byte[]> r) {
    return r.headers().firstValue("Content-Type").orElse("").replace(" ", "").toLowerCase(java.util.Locale.ROOT);
  }

  static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void indexIsServedAtTheRootAndForEveryRouteOfTheApp() throws Exception {
    try (Browsers.Server s = new Browsers.Server(dir, null)) {
      for (String path : new String[] {"/", "/search", "/trace/5f2c0000000000000000000000000001", "/topology",
          "/dashboards/inventory"}) {
        HttpResponse<byte[]> r = get(s, path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(type(r)).isEqualTo("text/html;charset=utf-8");
        assertThat(text(r)).contains("<div id=\"app\">");
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-cache");
        assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
            .contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
        assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
      }
      // revalidation
      HttpResponse<byte[]> first = get(s, "/");
      String etag = first.headers().firstValue("ETag").orElseThrow();
      assertThat(get(s, "/", "If-None-Match", etag).statusCode()).isEqualTo(304);
    }
  }

  @Test
  void hashedAssetsAreImmutableAndGzipped() throws Exception {
    try (Browsers.Server s = new Browsers.Server(dir, null)) {
      String index = text(get(s, "/"));
      Matcher m = Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"").matcher(index);
      assertThat(m.find()).as("index.html loads a hashed script").isTrue();
      String js = m.group(1);
      HttpResponse<byte[]> plain = get(s, js);
      assertThat(plain.statusCode()).isEqualTo(200);
      assertThat(type(plain)).isEqualTo("text/javascript;charset=utf-8");
      assertThat(plain.headers().firstValue("Cache-Control")).contains("public, max-age=31536000, immutable");
      assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
      HttpResponse<byte[]> gz = get(s, js, "Accept-Encoding", "gzip, deflate");
      assertThat(gz.headers().firstValue("Content-Encoding")).contains("gzip");
      assertThat(gz.headers().firstValue("Vary")).contains("Accept-Encoding");
      assertThat(gz.body().length).isLessThan(plain.body().length / 2);
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
        assertThat(in.readAllBytes()).isEqualTo(plain.body());
      }
      assertThat(get(s, js, "Accept-Encoding", "gzip;q=0").headers().firstValue("Content-Encoding")).isEmpty();
      Matcher css = Pattern.compile("href=\"(/assets/[^\"]+\\.css)\"").matcher(index);
      assertThat(css.find()).isTrue();
      assertThat(type(get(s, css.group(1)))).isEqualTo("text/css;charset=utf-8");
      assertThat(type(get(s, "/favicon.svg"))).isEqualTo("image/svg+xml");
    }
  }

  @Test
  void missingFilesAndUnknownApiPathsStayJson404s() throws Exception {
    try (Browsers.Server s = new Browsers.Server(dir, null)) {
      for (String path : new String[] {"/api/v1/nope", "/api/nope", "/assets/nope.js", "/nope.js", "/files.txt"}) {
        HttpResponse<byte[]> r = get(s, path);
        assertThat(r.statusCode()).as(path).isEqualTo(404);
        assertThat(JSON.readTree(r.body()).get("error").asText()).as(path).isNotEmpty();
      }
      HttpResponse<String> post = s.http.send(HttpRequest.newBuilder(URI.create(s.url("/search")))
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(404);
    }
  }

  @Test
  void theUiLoadsWithoutATokenButItsDataDoesNot() throws Exception {
    try (Browsers.Server s = new Browsers.Server(dir, "t0ken")) {
      assertThat(get(s, "/").statusCode()).isEqualTo(200);
      assertThat(get(s, "/search").statusCode()).isEqualTo(200);
      assertThat(get(s, "/api/v1/services").statusCode()).isEqualTo(401);
      assertThat(get(s, "/api/v1/saved-queries").statusCode()).isEqualTo(401);
      assertThat(get(s, "/api/v1/nope").statusCode()).isEqualTo(401);
      assertThat(get(s, "/api/v1/services", "Authorization", "Bearer t0ken").statusCode()).isEqualTo(200);
    }
  }
}
