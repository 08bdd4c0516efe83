import { useMemo, useState } from 'preact/hooks';
import { ErrorView, Loading, NoTraffic } from '../components/States';
import { Segmented, WINDOWS } from '../components/bits';
import { qs, useApi } from '../lib/api';
import { fmtMs, fmtPercent, fmtRate, windowMs } from '../lib/format';
import { mark } from '../lib/perf';
import { Link, navigate, searchUrl } from '../lib/router';
import type { ServiceGraph, TypeGraph } from '../lib/types';
import { fromServices, fromTypes, type GEdge, type Graph } from '../topology/graph';
import { TopologyView } from '../topology/TopologyView';

type View = 'services' | 'types';
type SortKey = 'count' | 'errors' | 'p99';

function EdgeTable(props: { graph: Graph; seconds: number; view: View }) {
  const [sort, setSort] = useState<SortKey>('count');
  const [all, setAll] = useState(false);
  const sorted = useMemo(() => {
    const val = (e: GEdge) =>
      sort === 'count' ? e.count : sort === 'errors' ? (e.operations ? e.errors / e.operations : 0) : (e.p99Ms ?? -1);
    return [...props.graph.edges].sort((a, b) => val(b) - val(a) || a.key.localeCompare(b.key));
  }, [props.graph, sort]);
  const shown = all ? sorted : sorted.slice(0, 50);
  const th = (k: SortKey, label: string) => (
    <th class="num">
      <button type="button" class={`link sort${sort === k ? ' on' : ''}`} onClick={() => setSort(k)} aria-pressed={sort === k}>
        {label}
        {sort === k ? ' ▾' : ''}
      </button>
    </th>
  );
  return (
    <div class="table-wrap">
      <table class="grid edge-table" data-testid="edge-table">
        <thead>
          <tr>
            <th>From</th>
            <th>{props.view === 'services' ? 'Channel' : 'Relation'}</th>
            <th>To</th>
            {th('count', 'Rate')}
            {th('errors', 'Errors')}
            {th('p99', 'p99 processing')}
            {props.view === 'services' && <th class="num">p99 queue wait</th>}
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => (
            <tr key={e.key} data-testid="edge-row">
              <td>{e.source.label}</td>
              <td>
                <Link href={searchUrl(e.query)} title={e.query}>
                  {e.label}
                </Link>
              </td>
              <td>{e.target.label}</td>
              <td class="num" title={`${e.count} in the window`}>
                {fmtRate(e.count, props.seconds)}
              </td>
              <td class={`num${e.errors ? ' bad' : ''}`}>{e.operations ? fmtPercent(e.errors, e.operations) : '–'}</td>
              <td class="num">{fmtMs(e.p99Ms)}</td>
              {props.view === 'services' && <td class="num">{fmtMs(e.queueP99Ms)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      {sorted.length > 50 && !all && (
        <button type="button" class="link" onClick={() => setAll(true)}>
          Show all {sorted.length} edges
        </button>
      )}
    </div>
  );
}

export function TopologyPage(props: { query: URLSearchParams }) {
  const view: View = props.query.get('view') === 'types' ? 'types' : 'services';
  const since = props.query.get('since') || '24h';
  const set = (p: { view?: View; since?: string }) =>
    navigate(`/topology${qs({ view: p.view ?? view, since: p.since ?? since })}`, true);
  const res = useApi<ServiceGraph | TypeGraph>(`/api/v1/topology${qs({ view, since })}`);
  const services = useApi<{ services: string[] }>('/api/v1/services');
  const seconds = windowMs(since) / 1000;
  const graph = useMemo(() => {
    if (!res.data) return null;
    mark('topologyDataAt');
    return view === 'services' ? fromServices(res.data as ServiceGraph, since) : fromTypes(res.data as TypeGraph, since);
  }, [res.data]);
  return (
    <section class="page topology-page">
      <h1>Topology</h1>
      <div class="toolbar">
        <Segmented
          label="View"
          value={view}
          options={[
            { value: 'services', label: 'By service' },
            { value: 'types', label: 'By message type' },
          ]}
          onChange={(v) => set({ view: v })}
          testid="topology-view"
        />
        <Segmented label="Time window" value={since} options={WINDOWS} onChange={(v) => set({ since: v })} testid="topology-window" />
        <span class="muted small">
          {view === 'services'
            ? 'Services are nodes; each channel is an edge labelled with its rate, error rate and p99 processing time.'
            : 'Message types (squares) and the operations that consume and produce them (circles), left to right.'}{' '}
          Click a node or an edge to search it.
        </span>
      </div>
      {res.error && <ErrorView error={res.error} onRetry={res.reload} />}
      {!res.error && !graph && <Loading what="topology" />}
      {graph && graph.nodes.length === 0 &&
        (services.data && services.data.services.length === 0 ? (
          <NoTraffic what="traffic" />
        ) : (
          <div class="state empty" data-testid="no-traffic-window">
            <h3>No traffic in the last {since}</h3>
            <p>Nothing was sent in this window. Choose a longer one.</p>
          </div>
        ))}
      {graph && graph.nodes.length > 0 && (
        <>
          <TopologyView
            graph={graph}
            seconds={seconds}
            layout={view === 'types' ? 'layered' : 'force'}
            onOpen={(q) => navigate(searchUrl(q))}
          />
          <p class="muted small">
            {graph.nodes.length} nodes, {graph.edges.length} edges in the last {since}.
          </p>
          <EdgeTable graph={graph} seconds={seconds} view={view} />
        </>
      )}
    </section>
  );
}
