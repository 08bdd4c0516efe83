import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { store, useStore } from './store';
import type { ApiErrorBody } from './types';

/** The server answered with an error status; body is its JSON error (docs/http-api.md, "Errors"). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.error || `HTTP ${status}`);
  }
}

/** The server could not be reached at all (not running, network down). */
export class Unreachable extends Error {
  constructor(readonly url: string) {
    super('cannot reach the Weft server');
  }
}

const TOKEN_KEY = 'weft.token';

function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** The bearer token, kept in sessionStorage: it lives as long as the tab and is never written to disk. */
export const token = store<string | null>(readToken());
/** Set when the API answered 401: the app then asks for a token. */
export const authNeeded = store<boolean>(false);
/** Bumped when the token changes, so that every view fetches again. */
export const authVersion = store<number>(0);

export function setToken(t: string | null) {
  try {
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable (privacy mode): keep it in memory only
  }
  token.set(t);
  authNeeded.set(false);
  authVersion.set(authVersion.get() + 1);
}

/**
 * A 401 for the token in use asks for a token. One for a token that has since been replaced is stale (a request
 * made with a refused token that answered late) and must not reopen the dialog over the new one.
 */
export function unauthorized(sentToken: string | null) {
  if (sentToken === token.get()) authNeeded.set(true);
}

export function authHeaders(): Record<string, string> {
  const t = token.get();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** Calls the API; resolves with parsed JSON, rejects with HttpError or Unreachable. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const sentToken = token.get();
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders() };
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new Unreachable(path);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    if (res.status === 401) unauthorized(sentToken);
    const b = body && typeof body === 'object' && 'error' in body ? (body as ApiErrorBody) : { error: `HTTP ${res.status}` };
    throw new HttpError(res.status, b);
  }
  return body as T;
}

export interface Loaded<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/** Fetches path (null: nothing) and refetches when it, the token or reload() changes. Stale answers are dropped. */
export function useApi<T>(path: string | null): Loaded<T> {
  const version = useStore(authVersion);
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  const seq = useRef(0);
  useEffect(() => {
    if (path === null) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    const my = ++seq.current;
    const ctl = new AbortController();
    setState((s) => ({ data: s.data, error: null, loading: true }));
    api<T>(path, { signal: ctl.signal }).then(
      (data) => my === seq.current && setState({ data, error: null, loading: false }),
      (error: Error) => {
        if (error.name === 'AbortError' || my !== seq.current) return;
        setState({ data: null, error, loading: false });
      },
    );
    return () => ctl.abort();
  }, [path, version, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Query string from a map, skipping empty values. */
export function qs(params: Record<string, string | number | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
