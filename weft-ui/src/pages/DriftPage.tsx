import { useState } from 'preact/hooks';
import { ErrorView, Loading, NoTraffic } from '../components/States';
import { useApi } from '../lib/api';
import { term } from '../lib/query';
import { Link, searchUrl } from '../lib/router';
import type { Drift } from '../lib/types';

interface Row {
  service: string;
  channel: string;
  declared: string;
  observed: string;
  state: 'never-seen' | 'undeclared' | 'no-declaration' | 'direction' | 'ok';
  note: string;
}

const STATE_LABEL: Record<Row['state'], string> = {
  'never-seen': 'declared, never seen',
  undeclared: 'seen, not declared',
  'no-declaration': 'service declares nothing',
  direction: 'direction differs',
  ok: 'as declared',
};

function observed(sent: boolean, received: boolean) {
  return [sent ? 'sent' : '', received ? 'received' : ''].filter(Boolean).join(' + ') || 'nothing';
}

function rowsOf(d: Drift): Row[] {
  const rows: Row[] = [];
  for (const x of d.declaredOnly) {
    rows.push({
      service: x.service,
      channel: x.channel,
      declared: `${x.direction} ${x.schema}`,
      observed: 'nothing',
      state: 'never-seen',
      note: x.direction === 'subscribe' ? 'a dead subscription, or the service is not running' : 'never published',
    });
  }
  for (const x of d.observedOnly) {
    rows.push({
      service: x.service,
      channel: x.channel,
      declared: '–',
      observed: observed(x.sent, x.received),
      state: x.serviceDeclared ? 'undeclared' : 'no-declaration',
      note: x.serviceDeclared ? 'used but missing from the declaration' : 'this service never published a declaration',
    });
  }
  for (const x of d.matched) {
    // serve and call are request/reply: both sending and receiving are expected
    const reqRep = x.directions.some((v) => v === 'serve' || v === 'call');
    const mismatch =
      !reqRep && ((x.sent && !x.directions.includes('publish')) || (x.received && !x.directions.includes('subscribe')));
    rows.push({
      service: x.service,
      channel: x.channel,
      declared: x.directions.join(', '),
      observed: observed(x.sent, x.received),
      state: mismatch ? 'direction' : 'ok',
      note: mismatch ? 'seen in another direction than declared' : '',
    });
  }
  const order = { 'never-seen': 0, undeclared: 1, direction: 2, 'no-declaration': 3, ok: 4 };
  return rows.sort((a, b) => order[a.state] - order[b.state] || a.service.localeCompare(b.service) || a.channel.localeCompare(b.channel));
}

export function DriftPage() {
  const res = useApi<Drift>('/api/v1/topology/declared');
  const [all, setAll] = useState(true);
  if (res.error) return <section class="page"><h1>Declared vs observed</h1><ErrorView error={res.error} onRetry={res.reload} /></section>;
  if (!res.data) return <section class="page"><h1>Declared vs observed</h1><Loading what="declared topology" /></section>;
  const d = res.data;
  const rows = rowsOf(d);
  const count = (s: Row['state']) => rows.filter((r) => r.state === s).length;
  const shown = all ? rows : rows.filter((r) => r.state !== 'ok');
  return (
    <section class="page drift-page">
      <h1>Declared vs observed</h1>
      <p class="muted">
        Each service declares its channels when it starts; the server compares them with the channels it actually sees
        messages on. Drift in either direction is highlighted.
      </p>
      {rows.length === 0 && d.declaredServices.length === 0 ? (
        <NoTraffic what="declarations or traffic" />
      ) : (
        <>
          <div class="drift-summary" data-testid="drift-summary">
            <span class="pill st-never-seen">{count('never-seen')} declared, never seen</span>
            <span class="pill st-undeclared">{count('undeclared')} seen, not declared</span>
            <span class="pill st-direction">{count('direction')} direction differs</span>
            <span class="pill st-no-declaration">{count('no-declaration')} from services without a declaration</span>
            <span class="pill st-ok">{count('ok')} as declared</span>
            <label class="check">
              <input type="checkbox" checked={!all} onChange={(e) => setAll(!(e.target as HTMLInputElement).checked)} /> drift only
            </label>
          </div>
          <div class="table-wrap">
            <table class="grid drift-table" data-testid="drift-table">
              <thead>
                <tr>
                  <th>State</th>
                  <th>Service</th>
                  <th>Channel</th>
                  <th>Declared</th>
                  <th>Observed</th>
                  <th>Meaning</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr key={r.state + r.service + r.channel + r.declared} class={`st-${r.state}`} data-testid={`drift-${r.state}`}>
                    <td>
                      <span class={`pill st-${r.state}`}>{STATE_LABEL[r.state]}</span>
                    </td>
                    <td>{r.service}</td>
                    <td>
                      <Link href={searchUrl(`${term('channel', r.channel)} ${term('service', r.service)}`)}>{r.channel}</Link>
                    </td>
                    <td>{r.declared}</td>
                    <td>{r.observed}</td>
                    <td class="muted">{r.note}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
