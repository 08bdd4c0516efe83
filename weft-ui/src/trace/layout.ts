// A layered (Sugiyama-style) layout for a trace's DAG, left to right, written for traces of thousands of nodes:
// every step is linear or n·log n in the graph's size. (A general-purpose layout library measured 3.8 s for
// 2,000 operations; see weft-ui/RATIONALE.md.)
//
//   1. rank     longest path from the sources, so every edge points right; cycles from bad data are broken.
//               Sources are then pulled right, next to their first successor, to keep edges short.
//   2. order    nodes in each rank by depth-first order from the sources (children by time), then a few
//               barycenter sweeps down and up to reduce crossings.
//   3. place    y by isotonic regression (pool adjacent violators) towards the mean of the neighbours, keeping the
//               order and a minimum gap: the least-squares best placement for the given order, in linear time.

export interface LayoutGraph {
  n: number;
  edges: { from: number; to: number }[];
  /** a sort key per node (e.g. its start time) to order siblings; smaller first */
  key: (i: number) => number;
  width: (i: number) => number;
  height: (i: number) => number;
}

export interface Layout {
  /** centre of each node */
  x: Float64Array;
  y: Float64Array;
  rank: Int32Array;
  ranks: number;
  width: number;
  height: number;
}

export const RANK_GAP = 70;
export const NODE_GAP = 12;

export function layoutDag(g: LayoutGraph): Layout {
  const { n } = g;
  const succ: number[][] = Array.from({ length: n }, () => []);
  const pred: number[][] = Array.from({ length: n }, () => []);
  for (const e of g.edges) {
    if (e.from === e.to || e.from < 0 || e.to < 0 || e.from >= n || e.to >= n) continue;
    succ[e.from].push(e.to);
    pred[e.to].push(e.from);
  }
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = g.key(i);
    key[i] = Number.isFinite(k) ? k : Number.MAX_VALUE;
  }
  for (const s of succ) s.sort((a, b) => key[a] - key[b] || a - b);

  // 1. ranks: Kahn's algorithm; when only cycles remain, force the earliest remaining node
  const rank = new Int32Array(n);
  const indeg = new Int32Array(n);
  for (let i = 0; i < n; i++) indeg[i] = pred[i].length;
  const done = new Uint8Array(n);
  const topo: number[] = [];
  let queue: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i);
  const byKey = Array.from({ length: n }, (_, i) => i).sort((a, b) => key[a] - key[b] || a - b);
  let scan = 0;
  while (topo.length < n) {
    if (queue.length === 0) {
      while (done[byKey[scan]]) scan++;
      queue.push(byKey[scan]);
    }
    const next: number[] = [];
    for (const v of queue) {
      if (done[v]) continue;
      done[v] = 1;
      topo.push(v);
      for (const w of succ[v]) {
        if (done[w]) continue; // a back edge of a broken cycle
        if (rank[w] < rank[v] + 1) rank[w] = rank[v] + 1;
        if (--indeg[w] === 0) next.push(w);
      }
    }
    queue = next;
  }
  // pull sources right, next to their nearest successor
  for (let i = 0; i < n; i++) {
    if (pred[i].length === 0 && succ[i].length > 0) {
      let m = Infinity;
      for (const w of succ[i]) m = Math.min(m, rank[w]);
      if (m - 1 > rank[i]) rank[i] = m - 1;
    }
  }
  let ranks = 0;
  for (let i = 0; i < n; i++) ranks = Math.max(ranks, rank[i] + 1);

  // 2. order: depth-first from the sources, children by key
  const layers: number[][] = Array.from({ length: ranks }, () => []);
  const visited = new Uint8Array(n);
  const roots = byKey.filter((i) => pred[i].length === 0);
  const stack: number[] = [];
  const visit = (r: number) => {
    stack.push(r);
    while (stack.length) {
      const v = stack.pop()!;
      if (visited[v]) continue;
      visited[v] = 1;
      layers[rank[v]].push(v);
      for (let k = succ[v].length - 1; k >= 0; k--) if (!visited[succ[v][k]]) stack.push(succ[v][k]);
    }
  };
  for (const r of roots) visit(r);
  for (const v of byKey) if (!visited[v]) visit(v);

  const pos = new Float64Array(n);
  const setPos = () => {
    for (const layer of layers) layer.forEach((v, i) => (pos[v] = i));
  };
  setPos();
  const bary = new Float64Array(n);
  const sweep = (down: boolean) => {
    const order = down ? layers : [...layers].reverse();
    for (const layer of order) {
      for (const v of layer) {
        const nb = down ? pred[v] : succ[v];
        if (nb.length === 0) {
          bary[v] = pos[v];
          continue;
        }
        let s = 0;
        for (const w of nb) s += pos[w] / Math.max(1, layers[rank[w]].length);
        bary[v] = (s / nb.length) * layer.length;
      }
      layer.sort((a, b) => bary[a] - bary[b] || pos[a] - pos[b]);
      layer.forEach((v, i) => (pos[v] = i));
    }
  };
  for (let it = 0; it < 2; it++) {
    sweep(true);
    sweep(false);
  }
  sweep(true);

  // 3. coordinates: x by rank; y placed towards the neighbours' mean, order and gaps kept
  let colWidth = 0;
  for (let i = 0; i < n; i++) colWidth = Math.max(colWidth, g.width(i));
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rank[i] * (colWidth + RANK_GAP) + colWidth / 2;
  // initial y: stacked
  for (const layer of layers) {
    let cur = 0;
    for (const v of layer) {
      const h = g.height(v);
      y[v] = cur + h / 2;
      cur += h + NODE_GAP;
    }
  }
  const place = (down: boolean) => {
    const order = down ? layers : [...layers].reverse();
    for (const layer of order) {
      if (layer.length === 0) continue;
      const desired = layer.map((v) => {
        const nb = down ? pred[v] : succ[v];
        if (nb.length === 0) return y[v];
        let s = 0;
        for (const w of nb) s += y[w];
        return s / nb.length;
      });
      const placed = isotonicWithGaps(
        desired,
        layer.map((v) => g.height(v)),
      );
      layer.forEach((v, i) => (y[v] = placed[i]));
    }
  };
  place(true);
  place(false);
  place(true);

  // normalize to start at 0
  let minY = Infinity;
  let maxY = -Infinity;
  let maxX = 0;
  for (let i = 0; i < n; i++) {
    minY = Math.min(minY, y[i] - g.height(i) / 2);
    maxY = Math.max(maxY, y[i] + g.height(i) / 2);
    maxX = Math.max(maxX, x[i] + g.width(i) / 2);
  }
  if (!Number.isFinite(minY)) {
    minY = 0;
    maxY = 0;
  }
  for (let i = 0; i < n; i++) y[i] -= minY;
  return { x, y, rank, ranks, width: maxX, height: maxY - minY };
}

/**
 * Positions y[0..k) (centres) in this order, each at least (h[i-1] + h[i]) / 2 + NODE_GAP below the previous one,
 * as close as possible (least squares) to desired[i]. With offsets o[i] = the minimum distance from the first
 * centre, z[i] = y[i] - o[i] must be non-decreasing: isotonic regression of desired[i] - o[i], solved exactly by
 * pooling adjacent violators.
 */
export function isotonicWithGaps(desired: number[], h: number[]): number[] {
  const k = desired.length;
  const off = new Float64Array(k);
  for (let i = 1; i < k; i++) off[i] = off[i - 1] + (h[i - 1] + h[i]) / 2 + NODE_GAP;
  const val: number[] = [];
  const wt: number[] = [];
  const len: number[] = [];
  for (let i = 0; i < k; i++) {
    val.push(desired[i] - off[i]);
    wt.push(1);
    len.push(1);
    while (val.length > 1 && val[val.length - 2] > val[val.length - 1]) {
      const v2 = val.pop()!;
      const w2 = wt.pop()!;
      const l2 = len.pop()!;
      const j = val.length - 1;
      val[j] = (val[j] * wt[j] + v2 * w2) / (wt[j] + w2);
      wt[j] += w2;
      len[j] += l2;
    }
  }
  const out = new Array<number>(k);
  let i = 0;
  for (let b = 0; b < val.length; b++) for (let c = 0; c < len[b]; c++, i++) out[i] = val[b] + off[i];
  return out;
}
