import { useMemo } from 'preact/hooks';
import { QueryBar } from '../components/QueryBar';
import { ErrorView, Loading, NoTraffic } from '../components/States';
import { StatusBadge, Tag } from '../components/bits';
import { qs, useApi } from '../lib/api';
import { fmtTicksDuration, fmtTicksTime, isoTicks, shortId } from '../lib/format';
import { keysInQuery } from '../lib/query';
import { Link, navigate, searchUrl, traceUrl } from '../lib/router';
import type { OpRow, SearchResponse, TagEntry } from '../lib/types';

const SEED_MERCHANT = '4c5d6e7';

function keyTags(tags: TagEntry[] | undefined, wanted: Set<string>): TagEntry[] {
  if (!tags?.length) return [];
  const score = (t: TagEntry) => (wanted.has(t.key) ? 0 : t.kind === 'ptag' ? 1 : t.kind === 'tag' ? 2 : 3);
  const seen = new Set<string>();
  return [...tags]
    .sort((a, b) => score(a) - score(b) || a.key.localeCompare(b.key))
    .filter((t) => {
      const k = `${t.key}=${t.value}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

function Examples() {
  const merchants = useApi<{ values: string[] }>('/api/v1/tags/merchant_id/values');
  const vals = merchants.data?.values ?? [];
  const merchant = vals.includes(SEED_MERCHANT) ? SEED_MERCHANT : (vals[0] ?? SEED_MERCHANT);
  const examples = [
    { q: `op=UpdateInventory status=failed merchant_id=${merchant}`, label: `Failed inventory updates of merchant ${merchant}` },
    { q: 'status=failed since=1h', label: 'Everything that failed in the last hour' },
    { q: 'queue_wait>1s', label: 'Work that waited more than a second in a queue' },
    { q: 'duration>500ms', label: 'Slow operations' },
  ];
  return (
    <div class="examples" data-testid="examples">
      <span class="muted">Try:</span>
      {examples.map((e, i) => (
        <Link key={e.q} href={searchUrl(e.q)} class="example" title={e.q} data-testid={i === 0 ? 'seed-example' : undefined}>
          <code>{e.q}</code>
          <span class="example-label">{e.label}</span>
        </Link>
      ))}
    </div>
  );
}

function ResultRow(props: { op: OpRow; wanted: Set<string> }) {
  const o = props.op;
  const trace = o.traces[0];
  const href = trace ? traceUrl(trace, o.opId) : '#';
  const tags = keyTags(o.tags, props.wanted);
  return (
    <tr class="result-row" data-testid="result-row" onClick={(e) => {
      if ((e.target as HTMLElement).closest('a')) return;
      if (trace) navigate(href);
    }}>
      <td class="op-cell">
        <Link href={href} class="op-link">
          {o.op ?? '(unnamed)'}
        </Link>
      </td>
      <td>{o.service}</td>
      <td>
        <StatusBadge status={o.status} />
        {o.errorType && <span class="err-type" title={o.errorMessage ?? ''}>{o.errorType}</span>}
      </td>
      <td title={isoTicks(o.startTicks)} class="num">{fmtTicksTime(o.startTicks)}</td>
      <td class="num">{fmtTicksDuration(o.durationTicks)}</td>
      <td class="num">{fmtTicksDuration(o.queueWaitTicks)}</td>
      <td class="tags-cell">
        {tags.slice(0, 4).map((t) => (
          <Tag key={t.kind + t.key + t.value} k={t.key} v={t.value} kind={t.kind} />
        ))}
        {tags.length > 4 && <span class="muted more">+{tags.length - 4}</span>}
      </td>
      <td class="mono">
        {trace ? shortId(trace) : '–'}
        {o.traces.length > 1 && <span class="muted" title={o.traces.join('\n')}> +{o.traces.length - 1}</span>}
      </td>
    </tr>
  );
}

export function SearchPage(props: { query: URLSearchParams }) {
  const q = props.query.get('q') ?? '';
  const limit = props.query.get('limit') === '1000' ? 1000 : 100;
  const result = useApi<SearchResponse>(q ? `/api/v1/search${qs({ q, limit })}` : null);
  const services = useApi<{ services: string[] }>('/api/v1/services');
  const wanted = useMemo(() => keysInQuery(q), [q]);
  const empty = services.data && services.data.services.length === 0;
  return (
    <section class="page search-page">
      <h1>Search</h1>
      <QueryBar value={q} autoFocus onSubmit={(text) => navigate(text ? searchUrl(text) : '/search')} />
      <Examples />
      {!q && empty && <NoTraffic what="operations" />}
      {!q && !empty && (
        <div class="help muted">
          Terms are joined by spaces (AND); <code>OR</code> works inside parentheses. Reserved keys: <code>op</code>,{' '}
          <code>service</code>, <code>status</code>, <code>duration</code>, <code>queue_wait</code>, <code>channel</code>,{' '}
          <code>schema</code>, <code>type</code>, <code>trace</code>, <code>since</code>, <code>until</code>; any other key
          is a tag such as <code>merchant_id</code>.
        </div>
      )}
      {q && result.loading && !result.data && <Loading what="results" />}
      {q && result.error && <ErrorView error={result.error} query={q} onRetry={result.reload} />}
      {q && result.data && (
        <div class="results" data-testid="results">
          <p class="summary">
            {result.data.count === 0 ? 'No operations match' : `${result.data.count}${result.data.count === result.data.limit ? '+' : ''} operation${result.data.count === 1 ? '' : 's'}`}
            {' '}for <code data-testid="canonical-query">{result.data.query}</code>
            {result.data.count === result.data.limit && limit < 1000 && (
              <>
                {' '}
                <Link href={`/search${qs({ q, limit: 1000 })}`}>show up to 1000</Link>
              </>
            )}
          </p>
          {result.data.count === 0 ? (
            <div class="state empty" data-testid="no-results">
              <h3>No operations match this query</h3>
              <p>
                Check the spelling of names and tag values (they are case-sensitive), widen <code>since</code>, or use a
                wildcard such as <code>op=Update*</code>.
              </p>
            </div>
          ) : (
            <div class="table-wrap">
              <table class="grid results-table">
                <thead>
                  <tr>
                    <th>Operation</th>
                    <th>Service</th>
                    <th>Status</th>
                    <th>Start</th>
                    <th class="num">Duration</th>
                    <th class="num">Queue wait</th>
                    <th>Key tags</th>
                    <th>Trace</th>
                  </tr>
                </thead>
                <tbody>
                  {result.data.operations.map((o) => (
                    <ResultRow key={o.opId} op={o} wanted={wanted} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
