import { useMemo, useState } from 'preact/hooks';
import { Chart } from '../components/Chart';
import { QueryBar } from '../components/QueryBar';
import { ErrorView, Loading, NoTraffic } from '../components/States';
import { Segmented, WINDOWS } from '../components/bits';
import { HttpError, api, qs, useApi } from '../lib/api';
import { C } from '../lib/colors';
import { fmtCount, fmtMs, fmtNum, fmtPercent, fmtTime } from '../lib/format';
import { term } from '../lib/query';
import { Link, dashboardUrl, navigate, searchUrl } from '../lib/router';
import type { SavedQuery, SearchResponse, SeriesResponse } from '../lib/types';

export function DashboardsIndex() {
  const services = useApi<{ services: string[] }>('/api/v1/services');
  const saved = useApi<{ queries: SavedQuery[] }>('/api/v1/saved-queries');
  if (services.error) return <section class="page"><h1>Dashboards</h1><ErrorView error={services.error} onRetry={services.reload} /></section>;
  if (!services.data) return <section class="page"><h1>Dashboards</h1><Loading /></section>;
  const counts = new Map<string, number>();
  for (const q of saved.data?.queries ?? []) counts.set(q.scope, (counts.get(q.scope) ?? 0) + 1);
  const others = [...counts.keys()].filter((s) => !services.data!.services.includes(s)).sort();
  return (
    <section class="page">
      <h1>Dashboards</h1>
      <p class="muted">One dashboard per service: its rate, errors and latency over time, its top failing operations, telemetry loss, and the queries its team saved.</p>
      {services.data.services.length === 0 && others.length === 0 ? (
        <NoTraffic what="services" />
      ) : (
        <ul class="cards" data-testid="dashboard-list">
          {services.data.services.map((s) => (
            <li key={s}>
              <Link href={dashboardUrl(s)} class="card">
                <strong>{s}</strong>
                <span class="muted small">{counts.get(s) ? `${counts.get(s)} saved quer${counts.get(s) === 1 ? 'y' : 'ies'}` : 'service'}</span>
              </Link>
            </li>
          ))}
          {others.map((s) => (
            <li key={s}>
              <Link href={dashboardUrl(s)} class="card">
                <strong>{s}</strong>
                <span class="muted small">team · {counts.get(s)} saved</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Kpi(props: { label: string; value: string; bad?: boolean; testid?: string }) {
  return (
    <div class={`kpi${props.bad ? ' bad' : ''}`} data-testid={props.testid}>
      <div class="kpi-value">{props.value}</div>
      <div class="kpi-label">{props.label}</div>
    </div>
  );
}

function ServiceCharts(props: { service: string; since: string }) {
  const res = useApi<SeriesResponse>(`/api/v1/services/${encodeURIComponent(props.service)}/series${qs({ since: props.since })}`);
  const d = res.data;
  const charts = useMemo(() => {
    if (!d) return null;
    const x = d.buckets.map((b) => b.startMs);
    const perMin = 60_000 / d.stepMs;
    return {
      x,
      rate: [
        { label: 'operations/min', values: d.buckets.map((b) => b.operations * perMin), color: C.rate, fill: 'rgba(47,111,179,0.08)' },
        { label: 'failed/min', values: d.buckets.map((b) => b.errors * perMin), color: C.errors, bars: true, fill: 'rgba(194,59,50,0.5)' },
      ],
      latency: [
        { label: 'p50', values: d.buckets.map((b) => b.p50Ms), color: C.p50 },
        { label: 'p95', values: d.buckets.map((b) => b.p95Ms), color: C.p95 },
        { label: 'p99', values: d.buckets.map((b) => b.p99Ms), color: C.p99 },
        { label: 'queue wait p99', values: d.buckets.map((b) => b.queueWaitP99Ms), color: '#8c9bb0', dash: [5, 4] },
      ],
    };
  }, [d]);
  if (res.error) return <ErrorView error={res.error} onRetry={res.reload} />;
  if (!d || !charts) return <Loading what="charts" />;
  const lost = d.loss.reduce((a, b) => a + b.lost, 0);
  const minutes = (d.untilMs - d.sinceMs) / 60_000;
  return (
    <>
      <div class="kpis">
        <Kpi label="operations / min" value={minutes > 0 ? fmtNum(d.totals.operations / minutes) : '–'} testid="kpi-rate" />
        <Kpi label="failed" value={fmtPercent(d.totals.errors, d.totals.operations)} bad={d.totals.errors > 0} testid="kpi-errors" />
        <Kpi label="p50" value={fmtMs(d.totals.p50Ms)} />
        <Kpi label="p99" value={fmtMs(d.totals.p99Ms)} />
        <Kpi label="telemetry lost" value={fmtCount(lost)} bad={lost > 0} testid="kpi-loss" />
      </div>
      {d.totals.operations === 0 && (
        <div class="state empty" data-testid="no-traffic-window">
          <h3>No operations of {props.service} in the last {props.since}</h3>
        </div>
      )}
      <div class="charts">
        <Chart title="Throughput and failures" xMs={charts.x} series={charts.rate} yFormat={fmtNum} testid="chart-rate" />
        <Chart title="Processing time percentiles" xMs={charts.x} series={charts.latency} yFormat={(v) => fmtMs(v)} testid="chart-latency" />
      </div>
      <div class="two-col">
        <section>
          <h3>Top failing operations</h3>
          {d.topFailing.length === 0 ? (
            <p class="muted" data-testid="no-failures">No failures in this window.</p>
          ) : (
            <table class="grid" data-testid="top-failing">
              <thead>
                <tr>
                  <th>Operation</th>
                  <th class="num">Failed</th>
                  <th class="num">of</th>
                  <th class="num">Rate</th>
                  <th>Last error</th>
                </tr>
              </thead>
              <tbody>
                {d.topFailing.map((f) => (
                  <tr key={f.op}>
                    <td>
                      <Link href={searchUrl(`${term('service', props.service)} ${term('op', f.op)} status=failed since=${props.since}`)}>{f.op}</Link>
                    </td>
                    <td class="num bad">{f.errors}</td>
                    <td class="num">{f.operations}</td>
                    <td class="num">{fmtPercent(f.errors, f.operations)}</td>
                    <td title={f.lastErrorMessage ?? ''}>
                      {f.lastErrorType ?? ''} <span class="muted small">{fmtTime(f.lastFailureMs)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section>
          <h3>Telemetry loss</h3>
          {d.loss.length === 0 ? (
            <p class="muted">No emitter of this service has reported sequence numbers.</p>
          ) : (
            <table class="grid" data-testid="loss-table">
              <thead>
                <tr>
                  <th>Instance</th>
                  <th class="num">Events received</th>
                  <th class="num">Highest seq</th>
                  <th class="num">Lost</th>
                </tr>
              </thead>
              <tbody>
                {d.loss.map((l) => (
                  <tr key={l.instanceId}>
                    <td class="mono">{l.instanceId}</td>
                    <td class="num">{l.seqCount}</td>
                    <td class="num">{l.maxSeq}</td>
                    <td class={`num${l.lost ? ' bad' : ''}`}>{l.lost}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p class="muted small">Lost = events an emitter numbered but the server never received (gaps in its seq).</p>
        </section>
      </div>
    </>
  );
}

function SavedRow(props: { q: SavedQuery; onDelete: () => void }) {
  const count = useApi<SearchResponse>(`/api/v1/search${qs({ q: props.q.query, limit: 1000 })}`);
  const [confirming, setConfirming] = useState(false);
  return (
    <tr data-testid="saved-row">
      <td>
        <Link href={searchUrl(props.q.query)}>{props.q.name}</Link>
      </td>
      <td>
        <code>{props.q.query}</code>
      </td>
      <td class="num" data-testid="saved-count">
        {count.error ? '!' : count.data ? `${count.data.count}${count.data.count === 1000 ? '+' : ''}` : '…'}
      </td>
      <td>
        {confirming ? (
          <>
            <button type="button" class="link danger" onClick={props.onDelete} data-testid="saved-confirm-delete">
              confirm delete
            </button>{' '}
            <button type="button" class="link" onClick={() => setConfirming(false)}>
              keep
            </button>
          </>
        ) : (
          <button type="button" class="link danger" onClick={() => setConfirming(true)} aria-label={`Delete ${props.q.name}`} data-testid="saved-delete">
            delete
          </button>
        )}
      </td>
    </tr>
  );
}

function SavedQueries(props: { scope: string }) {
  const list = useApi<{ scope: string; queries: SavedQuery[] }>(`/api/v1/saved-queries${qs({ scope: props.scope })}`);
  const [name, setName] = useState('');
  const [query, setQuery] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (qtext: string) => {
    setBusy(true);
    setError(null);
    try {
      await api<SavedQuery>('/api/v1/saved-queries', {
        method: 'POST',
        body: JSON.stringify({ scope: props.scope, name: name.trim(), query: qtext }),
      });
      setName('');
      setQuery('');
      list.reload();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (q: SavedQuery) => {
    try {
      await api(`/api/v1/saved-queries/${encodeURIComponent(q.id)}`, { method: 'DELETE' });
      list.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <section class="saved" data-testid="saved-queries">
      <h3>Saved queries of {props.scope}</h3>
      <p class="muted small">Stored on the server, so everyone who opens this dashboard sees the same list.</p>
      {list.error && <ErrorView error={list.error} onRetry={list.reload} />}
      {list.data && list.data.queries.length === 0 && <p class="muted" data-testid="no-saved">No saved queries yet.</p>}
      {list.data && list.data.queries.length > 0 && (
        <table class="grid">
          <thead>
            <tr>
              <th>Name</th>
              <th>Query</th>
              <th class="num">Matches</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.queries.map((q) => (
              <SavedRow key={q.id} q={q} onDelete={() => remove(q)} />
            ))}
          </tbody>
        </table>
      )}
      <div class="save-form">
        <label>
          Name
          <input
            type="text"
            value={name}
            maxLength={100}
            placeholder="Failed updates"
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
            data-testid="saved-name"
          />
        </label>
        <QueryBar
          value={query}
          submitLabel={busy ? 'Saving…' : 'Save query'}
          testid="saved-query"
          placeholder={`service=${props.scope} status=failed since=1h`}
          onChange={setQuery}
          onSubmit={(q) => {
            if (!busy) save(q);
          }}
        />
      </div>
      {error &&
        (error instanceof HttpError && error.body.position !== undefined ? (
          <ErrorView error={error} query={query} />
        ) : (
          <ErrorView error={error} />
        ))}
    </section>
  );
}

export function DashboardPage(props: { scope: string; query: URLSearchParams }) {
  const since = props.query.get('since') || '24h';
  const services = useApi<{ services: string[] }>('/api/v1/services');
  const isService = services.data?.services.includes(props.scope);
  return (
    <section class="page dashboard-page">
      <h1>
        {props.scope} <span class="muted small">dashboard</span>
      </h1>
      {services.error && <ErrorView error={services.error} onRetry={services.reload} />}
      {isService && (
        <>
          <div class="toolbar">
            <Segmented
              label="Time window"
              value={since}
              options={WINDOWS}
              onChange={(v) => navigate(`${dashboardUrl(props.scope)}${qs({ since: v })}`, true)}
              testid="dashboard-window"
            />
            <Link href={searchUrl(`${term('service', props.scope)} since=${since}`)}>Search its operations</Link>
            <Link href={`/events${qs({ q: term('service', props.scope) })}`}>Live events</Link>
          </div>
          <ServiceCharts service={props.scope} since={since} />
        </>
      )}
      {services.data && !isService && (
        <p class="muted">
          No service is called {props.scope}; this dashboard holds a team's saved queries only.
        </p>
      )}
      <SavedQueries scope={props.scope} />
    </section>
  );
}
