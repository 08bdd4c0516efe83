// Helpers for the query language (docs/query-language.md): quoting values and keys, building terms, and finding
// what the caret is on for autocomplete. The server's parser stays the judge of what is valid.

export const RESERVED_KEYS = [
  'op',
  'service',
  'status',
  'duration',
  'queue_wait',
  'channel',
  'schema',
  'type',
  'trace',
  'since',
  'until',
] as const;

export const KEY_HELP: Record<string, string> = {
  op: 'operation name',
  service: 'service that ran the operation',
  status: 'ok, failed, abandoned or running',
  duration: 'processing time, e.g. duration>500ms',
  queue_wait: 'time the input waited in its channel',
  channel: 'channel consumed from or sent to',
  schema: 'message type consumed or sent',
  type: 'event type, e.g. FAIL',
  trace: 'trace id',
  since: 'started at or after, e.g. since=1h',
  until: 'started before',
};

const RESERVED = new Set<string>(RESERVED_KEYS);

/** Characters that cannot appear in a bare value. */
const NEEDS_QUOTES = /[\s()"\\=<>!*\u0000-\u001f\u007f]/;

/** A literal text value: bare when it can be, else quoted with escapes (a star is literal, `\*`). */
export function quoteValue(v: string): string {
  if (v.length > 0 && !NEEDS_QUOTES.test(v)) return v;
  let out = '"';
  for (const ch of v) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '*') out += '\\*';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** A tag key; quoted when it is spelled like a reserved key, so that it stays a tag. */
export function quoteKey(k: string): string {
  return RESERVED.has(k.toLowerCase()) ? `"${k}"` : k;
}

/** One `key=value` term with the value quoted as needed. */
export function term(key: string, value: string, op = '='): string {
  return `${key}${op}${quoteValue(value)}`;
}

export interface CompletionContext {
  /** start and end of the token the caret is in */
  start: number;
  end: number;
  kind: 'key' | 'value';
  /** for values: the key (lowercased when reserved) and operator */
  key?: string;
  op?: string;
  /** what has been typed so far of the key or the value (without a leading quote) */
  prefix: string;
  /** start of the value within the text */
  valueStart?: number;
}

const OPS = ['!=', '>=', '<=', '=', '>', '<'];

/** Finds the term the caret is in. Tokens are separated by whitespace and parentheses outside quotes. */
export function completionContext(text: string, caret: number): CompletionContext | null {
  // token boundaries, aware of quoted strings
  let start = 0;
  let inQuote = false;
  for (let i = 0; i < caret; i++) {
    const ch = text[i];
    if (inQuote) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuote = false;
    } else if (ch === '"') inQuote = true;
    else if (/\s|\(|\)/.test(ch)) start = i + 1;
  }
  let end = caret;
  let q = inQuote;
  while (end < text.length) {
    const ch = text[end];
    if (q) {
      if (ch === '\\') end++;
      else if (ch === '"') q = false;
    } else if (ch === '"') q = true;
    else if (/\s|\(|\)/.test(ch)) break;
    end++;
  }
  end = Math.min(end, text.length);
  const token = text.slice(start, caret);
  if (token === 'OR') return null;
  // operator outside quotes
  let opAt = -1;
  let op = '';
  let quoted = false;
  for (let i = 0; i < token.length; i++) {
    const ch = token[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') {
      quoted = true;
      continue;
    }
    const found = OPS.find((o) => token.startsWith(o, i));
    if (found && i > 0) {
      opAt = i;
      op = found;
      break;
    }
  }
  if (opAt < 0) {
    return { start, end, kind: 'key', prefix: token.replace(/^"/, '') };
  }
  let key = token.slice(0, opAt);
  if (key.startsWith('"') && key.endsWith('"') && key.length >= 2) key = key.slice(1, -1);
  else if (RESERVED.has(key.toLowerCase())) key = key.toLowerCase();
  const rawValue = token.slice(opAt + op.length);
  return {
    start,
    end,
    kind: 'value',
    key,
    op,
    prefix: rawValue.startsWith('"') ? rawValue.slice(1).replace(/\\(.)/g, '$1') : rawValue,
    valueStart: start + opAt + op.length,
  };
}

/** Replaces the key (the whole token) or the value under the caret; returns the new text and caret. */
export function applyCompletion(
  text: string,
  ctx: CompletionContext,
  insertion: string,
): { text: string; caret: number } {
  const from = ctx.kind === 'key' ? ctx.start : (ctx.valueStart ?? ctx.start);
  const after = text.slice(ctx.end);
  // a completed value at the end gets a space, ready for the next term
  const trailing = ctx.kind === 'value' && after.length === 0 ? ' ' : '';
  return { text: text.slice(0, from) + insertion + trailing + after, caret: from + insertion.length + trailing.length };
}

/** The value of `service=` in a query, if there is exactly one plain one. */
export function serviceInQuery(text: string): string | null {
  const m = /(?:^|[\s(])service=("(?:[^"\\]|\\.)*"|[^\s()"]+)/i.exec(text);
  if (!m) return null;
  const v = m[1];
  return v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

/** Tag keys mentioned in a query (for choosing which tags to show in results). */
export function keysInQuery(text: string): Set<string> {
  const out = new Set<string>();
  const re = /(?:^|[\s(])("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.:-]+)(?:!=|>=|<=|=|>|<)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const k = m[1].startsWith('"') ? m[1].slice(1, -1) : m[1];
    out.add(k);
  }
  return out;
}
