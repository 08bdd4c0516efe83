import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { C, statusFill, statusStroke } from '../lib/colors';
import { CanvasView, HitGrid, fitText, roundRect } from '../components/canvasView';
import { layoutDag, type Layout } from './layout';
import type { TNode, TraceModel } from './model';

const OP_W = 184;
const OP_H = 38;
const MSG_W = 168;
const MSG_H = 28;

const w = (n: TNode) => (n.kind === 'op' || n.kind === 'ghost-op' ? OP_W : MSG_W);
const h = (n: TNode) => (n.kind === 'op' || n.kind === 'ghost-op' ? OP_H : MSG_H);

/** Lays the trace out once per model; the figure is kept for the performance report. */
export function useDagLayout(m: TraceModel): Layout {
  return useMemo(() => {
    const t0 = performance.now();
    const l = layoutDag({
      n: m.nodes.length,
      edges: m.edges,
      key: (i) => m.nodes[i].start ?? Number.MAX_VALUE,
      width: (i) => w(m.nodes[i]),
      height: (i) => h(m.nodes[i]),
    });
    (window as unknown as { __weftPerf?: Record<string, number> }).__weftPerf = {
      ...((window as unknown as { __weftPerf?: Record<string, number> }).__weftPerf ?? {}),
      dagLayoutMs: performance.now() - t0,
    };
    return l;
  }, [m]);
}

export function DagView(props: { model: TraceModel; selected: number | null; onSelect: (i: number | null) => void }) {
  const m = props.model;
  const layout = useDagLayout(m);
  const canvas = useRef<HTMLCanvasElement>(null);
  const view = useRef<CanvasView<number> | null>(null);
  const selected = useRef<number | null>(props.selected);
  const [hover, setHover] = useState<{ i: number; x: number; y: number } | null>(null);
  const grid = useMemo(
    () =>
      new HitGrid(400, layout.x, layout.y, (i) => w(m.nodes[i]) / 2, (i) => h(m.nodes[i]) / 2, m.nodes.length),
    [layout],
  );

  useEffect(() => {
    const el = canvas.current!;
    const v = new CanvasView<number>(el, {
      draw: (ctx, cv) => drawDag(ctx, cv, m, layout, selected.current),
      hit: (x, y) => grid.at(x, y),
      onClick: (hit) => props.onSelect(hit),
      onHover: (hit, e) => {
        if (hit === null || !e) setHover(null);
        else {
          const r = el.getBoundingClientRect();
          setHover({ i: hit, x: e.clientX - r.left, y: e.clientY - r.top });
        }
      },
    });
    view.current = v;
    v.maxK = 2.5;
    fitInitial(v, m, layout, props.selected);
    // for the browser tests: where a node is on screen (client coordinates), after centring it
    (window as unknown as { __weftDag?: unknown }).__weftDag = {
      point(id: string) {
        const i = m.byId.get(`op:${id}`) ?? m.byId.get(`msg:${id}`);
        if (i === undefined) return null;
        const b = v.visible();
        if (layout.x[i] < b.x0 || layout.x[i] > b.x1 || layout.y[i] < b.y0 || layout.y[i] > b.y1) {
          v.centerOn(layout.x[i], layout.y[i], Math.max(v.k, 0.6));
        }
        v.drawNow();
        const r = el.getBoundingClientRect();
        return { x: r.left + layout.x[i] * v.k + v.tx, y: r.top + layout.y[i] * v.k + v.ty };
      },
    };
    return () => {
      v.destroy();
      delete (window as unknown as { __weftDag?: unknown }).__weftDag;
    };
  }, [m, layout, grid]);

  useEffect(() => {
    selected.current = props.selected;
    const v = view.current;
    if (!v) return;
    const i = props.selected;
    if (i !== null) {
      const b = v.visible();
      const x = layout.x[i];
      const y = layout.y[i];
      if (x < b.x0 || x > b.x1 || y < b.y0 || y > b.y1) v.centerOn(x, y, Math.max(v.k, 0.6));
    }
    v.redraw();
  }, [props.selected]);

  const hv = hover ? m.nodes[hover.i] : null;
  return (
    <div class="graph-wrap" data-testid="dag-view">
      <canvas
        ref={canvas}
        class="graph-canvas"
        tabIndex={0}
        role="img"
        aria-label={`Causal graph of ${m.opCount} operations and ${m.msgCount} messages`}
        data-testid="dag-canvas"
      />
      <div class="graph-tools">
        <button type="button" title="Zoom in" onClick={() => view.current?.zoomBy(1.3)}>+</button>
        <button type="button" title="Zoom out" onClick={() => view.current?.zoomBy(1 / 1.3)}>−</button>
        <button type="button" title="Fit the whole graph" onClick={() => view.current?.fit({ x0: 0, y0: 0, x1: layout.width, y1: layout.height })}>
          Fit
        </button>
      </div>
      {hv && hover && (
        <div class="graph-tip" style={{ left: `${hover.x + 14}px`, top: `${hover.y + 10}px` }}>
          <strong>{hv.label}</strong>
          <div class="muted">{hv.sub}</div>
          {hv.inDegree > 1 && <div>fan-in: {hv.inDegree} inputs</div>}
          {hv.critical && <div class="crit-text">on the critical path</div>}
        </div>
      )}
      <ul class="legend" aria-label="Legend">
        <li><span class="lg lg-op" /> operation</li>
        <li><span class="lg lg-msg" /> message</li>
        <li><span class="lg lg-ghost" /> in another trace</li>
        <li><span class="lg lg-fanin">3</span> fan-in (inputs)</li>
        <li><span class="lg lg-crit" /> critical path</li>
        <li><span class="lg lg-caused" /> caused by (no operation in between)</li>
      </ul>
    </div>
  );
}

function fitInitial(v: CanvasView<number>, m: TraceModel, l: Layout, sel: number | null) {
  // small graphs: fit; big ones: start at a readable zoom on the selection or the first node, Fit shows all
  const all = { x0: 0, y0: 0, x1: l.width, y1: l.height };
  const fitK = Math.min((v.width - 48) / Math.max(1, l.width), (v.height - 48) / Math.max(1, l.height));
  if (fitK >= 0.45 || m.nodes.length === 0) {
    v.fit(all, 24, 1);
    return;
  }
  const target = sel ?? m.nodes.findIndex((n) => n.critical);
  const i = target >= 0 ? target : 0;
  v.centerOn(l.x[i] + v.width * 0.3, l.y[i], 0.7);
}

function drawDag(ctx: CanvasRenderingContext2D, v: CanvasView<number>, m: TraceModel, l: Layout, sel: number | null) {
  const b = v.visible();
  const detail = v.k >= 0.4;
  const margin = 200;
  const inView = (i: number) =>
    l.x[i] + OP_W > b.x0 - margin && l.x[i] - OP_W < b.x1 + margin && l.y[i] + OP_H > b.y0 - margin && l.y[i] - OP_H < b.y1 + margin;
  const near = new Set<number>();
  if (sel !== null) for (const ei of [...m.out[sel], ...m.into[sel]]) near.add(ei);

  // edges: plain ones in one path, then the causal (dashed), critical and selected ones on top
  const lw = Math.max(1, 1 / v.k) * (detail ? 1 : 0.8);
  const groups: { path: Path2D; style: string; width: number; dash: number[] }[] = [
    { path: new Path2D(), style: C.line, width: lw, dash: [] },
    { path: new Path2D(), style: C.line, width: lw, dash: [6, 4] },
    { path: new Path2D(), style: C.critical, width: Math.max(3, 2.5 / v.k), dash: [] },
    { path: new Path2D(), style: C.select, width: Math.max(2, 2 / v.k), dash: [] },
  ];
  const arrows: [number, number, number][] = [];
  m.edges.forEach((e, ei) => {
    const a = e.from;
    const c = e.to;
    const x0 = l.x[a] + w(m.nodes[a]) / 2;
    const y0 = l.y[a];
    const x1 = l.x[c] - w(m.nodes[c]) / 2;
    const y1 = l.y[c];
    if (Math.max(x0, x1) < b.x0 - margin || Math.min(x0, x1) > b.x1 + margin) return;
    if (Math.max(y0, y1) < b.y0 - margin || Math.min(y0, y1) > b.y1 + margin) return;
    const g = near.has(ei) ? groups[3] : e.critical ? groups[2] : e.kind === 'parent' ? groups[1] : groups[0];
    g.path.moveTo(x0, y0);
    if (detail) {
      const dx = Math.max(30, (x1 - x0) / 2);
      g.path.bezierCurveTo(x0 + dx, y0, x1 - dx, y1, x1, y1);
      arrows.push([x1, y1, g === groups[0] || g === groups[1] ? 0 : g === groups[2] ? 1 : 2]);
    } else g.path.lineTo(x1, y1);
  });
  for (const g of groups) {
    ctx.strokeStyle = g.style;
    ctx.lineWidth = g.width;
    ctx.setLineDash(g.dash);
    ctx.stroke(g.path);
  }
  ctx.setLineDash([]);
  if (detail) {
    const colors = [C.line, C.critical, C.select];
    for (const [x, y, c] of arrows) {
      ctx.fillStyle = colors[c];
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x - 7, y - 4);
      ctx.lineTo(x - 7, y + 4);
      ctx.closePath();
      ctx.fill();
    }
  }

  // nodes
  for (let i = 0; i < m.nodes.length; i++) {
    if (!inView(i)) continue;
    const n = m.nodes[i];
    const nw = w(n);
    const nh = h(n);
    const x = l.x[i] - nw / 2;
    const y = l.y[i] - nh / 2;
    ctx.beginPath();
    if (n.kind === 'op') {
      roundRect(ctx, x, y, nw, nh, 6);
      ctx.fillStyle = statusFill(n.status);
      ctx.fill();
      ctx.strokeStyle = statusStroke(n.status);
      ctx.lineWidth = 1.2;
      if (n.status === 'running' || n.status === 'abandoned') ctx.setLineDash([4, 3]);
      ctx.stroke();
      ctx.setLineDash([]);
      if (n.status === 'failed' || n.status === 'abandoned') {
        ctx.fillStyle = statusStroke(n.status);
        ctx.fillRect(x, y + 3, 4, nh - 6);
      }
    } else {
      roundRect(ctx, x, y, nw, nh, nh / 2);
      ctx.fillStyle = C.msgFill;
      ctx.fill();
      ctx.strokeStyle = n.kind === 'msg' ? C.msg : C.ghost;
      ctx.lineWidth = 1;
      if (n.kind !== 'msg') ctx.setLineDash([4, 3]);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (n.critical || i === sel) {
      ctx.beginPath();
      roundRect(ctx, x - 3, y - 3, nw + 6, nh + 6, 8);
      ctx.strokeStyle = i === sel ? C.select : C.critical;
      ctx.lineWidth = i === sel ? 3 : 2.2;
      ctx.stroke();
    }
    if (n.inDegree > 1) {
      ctx.beginPath();
      ctx.arc(x, y + nh / 2, 9, 0, Math.PI * 2);
      ctx.fillStyle = C.ink;
      ctx.fill();
      if (detail) {
        ctx.fillStyle = '#fff';
        ctx.font = 'bold 10px system-ui, sans-serif';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(n.inDegree > 99 ? '99+' : String(n.inDegree), x, y + nh / 2 + 0.5);
      }
    }
    if (detail) {
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      const pad = n.inDegree > 1 ? 14 : 10;
      if (n.kind === 'op') {
        ctx.font = '600 12px system-ui, sans-serif';
        ctx.fillStyle = C.ink;
        ctx.fillText(fitText(ctx, n.label, nw - pad - 8), x + pad, y + 16);
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillStyle = C.muted;
        ctx.fillText(fitText(ctx, n.sub, nw - pad - 8), x + pad, y + 30);
      } else {
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillStyle = n.kind === 'msg' ? C.ink : C.muted;
        ctx.fillText(fitText(ctx, n.kind === 'msg' ? `${n.label} · ${n.sub}` : n.label, nw - pad - 10), x + pad + 2, y + 18);
      }
    }
  }
}
