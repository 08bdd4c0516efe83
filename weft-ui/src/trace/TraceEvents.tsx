import { useState } from 'preact/hooks';
import { VirtualList } from '../components/VirtualList';
import { fmtMs, fmtTicksTime, ticksToMs } from '../lib/format';
import type { TraceEvent } from '../lib/types';
import type { TraceModel } from './model';

const ROW = 26;

export function eventSummary(e: Record<string, unknown>): string {
  const parts: string[] = [];
  const err = e['error'] as { type?: string; message?: string } | undefined;
  if (err && typeof err === 'object') parts.push(`${err.type ?? 'error'}: ${err.message ?? ''}`);
  const msg = e['message'] as Record<string, unknown> | undefined;
  if (msg && typeof msg === 'object') {
    if (msg['channel']) parts.push(String(msg['channel']));
    if (msg['payload_schema_uri']) parts.push(String(msg['payload_schema_uri']));
  }
  const inputs = e['inputs'];
  if (Array.isArray(inputs) && inputs.length > 1) parts.push(`${inputs.length} inputs`);
  const tags = e['tags'];
  if (tags && typeof tags === 'object') {
    const t = Object.entries(tags as Record<string, unknown>).slice(0, 3).map(([k, v]) => `${k}=${String(v)}`);
    if (t.length) parts.push(t.join(' '));
  }
  return parts.join(' · ');
}

export function TraceEvents(props: { model: TraceModel; events: TraceEvent[]; onSelectOp: (opId: string) => void }) {
  const [open, setOpen] = useState<number | null>(null);
  const { events, model } = props;
  return (
    <div class="events-wrap" data-testid="trace-events">
      <div class="ev-split">
        <VirtualList
          class="ev-list"
          count={events.length}
          rowHeight={ROW}
          label="Events of this trace"
          header={
            <div class="ev-row ev-head">
              <span class="ev-off">+time</span>
              <span class="ev-time">time</span>
              <span class="ev-type">type</span>
              <span class="ev-svc">service</span>
              <span class="ev-op">operation</span>
              <span class="ev-sum">details</span>
            </div>
          }
          renderRow={(i) => {
            const e = events[i];
            const op = (e.event['op'] as string | undefined) ?? '';
            return (
              <div
                key={e.eventId}
                role="listitem"
                class={`ev-row${open === i ? ' selected' : ''} type-${e.eventType}`}
                style={{ height: `${ROW}px` }}
                data-testid="trace-event-row"
                onClick={() => {
                  setOpen(i);
                  if (e.opId) props.onSelectOp(e.opId);
                }}
              >
                <span class="ev-off">+{fmtMs(ticksToMs(e.ticks - model.t0))}</span>
                <span class="ev-time">{fmtTicksTime(e.ticks)}</span>
                <span class="ev-type">{e.eventType}</span>
                <span class="ev-svc">{e.service}</span>
                <span class="ev-op">{op}</span>
                <span class="ev-sum">{eventSummary(e.event)}</span>
              </div>
            );
          }}
        />
        {open !== null && events[open] && (
          <div class="ev-json">
            <div class="ev-json-head">
              <strong>{events[open].eventType}</strong> <span class="mono small">{events[open].eventId}</span>
              <button type="button" class="link" onClick={() => setOpen(null)}>
                close
              </button>
            </div>
            <pre class="json" data-testid="event-json">{JSON.stringify(events[open].event, null, 2)}</pre>
          </div>
        )}
      </div>
    </div>
  );
}
