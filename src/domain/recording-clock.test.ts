import { describe, expect, it } from 'vitest';
import { ClockPlacement, planClock, type ClockWarning } from './recording-clock.js';

const H = 3_600_000_000_000n;
const localNs = (iso: string): bigint => BigInt(Date.parse(`${iso}Z`)) * 1_000_000n;

describe('planClock', () => {
  it('takes the zone from the file, else the upload, else the study, and skips what is no zone', () => {
    const local = { absoluteTime: true, clock: 'device-local' as const };
    expect(planClock(local, { file: 'Asia/Tokyo', upload: 'Europe/Berlin', study: 'UTC' })).toMatchObject({ clock: 'device-local', zone: 'Asia/Tokyo', zoneSource: 'file' });
    expect(planClock(local, { upload: 'Europe/Berlin', study: 'UTC' })).toMatchObject({ zone: 'Europe/Berlin', zoneSource: 'upload' });
    const p = planClock(local, { upload: 'Mars/Olympus', study: '+05:30' });
    expect(p).toMatchObject({ clock: 'device-local', zone: '+05:30', zoneSource: 'study' });
    expect(p.warnings.map((w) => w.code)).toEqual(['timezone_unknown']);
  });

  it('names every clock kind', () => {
    expect(planClock({ absoluteTime: false }, { upload: 'Europe/Berlin' }).clock).toBe('relative');
    expect(planClock({ absoluteTime: true }, {}).clock).toBe('utc');
    const unknown = planClock({ absoluteTime: true, clock: 'device-local' }, {});
    expect(unknown.clock).toBe('device-local-unknown-zone');
    expect(unknown.warnings.map((w) => w.code)).toEqual(['device_local_clock']);
  });
});

describe('ClockPlacement', () => {
  function placement(zones: { file?: string; upload?: string; study?: string }): { c: ClockPlacement; warnings: ClockWarning[] } {
    const warnings: ClockWarning[] = [];
    return { c: new ClockPlacement(() => zones, (w) => warnings.push(w)), warnings };
  }

  it('shifts a device-local clock by the offset at its local start, for every later time', () => {
    const { c, warnings } = placement({ upload: 'Europe/Berlin' });
    const start = localNs('2026-10-24T12:00:00');
    c.onRecording({ startTimeNs: start, absoluteTime: true, clock: 'device-local' });
    expect(c.shiftFor(start + 30n * H)).toBe(-2n * H); // summer time at the start, even for a time after the change
    expect(c.shiftFor(start)).toBe(-2n * H);
    expect(c.startTimeNs(0n)).toBe(start - 2n * H);
    c.finish(start - 2n * H, start + 22n * H);
    expect(warnings.map((w) => w.code)).toEqual(['clock_converted', 'clock_dst_crossing']);
    expect(warnings[1]!.message).toContain('2026-10-25T01:00:00.000Z');
  });

  it('fixes the shift by the first time seen when the reader gives no start', () => {
    const { c } = placement({ study: 'America/New_York' });
    c.onRecording({ startTimeNs: null, absoluteTime: true, clock: 'device-local' });
    const first = localNs('2026-01-10T08:00:00');
    expect(c.shiftFor(first)).toBe(5n * H);
    expect(c.startTimeNs(first + 5n * H)).toBe(first + 5n * H);
  });

  it('leaves UTC and relative times alone', () => {
    const utc = placement({ upload: 'Europe/Berlin' });
    utc.c.onRecording({ startTimeNs: 123n, absoluteTime: true });
    expect(utc.c.shiftFor(123n)).toBe(0n);
    expect(utc.c.startTimeNs(100n)).toBe(123n);
    utc.c.finish(0n, 10n * H);
    expect(utc.warnings).toEqual([]);
    const rel = placement({});
    rel.c.onRecording({ startTimeNs: null, absoluteTime: false });
    expect(rel.c.shiftFor(0n)).toBe(0n);
    expect(rel.c.startTimeNs(0n)).toBeNull();
  });
});
