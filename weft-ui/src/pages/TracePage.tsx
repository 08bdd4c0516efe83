import { useEffect, useMemo } from 'preact/hooks';
import { ErrorView, Loading } from '../components/States';
import { Segmented } from '../components/bits';
import { useApi } from '../lib/api';
import { fmtTicksDuration, fmtTicksTime, isoTicks, shortId } from '../lib/format';
import { mark, markAfterPaint, perf } from '../lib/perf';
import { Link, navigate, traceUrl } from '../lib/router';
import type { TraceResponse } from '../lib/types';
import { DagView } from '../trace/DagView';
import { Details } from '../trace/Details';
import { TimelineView } from '../trace/TimelineView';
import { TraceEvents } from '../trace/TraceEvents';
import { TreeView } from '../trace/TreeView';
import { buildModel, findNode, type TraceModel } from '../trace/model';

type Tab = 'dag' | 'tree' | 'timeline' | 'events';
const TABS: { value: Tab; label: string }[] = [
  { value: 'dag', label: 'Graph' },
  { value: 'tree', label: 'Tree' },
  { value: 'timeline', label: 'Timeline' },
  { value: 'events', label: 'Event log' },
];

function Linked(props: { t: TraceResponse }) {
  const { t } = props;
  if (!t.linkedTraces.length) return <p class="muted small" data-testid="linked-traces">No linked traces.</p>;
  const why = (id: string) => {
    const ops = t.operations.filter((o) => o.traces.includes(id)).length;
    const msgs = t.messages.filter((m) => m.traces.includes(id)).length;
    if (ops) return `shares ${ops} operation${ops === 1 ? '' : 's'} (fan-in)`;
    if (msgs) return `shares ${msgs} message${msgs === 1 ? '' : 's'}`;
    return 'holds a parent or a child of one of its messages';
  };
  return (
    <div class="linked" data-testid="linked-traces">
      <h4>Linked traces ({t.linkedTraces.length})</h4>
      <ul class="plain">
        {t.linkedTraces.slice(0, 50).map((id) => (
          <li key={id}>
            <Link href={traceUrl(id)} class="mono" data-testid="linked-trace">
              {id}
            </Link>{' '}
            <span class="muted small">{why(id)}</span>
          </li>
        ))}
      </ul>
      {t.linkedTraces.length > 50 && <p class="muted small">and {t.linkedTraces.length - 50} more</p>}
    </div>
  );
}

function CriticalPath(props: { t: TraceResponse; m: TraceModel; onSelect: (i: number) => void }) {
  const cp = props.t.criticalPath;
  if (!cp || !cp.steps.length) return <p class="muted small">No critical path: no operation has a start time.</p>;
  let processing = 0;
  let waiting = 0;
  for (const s of cp.steps) {
    if (s.kind === 'op' && s.durationTicks) processing += s.durationTicks;
    if (s.kind === 'message' && s.queueWaitTicks) waiting += s.queueWaitTicks;
  }
  const steps = cp.steps.length > 14 ? [...cp.steps.slice(0, 6), null, ...cp.steps.slice(-6)] : cp.steps;
  return (
    <div class="critical" data-testid="critical-path">
      <div>
        <strong>Critical path</strong> {fmtTicksDuration(cp.totalTicks)}: {fmtTicksDuration(processing)} processing,{' '}
        {fmtTicksDuration(waiting)} waiting in queues, {cp.steps.length} steps
      </div>
      <ol class="cp-steps">
        {steps.map((s, k) =>
          s === null ? (
            <li key={`gap${k}`} class="muted">
              … {cp.steps.length - 12} more …
            </li>
          ) : (
            <li key={s.kind + s.id + k} class={`cp-${s.kind}`}>
              <button
                type="button"
                class="link"
                onClick={() => {
                  const i = findNode(props.m, s.id);
                  if (i !== undefined) props.onSelect(i);
                }}
              >
                {s.kind === 'op' ? `${s.service ?? ''} · ${s.name ?? ''}` : (s.name ?? 'message')}
              </button>
              <span class="muted small">
                {s.kind === 'op' ? fmtTicksDuration(s.durationTicks) : `waited ${fmtTicksDuration(s.queueWaitTicks)}`}
              </span>
            </li>
          ),
        )}
      </ol>
    </div>
  );
}

export function TracePage(props: { id: string; query: URLSearchParams }) {
  const tab = (props.query.get('tab') as Tab) || 'dag';
  const nodeId = props.query.get('node');
  useMemo(() => {
    const p = perf();
    for (const k of Object.keys(p)) if (k.startsWith('trace')) delete p[k];
  }, [props.id]);
  const res = useApi<TraceResponse>(`/api/v1/traces/${encodeURIComponent(props.id)}`);
  const model = useMemo(() => {
    if (!res.data) return null;
    mark('traceDataAt');
    const t0 = performance.now();
    const m = buildModel(res.data);
    perf()['traceModelMs'] = performance.now() - t0;
    return m;
  }, [res.data]);
  const selected = model ? (findNode(model, nodeId) ?? null) : null;
  useEffect(() => {
    if (model) markAfterPaint('traceReadyAt', () => (document.documentElement.dataset['traceReady'] = model.traceId));
    return () => {
      delete document.documentElement.dataset['traceReady'];
    };
  }, [model]);

  const go = (next: { tab?: Tab; node?: string | null }) => {
    const p = new URLSearchParams();
    p.set('tab', next.tab ?? tab);
    const n = next.node === undefined ? nodeId : next.node;
    if (n) p.set('node', n);
    navigate(`/trace/${encodeURIComponent(props.id)}?${p.toString()}`, true);
  };
  const select = (i: number | null) => go({ node: i === null || !model ? null : model.nodes[i].id });

  if (res.error) {
    return (
      <section class="page">
        <h1>Trace <span class="mono">{shortId(props.id, 32)}</span></h1>
        <ErrorView error={res.error} onRetry={res.reload} />
        <p>
          <Link href="/search">Back to search</Link>
        </p>
      </section>
    );
  }
  if (!res.data || !model) return <section class="page"><Loading what="trace" /></section>;
  const t = res.data;
  const start = model.t0;
  return (
    <section class="page trace-page">
      <header class="trace-head">
        <h1>
          Trace <span class="mono" data-testid="trace-id">{t.traceId}</span>
        </h1>
        <dl class="facts">
          <div><dt>started</dt><dd title={isoTicks(start)}>{fmtTicksTime(start)}</dd></div>
          <div><dt>span</dt><dd>{fmtTicksDuration(model.t1 - model.t0)}</dd></div>
          <div><dt>operations</dt><dd data-testid="op-count">{model.opCount}</dd></div>
          <div><dt>messages</dt><dd>{model.msgCount}</dd></div>
          <div><dt>services</dt><dd>{model.services.length}</dd></div>
          <div><dt>failed</dt><dd class={model.errors ? 'bad' : ''}>{model.errors}</dd></div>
          <div><dt>events</dt><dd>{t.events.length}</dd></div>
        </dl>
      </header>
      <div class="trace-meta">
        <CriticalPath t={t} m={model} onSelect={select} />
        <Linked t={t} />
      </div>
      <Segmented label="View" value={tab} options={TABS} onChange={(v) => go({ tab: v })} testid="trace-tabs" />
      <div class="trace-body">
        <div class="trace-main">
          {tab === 'dag' && <DagView model={model} selected={selected} onSelect={select} />}
          {tab === 'tree' && <TreeView model={model} selected={selected} onSelect={select} />}
          {tab === 'timeline' && <TimelineView model={model} selected={selected} onSelect={select} />}
          {tab === 'events' && (
            <TraceEvents model={model} events={t.events} onSelectOp={(id) => go({ node: id })} />
          )}
        </div>
        <aside class="trace-side" aria-label="Selected node">
          {selected !== null ? (
            <Details model={model} node={selected} events={t.events} onSelect={select} />
          ) : (
            <div class="details muted" data-testid="details-empty">
              Select an operation or a message to see its header, tags, resource metadata and error.
            </div>
          )}
        </aside>
      </div>
    </section>
  );
}
