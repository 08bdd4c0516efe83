import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  width?: number;
  dash?: number[];
  fill?: string;
  /** bars instead of a line */
  bars?: boolean;
}

/** A time-series chart (uPlot): x in epoch milliseconds, y formatted by yFormat. */
export function Chart(props: {
  title: string;
  xMs: number[];
  series: ChartSeries[];
  yFormat: (v: number) => string;
  height?: number;
  testid?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current!;
    const bars = uPlot.paths.bars!({ size: [0.7, 40] });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height ?? 200,
      ms: 1,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1e-9, (max ?? 1) * 1.1)] } },
      axes: [
        { stroke: '#6b7385', grid: { stroke: '#eceef2' } },
        { stroke: '#6b7385', grid: { stroke: '#eceef2' }, values: (_u, vals) => vals.map((v) => (v === null ? '' : props.yFormat(v))), size: 64 },
      ],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 1.6,
          dash: s.dash,
          fill: s.fill,
          spanGaps: false,
          paths: s.bars ? bars : undefined,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '–' : props.yFormat(v)),
        })),
      ],
    };
    const data = [props.xMs, ...props.series.map((s) => s.values)] as uPlot.AlignedData;
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: props.height ?? 200 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
    };
  }, [props.xMs, props.series]);
  return (
    <figure class="chart" data-testid={props.testid}>
      <figcaption>{props.title}</figcaption>
      <div ref={box} class="chart-box" />
    </figure>
  );
}
