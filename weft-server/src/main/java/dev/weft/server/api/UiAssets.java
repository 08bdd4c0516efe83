package dev.weft.server.api;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The web UI's files (module weft-ui, packaged under {@code dev/weft/ui/} on the classpath), served at {@code /}.
 *
 * <ul>
 *   <li>The files are read once at start-up from the list the UI build writes ({@code files.txt}), and gzipped once;
 *       a client that accepts gzip gets the compressed bytes.
 *   <li>Vite names the scripts and styles by their content hash ({@code /assets/index-3f2a….js}), so those are cached
 *       for a year as immutable; {@code index.html} is revalidated every time (ETag), so a new build is picked up.
 *   <li>Any other path without a file extension is a route of the single-page app and gets {@code index.html}; paths
 *       under {@code /api/}, a missing file with an extension, and anything but GET get the API's JSON 404.
 *   <li>No token is needed for these files: they hold no data. The data comes from {@code /api/v1}, which checks it.
 *   <li>HTML responses carry a strict Content-Security-Policy (scripts and styles from this origin only, no inline
 *       script), {@code X-Frame-Options: DENY} and {@code nosniff}: a second wall behind the UI's escaping.
 * </ul>
 */
final class UiAssets {
  static final String ROOT = "dev/weft/ui/";
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
      + " form-action 'self'";

  record Asset(String contentType, byte[] raw, byte[] gzip, String etag, boolean immutable) {}

  private final Map<String, Asset> files;
  private final Asset index;

  private UiAssets(Map<String, Asset> files) {
    this.files = files;
    this.index = files.get("/index.html");
  }

  private static volatile UiAssets loaded;

  /** The UI from the classpath, read once per process; an empty set (every page a 404) when the build has none. */
  static UiAssets load() {
    UiAssets u = loaded;
    if (u == null) loaded = u = read();
    return u;
  }

  private static UiAssets read() {
    ClassLoader cl = UiAssets.class.getClassLoader();
    Map<String, Asset> files = new HashMap<>();
    byte[] list = read(cl, ROOT + "files.txt");
    if (list == null) return new UiAssets(files);
    for (String line : new String(list, StandardCharsets.UTF_8).split("\n")) {
      String name = line.strip();
      if (name.isEmpty() || name.contains("..") || name.startsWith("/")) continue;
      byte[] raw = read(cl, ROOT + name);
      if (raw == null) continue;
      String type = contentType(name);
      byte[] gz = compressible(type) ? gzip(raw) : null;
      files.put("/" + name, new Asset(type, raw, gz != null && gz.length < raw.length ? gz : null,
          "\"" + sha256(raw).substring(0, 32) + "\"", name.startsWith("assets/")));
    }
    return new UiAssets(files);
  }

  boolean present() {
    return index != null;
  }

  /** Handles a GET for any path the API does not serve. */
  void serve(Context ctx) {
    String path = ctx.path();
    if (path.equals("/api") || path.startsWith("/api/")) {
      throw new ApiError(404, "no such endpoint: GET " + clip(path));
    }
    Asset a = files.get(path);
    if (a == null) {
      String last = path.substring(path.lastIndexOf('/') + 1);
      if (last.contains(".") || path.startsWith("/assets/")) throw new ApiError(404, "no such file: " + clip(path));
      a = index; // a route of the single-page app
    }
    if (a == null) {
      throw new ApiError(404, "this build of the server has no web UI (module weft-ui); the API is at /api/v1");
    }
    ctx.disableCompression();
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", a.immutable() ? "public, max-age=31536000, immutable" : "no-cache");
    ctx.header("ETag", a.etag());
    if (a.contentType().startsWith("text/html")) {
      ctx.header("Content-Security-Policy", CSP);
      ctx.header("X-Frame-Options", "DENY");
    }
    if (a.gzip() != null) ctx.header("Vary", "Accept-Encoding");
    String inm = ctx.header("If-None-Match");
    if (inm != null && inm.contains(a.etag())) {
      ctx.status(304);
      return;
    }
    ctx.contentType(a.contentType());
    String ae = ctx.header("Accept-Encoding");
    if (a.gzip() != null && ae != null && acceptsGzip(ae)) {
      ctx.header("Content-Encoding", "gzip");
      ctx.result(a.gzip());
    } else {
      ctx.result(a.raw());
    }
  }

  static boolean acceptsGzip(String acceptEncoding) {
    for (String part : acceptEncoding.toLowerCase(Locale.ROOT).split(",")) {
      String[] p = part.trim().split(";");
      if (!p[0].trim().equals("gzip") && !p[0].trim().equals("*")) continue;
      for (int i = 1; i < p.length; i++) {
        String q = p[i].trim();
        if (q.startsWith("q=")) {
          try {
            if (Double.parseDouble(q.substring(2)) == 0) return false;
          } catch (NumberFormatException e) {
            return false;
          }
        }
      }
      return true;
    }
    return false;
  }

  static String contentType(String name) {
    String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    return switch (ext) {
      case "html" -> "text/html; charset=utf-8";
      case "js", "mjs" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "json", "map" -> "application/json";
      case "svg" -> "image/svg+xml";
      case "png" -> "image/png";
      case "ico" -> "image/x-icon";
      case "woff2" -> "font/woff2";
      case "txt" -> "text/plain; charset=utf-8";
      default -> "application/octet-stream";
    };
  }

  private static boolean compressible(String type) {
    return type.startsWith("text/") || type.equals("application/json") || type.equals("image/svg+xml");
  }

  private static byte[] read(ClassLoader cl, String name) {
    try (InputStream in = cl.getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read UI file " + name, e);
    }
  }

  private static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 3 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String clip(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 200; i++) b.append(Character.isISOControl(s.charAt(i)) ? '?' : s.charAt(i));
    return s.length() > 200 ? b + "..." : b.toString();
  }
}
