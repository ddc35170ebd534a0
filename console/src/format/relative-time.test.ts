import { describe, expect, it } from 'vitest';
import { daysSince, relativeTime } from './relative-time';

const now = Date.parse('2026-12-03T12:00:00Z');
const ago = (s: number): string => new Date(now - s * 1000).toISOString();

describe('relativeTime', () => {
  it('says never without an instant', () => {
    expect(relativeTime(null, now)).toBe('never');
  });
  it('says just now under a minute, and for a clock slightly ahead', () => {
    expect(relativeTime(ago(20), now)).toBe('just now');
    expect(relativeTime(ago(-30), now)).toBe('just now');
  });
  it('uses the largest whole unit', () => {
    expect(relativeTime(ago(5 * 60), now)).toBe('5 minutes ago');
    expect(relativeTime(ago(2 * 3600 + 59 * 60), now)).toBe('2 hours ago');
    expect(relativeTime(ago(3 * 86400 + 3600), now)).toBe('3 days ago');
    expect(relativeTime(ago(86400), now)).toBe('yesterday');
    expect(relativeTime(ago(15 * 86400), now)).toBe('2 weeks ago');
    expect(relativeTime(ago(400 * 86400), now)).toBe('last year');
  });
});

describe('daysSince', () => {
  it('counts whole days', () => {
    expect(daysSince(ago(47 * 3600), now)).toBe(1);
    expect(daysSince(ago(48 * 3600), now)).toBe(2);
    expect(daysSince(null, now)).toBeNull();
  });
});
