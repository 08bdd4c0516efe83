// Pan and zoom over a <canvas>, with click, hover and drag callbacks in world coordinates. The graph views (trace
// DAG, topology) draw themselves through it; canvas keeps thousands of nodes cheap to draw and to move.

export interface Bounds {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface ViewHooks<H> {
  draw(ctx: CanvasRenderingContext2D, view: CanvasView<H>): void;
  hit(wx: number, wy: number): H | null;
  onClick?(hit: H | null, e: PointerEvent): void;
  onHover?(hit: H | null, e: PointerEvent | null): void;
  /** return true to drag the hit thing instead of panning */
  onDragStart?(hit: H, wx: number, wy: number): boolean;
  onDrag?(wx: number, wy: number): void;
  onDragEnd?(): void;
}

export class CanvasView<H> {
  k = 1;
  tx = 0;
  ty = 0;
  width = 0;
  height = 0;
  private dpr = 1;
  private frame = 0;
  private ro: ResizeObserver;
  private down: { x: number; y: number; tx: number; ty: number; moved: boolean; dragging: boolean; id: number } | null = null;
  private cleanup: (() => void)[] = [];
  minK = 0.01;
  maxK = 4;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private hooks: ViewHooks<H>,
  ) {
    this.ro = new ResizeObserver(() => this.resize());
    this.ro.observe(canvas);
    this.resize();
    const on = <K extends keyof HTMLElementEventMap>(type: K, fn: (e: HTMLElementEventMap[K]) => void, opts?: AddEventListenerOptions) => {
      canvas.addEventListener(type, fn as EventListener, opts);
      this.cleanup.push(() => canvas.removeEventListener(type, fn as EventListener));
    };
    on('pointerdown', (e) => this.pointerDown(e));
    on('pointermove', (e) => this.pointerMove(e));
    on('pointerup', (e) => this.pointerUp(e));
    on('pointercancel', () => (this.down = null));
    on('pointerleave', () => this.hooks.onHover?.(null, null));
    on('wheel', (e) => this.wheel(e), { passive: false });
    on('keydown', (e) => this.key(e));
  }

  destroy() {
    this.ro.disconnect();
    cancelAnimationFrame(this.frame);
    for (const c of this.cleanup) c();
  }

  resize() {
    const r = this.canvas.getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    this.width = Math.max(1, r.width);
    this.height = Math.max(1, r.height);
    this.canvas.width = Math.round(this.width * this.dpr);
    this.canvas.height = Math.round(this.height * this.dpr);
    this.drawNow();
  }

  /** Schedules a redraw on the next animation frame. */
  redraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawNow();
    });
  }

  drawNow() {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.setTransform(this.dpr * this.k, 0, 0, this.dpr * this.k, this.dpr * this.tx, this.dpr * this.ty);
    this.hooks.draw(ctx, this);
  }

  /** The world rectangle in view. */
  visible(): Bounds {
    return {
      x0: -this.tx / this.k,
      y0: -this.ty / this.k,
      x1: (this.width - this.tx) / this.k,
      y1: (this.height - this.ty) / this.k,
    };
  }

  toWorld(sx: number, sy: number): [number, number] {
    return [(sx - this.tx) / this.k, (sy - this.ty) / this.k];
  }

  fit(b: Bounds, pad = 24, maxK = 1) {
    const w = Math.max(1, b.x1 - b.x0);
    const h = Math.max(1, b.y1 - b.y0);
    this.k = Math.max(this.minK, Math.min(maxK, (this.width - 2 * pad) / w, (this.height - 2 * pad) / h));
    this.tx = (this.width - w * this.k) / 2 - b.x0 * this.k;
    this.ty = (this.height - h * this.k) / 2 - b.y0 * this.k;
    this.redraw();
  }

  /** Puts the world point at the centre, at zoom k (default: unchanged). */
  centerOn(wx: number, wy: number, k = this.k) {
    this.k = Math.max(this.minK, Math.min(this.maxK, k));
    this.tx = this.width / 2 - wx * this.k;
    this.ty = this.height / 2 - wy * this.k;
    this.redraw();
  }

  zoomBy(f: number, sx = this.width / 2, sy = this.height / 2) {
    const k = Math.max(this.minK, Math.min(this.maxK, this.k * f));
    const [wx, wy] = this.toWorld(sx, sy);
    this.k = k;
    this.tx = sx - wx * k;
    this.ty = sy - wy * k;
    this.redraw();
  }

  private local(e: PointerEvent | WheelEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private pointerDown(e: PointerEvent) {
    if (e.button !== 0) return;
    const [sx, sy] = this.local(e);
    const [wx, wy] = this.toWorld(sx, sy);
    const hit = this.hooks.hit(wx, wy);
    const dragging = !!(hit && this.hooks.onDragStart?.(hit, wx, wy));
    this.down = { x: sx, y: sy, tx: this.tx, ty: this.ty, moved: false, dragging, id: e.pointerId };
    this.canvas.setPointerCapture?.(e.pointerId);
    this.canvas.focus({ preventScroll: true });
  }

  private pointerMove(e: PointerEvent) {
    const [sx, sy] = this.local(e);
    const d = this.down;
    if (d) {
      if (Math.abs(sx - d.x) + Math.abs(sy - d.y) > 4) d.moved = true;
      if (!d.moved) return;
      if (d.dragging) {
        const [wx, wy] = this.toWorld(sx, sy);
        this.hooks.onDrag?.(wx, wy);
      } else {
        this.tx = d.tx + (sx - d.x);
        this.ty = d.ty + (sy - d.y);
        this.canvas.style.cursor = 'grabbing';
      }
      this.redraw();
      return;
    }
    const [wx, wy] = this.toWorld(sx, sy);
    const hit = this.hooks.hit(wx, wy);
    this.canvas.style.cursor = hit ? 'pointer' : 'grab';
    this.hooks.onHover?.(hit, e);
  }

  private pointerUp(e: PointerEvent) {
    const d = this.down;
    this.down = null;
    this.canvas.style.cursor = 'grab';
    if (!d) return;
    if (d.dragging) this.hooks.onDragEnd?.();
    if (!d.moved) {
      const [sx, sy] = this.local(e);
      const [wx, wy] = this.toWorld(sx, sy);
      this.hooks.onClick?.(this.hooks.hit(wx, wy), e);
    }
  }

  private wheel(e: WheelEvent) {
    e.preventDefault();
    const [sx, sy] = this.local(e);
    const f = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
    this.zoomBy(f, sx, sy);
  }

  private key(e: KeyboardEvent) {
    const step = 60;
    if (e.key === '+' || e.key === '=') this.zoomBy(1.25);
    else if (e.key === '-') this.zoomBy(0.8);
    else if (e.key === 'ArrowLeft') this.tx += step;
    else if (e.key === 'ArrowRight') this.tx -= step;
    else if (e.key === 'ArrowUp') this.ty += step;
    else if (e.key === 'ArrowDown') this.ty -= step;
    else return;
    e.preventDefault();
    this.redraw();
  }
}

/** A uniform grid over world space for hit tests: items are rectangles (centre and half sizes). */
export class HitGrid {
  private cells = new Map<number, number[]>();
  constructor(
    private size: number,
    private x: ArrayLike<number>,
    private y: ArrayLike<number>,
    private hw: (i: number) => number,
    private hh: (i: number) => number,
    n: number,
  ) {
    for (let i = 0; i < n; i++) {
      const cx0 = Math.floor((x[i] - hw(i)) / size);
      const cx1 = Math.floor((x[i] + hw(i)) / size);
      const cy0 = Math.floor((y[i] - hh(i)) / size);
      const cy1 = Math.floor((y[i] + hh(i)) / size);
      for (let cx = cx0; cx <= cx1; cx++)
        for (let cy = cy0; cy <= cy1; cy++) {
          const k = cx * 1_000_003 + cy;
          (this.cells.get(k) ?? this.cells.set(k, []).get(k)!).push(i);
        }
    }
  }

  at(wx: number, wy: number, slack = 0): number | null {
    const k = Math.floor(wx / this.size) * 1_000_003 + Math.floor(wy / this.size);
    for (const i of this.cells.get(k) ?? []) {
      if (Math.abs(wx - this.x[i]) <= this.hw(i) + slack && Math.abs(wy - this.y[i]) <= this.hh(i) + slack) return i;
    }
    return null;
  }
}

/** Text cut to fit maxWidth with an ellipsis; measurements are cached per font. */
const widthCache = new Map<string, number>();
export function fitText(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  const key = ctx.font + '\u0000' + text;
  let w = widthCache.get(key);
  if (w === undefined) {
    w = ctx.measureText(text).width;
    if (widthCache.size > 50_000) widthCache.clear();
    widthCache.set(key, w);
  }
  if (w <= maxWidth) return text;
  // estimate the cut from the average character width, then refine
  let n = Math.max(1, Math.floor((text.length * maxWidth) / w) - 1);
  while (n > 1 && ctx.measureText(text.slice(0, n) + '…').width > maxWidth) n--;
  return text.slice(0, n) + '…';
}

export function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number) {
  ctx.moveTo(x + r, y);
  ctx.lineTo(x + w - r, y);
  ctx.arcTo(x + w, y, x + w, y + r, r);
  ctx.lineTo(x + w, y + h - r);
  ctx.arcTo(x + w, y + h, x + w - r, y + h, r);
  ctx.lineTo(x + r, y + h);
  ctx.arcTo(x, y + h, x, y + h - r, r);
  ctx.lineTo(x, y + r);
  ctx.arcTo(x, y, x + r, y, r);
  ctx.closePath();
}
