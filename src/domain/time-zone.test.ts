import { describe, expect, it } from 'vitest';
import { isTimeZone, offsetAtInstant, offsetAtLocal, offsetChanges } from './time-zone.js';

const local = (iso: string): number => Date.parse(`${iso}Z`);

describe('time zones', () => {
  it('knows IANA zones and fixed offsets, and refuses the rest', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('+05:30')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('+25:00')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('gives the offset at a local wall-clock time, across both daylight-saving changes', () => {
    expect(offsetAtLocal('Europe/Berlin', local('2026-01-15T12:00:00'))).toBe(60);
    expect(offsetAtLocal('Europe/Berlin', local('2026-07-15T12:00:00'))).toBe(120);
    expect(offsetAtLocal('America/New_York', local('2026-01-15T12:00:00'))).toBe(-300);
    expect(offsetAtLocal('Asia/Kolkata', local('2026-01-15T12:00:00'))).toBe(330);
    expect(offsetAtLocal('-03:00', local('2026-01-15T12:00:00'))).toBe(-180);
    // 2026-03-29 02:30 does not exist in Berlin: the clock had not moved on, so the winter offset.
    expect(offsetAtLocal('Europe/Berlin', local('2026-03-29T02:30:00'))).toBe(60);
    expect(offsetAtLocal('Europe/Berlin', local('2026-03-29T03:30:00'))).toBe(120);
    // 2026-10-25 02:30 happens twice: the first (summer) one.
    expect(offsetAtLocal('Europe/Berlin', local('2026-10-25T02:30:00'))).toBe(120);
    expect(offsetAtLocal('Europe/Berlin', local('2026-10-25T03:30:00'))).toBe(60);
    expect(offsetAtLocal('Nowhere/Land', 0)).toBeNull();
  });

  it('finds the instant of an offset change', () => {
    const from = Date.parse('2026-10-24T12:00:00Z');
    const changes = offsetChanges('Europe/Berlin', from, from + 86_400_000);
    expect(changes).toEqual([{ atMs: Date.parse('2026-10-25T01:00:00Z'), before: 120, after: 60 }]);
    expect(offsetChanges('+02:00', from, from + 86_400_000)).toEqual([]);
    expect(offsetAtInstant('Europe/Berlin', Date.parse('2026-10-25T00:59:59Z'))).toBe(120);
  });
});
