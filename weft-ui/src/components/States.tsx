import type { ComponentChildren } from 'preact';
import { HttpError, Unreachable, authNeeded } from '../lib/api';

export function Loading(props: { what?: string }) {
  return (
    <div class="state loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading{props.what ? ` ${props.what}` : ''}…
    </div>
  );
}

export function Empty(props: { title: string; children?: ComponentChildren; testid?: string }) {
  return (
    <div class="state empty" data-testid={props.testid ?? 'empty-state'}>
      <h3>{props.title}</h3>
      {props.children}
    </div>
  );
}

/** The "no telemetry yet" explanation, shared by the pages. */
export function NoTraffic(props: { what: string }) {
  return (
    <Empty title={`No ${props.what} yet`} testid="no-traffic">
      <p>
        The server has not received any telemetry. Send events to <code>POST /api/v1/events</code>, start the server
        with <code>--kafka</code> to read the telemetry topic, or run <code>./weft demo</code> for a simulated shop.
      </p>
    </Empty>
  );
}

/** A query refused by the parser: its message, and the query with a caret under the position. */
export function QueryErrorView(props: { query: string; error: HttpError }) {
  const pos = props.error.body.position;
  const caretCol = pos === undefined ? null : Array.from(props.query.slice(0, pos)).length;
  return (
    <div class="state error query-error" role="alert" data-testid="query-error">
      <h3>This query does not parse</h3>
      <p class="message">{props.error.message}</p>
      {caretCol !== null && (
        <pre class="caret-view" aria-label="where the problem is">
          {props.query}
          {'\n'}
          {' '.repeat(caretCol)}^
        </pre>
      )}
    </div>
  );
}

export function ErrorView(props: { error: Error; onRetry?: () => void; query?: string }) {
  const e = props.error;
  if (e instanceof Unreachable) {
    return (
      <div class="state error" role="alert" data-testid="unreachable">
        <h3>Cannot reach the Weft server</h3>
        <p>
          The UI could not connect to <code>{window.location.origin}</code>. Is <code>./weft server</code> running?
          It may have stopped, or the network is down.
        </p>
        {props.onRetry && (
          <button type="button" onClick={props.onRetry}>
            Try again
          </button>
        )}
      </div>
    );
  }
  if (e instanceof HttpError) {
    if (e.status === 401) {
      return (
        <div class="state error" role="alert" data-testid="auth-needed">
          <h3>This server needs a token</h3>
          <p>{e.message}</p>
          <button type="button" onClick={() => authNeeded.set(true)}>
            Enter token
          </button>
        </div>
      );
    }
    if (e.status === 400 && props.query !== undefined && e.body.position !== undefined) {
      return <QueryErrorView query={props.query} error={e} />;
    }
    const title =
      e.status === 404
        ? 'Not found'
        : e.status === 400
          ? 'The server refused this request'
          : e.status === 503
            ? 'The server is busy'
            : e.status >= 500
              ? 'The server failed'
              : `The server answered ${e.status}`;
    return (
      <div class="state error" role="alert" data-testid={`http-${e.status}`}>
        <h3>{title}</h3>
        <p class="message">{e.message}</p>
        {props.onRetry && e.status >= 500 && (
          <button type="button" onClick={props.onRetry}>
            Try again
          </button>
        )}
      </div>
    );
  }
  return (
    <div class="state error" role="alert">
      <h3>Something went wrong</h3>
      <p class="message">{String(e.message || e)}</p>
    </div>
  );
}
