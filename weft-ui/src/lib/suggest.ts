// The vocabulary for autocomplete, read from the API and kept for a short while.
import { api } from './api';

const TTL_MS = 30_000;
const cache = new Map<string, { at: number; value: Promise<string[]> }>();

function cached(key: string, load: () => Promise<string[]>): Promise<string[]> {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const value = load().catch((e) => {
    cache.delete(key);
    throw e;
  });
  cache.set(key, { at: Date.now(), value });
  return value;
}

export function clearSuggestions() {
  cache.clear();
}

export const services = () =>
  cached('services', () => api<{ services: string[] }>('/api/v1/services').then((r) => r.services));

export const operations = (service: string | null) =>
  cached(`ops:${service ?? ''}`, () =>
    api<{ operations: { service: string; op: string }[] }>(
      `/api/v1/operations${service ? `?service=${encodeURIComponent(service)}` : ''}`,
    ).then((r) => [...new Set(r.operations.map((o) => o.op))].sort()),
  );

export const tagKeys = () => cached('tagkeys', () => api<{ keys: string[] }>('/api/v1/tags').then((r) => r.keys));

export const tagValues = (key: string) =>
  cached(`tag:${key}`, () =>
    api<{ values: string[] }>(`/api/v1/tags/${encodeURIComponent(key)}/values`).then((r) => r.values),
  );

export const channels = () =>
  cached('channels', () => api<{ channels: string[] }>('/api/v1/channels').then((r) => r.channels));

export const schemas = () =>
  cached('schemas', () => api<{ schemas: string[] }>('/api/v1/schemas').then((r) => r.schemas));
