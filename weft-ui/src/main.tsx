import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { TokenDialog } from './components/TokenDialog';
import { setToken, token } from './lib/api';
import { Link, location, match, navigate } from './lib/router';
import { useStore } from './lib/store';
import { DashboardPage, DashboardsIndex } from './pages/DashboardPage';
import { DriftPage } from './pages/DriftPage';
import { EventsPage } from './pages/EventsPage';
import { SearchPage } from './pages/SearchPage';
import { TopologyPage } from './pages/TopologyPage';
import { TracePage } from './pages/TracePage';
import './styles.css';

const NAV = [
  { href: '/search', label: 'Search', prefix: ['/search', '/trace'] },
  { href: '/topology', label: 'Topology', prefix: ['/topology'] },
  { href: '/drift', label: 'Declared vs observed', prefix: ['/drift'] },
  { href: '/events', label: 'Event log', prefix: ['/events'] },
  { href: '/dashboards', label: 'Dashboards', prefix: ['/dashboards'] },
];

/** A dot that says whether the server answers /health. */
function ServerState() {
  const [up, setUp] = useState<boolean | null>(null);
  useEffect(() => {
    let stop = false;
    const check = () =>
      fetch('/health', { cache: 'no-store' }).then(
        (r) => !stop && setUp(r.ok),
        () => !stop && setUp(false),
      );
    check();
    const t = setInterval(check, 10_000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, []);
  return (
    <span class={`server-state ${up === false ? 'down' : up ? 'up' : ''}`} data-testid="server-state" title={up === false ? 'server not reachable' : 'server reachable'}>
      {up === false ? 'server unreachable' : up ? 'connected' : '…'}
    </span>
  );
}

function Page() {
  const loc = useStore(location);
  const p = loc.path.replace(/\/+$/, '') || '/';
  useEffect(() => {
    const title = NAV.find((n) => n.prefix.some((x) => p.startsWith(x)))?.label;
    document.title = title ? `${title} · Weft` : 'Weft';
  }, [p]);
  if (p === '/') {
    navigate('/search', true);
    return null;
  }
  if (p === '/search') return <SearchPage query={loc.query} />;
  let m = match('/trace/:id', p);
  if (m) return <TracePage key={m.id} id={m.id} query={loc.query} />;
  if (p === '/topology') return <TopologyPage query={loc.query} />;
  if (p === '/drift') return <DriftPage />;
  if (p === '/events') return <EventsPage query={loc.query} />;
  if (p === '/dashboards') return <DashboardsIndex />;
  m = match('/dashboards/:scope', p);
  if (m) return <DashboardPage key={m.scope} scope={m.scope} query={loc.query} />;
  return (
    <section class="page">
      <h1>Not found</h1>
      <p>
        There is no page at <code>{loc.path}</code>. <Link href="/search">Go to search</Link>.
      </p>
    </section>
  );
}

function App() {
  const loc = useStore(location);
  const tok = useStore(token);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      const input = document.querySelector<HTMLInputElement>('.query-input');
      if (input) {
        e.preventDefault();
        input.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <header class="topbar">
        <Link href="/search" class="brand">
          <span class="logo" aria-hidden="true" /> Weft
        </Link>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.href} href={n.href} class={n.prefix.some((x) => loc.path.startsWith(x)) ? 'active' : ''}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div class="topbar-right">
          {tok && (
            <button type="button" class="link small" onClick={() => setToken(null)} title="Forget the token of this tab">
              forget token
            </button>
          )}
          <ServerState />
        </div>
      </header>
      <main>
        <Page />
      </main>
      <TokenDialog />
    </>
  );
}

render(<App />, document.getElementById('app')!);
