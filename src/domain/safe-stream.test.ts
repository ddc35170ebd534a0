import { describe, expect, it } from 'vitest';
import { safeStream } from './safe-stream.js';
import type { StreamInfo } from './stream.js';

const info = (name: string, channels: string[]): StreamInfo => ({ name, kind: 'imu', sensor: 'accelerometer', channels, unit: 'm/s^2', nominalRateHz: 50 });

describe('safeStream: the guard on every stream a reader declares', () => {
  it('leaves a valid stream alone, without a warning', () => {
    const warnings: { code: string; message: string }[] = [];
    const s = info('accelerometer', ['x', 'y', 'z']);
    expect(safeStream(s, warnings)).toBe(s);
    expect(warnings).toEqual([]);
  });

  it('bounds a long or hostile stream name deterministically and says so', () => {
    const warnings: { code: string; message: string }[] = [];
    const raw = `${'Walk'.repeat(60)}\u202e.csv`;
    const a = safeStream(info(raw, ['x']), warnings);
    const b = safeStream(info(raw, ['x']), []);
    expect(a.name).toMatch(/^[a-z0-9_]{1,64}$/);
    expect(a.name).toBe(b.name);
    expect(warnings.map((w) => w.code)).toEqual(['stream_renamed']);
    expect(warnings[0]!.message.length).toBeLessThan(300);
  });

  it('cleans channel names: controls out, at most 64 characters, unique, never empty or "time"', () => {
    const warnings: { code: string; message: string }[] = [];
    const long = 'a'.repeat(300);
    const s = safeStream(info('accelerometer', ['x\u0000\u0007', long, long, '', 'time', 'x']), warnings);
    expect(s.channels).toEqual(['x', `${'a'.repeat(63)}…`, `${'a'.repeat(62)}_2`, 'channel_4', 'channel_5', 'x_2']);
    expect(new Set(s.channels).size).toBe(s.channels.length);
    expect(s.name).toBe('accelerometer');
    expect(warnings.map((w) => w.code)).toEqual(['channels_renamed']);
    expect(warnings[0]!.message).toContain('6 channel names');
  });
});
