import { KV, StatusBadge, Tag } from '../components/bits';
import { fmtTicksDuration, fmtTicksTime, isoTicks, shortId } from '../lib/format';
import { Link, traceUrl } from '../lib/router';
import type { TraceEvent } from '../lib/types';
import type { TNode, TraceModel } from './model';

/** Resource keys grouped the way people look for them. */
const RESOURCE_GROUPS: [string, (k: string) => boolean][] = [
  ['Kubernetes', (k) => k.startsWith('k8s.')],
  ['Nomad', (k) => k.startsWith('nomad.')],
  ['Host', (k) => k.startsWith('host.') || k.startsWith('os.')],
  ['Process', (k) => k.startsWith('process.') || k.startsWith('service.') || k.startsWith('container.')],
];

function parseResource(json: string | null): Record<string, string> {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as unknown;
    if (!v || typeof v !== 'object') return {};
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = typeof x === 'string' ? x : JSON.stringify(x);
    return out;
  } catch {
    return { resource: json };
  }
}

function Resource(props: { json: string | null }) {
  const r = parseResource(props.json);
  const keys = Object.keys(r).sort();
  if (!keys.length) return <p class="muted">no resource metadata</p>;
  const used = new Set<string>();
  const groups = RESOURCE_GROUPS.map(([name, f]) => {
    const ks = keys.filter((k) => !used.has(k) && f(k));
    ks.forEach((k) => used.add(k));
    return [name, ks] as const;
  });
  const other = keys.filter((k) => !used.has(k));
  return (
    <div data-testid="resource">
      {[...groups, ['Other', other] as const]
        .filter(([, ks]) => ks.length)
        .map(([name, ks]) => (
          <div class="res-group" key={name}>
            <h5>{name}</h5>
            <KV rows={ks.map((k) => [k, r[k]] as [string, string])} />
          </div>
        ))}
    </div>
  );
}

function Tags(props: { tags: Record<string, string>; kind: string }) {
  const entries = Object.entries(props.tags).sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return <p class="muted">none</p>;
  return (
    <div class="tag-list">
      {entries.map(([k, v]) => (
        <Tag key={k} k={k} v={v} kind={props.kind} />
      ))}
    </div>
  );
}

function NodeRef(props: { m: TraceModel; i: number; onSelect: (i: number) => void }) {
  const n = props.m.nodes[props.i];
  return (
    <button type="button" class="link node-ref" onClick={() => props.onSelect(props.i)}>
      {n.label} <span class="muted">{n.sub}</span>
    </button>
  );
}

function headerOf(m: TraceModel, events: TraceEvent[], id: string): Record<string, unknown> | null {
  for (const e of events) {
    const msg = e.event['message'] as Record<string, unknown> | undefined;
    if (msg && msg['message_id'] === id && (e.eventType === 'SEND' || e.eventType === 'RECEIVE')) return msg;
  }
  void m;
  return null;
}

function OtherTraces(props: { traces: string[]; current: string }) {
  const others = props.traces.filter((t) => t !== props.current);
  if (!others.length) return null;
  return (
    <section>
      <h4>Also in {others.length} other trace{others.length === 1 ? '' : 's'}</h4>
      <ul class="plain">
        {others.map((t) => (
          <li key={t}>
            <Link href={traceUrl(t)} class="mono">
              {t}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Details(props: { model: TraceModel; node: number; events: TraceEvent[]; onSelect: (i: number) => void }) {
  const m = props.model;
  const n: TNode = m.nodes[props.node];
  const preds = m.into[props.node].map((ei) => m.edges[ei].from);
  const succs = m.out[props.node].map((ei) => m.edges[ei].to);
  if (n.kind === 'ghost-msg' || n.kind === 'ghost-op') {
    return (
      <div class="details" data-testid="details">
        <h3>{n.kind === 'ghost-op' ? 'Operation' : 'Message'} in another trace</h3>
        <p class="mono small">{n.id}</p>
        <p>
          This {n.kind === 'ghost-op' ? 'operation' : 'message'} belongs to a different trace: it reaches this trace
          through a fan-in or a shared parent. The linked traces above lead to it.
        </p>
        {succs.length > 0 && (
          <section>
            <h4>Leads to</h4>
            <ul class="plain">{succs.map((s) => <li key={s}><NodeRef m={m} i={s} onSelect={props.onSelect} /></li>)}</ul>
          </section>
        )}
      </div>
    );
  }
  if (n.op) {
    const o = n.op;
    const tags = m.opTags.get(o.opId) ?? {};
    const inputs = m.inputs.get(o.opId) ?? [];
    const waits = inputs.map((id) => {
      const i = m.byId.get(`msg:${id}`);
      const sent = i === undefined ? null : m.nodes[i].start;
      return { id, i, wait: sent !== null && o.startTicks !== null ? o.startTicks - sent : null };
    });
    const parent = o.parentOpId ? m.byId.get(`op:${o.parentOpId}`) : undefined;
    return (
      <div class="details" data-testid="details">
        <h3>
          {o.op} <StatusBadge status={o.status} />
        </h3>
        <p class="muted">{o.service}</p>
        {(o.errorType || o.errorMessage) && (
          <div class="error-box" data-testid="details-error">
            <strong>{o.errorType ?? 'error'}</strong>
            {o.errorMessage && <div class="err-msg">{o.errorMessage}</div>}
          </div>
        )}
        {n.critical && <p class="crit-text">On the critical path.</p>}
        <KV
          rows={[
            ['operation id', o.opId],
            ['instance', o.instanceId],
            ['started', fmtTicksTime(o.startTicks)],
            ['started (UTC)', isoTicks(o.startTicks)],
            ['ended', fmtTicksTime(o.endTicks)],
            ['processing', fmtTicksDuration(o.durationTicks)],
            ['end status', o.endStatus],
          ]}
          testid="op-fields"
        />
        {parent !== undefined && (
          <p>
            Parent operation: <NodeRef m={m} i={parent} onSelect={props.onSelect} />
          </p>
        )}
        <section>
          <h4>Tags</h4>
          <Tags tags={tags} kind="tag" />
        </section>
        <section>
          <h4>Inputs{inputs.length > 1 ? ` (fan-in of ${inputs.length})` : ''}</h4>
          {inputs.length === 0 ? (
            <p class="muted">none: an origin</p>
          ) : (
            <ul class="plain">
              {waits.map((w) => (
                <li key={w.id}>
                  {w.i !== undefined ? <NodeRef m={m} i={w.i} onSelect={props.onSelect} /> : <span class="mono">{shortId(w.id, 12)} (another trace)</span>}
                  {w.wait !== null && <span class="muted"> · waited {fmtTicksDuration(Math.max(0, w.wait))}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
        {succs.length > 0 && (
          <section>
            <h4>Leads to</h4>
            <ul class="plain">{succs.map((s) => <li key={s}><NodeRef m={m} i={s} onSelect={props.onSelect} /></li>)}</ul>
          </section>
        )}
        <section>
          <h4>Resource</h4>
          <Resource json={o.resource} />
        </section>
        <OtherTraces traces={o.traces} current={m.traceId} />
        <section>
          <h4>Events</h4>
          <ul class="plain small">
            {(m.eventsByOp.get(o.opId) ?? []).map((e) => (
              <li key={e.eventId}>
                <span class="mono">{fmtTicksTime(e.ticks)}</span> {e.eventType}
              </li>
            ))}
          </ul>
        </section>
      </div>
    );
  }
  const msg = n.msg!;
  const header = headerOf(m, props.events, msg.messageId);
  return (
    <div class="details" data-testid="details">
      <h3>{msg.schema ?? 'message'}</h3>
      <p class="muted">
        {msg.producer} → {msg.channel ?? 'unknown channel'}
      </p>
      {n.critical && <p class="crit-text">On the critical path.</p>}
      <KV
        rows={[
          ['message id', msg.messageId],
          ['producer', msg.producer],
          ['channel', msg.channel],
          ['type', msg.schema],
          ['sent', fmtTicksTime(msg.sendTicks)],
          ['header time (UTC)', isoTicks(msg.msgTicks)],
        ]}
        testid="msg-fields"
      />
      {preds.length > 0 && (
        <section>
          <h4>Caused by{preds.length > 1 ? ` (${preds.length})` : ''}</h4>
          <ul class="plain">{preds.map((s) => <li key={s}><NodeRef m={m} i={s} onSelect={props.onSelect} /></li>)}</ul>
        </section>
      )}
      {msg.parentIds.length > 0 && (
        <p class="small muted">
          {msg.parentIds.length} parent message{msg.parentIds.length === 1 ? '' : 's'} in the header
        </p>
      )}
      {succs.length > 0 && (
        <section>
          <h4>Consumed by</h4>
          <ul class="plain">{succs.map((s) => <li key={s}><NodeRef m={m} i={s} onSelect={props.onSelect} /></li>)}</ul>
        </section>
      )}
      <section>
        <h4>Propagated tags (ptags)</h4>
        <Tags tags={msg.ptags} kind="ptag" />
      </section>
      <section>
        <h4>Message tags (mtags)</h4>
        <Tags tags={msg.mtags} kind="mtag" />
      </section>
      <section>
        <h4>Header</h4>
        {header ? <pre class="json" data-testid="header-json">{JSON.stringify(header, null, 2)}</pre> : <p class="muted">no SEND or RECEIVE event seen</p>}
      </section>
      <OtherTraces traces={msg.traces} current={m.traceId} />
    </div>
  );
}
