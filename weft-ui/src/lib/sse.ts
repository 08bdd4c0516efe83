// Server-Sent Events read over fetch() rather than EventSource, because EventSource cannot send an
// Authorization header. The parser follows the WHATWG event-stream format: lines end in LF, CRLF or CR; `:` starts
// a comment; `data` lines are joined with LF; a blank line dispatches; `id` persists as the last event id.

import { HttpError, Unreachable, authHeaders, token, unauthorized } from './api';
import type { ApiErrorBody } from './types';

export interface SseMessage {
  id: string;
  event: string;
  data: string;
}

export class SseParser {
  private buf = '';
  private data: string[] = [];
  private event = '';
  private sawData = false;
  /** The last event id seen, kept across messages (what a reconnect sends as Last-Event-ID). */
  lastEventId = '';
  /** Comments seen (heartbeats). */
  comments = 0;

  feed(chunk: string): SseMessage[] {
    this.buf += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buf);
      if (!m) break;
      // a CR at the very end may be the first half of CRLF: wait for more
      if (m[0] === '\r' && m.index === this.buf.length - 1) break;
      const line = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      const msg = this.line(line);
      if (msg) out.push(msg);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === '') {
      if (!this.sawData) {
        this.event = '';
        return null;
      }
      const msg = { id: this.lastEventId, event: this.event || 'message', data: this.data.join('\n') };
      this.data = [];
      this.event = '';
      this.sawData = false;
      return msg;
    }
    if (line.startsWith(':')) {
      this.comments++;
      return null;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.data.push(value);
      this.sawData = true;
    } else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\u0000')) this.lastEventId = value;
    return null;
  }
}

export interface TailOptions {
  lastEventId?: string;
  signal: AbortSignal;
  onOpen?: () => void;
  onMessage: (m: SseMessage) => void;
  onHeartbeat?: () => void;
}

/**
 * Opens one event stream and reads it until it ends or is aborted. Resolves with the last event id when the
 * server closes the stream; rejects with HttpError (a refusal before the stream started) or Unreachable.
 */
export async function readStream(url: string, o: TailOptions): Promise<string> {
  const sentToken = token.get();
  const headers: Record<string, string> = { Accept: 'text/event-stream', ...authHeaders() };
  if (o.lastEventId) headers['Last-Event-ID'] = o.lastEventId;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: o.signal, cache: 'no-store' });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new Unreachable(url);
  }
  if (!res.ok || !res.body) {
    let body: ApiErrorBody = { error: `HTTP ${res.status}` };
    try {
      body = (await res.json()) as ApiErrorBody;
    } catch {
      // not JSON
    }
    if (res.status === 401) unauthorized(sentToken);
    throw new HttpError(res.status, body);
  }
  o.onOpen?.();
  const parser = new SseParser();
  parser.lastEventId = o.lastEventId ?? '';
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let comments = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const m of parser.feed(value)) o.onMessage(m);
      if (parser.comments !== comments) {
        comments = parser.comments;
        o.onHeartbeat?.();
      }
    }
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new Unreachable(url);
  } finally {
    reader.releaseLock();
  }
  return parser.lastEventId;
}
