import { useEffect, useRef, useState } from 'preact/hooks';
import { QueryBar } from '../components/QueryBar';
import { ErrorView } from '../components/States';
import { VirtualList } from '../components/VirtualList';
import { Segmented } from '../components/bits';
import { HttpError, authVersion, qs } from '../lib/api';
import { fmtTime, shortId, ticksToMs } from '../lib/format';
import { Link, navigate, traceUrl } from '../lib/router';
import { readStream } from '../lib/sse';
import { useStore } from '../lib/store';
import { eventSummary } from '../trace/TraceEvents';

const MAX_ROWS = 2000;
const MAX_PENDING = 5000;
const ROW = 26;

interface Ev {
  key: number;
  cursor: string;
  json: Record<string, unknown>;
}

type Conn = 'connecting' | 'live' | 'reconnecting' | 'stopped';

const BACKLOG = [
  { value: '0', label: 'new only' },
  { value: '15m', label: '+ last 15 min' },
  { value: '1h', label: '+ last hour' },
  { value: '24h', label: '+ last day' },
];

function ticksOf(e: Record<string, unknown>): number | null {
  const t = e['timestamp'];
  if (typeof t === 'number') return ticksToMs(t);
  if (typeof t === 'string') {
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? ms : null;
  }
  return null;
}

export function EventsPage(props: { query: URLSearchParams }) {
  const q = props.query.get('q') ?? '';
  const backlog = props.query.get('backlog') ?? '15m';
  const version = useStore(authVersion);
  const [rows, setRows] = useState<Ev[]>([]);
  const [pendingCount, setPendingCount] = useState(0);
  const [paused, setPaused] = useState(false);
  const [conn, setConn] = useState<Conn>('connecting');
  const [error, setError] = useState<Error | null>(null);
  const [open, setOpen] = useState<Ev | null>(null);
  const [dropped, setDropped] = useState(0);
  const pausedRef = useRef(false);
  const incoming = useRef<Ev[]>([]);
  const pending = useRef<Ev[]>([]);
  const seq = useRef(0);

  // flush arrivals at most every 150 ms, newest first
  useEffect(() => {
    const t = setInterval(() => {
      if (!incoming.current.length) return;
      const batch = incoming.current.reverse();
      incoming.current = [];
      if (pausedRef.current) {
        pending.current = [...batch, ...pending.current];
        if (pending.current.length > MAX_PENDING) {
          setDropped((d) => d + pending.current.length - MAX_PENDING);
          pending.current = pending.current.slice(0, MAX_PENDING);
        }
        setPendingCount(pending.current.length);
      } else {
        setRows((r) => [...batch, ...r].slice(0, MAX_ROWS));
      }
    }, 150);
    return () => clearInterval(t);
  }, []);

  useEffect(() => {
    const ctl = new AbortController();
    setRows([]);
    setError(null);
    setOpen(null);
    pending.current = [];
    setPendingCount(0);
    let lastId = '';
    const run = async () => {
      let attempt = 0;
      while (!ctl.signal.aborted) {
        setConn(lastId ? 'reconnecting' : 'connecting');
        try {
          const url = `/api/v1/events${qs({ q: q || null, since: lastId || backlog === '0' ? null : backlog, limit: 200 })}`;
          await readStream(url, {
            lastEventId: lastId,
            signal: ctl.signal,
            onOpen: () => {
              attempt = 0;
              setError(null);
              setConn('live');
            },
            onMessage: (m) => {
              lastId = m.id;
              try {
                incoming.current.push({ key: ++seq.current, cursor: m.id, json: JSON.parse(m.data) as Record<string, unknown> });
              } catch {
                // not JSON: ignore the line
              }
            },
          });
        } catch (e) {
          if ((e as Error).name === 'AbortError') return;
          setError(e as Error);
          // a refused request (bad query, no token) will be refused again: stop until something changes
          if (e instanceof HttpError && e.status >= 400 && e.status < 500) {
            setConn('stopped');
            return;
          }
        }
        if (ctl.signal.aborted) return;
        setConn('reconnecting');
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt++)));
      }
    };
    run();
    return () => ctl.abort();
  }, [q, backlog, version]);

  const togglePause = () => {
    const next = !paused;
    setPaused(next);
    pausedRef.current = next;
    if (!next && pending.current.length) {
      const p = pending.current;
      pending.current = [];
      setPendingCount(0);
      setRows((r) => [...p, ...r].slice(0, MAX_ROWS));
    }
  };

  const setParam = (p: { q?: string; backlog?: string }) =>
    navigate(`/events${qs({ q: p.q ?? q, backlog: p.backlog ?? backlog })}`, true);

  return (
    <section class="page events-page">
      <h1>Event log</h1>
      <QueryBar
        value={q}
        eventKeysOnly
        submitLabel="Filter"
        placeholder="service=inventory type=FAIL   (keys: service, type, op, trace)"
        onSubmit={(text) => setParam({ q: text })}
        testid="events-query"
      />
      <div class="toolbar">
        <button type="button" onClick={togglePause} data-testid="pause" aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" class="secondary" onClick={() => { setRows([]); setOpen(null); }}>
          Clear
        </button>
        <Segmented label="Backlog" value={backlog} options={BACKLOG} onChange={(v) => setParam({ backlog: v })} />
        <span class={`conn conn-${paused ? 'paused' : conn}`} data-testid="conn-state">
          {paused ? 'paused' : conn === 'live' ? 'live' : conn === 'stopped' ? 'stopped' : `${conn}…`}
        </span>
        {paused && pendingCount > 0 && (
          <span class="badge pending" data-testid="pending">
            {pendingCount} new while paused
          </span>
        )}
        {dropped > 0 && <span class="muted small">{dropped} dropped while paused (buffer full)</span>}
        <span class="muted small" data-testid="row-count">
          {rows.length} shown{rows.length >= MAX_ROWS ? ` (newest ${MAX_ROWS})` : ''}
        </span>
      </div>
      {error && <ErrorView error={error} query={q} />}
      {!error && rows.length === 0 && (
        <div class="state empty" data-testid="tail-empty">
          <h3>Waiting for events…</h3>
          <p>
            New events appear here within a second of being stored{q ? ' when they match the filter' : ''}. Send some to{' '}
            <code>POST /api/v1/events</code> or run <code>./weft demo</code>.
          </p>
        </div>
      )}
      {rows.length > 0 && (
        <div class="ev-split">
          <VirtualList
            class="ev-list live"
            count={rows.length}
            rowHeight={ROW}
            testid="tail"
            label="Live events"
            header={
              <div class="ev-row ev-head">
                <span class="ev-time">time</span>
                <span class="ev-type">type</span>
                <span class="ev-svc">service</span>
                <span class="ev-op">operation</span>
                <span class="ev-trace">trace</span>
                <span class="ev-sum">details</span>
              </div>
            }
            renderRow={(i) => {
              const e = rows[i];
              const j = e.json;
              const trace = typeof j['trace_id'] === 'string' ? (j['trace_id'] as string) : '';
              const type = String(j['event_type'] ?? '');
              return (
                <div
                  key={e.key}
                  role="listitem"
                  class={`ev-row type-${type}${open?.key === e.key ? ' selected' : ''}`}
                  style={{ height: `${ROW}px` }}
                  data-testid="tail-row"
                  onClick={(ev) => {
                    if ((ev.target as HTMLElement).closest('a')) return;
                    setOpen(e);
                  }}
                >
                  <span class="ev-time">{fmtTime(ticksOf(j))}</span>
                  <span class="ev-type">{type}</span>
                  <span class="ev-svc">{String(j['service'] ?? '')}</span>
                  <span class="ev-op">{String(j['op'] ?? '')}</span>
                  <span class="ev-trace">
                    {trace && (
                      <Link href={traceUrl(trace, typeof j['op_id'] === 'string' ? (j['op_id'] as string) : undefined)} class="mono">
                        {shortId(trace)}
                      </Link>
                    )}
                  </span>
                  <span class="ev-sum">{eventSummary(j)}</span>
                </div>
              );
            }}
          />
          {open && (
            <div class="ev-json">
              <div class="ev-json-head">
                <strong>{String(open.json['event_type'] ?? '')}</strong>{' '}
                <span class="mono small">{String(open.json['event_id'] ?? '')}</span>
                <button type="button" class="link" onClick={() => setOpen(null)}>
                  close
                </button>
              </div>
              <pre class="json" data-testid="event-json">{JSON.stringify(open.json, null, 2)}</pre>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
