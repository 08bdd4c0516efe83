import { describe, expect, it } from 'vitest';
import { buildModel, queueStart } from '../src/trace/model';
import { opOrder, unroll } from '../src/trace/tree';
import type { OpRow, MessageRow, TraceResponse } from '../src/lib/types';

const op = (id: string, start: number, end: number | null, status: OpRow['status'] = 'ok'): OpRow => ({
  opId: id, op: id.toUpperCase(), service: 'svc', instanceId: null, parentOpId: null, startTicks: start, endTicks: end,
  durationTicks: end === null ? null : end - start, status, endStatus: null, errorType: null, errorMessage: null,
  resource: null, traces: ['t'],
});
const msg = (id: string, sent: number, sender: string | null, parents: string[] = []): MessageRow => ({
  messageId: id, producer: 'svc', schema: 'urn:x:M:v1', channel: 'kafka:x', msgTicks: sent, sendTicks: sent,
  sendOpId: sender, traces: ['t'], parentIds: parents, mtags: {}, ptags: {},
});

// a → m1 ; b → m2 ; c consumes m1 and m2 (fan-in) ; c → m3 (parents m1, m2) ; m2's other consumer d
const trace: TraceResponse = {
  traceId: 't',
  operations: [op('a', 0, 10), op('b', 5, 20), op('c', 30, 50, 'failed'), op('d', 25, 40)],
  messages: [msg('m1', 10, 'a'), msg('m2', 20, 'b'), msg('m3', 45, 'c', ['m1', 'm2']), msg('mx', 1, null, ['zz'])],
  edges: [
    { kind: 'output', from: 'a', to: 'm1' }, { kind: 'output', from: 'b', to: 'm2' }, { kind: 'output', from: 'c', to: 'm3' },
    { kind: 'input', from: 'm1', to: 'c' }, { kind: 'input', from: 'm2', to: 'c' }, { kind: 'input', from: 'm2', to: 'd' },
    { kind: 'input', from: 'm9', to: 'd' },
    { kind: 'parent', from: 'm3', to: 'm1' }, { kind: 'parent', from: 'm3', to: 'm2' }, { kind: 'parent', from: 'mx', to: 'zz' },
  ],
  events: [],
  linkedTraces: [],
  criticalPath: {
    steps: [
      { kind: 'op', id: 'b', name: 'B', service: 'svc', startTicks: 5, endTicks: 20, durationTicks: 15, queueWaitTicks: null, via: 'sent' },
      { kind: 'message', id: 'm2', name: 'M', service: 'svc', startTicks: 20, endTicks: null, durationTicks: null, queueWaitTicks: 10, via: 'input' },
      { kind: 'op', id: 'c', name: 'C', service: 'svc', startTicks: 30, endTicks: 50, durationTicks: 20, queueWaitTicks: null, via: null },
    ],
    totalTicks: 45,
  },
};

describe('trace model', () => {
  const m = buildModel(trace);
  const idx = (id: string) => m.byId.get(`op:${id}`) ?? m.byId.get(`msg:${id}`)!;
  it('draws fan-in as fan-in and leaves out parent edges an operation already shows', () => {
    expect(m.nodes[idx('c')].inDegree).toBe(2);
    const parents = m.edges.filter((e) => e.kind === 'parent');
    // m3's parents go through c; only mx → zz (no operation between) is drawn
    expect(parents.map((e) => [m.nodes[e.from].id, m.nodes[e.to].id])).toEqual([['zz', 'mx']]);
  });
  it('adds nodes of other traces as ghosts', () => {
    expect(m.nodes[idx('m9')].kind).toBe('ghost-msg');
    expect(m.nodes[idx('zz')].kind).toBe('ghost-msg');
  });
  it('marks the critical path and its edges', () => {
    expect(['b', 'm2', 'c'].every((id) => m.nodes[idx(id)].critical)).toBe(true);
    expect(m.nodes[idx('a')].critical).toBe(false);
    const crit = m.edges.filter((e) => e.critical).map((e) => `${m.nodes[e.from].id}>${m.nodes[e.to].id}`);
    expect(crit.sort()).toEqual(['b>m2', 'm2>c']);
    expect(m.errors).toBe(1);
  });
  it('knows when an operation could have started: its earliest input', () => {
    expect(queueStart(m, 'c')).toBe(10);
    expect(queueStart(m, 'a')).toBeNull();
  });
  it('unrolls the DAG into a tree, each node expanded once, later parents marked shared', () => {
    const rows = unroll(m);
    const c = rows.filter((r) => m.nodes[r.node].id === 'c');
    expect(c).toHaveLength(2);
    expect(c.filter((r) => r.shared)).toHaveLength(1);
    expect(c.find((r) => r.shared)!.firstRow).toBe(rows.indexOf(c.find((r) => !r.shared)!));
    expect(c.every((r) => r.multiParent)).toBe(true);
    // every node appears expanded exactly once
    const expanded = rows.filter((r) => !r.shared).map((r) => r.node).sort((a, b) => a - b);
    expect(expanded).toEqual(m.nodes.map((n) => n.index));
    // collapsing a node hides its subtree
    const collapsed = unroll(m, new Set([idx('a')]));
    expect(collapsed.length).toBeLessThan(rows.length);
  });
  it('orders the timeline by the tree, operations only', () => {
    const order = opOrder(m).map((r) => m.nodes[r.node].id);
    expect(order.sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('real tick values', () => {
  it('orders nodes without a time after those with one, even above 2^53', () => {
    // ticks since 1970 in 100 ns units pass Number.MAX_SAFE_INTEGER in 1998
    const t0 = 17_953_000_000_000_000;
    const tr: TraceResponse = {
      ...trace,
      operations: trace.operations.map((o) => ({ ...o, startTicks: t0 + o.startTicks!, endTicks: o.endTicks === null ? null : t0 + o.endTicks })),
      messages: trace.messages.map((x) => ({ ...x, msgTicks: t0 + x.msgTicks!, sendTicks: t0 + x.sendTicks! })),
    };
    const m = buildModel(tr);
    const rows = unroll(m);
    // the first row is the earliest operation, not a node of another trace
    expect(m.nodes[rows[0].node].kind).not.toMatch(/^ghost/);
    expect(m.nodes[opOrder(m)[0].node].id).toBe('a');
  });
});
