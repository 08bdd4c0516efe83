// The trace as a graph: operations and messages as nodes, and the causal edges between them, in the direction the
// work flows (cause → effect). Built once per trace response; the DAG, tree and timeline views all read it.

import type { MessageRow, OpRow, Status, TraceEvent, TraceResponse } from '../lib/types';

export type NodeKind = 'op' | 'msg' | 'ghost-msg' | 'ghost-op';
export type EdgeKind = 'input' | 'output' | 'child' | 'parent';

export interface TNode {
  index: number;
  id: string;
  kind: NodeKind;
  /** operation name or message type */
  label: string;
  /** service, or channel of a message */
  sub: string;
  status: Status | null;
  /** ticks; for a message its send time (else the header's), for an operation its start and end */
  start: number | null;
  end: number | null;
  op: OpRow | null;
  msg: MessageRow | null;
  critical: boolean;
  /** drawn edges into the node: more than one is a fan-in */
  inDegree: number;
}

export interface TEdge {
  from: number;
  to: number;
  kind: EdgeKind;
  critical: boolean;
}

export interface TraceModel {
  traceId: string;
  nodes: TNode[];
  edges: TEdge[];
  byId: Map<string, number>;
  /** edge indexes out of / into each node */
  out: number[][];
  into: number[][];
  /** earliest and latest ticks seen in the trace */
  t0: number;
  t1: number;
  opCount: number;
  msgCount: number;
  services: string[];
  errors: number;
  /** tags of each operation, from its events (START, COMPLETE, FAIL) */
  opTags: Map<string, Record<string, string>>;
  /** the operation's input message ids, in order */
  inputs: Map<string, string[]>;
  eventsByOp: Map<string, TraceEvent[]>;
  criticalIds: Set<string>;
}

function shortSchema(s: string | null): string {
  if (!s) return '(message)';
  // urn:shop:SkuUpdated:v1 -> SkuUpdated:v1
  const parts = s.split(':');
  return parts.length >= 3 ? parts.slice(-2).join(':') : s;
}

export function buildModel(t: TraceResponse): TraceModel {
  const nodes: TNode[] = [];
  const byId = new Map<string, number>();
  const add = (n: Omit<TNode, 'index' | 'critical' | 'inDegree'>) => {
    const index = nodes.length;
    nodes.push({ ...n, index, critical: false, inDegree: 0 });
    byId.set(n.kind.endsWith('op') ? `op:${n.id}` : `msg:${n.id}`, index);
    return index;
  };
  for (const o of t.operations) {
    add({
      id: o.opId,
      kind: 'op',
      label: o.op ?? '(unnamed)',
      sub: o.service ?? '',
      status: o.status,
      start: o.startTicks,
      end: o.endTicks,
      op: o,
      msg: null,
    });
  }
  for (const m of t.messages) {
    add({
      id: m.messageId,
      kind: 'msg',
      label: shortSchema(m.schema),
      sub: m.channel ?? m.producer ?? '',
      status: null,
      start: m.sendTicks ?? m.msgTicks,
      end: null,
      op: null,
      msg: m,
    });
  }
  const ghost = (kind: 'ghost-msg' | 'ghost-op', id: string) => {
    const key = kind === 'ghost-op' ? `op:${id}` : `msg:${id}`;
    const have = byId.get(key);
    if (have !== undefined) return have;
    return add({
      id,
      kind,
      label: kind === 'ghost-op' ? 'operation in another trace' : 'message in another trace',
      sub: id.slice(0, 12),
      status: null,
      start: null,
      end: null,
      op: null,
      msg: null,
    });
  };
  const opNode = (id: string) => byId.get(`op:${id}`) ?? ghost('ghost-op', id);
  const msgNode = (id: string) => byId.get(`msg:${id}`) ?? ghost('ghost-msg', id);

  const inputs = new Map<string, string[]>();
  for (const e of t.edges) if (e.kind === 'input') (inputs.get(e.to) ?? inputs.set(e.to, []).get(e.to)!).push(e.from);

  const edges: TEdge[] = [];
  const seen = new Set<string>();
  const push = (from: number, to: number, kind: EdgeKind) => {
    const k = `${from}>${to}`;
    if (from === to || seen.has(k)) return;
    seen.add(k);
    edges.push({ from, to, kind, critical: false });
  };
  const sendOp = new Map<string, string>();
  for (const m of t.messages) if (m.sendOpId) sendOp.set(m.messageId, m.sendOpId);
  for (const e of t.edges) {
    switch (e.kind) {
      case 'output':
        push(opNode(e.from), msgNode(e.to), 'output');
        break;
      case 'input':
        push(msgNode(e.from), opNode(e.to), 'input');
        break;
      case 'child':
        push(opNode(e.from), opNode(e.to), 'child');
        break;
      case 'parent': {
        // message `from` was caused by message `to`. When the operation that sent `from` consumed `to`, the path
        // parent → operation → child already shows it; otherwise draw the causal edge itself.
        const sender = sendOp.get(e.from);
        if (sender && (inputs.get(sender) ?? []).includes(e.to)) break;
        push(msgNode(e.to), msgNode(e.from), 'parent');
        break;
      }
    }
  }

  const out: number[][] = nodes.map(() => []);
  const into: number[][] = nodes.map(() => []);
  edges.forEach((e, i) => {
    out[e.from].push(i);
    into[e.to].push(i);
    nodes[e.to].inDegree++;
  });

  // critical path: mark its nodes, and the edges between consecutive steps
  const criticalIds = new Set<string>();
  const steps = t.criticalPath?.steps ?? [];
  const stepNodes = steps.map((s) => byId.get(s.kind === 'op' ? `op:${s.id}` : `msg:${s.id}`));
  stepNodes.forEach((n, i) => {
    if (n === undefined) return;
    nodes[n].critical = true;
    criticalIds.add(steps[i].id);
    const next = stepNodes[i + 1];
    if (next === undefined) return;
    for (const ei of out[n]) if (edges[ei].to === next) edges[ei].critical = true;
  });

  let t0 = Infinity;
  let t1 = -Infinity;
  for (const n of nodes) {
    for (const v of [n.start, n.end]) {
      if (v !== null && v !== undefined) {
        t0 = Math.min(t0, v);
        t1 = Math.max(t1, v);
      }
    }
  }
  for (const ev of t.events) {
    t0 = Math.min(t0, ev.ticks);
    t1 = Math.max(t1, ev.ticks);
  }
  if (!Number.isFinite(t0)) {
    t0 = 0;
    t1 = 1;
  }
  if (t1 <= t0) t1 = t0 + 1;

  const opTags = new Map<string, Record<string, string>>();
  const eventsByOp = new Map<string, TraceEvent[]>();
  for (const ev of t.events) {
    if (!ev.opId) continue;
    (eventsByOp.get(ev.opId) ?? eventsByOp.set(ev.opId, []).get(ev.opId)!).push(ev);
    const tags = ev.event['tags'];
    if (tags && typeof tags === 'object' && (ev.eventType === 'START' || ev.eventType === 'COMPLETE' || ev.eventType === 'FAIL')) {
      const m = opTags.get(ev.opId) ?? opTags.set(ev.opId, {}).get(ev.opId)!;
      for (const [k, v] of Object.entries(tags as Record<string, unknown>)) if (typeof v === 'string') m[k] = v;
    }
  }

  const services = [...new Set(t.operations.map((o) => o.service).filter((s): s is string => !!s))].sort();
  return {
    traceId: t.traceId,
    nodes,
    edges,
    byId,
    out,
    into,
    t0,
    t1,
    opCount: t.operations.length,
    msgCount: t.messages.length,
    services,
    errors: t.operations.filter((o) => o.status === 'failed' || o.status === 'abandoned').length,
    opTags,
    inputs,
    eventsByOp,
    criticalIds,
  };
}

/** The node for an operation or message id, whichever exists. */
export function findNode(m: TraceModel, id: string | null): number | undefined {
  if (!id) return undefined;
  return m.byId.get(`op:${id}`) ?? m.byId.get(`msg:${id}`);
}

/** When the operation's inputs became available: the earliest send among them (null without known inputs). */
export function queueStart(m: TraceModel, opId: string): number | null {
  let best: number | null = null;
  for (const id of m.inputs.get(opId) ?? []) {
    const n = m.byId.get(`msg:${id}`);
    const t = n === undefined ? null : m.nodes[n].start;
    if (t !== null && (best === null || t < best)) best = t;
  }
  return best;
}
