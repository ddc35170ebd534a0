import { describe, expect, it } from 'vitest';
import { formatAbsolute, formatDuration, formatRelative, zoneName } from './time-format';

describe('formatRelative', () => {
  it('writes h:mm:ss.mmm from the start', () => {
    expect(formatRelative(0)).toBe('0:00:00.000');
    expect(formatRelative(3723.0456)).toBe('1:02:03.046');
    expect(formatRelative(86_399.9994)).toBe('23:59:59.999');
    expect(formatRelative(90, 0)).toBe('0:01:30');
    expect(formatRelative(1.25, 1)).toBe('0:00:01.3');
  });

  it('carries a rounded-up fraction into the seconds', () => {
    expect(formatRelative(59.9996)).toBe('0:01:00.000');
    expect(formatRelative(-1.5, 1)).toBe('−0:00:01.5');
  });
});

describe('formatDuration', () => {
  it('is compact at every scale', () => {
    expect(formatDuration(0.012)).toBe('12 ms');
    expect(formatDuration(3.254)).toBe('3.25 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(5400)).toBe('1 h 30 min');
    expect(formatDuration(86_400)).toBe('24 h');
  });
});

describe('formatAbsolute', () => {
  const start = Date.UTC(2026, 2, 29, 0, 30, 0); // 29 March 2026, 00:30 UTC: Europe/Berlin switches to CEST at 01:00 UTC

  it('writes the wall clock in the recording\'s zone', () => {
    expect(formatAbsolute(start, 0, 'Europe/Berlin')).toBe('01:30:00');
    expect(formatAbsolute(start, 0, 'UTC', 3)).toBe('00:30:00.000');
    expect(formatAbsolute(start, 0.25, 'America/New_York', 3, true)).toBe('2026-03-28 20:30:00.250');
  });

  it('follows a daylight-saving change inside the recording', () => {
    expect(formatAbsolute(start, 3600, 'Europe/Berlin')).toBe('03:30:00');
    expect(zoneName(start, 'Europe/Berlin')).toMatch(/^(CET|GMT\+1)$/);
    expect(zoneName(start + 3_600_000, 'Europe/Berlin')).toMatch(/^(CEST|GMT\+2)$/);
  });

  it('falls back to UTC for a zone it does not know', () => {
    expect(formatAbsolute(start, 0, 'Mars/Olympus')).toBe('00:30:00');
  });
});
