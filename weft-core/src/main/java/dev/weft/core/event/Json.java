package dev.weft.core.event;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and string writer, because weft-core has no dependencies. It reads RFC 8259 JSON into
 * {@code Map} (insertion-ordered), {@code List}, {@code String}, {@code Long}, {@code Double}, {@code Boolean} and
 * {@code null}, with a nesting limit, and reports the position of the first error.
 */
public final class Json {
  /** Deepest nesting accepted; events are shallow, so anything deeper is hostile. */
  public static final int MAX_DEPTH = 32;

  private final String s;
  private int pos;
  private int depth;

  private Json(String s) {
    this.s = s;
  }

  /** A syntax error and the character position where it was found. */
  public static final class ParseException extends Exception {
    private final int position;

    ParseException(String message, int position) {
      super(message + " at position " + position);
      this.position = position;
    }

    public int position() {
      return position;
    }
  }

  /** Parses one JSON value that must fill the whole text (surrounding whitespace allowed). */
  public static Object parse(String text) throws ParseException {
    Json p = new Json(text);
    p.skipWs();
    Object v = p.value();
    p.skipWs();
    if (p.pos != text.length()) throw new ParseException("unexpected trailing characters", p.pos);
    return v;
  }

  private Object value() throws ParseException {
    if (pos >= s.length()) throw new ParseException("unexpected end of input", pos);
    char c = s.charAt(pos);
    switch (c) {
      case '{': return object();
      case '[': return array();
      case '"': return string();
      case 't': return literal("true", Boolean.TRUE);
      case 'f': return literal("false", Boolean.FALSE);
      case 'n': return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        throw new ParseException("unexpected character '" + printable(c) + "'", pos);
    }
  }

  private Object literal(String word, Object v) throws ParseException {
    if (!s.startsWith(word, pos)) throw new ParseException("expected " + word, pos);
    pos += word.length();
    return v;
  }

  private Map<String, Object> object() throws ParseException {
    if (++depth > MAX_DEPTH) throw new ParseException("nesting deeper than " + MAX_DEPTH, pos);
    pos++; // {
    Map<String, Object> map = new LinkedHashMap<>();
    skipWs();
    if (peek() == '}') {
      pos++;
      depth--;
      return map;
    }
    while (true) {
      skipWs();
      if (peek() != '"') throw new ParseException("expected a string key", pos);
      int keyPos = pos;
      String key = string();
      skipWs();
      if (peek() != ':') throw new ParseException("expected ':'", pos);
      pos++;
      skipWs();
      if (map.containsKey(key)) throw new ParseException("duplicate key \"" + key + "\"", keyPos);
      map.put(key, value());
      skipWs();
      char c = peek();
      pos++;
      if (c == ',') continue;
      if (c == '}') break;
      throw new ParseException("expected ',' or '}'", pos - 1);
    }
    depth--;
    return map;
  }

  private List<Object> array() throws ParseException {
    if (++depth > MAX_DEPTH) throw new ParseException("nesting deeper than " + MAX_DEPTH, pos);
    pos++; // [
    List<Object> list = new ArrayList<>();
    skipWs();
    if (peek() == ']') {
      pos++;
      depth--;
      return list;
    }
    while (true) {
      skipWs();
      list.add(value());
      skipWs();
      char c = peek();
      pos++;
      if (c == ',') continue;
      if (c == ']') break;
      throw new ParseException("expected ',' or ']'", pos - 1);
    }
    depth--;
    return list;
  }

  private String string() throws ParseException {
    pos++; // opening quote
    StringBuilder sb = null;
    int start = pos;
    while (true) {
      if (pos >= s.length()) throw new ParseException("unterminated string", start - 1);
      char c = s.charAt(pos);
      if (c == '"') {
        String out = sb == null ? s.substring(start, pos) : sb.append(s, start, pos).toString();
        pos++;
        return out;
      }
      if (c < 0x20) throw new ParseException("control character in string", pos);
      if (c == '\\') {
        if (sb == null) sb = new StringBuilder();
        sb.append(s, start, pos);
        pos++;
        if (pos >= s.length()) throw new ParseException("unterminated escape", pos);
        char e = s.charAt(pos++);
        switch (e) {
          case '"': sb.append('"'); break;
          case '\\': sb.append('\\'); break;
          case '/': sb.append('/'); break;
          case 'b': sb.append('\b'); break;
          case 'f': sb.append('\f'); break;
          case 'n': sb.append('\n'); break;
          case 'r': sb.append('\r'); break;
          case 't': sb.append('\t'); break;
          case 'u':
            if (pos + 4 > s.length()) throw new ParseException("short \\u escape", pos);
            int cp = 0;
            for (int i = 0; i < 4; i++) {
              char h = s.charAt(pos + i);
              int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                  : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
              if (d < 0) throw new ParseException("bad \\u escape", pos + i);
              cp = cp * 16 + d;
            }
            sb.append((char) cp);
            pos += 4;
            break;
          default:
            throw new ParseException("bad escape '\\" + printable(e) + "'", pos - 1);
        }
        start = pos;
      } else {
        pos++;
      }
    }
  }

  private Object number() throws ParseException {
    int start = pos;
    if (peek() == '-') pos++;
    if (pos >= s.length() || !isDigit(s.charAt(pos))) throw new ParseException("bad number", start);
    if (s.charAt(pos) == '0' && pos + 1 < s.length() && isDigit(s.charAt(pos + 1))) {
      throw new ParseException("leading zero in number", start);
    }
    while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
    boolean integral = true;
    if (pos < s.length() && s.charAt(pos) == '.') {
      integral = false;
      pos++;
      if (pos >= s.length() || !isDigit(s.charAt(pos))) throw new ParseException("bad fraction", pos);
      while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
    }
    if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
      integral = false;
      pos++;
      if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
      if (pos >= s.length() || !isDigit(s.charAt(pos))) throw new ParseException("bad exponent", pos);
      while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
    }
    String text = s.substring(start, pos);
    if (integral) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new ParseException("integer out of range", start);
      }
    }
    return Double.parseDouble(text);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private char peek() throws ParseException {
    if (pos >= s.length()) throw new ParseException("unexpected end of input", pos);
    return s.charAt(pos);
  }

  private void skipWs() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
      else break;
    }
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }

  /** Appends {@code value} as a JSON string literal. */
  public static void quote(StringBuilder out, String value) {
    out.append('"');
    int n = value.length();
    int i = 0;
    while (i < n && plain(value.charAt(i))) i++;
    if (i == n) { // the common case: nothing to escape, so one bulk copy instead of a copy per character
      out.append(value).append('"');
      return;
    }
    int start = 0;
    for (; i < n; i++) {
      char c = value.charAt(i);
      String rep = null;
      if (c == '"') rep = "\\\"";
      else if (c == '\\') rep = "\\\\";
      else if (c == '\n') rep = "\\n";
      else if (c == '\r') rep = "\\r";
      else if (c == '\t') rep = "\\t";
      else if (c < 0x20 || c == 0x2028 || c == 0x2029) rep = String.format("\\u%04x", (int) c);
      else if (Character.isSurrogate(c)) {
        // a valid pair is written as is; a lone surrogate has no UTF-8 form, so it is escaped
        boolean paired = Character.isHighSurrogate(c) ? i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))
            : i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
        if (!paired) rep = String.format("\\u%04x", (int) c);
      }
      if (rep != null) {
        out.append(value, start, i).append(rep);
        start = i + 1;
      }
    }
    out.append(value, start, n).append('"');
  }

  /** A character written as it is: printable, not a quote or backslash, not a line separator or surrogate. */
  private static boolean plain(char c) {
    return c >= 0x20 && c != '"' && c != '\\' && c < 0x2028 || c > 0x2029 && !Character.isSurrogate(c);
  }
}
