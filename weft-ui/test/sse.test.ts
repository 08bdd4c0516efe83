import { describe, expect, it } from 'vitest';
import { SseParser } from '../src/lib/sse';

describe('SSE parser', () => {
  it('dispatches on a blank line, with id and event type', () => {
    const p = new SseParser();
    expect(p.feed('id: 42\nevent: message\ndata: {"a":1}\n\n')).toEqual([{ id: '42', event: 'message', data: '{"a":1}' }]);
    expect(p.lastEventId).toBe('42');
  });
  it('joins data lines, handles CRLF and chunks split anywhere', () => {
    const p = new SseParser();
    const text = 'data: one\r\ndata: two\r\n\r\nid: 7\r\ndata: three\r\n\r\n';
    const out = [];
    for (const ch of text) out.push(...p.feed(ch));
    expect(out).toEqual([
      { id: '', event: 'message', data: 'one\ntwo' },
      { id: '7', event: 'message', data: 'three' },
    ]);
  });
  it('counts comments (heartbeats) and ignores unknown fields', () => {
    const p = new SseParser();
    expect(p.feed(': heartbeat\n\nretry: 10\nfoo: bar\n\n')).toEqual([]);
    expect(p.comments).toBe(1);
  });
  it('keeps the last id across messages, as a reconnect needs', () => {
    const p = new SseParser();
    p.feed('id: 3\ndata: a\n\n');
    expect(p.feed('data: b\n\n')).toEqual([{ id: '3', event: 'message', data: 'b' }]);
  });
  it('waits for the LF after a CR at the end of a chunk', () => {
    const p = new SseParser();
    expect(p.feed('data: x\r')).toEqual([]);
    expect(p.feed('\n\r\n')).toEqual([{ id: '', event: 'message', data: 'x' }]);
  });
});
