// Colours shared by the canvas views and the charts (the CSS has the same palette as custom properties).
export const C = {
  ink: '#1d2330',
  muted: '#6b7385',
  line: '#b9c0cc',
  lineDim: '#d9dde4',
  bg: '#ffffff',
  ok: '#2f6fb3',
  okFill: '#e7f0fa',
  failed: '#c23b32',
  failedFill: '#fbe8e6',
  abandoned: '#b06a00',
  abandonedFill: '#fdf0dc',
  running: '#6b7385',
  runningFill: '#eef0f3',
  msg: '#5a6475',
  msgFill: '#ffffff',
  ghost: '#9aa3b2',
  critical: '#e8590c',
  select: '#7048e8',
  queue: '#9fb9d6',
  p50: '#2f6fb3',
  p95: '#e8590c',
  p99: '#c23b32',
  rate: '#2f6fb3',
  errors: '#c23b32',
};

export function statusStroke(s: string | null): string {
  return s === 'failed' ? C.failed : s === 'abandoned' ? C.abandoned : s === 'running' ? C.running : C.ok;
}

export function statusFill(s: string | null): string {
  return s === 'failed' ? C.failedFill : s === 'abandoned' ? C.abandonedFill : s === 'running' ? C.runningFill : C.okFill;
}
