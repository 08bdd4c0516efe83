import { forceCenter, forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type Simulation } from 'd3-force';
import { useEffect, useRef, useState } from 'preact/hooks';
import { CanvasView, fitText } from '../components/canvasView';
import { layoutDag } from '../trace/layout';
import { C } from '../lib/colors';
import { fmtMs, fmtPercent, fmtRate } from '../lib/format';
import { mark, markAfterPaint, perf } from '../lib/perf';
import type { GEdge, GNode, Graph } from './graph';

type Hit = { node: GNode } | { edge: GEdge };

const R = 16;

function edgeColor(e: GEdge): string {
  if (!e.operations || !e.errors) return '#8c9bb0';
  const rate = e.errors / e.operations;
  return rate >= 0.05 ? C.failed : '#e8590c';
}

function nodeRadius(n: GNode) {
  return n.kind === 'service' ? R : n.kind === 'operation' ? 12 : 10;
}

/** Control point of an edge's curve (a quadratic Bézier), or null for a straight one. */
function control(e: GEdge): [number, number] | null {
  const s = e.source;
  const t = e.target;
  if (s === t) return null;
  if (!e.bend) return null;
  const mx = (s.x! + t.x!) / 2;
  const my = (s.y! + t.y!) / 2;
  const dx = t.x! - s.x!;
  const dy = t.y! - s.y!;
  const len = Math.hypot(dx, dy) || 1;
  return [mx - (dy / len) * e.bend * 2, my + (dx / len) * e.bend * 2];
}

function edgeMid(e: GEdge): [number, number] {
  const s = e.source;
  const t = e.target;
  if (s === t) return [s.x!, s.y! - 46];
  const c = control(e);
  if (!c) return [(s.x! + t.x!) / 2, (s.y! + t.y!) / 2];
  return [0.25 * s.x! + 0.5 * c[0] + 0.25 * t.x!, 0.25 * s.y! + 0.5 * c[1] + 0.25 * t.y!];
}

function distToEdge(e: GEdge, x: number, y: number): number {
  const s = e.source;
  const t = e.target;
  if (s === t) return Math.abs(Math.hypot(x - s.x!, y - (s.y! - 28)) - 14);
  const c = control(e) ?? [(s.x! + t.x!) / 2, (s.y! + t.y!) / 2];
  let best = Infinity;
  let px = s.x!;
  let py = s.y!;
  for (let i = 1; i <= 12; i++) {
    const u = i / 12;
    const qx = (1 - u) * (1 - u) * s.x! + 2 * (1 - u) * u * c[0] + u * u * t.x!;
    const qy = (1 - u) * (1 - u) * s.y! + 2 * (1 - u) * u * c[1] + u * u * t.y!;
    // distance to segment p-q
    const vx = qx - px;
    const vy = qy - py;
    const l2 = vx * vx + vy * vy || 1;
    const k = Math.max(0, Math.min(1, ((x - px) * vx + (y - py) * vy) / l2));
    best = Math.min(best, Math.hypot(x - (px + k * vx), y - (py + k * vy)));
    px = qx;
    py = qy;
  }
  return best;
}

export function edgeText(e: GEdge, seconds: number): string {
  const parts = [fmtRate(e.count, seconds)];
  if (e.operations) parts.push(`${fmtPercent(e.errors, e.operations)} err`);
  if (e.p99Ms !== null) parts.push(`p99 ${fmtMs(e.p99Ms)}`);
  return parts.join(' · ');
}

/** Places the nodes in layers, left to right (the by-type view is a flow: type → operation → type). */
function layered(g: Graph) {
  const index = new Map(g.nodes.map((n, i) => [n, i]));
  const l = layoutDag({
    n: g.nodes.length,
    edges: g.edges.map((e) => ({ from: index.get(e.source)!, to: index.get(e.target)! })),
    key: (i) => i,
    width: () => 200,
    height: () => 72,
  });
  g.nodes.forEach((n, i) => {
    n.x = l.x[i];
    n.y = l.y[i];
  });
}

export function TopologyView(props: {
  graph: Graph;
  seconds: number;
  onOpen: (query: string) => void;
  testid?: string;
  /** force-directed (default) or layered, left to right */
  layout?: 'force' | 'layered';
}) {
  const { graph } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const view = useRef<CanvasView<Hit> | null>(null);
  const hoverRef = useRef<Hit | null>(null);
  const [tip, setTip] = useState<{ hit: Hit; x: number; y: number } | null>(null);

  useEffect(() => {
    const el = canvas.current!;
    const { nodes, edges } = graph;
    const t0 = performance.now();
    // deterministic start: nodes on a spiral (d3's default), then a fixed number of ticks before the first paint
    const sim: Simulation<GNode, undefined> = forceSimulation<GNode>(nodes)
      .force(
        'link',
        forceLink<GNode, GEdge>(edges)
          .id((d) => d.id)
          .distance((e) => (e.source === e.target ? 0 : e.target.kind === 'topic' ? 110 : nodes.length < 40 ? 260 : 150))
          .strength(0.4),
      )
      .force('charge', forceManyBody<GNode>().strength((n) => (n.kind === 'topic' ? -200 : -650)).distanceMax(900).theta(0.9))
      .force('collide', forceCollide<GNode>((n) => nodeRadius(n) + 26))
      .force('x', forceX<GNode>(0).strength(0.04))
      .force('y', forceY<GNode>(0).strength(0.06))
      .force('center', forceCenter(0, 0))
      .stop();
    const fixed = props.layout === 'layered';
    if (fixed) layered(graph);
    else {
      const ticks = nodes.length > 120 ? 180 : 300;
      for (let i = 0; i < ticks; i++) sim.tick();
    }
    perf()['topoLayoutMs'] = performance.now() - t0;

    const bounds = () => {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const n of nodes) {
        x0 = Math.min(x0, n.x! - 60);
        x1 = Math.max(x1, n.x! + 60);
        y0 = Math.min(y0, n.y! - 40);
        y1 = Math.max(y1, n.y! + 50);
      }
      return Number.isFinite(x0) ? { x0, y0, x1, y1 } : { x0: -100, y0: -100, x1: 100, y1: 100 };
    };
    let dragged: GNode | null = null;
    const v = new CanvasView<Hit>(el, {
      draw: (ctx, cv) => draw(ctx, cv, graph, hoverRef.current, props.seconds),
      hit: (x, y) => {
        for (let i = nodes.length - 1; i >= 0; i--) {
          const n = nodes[i];
          if (Math.hypot(x - n.x!, y - n.y!) <= nodeRadius(n) + 4) return { node: n };
        }
        let best: GEdge | null = null;
        let bd = 7 / Math.min(1, v.k);
        for (const e of edges) {
          const d = distToEdge(e, x, y);
          if (d < bd) {
            bd = d;
            best = e;
          }
        }
        return best ? { edge: best } : null;
      },
      onClick: (hit) => {
        if (!hit) return;
        props.onOpen('node' in hit ? hit.node.query : hit.edge.query);
      },
      onHover: (hit, e) => {
        hoverRef.current = hit;
        v.redraw();
        if (!hit || !e) setTip(null);
        else {
          const r = el.getBoundingClientRect();
          setTip({ hit, x: e.clientX - r.left, y: e.clientY - r.top });
        }
      },
      onDragStart: (hit) => {
        if (!('node' in hit)) return false;
        dragged = hit.node;
        dragged.fx = dragged.x;
        dragged.fy = dragged.y;
        if (!fixed) sim.alphaTarget(0.2).restart();
        return true;
      },
      onDrag: (x, y) => {
        if (dragged) {
          dragged.fx = x;
          dragged.fy = y;
          if (fixed) {
            dragged.x = x;
            dragged.y = y;
          }
        }
      },
      onDragEnd: () => {
        if (dragged) {
          // a dragged node stays where it was put
          dragged = null;
        }
        if (!fixed) sim.alphaTarget(0);
      },
    });
    view.current = v;
    sim.on('tick', () => v.redraw());
    v.fit(bounds(), 30, 1.2);
    mark('topologyDrawnAt');
    markAfterPaint('topologyReadyAt', () => (document.documentElement.dataset['topologyReady'] = String(nodes.length)));
    (window as unknown as { __weftTopo?: unknown }).__weftTopo = {
      point(id: string) {
        const n = nodes.find((x) => x.id === id);
        if (!n) return null;
        const r = el.getBoundingClientRect();
        return { x: r.left + n.x! * v.k + v.tx, y: r.top + n.y! * v.k + v.ty };
      },
      edgePoint(key: string) {
        const e = edges.find((x) => x.key === key);
        if (!e) return null;
        const [mx, my] = edgeMid(e);
        const r = el.getBoundingClientRect();
        return { x: r.left + mx * v.k + v.tx, y: r.top + my * v.k + v.ty };
      },
    };
    return () => {
      sim.stop();
      v.destroy();
      delete document.documentElement.dataset['topologyReady'];
      delete (window as unknown as { __weftTopo?: unknown }).__weftTopo;
    };
  }, [graph, props.layout]);

  const h = tip?.hit;
  return (
    <div class="graph-wrap topo" data-testid={props.testid ?? 'topology-graph'}>
      <canvas
        ref={canvas}
        class="graph-canvas"
        tabIndex={0}
        role="img"
        aria-label={`Topology: ${graph.nodes.length} nodes, ${graph.edges.length} edges`}
        data-testid="topology-canvas"
      />
      <div class="graph-tools">
        <button type="button" title="Zoom in" onClick={() => view.current?.zoomBy(1.3)}>+</button>
        <button type="button" title="Zoom out" onClick={() => view.current?.zoomBy(1 / 1.3)}>−</button>
      </div>
      {h && tip && (
        <div class="graph-tip" style={{ left: `${tip.x + 14}px`, top: `${tip.y + 10}px` }} data-testid="topology-tip">
          {'node' in h ? (
            <>
              <strong>{h.node.label}</strong>
              <div class="muted">click to search its operations</div>
            </>
          ) : (
            <>
              <strong>{h.edge.label}</strong>
              <div>
                {h.edge.source.label} → {h.edge.target.label}
              </div>
              <div>
                {h.edge.count} messages · {fmtRate(h.edge.count, props.seconds)}
              </div>
              {h.edge.operations > 0 && (
                <div>
                  errors {h.edge.errors}/{h.edge.operations} ({fmtPercent(h.edge.errors, h.edge.operations)})
                </div>
              )}
              {h.edge.p99Ms !== null && (
                <div>
                  processing p50 {fmtMs(h.edge.p50Ms)} · p99 {fmtMs(h.edge.p99Ms)}
                </div>
              )}
              {h.edge.queueP99Ms !== null && (
                <div>
                  queue wait p50 {fmtMs(h.edge.queueP50Ms)} · p99 {fmtMs(h.edge.queueP99Ms)}
                </div>
              )}
              <div class="muted">click to search</div>
            </>
          )}
        </div>
      )}
    </div>
  );
}

function draw(ctx: CanvasRenderingContext2D, v: CanvasView<Hit>, g: Graph, hover: Hit | null, seconds: number) {
  const many = g.edges.length > 150;
  const hoverNode = hover && 'node' in hover ? hover.node : null;
  const hoverEdge = hover && 'edge' in hover ? hover.edge : null;
  let maxCount = 1;
  for (const e of g.edges) maxCount = Math.max(maxCount, e.count);
  const showLabel = (e: GEdge) =>
    e === hoverEdge || (hoverNode !== null && (e.source === hoverNode || e.target === hoverNode)) || (!many && v.k >= 0.55);
  const labels: GEdge[] = [];
  for (const e of g.edges) {
    const s = e.source;
    const t = e.target;
    const active = e === hoverEdge || (hoverNode !== null && (e.source === hoverNode || e.target === hoverNode));
    const dim = hoverNode !== null && !active;
    ctx.strokeStyle = dim ? C.lineDim : edgeColor(e);
    ctx.lineWidth = (active ? 2 : 1) * (1 + (2.5 * Math.log10(1 + e.count)) / Math.log10(1 + maxCount)) / Math.max(0.6, v.k);
    ctx.setLineDash(t.kind === 'topic' ? [5, 4] : []);
    ctx.beginPath();
    let ax: number, ay: number, ux: number, uy: number;
    if (s === t) {
      ctx.arc(s.x!, s.y! - 28, 14, 0.75 * Math.PI, 2.25 * Math.PI);
      ctx.stroke();
      if (showLabel(e)) labels.push(e);
      continue;
    }
    const c = control(e);
    ctx.moveTo(s.x!, s.y!);
    if (c) ctx.quadraticCurveTo(c[0], c[1], t.x!, t.y!);
    else ctx.lineTo(t.x!, t.y!);
    ctx.stroke();
    // arrow head at the target's rim
    const from = c ?? [s.x!, s.y!];
    ux = t.x! - from[0];
    uy = t.y! - from[1];
    const len = Math.hypot(ux, uy) || 1;
    ux /= len;
    uy /= len;
    const r = nodeRadius(t) + 2;
    ax = t.x! - ux * r;
    ay = t.y! - uy * r;
    const a = 9 / Math.max(0.6, v.k);
    ctx.setLineDash([]);
    ctx.fillStyle = ctx.strokeStyle;
    ctx.beginPath();
    ctx.moveTo(ax, ay);
    ctx.lineTo(ax - ux * a - uy * a * 0.5, ay - uy * a + ux * a * 0.5);
    ctx.lineTo(ax - ux * a + uy * a * 0.5, ay - uy * a - ux * a * 0.5);
    ctx.closePath();
    ctx.fill();
    if (showLabel(e)) labels.push(e);
  }
  ctx.setLineDash([]);
  // edge labels, then the nodes and their names on top; labels keep a readable size when zoomed out
  const z = 1 / Math.min(1, v.k);
  ctx.font = `${11 * z}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const e of labels) {
    const [mx, my] = edgeMid(e);
    const l1 = e.caption === null ? '' : fitText(ctx, e.caption, 200 * z);
    const l2 = edgeText(e, seconds);
    const w = Math.max(ctx.measureText(l1).width, ctx.measureText(l2).width) + 10 * z;
    const h = (l1 ? 30 : 16) * z;
    ctx.fillStyle = 'rgba(255,255,255,0.92)';
    ctx.strokeStyle = C.lineDim;
    ctx.lineWidth = z;
    ctx.beginPath();
    ctx.rect(mx - w / 2, my - h / 2, w, h);
    ctx.fill();
    ctx.stroke();
    if (l1) {
      ctx.fillStyle = C.ink;
      ctx.fillText(l1, mx, my - 7 * z);
    }
    ctx.fillStyle = e.errors ? C.failed : C.muted;
    ctx.fillText(l2, mx, l1 ? my + 7 * z : my);
  }
  for (const n of g.nodes) {
    const r = nodeRadius(n);
    const dim = hoverNode !== null && hoverNode !== n && !g.edges.some((e) => (e.source === hoverNode && e.target === n) || (e.target === hoverNode && e.source === n));
    ctx.beginPath();
    if (n.kind === 'type' || n.kind === 'topic') {
      ctx.rect(n.x! - r, n.y! - r, 2 * r, 2 * r);
    } else ctx.arc(n.x!, n.y!, r, 0, Math.PI * 2);
    ctx.fillStyle = dim ? '#f3f4f7' : n.kind === 'service' ? '#dbe7f5' : n.kind === 'operation' ? C.okFill : '#fff';
    ctx.fill();
    ctx.lineWidth = n === hoverNode ? 3 : n.errors ? 2.2 : 1.4;
    ctx.strokeStyle = n.errors ? C.failed : n.kind === 'topic' ? C.ghost : C.ok;
    if (n.kind === 'topic') ctx.setLineDash([4, 3]);
    ctx.stroke();
    ctx.setLineDash([]);
    if (v.k >= 0.35 || n === hoverNode) {
      ctx.font = `${n.kind === 'service' ? 600 : 400} 12px system-ui, sans-serif`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      const text = fitText(ctx, n.label, 220);
      const tw = ctx.measureText(text).width;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(n.x! - tw / 2 - 3, n.y! + r + 3, tw + 6, 16);
      ctx.fillStyle = dim ? C.muted : C.ink;
      ctx.fillText(text, n.x!, n.y! + r + 4);
    }
  }

}
