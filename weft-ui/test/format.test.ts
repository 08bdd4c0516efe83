import { describe, expect, it } from 'vitest';
import { fmtMs, fmtPercent, fmtRate, windowMs } from '../src/lib/format';

describe('formatting', () => {
  it('writes durations in a readable unit', () => {
    expect(fmtMs(0.25)).toBe('250µs');
    expect(fmtMs(4.5)).toBe('4.50ms');
    expect(fmtMs(42.25)).toBe('42.3ms');
    expect(fmtMs(420)).toBe('420ms');
    expect(fmtMs(1520)).toBe('1.52s');
    expect(fmtMs(185_000)).toBe('3m 05s');
    expect(fmtMs(2 * 3600_000 + 600_000)).toBe('2h 10m');
    expect(fmtMs(null)).toBe('–');
  });
  it('writes rates and percentages', () => {
    expect(fmtRate(120, 60)).toBe('2.0/s');
    expect(fmtRate(30, 60)).toBe('30/min');
    expect(fmtRate(2, 3600)).toBe('2.0/h');
    expect(fmtPercent(1, 3)).toBe('33%');
    expect(fmtPercent(1, 200)).toBe('0.5%');
    expect(fmtPercent(0, 0)).toBe('–');
  });
  it('reads windows', () => {
    expect(windowMs('15m')).toBe(900_000);
    expect(windowMs('7d')).toBe(7 * 86_400_000);
  });
});
