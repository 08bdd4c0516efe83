// The DAG unrolled into a tree: each node is expanded under the first parent that reaches it (depth first, children
// by time); every later parent shows a "shared" row that points back to it instead of repeating the subtree. So the
// tree has one row per edge at most, even for a fan-in of hundreds.

import type { TraceModel } from './model';

export interface TreeRow {
  node: number;
  depth: number;
  /** a repeat of a node expanded elsewhere (firstRow): not expanded again */
  shared: boolean;
  firstRow: number;
  hasChildren: boolean;
  /** the node has several parents in the DAG */
  multiParent: boolean;
  /** operations above this row on its path (indentation of the timeline) */
  opDepth: number;
}

function childrenOf(m: TraceModel, v: number): number[] {
  const kids = m.out[v].map((ei) => m.edges[ei].to);
  const key = (i: number) => m.nodes[i].start ?? Number.MAX_VALUE;
  return kids.sort((a, b) => key(a) - key(b) || a - b);
}

/** Rows in display order; nodes under a collapsed node (by node index) are left out. */
export function unroll(m: TraceModel, collapsed: ReadonlySet<number> = new Set()): TreeRow[] {
  const n = m.nodes.length;
  const firstRow = new Int32Array(n).fill(-1);
  const rows: TreeRow[] = [];
  const key = (i: number) => m.nodes[i].start ?? Number.MAX_VALUE;
  const roots = m.nodes.map((x) => x.index).filter((i) => m.into[i].length === 0);
  roots.sort((a, b) => key(a) - key(b) || a - b);
  const walk = (root: number) => {
    const stack: [number, number, number][] = [[root, 0, 0]];
    while (stack.length) {
      const [v, depth, opDepth] = stack.pop()!;
      const kids = m.out[v];
      const multiParent = m.into[v].length > 1;
      if (firstRow[v] >= 0) {
        rows.push({ node: v, depth, shared: true, firstRow: firstRow[v], hasChildren: kids.length > 0, multiParent, opDepth });
        continue;
      }
      firstRow[v] = rows.length;
      rows.push({ node: v, depth, shared: false, firstRow: rows.length, hasChildren: kids.length > 0, multiParent, opDepth });
      if (collapsed.has(v)) continue;
      const c = childrenOf(m, v);
      const nextOp = opDepth + (m.nodes[v].kind === 'op' || m.nodes[v].kind === 'ghost-op' ? 1 : 0);
      for (let k = c.length - 1; k >= 0; k--) stack.push([c[k], depth + 1, nextOp]);
    }
  };
  for (const r of roots) walk(r);
  // nodes only reachable through a cycle (bad data): list the first of each as a root
  const reach = new Uint8Array(n);
  const mark = (from: number) => {
    const todo = [from];
    reach[from] = 1;
    while (todo.length) {
      const v = todo.pop()!;
      for (const ei of m.out[v]) {
        const w = m.edges[ei].to;
        if (!reach[w]) {
          reach[w] = 1;
          todo.push(w);
        }
      }
    }
  };
  for (const r of roots) mark(r);
  for (let i = 0; i < n; i++) {
    if (!reach[i]) {
      mark(i);
      walk(i);
    }
  }
  return rows;
}

/** Operations in tree order (first occurrence), with their depth among operations: the timeline's rows. */
export function opOrder(m: TraceModel): { node: number; depth: number }[] {
  const rows = unroll(m);
  const out: { node: number; depth: number }[] = [];
  for (const r of rows) {
    if (r.shared) continue;
    const k = m.nodes[r.node].kind;
    if (k === 'op') out.push({ node: r.node, depth: r.opDepth });
  }
  return out;
}
