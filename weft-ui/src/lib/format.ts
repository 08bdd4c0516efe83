// Formatting of times, durations and numbers. Times in the API are 100-ns ticks since the Unix epoch.

export const TICKS_PER_MS = 10_000;

export function ticksToMs(t: number): number {
  return t / TICKS_PER_MS;
}

/** A duration given in milliseconds, in the largest sensible unit: 830µs, 12.4ms, 1.52s, 3m 05s, 2h 10m, 3d 4h. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const a = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (a === 0) return '0ms';
  if (a < 1) return `${sign}${Math.round(a * 1000)}µs`;
  if (a < 10) return `${sign}${a.toFixed(2)}ms`;
  if (a < 100) return `${sign}${a.toFixed(1)}ms`;
  if (a < 1000) return `${sign}${Math.round(a)}ms`;
  if (a < 10_000) return `${sign}${(a / 1000).toFixed(2)}s`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(1)}s`;
  const s = Math.round(a / 1000);
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  if (m < 24 * 60) return `${sign}${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
  const hrs = Math.round(m / 60);
  return `${sign}${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

export function fmtTicksDuration(t: number | null | undefined): string {
  return t === null || t === undefined ? '–' : fmtMs(ticksToMs(t));
}

function pad(n: number, w = 2) {
  return String(n).padStart(w, '0');
}

/** Local wall-clock time with milliseconds; the date too unless it is today. */
export function fmtTime(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const d = new Date(ms);
  const n = new Date(now);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const sameDay = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

export function fmtTicksTime(t: number | null | undefined): string {
  return t === null || t === undefined ? '–' : fmtTime(ticksToMs(t));
}

export function isoTicks(t: number | null | undefined): string {
  if (t === null || t === undefined) return '';
  try {
    return new Date(ticksToMs(t)).toISOString();
  } catch {
    return '';
  }
}

/** A plain number with as many decimals as its size needs: 1234, 12.5, 1.25, 0.125. */
export function fmtNum(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return String(Math.round(v));
  const digits = a >= 10 ? 1 : a >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(a)));
  return String(Number(v.toFixed(digits)));
}

export function fmtCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function fmtPercent(part: number, whole: number): string {
  if (!whole) return '–';
  const p = (100 * part) / whole;
  if (p === 0) return '0%';
  if (p < 0.1) return '<0.1%';
  return p < 10 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

/** A rate given as count over seconds, in the unit that reads best: 12/s, 3.5/min, 2/h. */
export function fmtRate(count: number, seconds: number): string {
  if (!seconds || seconds <= 0) return '–';
  const perS = count / seconds;
  if (perS >= 1) return `${perS >= 10 ? Math.round(perS) : perS.toFixed(1)}/s`;
  const perMin = perS * 60;
  if (perMin >= 1) return `${perMin >= 10 ? Math.round(perMin) : perMin.toFixed(1)}/min`;
  const perH = perMin * 60;
  return `${perH >= 10 ? Math.round(perH) : perH.toFixed(perH < 0.1 ? 2 : 1)}/h`;
}

export function shortId(id: string | null | undefined, n = 8): string {
  if (!id) return '–';
  return id.length > n ? id.slice(0, n) : id;
}

/** Durations the windows and the `since` parameter accept, e.g. 15m, 24h, 7d, in milliseconds. */
export function windowMs(w: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(w);
  if (!m) return 24 * 3600_000;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return parseFloat(m[1]) * unit;
}
