// The topology as a drawable graph: nodes and labelled, directed edges, from either view of the API.
import type { ServiceGraph, TypeGraph } from '../lib/types';
import { term } from '../lib/query';

export interface GNode {
  id: string;
  label: string;
  kind: 'service' | 'topic' | 'type' | 'operation';
  /** errors on edges into this node */
  errors: number;
  query: string;
  // d3-force fields
  x?: number;
  y?: number;
  vx?: number;
  vy?: number;
  fx?: number | null;
  fy?: number | null;
  index?: number;
}

export interface GEdge {
  source: GNode;
  target: GNode;
  /** channel (services view) or what the edge stands for (types view) */
  label: string;
  /** the first line of the label drawn on the graph, if any (the channel) */
  caption: string | null;
  count: number;
  operations: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  queueP50Ms: number | null;
  queueP99Ms: number | null;
  query: string;
  /** curvature offset among parallel edges, set by spreadParallel */
  bend: number;
  key: string;
}

export interface Graph {
  nodes: GNode[];
  edges: GEdge[];
}

const since = (w: string) => ` since=${w}`;

export function fromServices(g: ServiceGraph, window: string): Graph {
  const nodes = new Map<string, GNode>();
  const node = (id: string, label: string, kind: GNode['kind'], query: string) =>
    nodes.get(id) ?? nodes.set(id, { id, label, kind, errors: 0, query }).get(id)!;
  for (const n of g.nodes) node(`svc:${n.id}`, n.name, 'service', term('service', n.id) + since(window));
  const edges: GEdge[] = [];
  for (const e of g.edges) {
    const src = node(`svc:${e.producer}`, e.producer, 'service', term('service', e.producer) + since(window));
    const dst =
      e.consumer === null
        ? node(`topic:${e.channel}`, `${e.channel} (no reader)`, 'topic', term('channel', e.channel) + since(window))
        : node(`svc:${e.consumer}`, e.consumer, 'service', term('service', e.consumer) + since(window));
    dst.errors += e.errors;
    edges.push({
      source: src,
      target: dst,
      label: e.channel,
      caption: e.channel,
      count: e.count,
      operations: e.operations,
      errors: e.errors,
      p50Ms: e.processingP50Ms,
      p99Ms: e.processingP99Ms,
      queueP50Ms: e.queueWaitP50Ms,
      queueP99Ms: e.queueWaitP99Ms,
      query:
        term('channel', e.channel) + ' ' + term('service', e.consumer ?? e.producer) + since(window),
      bend: 0,
      key: `${e.producer}|${e.channel}|${e.consumer ?? ''}`,
    });
  }
  spreadParallel(edges);
  return { nodes: [...nodes.values()], edges };
}

export function fromTypes(g: TypeGraph, window: string): Graph {
  const nodes = new Map<string, GNode>();
  const typeNode = (t: string) =>
    nodes.get(`type:${t}`) ??
    nodes.set(`type:${t}`, { id: `type:${t}`, label: t, kind: 'type', errors: 0, query: term('schema', t) + since(window) }).get(`type:${t}`)!;
  const opNode = (service: string, op: string) => {
    const id = `op:${service}/${op}`;
    return (
      nodes.get(id) ??
      nodes
        .set(id, {
          id,
          label: `${service} · ${op}`,
          kind: 'operation',
          errors: 0,
          query: `${term('service', service)} ${term('op', op)}${since(window)}`,
        })
        .get(id)!
    );
  };
  for (const n of g.nodes) {
    if (n.kind === 'type') typeNode(n.id);
    else if (n.service) opNode(n.service, n.name);
  }
  const agg = new Map<string, GEdge>();
  const add = (src: GNode, dst: GNode, label: string, e: TypeGraph['edges'][number], query: string) => {
    const key = `${src.id}>${dst.id}`;
    const have = agg.get(key);
    if (have) {
      have.count += e.count;
      have.errors += e.errors;
      have.operations += e.count;
      have.p99Ms = Math.max(have.p99Ms ?? 0, e.processingP99Ms ?? 0) || have.p99Ms;
      return;
    }
    agg.set(key, {
      source: src,
      target: dst,
      label,
      caption: null,
      count: e.count,
      operations: e.count,
      errors: e.errors,
      p50Ms: e.processingP50Ms,
      p99Ms: e.processingP99Ms,
      queueP50Ms: null,
      queueP99Ms: null,
      query,
      bend: 0,
      key,
    });
  };
  for (const e of g.edges) {
    const op = opNode(e.service, e.op);
    op.errors += e.errors;
    const base = `${term('service', e.service)} ${term('op', e.op)}`;
    if (e.input !== null) add(typeNode(e.input), op, 'consumed by', e, `${base} ${term('schema', e.input)}${since(window)}`);
    if (e.output !== null) add(op, typeNode(e.output), 'produces', e, `${base} ${term('schema', e.output)}${since(window)}`);
  }
  const edges = [...agg.values()];
  spreadParallel(edges);
  return { nodes: [...nodes.values()], edges };
}

/** Parallel edges between the same two nodes (either direction) get different bends, so each stays visible. */
export function spreadParallel(edges: GEdge[]) {
  const groups = new Map<string, GEdge[]>();
  for (const e of edges) {
    const a = e.source.id < e.target.id ? e.source.id : e.target.id;
    const b = a === e.source.id ? e.target.id : e.source.id;
    const k = `${a}|${b}`;
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(e);
  }
  for (const g of groups.values()) {
    if (g.length === 1 && g[0].source !== g[0].target) continue;
    g.forEach((e, i) => {
      const sign = e.source.id < e.target.id ? 1 : -1;
      e.bend = g.length === 1 ? 0 : sign * (i - (g.length - 1) / 2) * 34;
    });
  }
}
