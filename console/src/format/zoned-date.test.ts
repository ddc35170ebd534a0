import { describe, expect, it } from 'vitest';
import { formatZonedStart } from './zoned-date';

describe('formatZonedStart', () => {
  it("shows the recording's own wall clock and zone, not the viewer's", () => {
    // 06:25 UTC in winter is 07:25 in Berlin (CET).
    const s = formatZonedStart('2026-01-15T06:25:54.632Z', 'Europe/Berlin', 'device-local');
    expect(s.text).toBe('15 Jan 2026, 07:25');
    expect(s.zone).toBe('CET');
    expect(s.title).toContain('2026-01-15T06:25:54.632Z');
  });
  it('follows the zone across daylight saving time', () => {
    const s = formatZonedStart('2026-07-15T06:25:00Z', 'Europe/Berlin', 'utc');
    expect(s.text).toBe('15 Jul 2026, 08:25');
    expect(s.zone).toBe('CEST');
  });
  it('changes the date when the zone is past midnight', () => {
    const s = formatZonedStart('2026-03-01T20:30:00Z', 'Asia/Tokyo', 'utc');
    expect(s.text).toBe('2 Mar 2026, 05:30');
    expect(s.zone).toBe('GMT+9');
  });
  it('falls back to UTC without a zone, or with a zone the runtime does not know', () => {
    expect(formatZonedStart('2026-03-01T20:30:00Z', undefined, 'utc')).toMatchObject({ text: '1 Mar 2026, 20:30', zone: 'UTC' });
    expect(formatZonedStart('2026-03-01T20:30:00Z', 'Mars/Olympus', 'utc')).toMatchObject({ text: '1 Mar 2026, 20:30', zone: 'UTC' });
  });
  it('says there is no wall clock for a relative clock', () => {
    expect(formatZonedStart(null, 'Europe/Berlin', 'relative')).toMatchObject({ text: 'no wall clock', zone: '' });
    expect(formatZonedStart('1970-01-01T00:00:00Z', undefined, 'relative').text).toBe('no wall clock');
  });
  it('shows a dash for a recording not read (yet): no start, no clock', () => {
    expect(formatZonedStart(null, null, null)).toMatchObject({ text: '—', zone: '' });
  });
  it('shows a device clock of unknown zone as local time, not as UTC', () => {
    expect(formatZonedStart('2026-03-01T20:30:00Z', undefined, 'device-local-unknown-zone')).toMatchObject({ text: '1 Mar 2026, 20:30', zone: 'local' });
  });
});
