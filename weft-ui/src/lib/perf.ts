// Timings the browser tests read (window.__weftPerf), in milliseconds since the page started loading.
type Perf = Record<string, number | string>;

export function perf(): Perf {
  const w = window as unknown as { __weftPerf?: Perf };
  return (w.__weftPerf ??= {});
}

export function mark(name: string) {
  perf()[name] = performance.now();
}

/** Marks `name` once the browser has painted what was just rendered. */
export function markAfterPaint(name: string, then?: () => void) {
  requestAnimationFrame(() =>
    setTimeout(() => {
      mark(name);
      then?.();
    }, 0),
  );
}
