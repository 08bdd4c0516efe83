import { useMemo } from 'preact/hooks';
import { VirtualList } from '../components/VirtualList';
import { fmtMs, fmtTicksDuration, ticksToMs } from '../lib/format';
import { queueStart, type TraceModel } from './model';
import { opOrder } from './tree';

const ROW = 24;

export function TimelineView(props: { model: TraceModel; selected: number | null; onSelect: (i: number) => void }) {
  const m = props.model;
  const rows = useMemo(
    () =>
      opOrder(m).map((r) => {
        const n = m.nodes[r.node];
        return { ...r, queue: n.op ? queueStart(m, n.op.opId) : null };
      }),
    [m],
  );
  const span = m.t1 - m.t0;
  const pct = (t: number) => `${(((t - m.t0) / span) * 100).toFixed(3)}%`;
  const wid = (a: number, b: number) => `${Math.max(0.15, ((b - a) / span) * 100).toFixed(3)}%`;
  const selRow = props.selected === null ? null : rows.findIndex((r) => r.node === props.selected);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div class="timeline-wrap" data-testid="timeline-view">
      <div class="timeline-legend small">
        <span><span class="lg lg-queue" /> waiting in a queue (from the input's send to the start)</span>
        <span><span class="lg lg-proc" /> processing</span>
        <span><span class="lg lg-proc failed" /> failed</span>
        <span><span class="lg lg-crit" /> critical path</span>
      </div>
      <VirtualList
        class="timeline"
        count={rows.length}
        rowHeight={ROW}
        scrollTo={selRow !== null && selRow >= 0 ? selRow : null}
        label="Timeline of operations"
        header={
          <div class="tl-axis">
            <div class="tl-label-col">operation</div>
            <div class="tl-bars-col">
              {ticks.map((f) => (
                <span key={f} class="tl-tick" style={{ left: `${f * 100}%` }}>
                  {fmtMs(ticksToMs(span * f))}
                </span>
              ))}
            </div>
          </div>
        }
        renderRow={(i) => {
          const r = rows[i];
          const n = m.nodes[r.node];
          const o = n.op!;
          const start = o.startTicks;
          const open = o.endTicks === null;
          const end = o.endTicks ?? m.t1;
          return (
            <div
              key={i}
              role="listitem"
              class={`tl-row${r.node === props.selected ? ' selected' : ''}${n.critical ? ' critical' : ''}`}
              style={{ height: `${ROW}px` }}
              onClick={() => props.onSelect(r.node)}
              data-testid="timeline-row"
            >
              <div class="tl-label-col" title={`${o.service} · ${o.op}`}>
                <span class="indent" style={{ width: `${Math.min(r.depth, 20) * 10}px` }} />
                <span class="tl-svc">{o.service}</span> <span class="tl-op">{o.op}</span>
              </div>
              <div class="tl-bars-col">
                {r.queue !== null && start !== null && start > r.queue && (
                  <span
                    class="tl-queue"
                    style={{ left: pct(r.queue), width: wid(r.queue, start) }}
                    title={`queue wait ${fmtTicksDuration(start - r.queue)}`}
                  />
                )}
                {start !== null && (
                  <span
                    class={`tl-proc status-${o.status}${open ? ' open' : ''}`}
                    style={{ left: pct(start), width: wid(start, end) }}
                    title={`processing ${open ? `(${o.status})` : fmtTicksDuration(o.durationTicks)}`}
                  />
                )}
                <span
                  class="tl-dur"
                  style={
                    (end - m.t0) / span > 0.8 && start !== null
                      ? { right: `calc(${(100 - ((start - m.t0) / span) * 100).toFixed(3)}% + 4px)` }
                      : { left: `calc(${pct(end)} + 4px)` }
                  }
                >
                  {open ? o.status : fmtTicksDuration(o.durationTicks)}
                </span>
              </div>
            </div>
          );
        }}
      />
    </div>
  );
}
