import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatPercent, percentOf } from './duration';

describe('formatDuration', () => {
  it('reads h:mm:ss with padded minutes and seconds', () => {
    expect(formatDuration(0)).toBe('0:00:00');
    expect(formatDuration(7.62)).toBe('0:00:08');
    expect(formatDuration(3723.4)).toBe('1:02:03');
  });
  it('does not wrap hours at a day', () => {
    expect(formatDuration(30 * 3600 + 59)).toBe('30:00:59');
  });
  it('rounds 59.6 s up into the next minute, not to 0:00:60', () => {
    expect(formatDuration(3599.6)).toBe('1:00:00');
  });
  it('shows a dash for an unknown or impossible duration', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
  });
});

describe('percentOf and formatPercent', () => {
  it('gives the share, capped at 100', () => {
    expect(percentOf(30, 120)).toBe(25);
    expect(percentOf(200, 100)).toBe(100);
  });
  it('is 0 without a whole', () => {
    expect(percentOf(5, 0)).toBe(0);
    expect(percentOf(5, null)).toBe(0);
  });
  it('never says 0 % or 100 % of something that is not', () => {
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(0.2)).toBe('<1 %');
    expect(formatPercent(99.7)).toBe('99 %');
    expect(formatPercent(100)).toBe('100 %');
    expect(formatPercent(42.4)).toBe('42 %');
  });
});

describe('formatBytes', () => {
  it('uses 1000-based units', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
    expect(formatBytes(3.2e9)).toBe('3.2 GB');
  });
});
