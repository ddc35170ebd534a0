import { describe, expect, it } from 'vitest';
import type { ReaderEvent, StreamInfo } from '../../domain/stream.js';
import { collect, fmt, int16Data, riff } from './audio.test-support.js';
import { detectFormat } from '../registry.js';
import { wavReader } from './wav.reader.js';
import { omconvertComment, omconvertWav } from './wav-omconvert.test-support.js';

const G = 9.80665;
/** 2014-08-01 10:00:00 read as UTC, in ns. */
const START_NS = BigInt(Date.UTC(2014, 7, 1, 10, 0, 0)) * 1_000_000n;

function streams(events: ReaderEvent[]): StreamInfo[] {
  return events.flatMap((e) => (e.type === 'stream' ? [e.stream] : []));
}

function channel(events: ReaderEvent[], stream: string, c: number): number[] {
  return events.flatMap((e) => (e.type === 'chunk' && e.stream === stream ? Array.from(e.chunk.values[c]!.subarray(0, e.chunk.length)) : []));
}

function firstTimes(events: ReaderEvent[], stream: string, n: number): bigint[] {
  const ch = events.find((e): e is Extract<ReaderEvent, { type: 'chunk' }> => e.type === 'chunk' && e.stream === stream);
  return ch === undefined ? [] : Array.from(ch.chunk.t.subarray(0, n));
}

describe('WAV reader: omconvert accelerometer WAV', () => {
  // At rest, z up: 4096 of 32768 at ±8 g full scale is exactly 1 g.
  const frames = [
    [0, 0, 4096, 0x0400 | 300],
    [2048, -4096, 4096, 0x0800 | 12],
    [-32768, 32767, 0, 0x0c00 | 512],
  ];

  it('reads x, y, z as an accelerometer in m/s² (sample / 32768 × Scale g), at the WAV rate, from the comment time on the device clock', async () => {
    const r = await collect(wavReader, omconvertWav({ frames }), 7, 'CWA-DATA.wav');
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: START_NS, absoluteTime: true, clock: 'device-local' });
    expect(streams(r.events)).toEqual([
      {
        name: 'accelerometer', kind: 'imu', sensor: 'accelerometer', channels: ['x', 'y', 'z'], unit: 'm/s^2', originalUnit: 'g',
        nominalRateHz: 100, frame: 'device', range: 8 * G, calibration: { full_scale: [8, 8, 8], full_scale_unit: 'g' },
      },
    ]);
    expect(channel(r.events, 'accelerometer', 0)).toEqual([0, Math.fround(0.5 * G), Math.fround(-8 * G)]);
    expect(channel(r.events, 'accelerometer', 1)).toEqual([0, Math.fround(-G), Math.fround((32767 / 32768) * 8 * G)]);
    expect(channel(r.events, 'accelerometer', 2)).toEqual([Math.fround(G), Math.fround(G), 0]);
    expect(firstTimes(r.events, 'accelerometer', 3)).toEqual([START_NS, START_NS + 10_000_000n, START_NS + 20_000_000n]);
    expect(r.metadata?.device).toEqual({ kind: 'wearable', serial: '1234', model: 'CWA', hardware: '17', firmware: '44' });
    expect(r.metadata?.session).toMatchObject({ recording_session: '1', recording_config_a: '100,8', file_time: '2014-08-01 10:00:00.000' });
    expect(r.warnings.map((w) => w.code)).toEqual(['wav_aux_channel_skipped']);
    // Not audio: no stream named audio, no pcm unit anywhere.
    expect(streams(r.events).some((s) => s.kind === 'audio')).toBe(false);
  });

  it('is detected as WAV by content and reads the same with the INFO chunk after the data (random access)', async () => {
    const bytes = omconvertWav({ frames, infoAfterData: true });
    expect(detectFormat({ head: bytes.subarray(0, 64), filename: 'x.bin' }).name).toBe('wav');
    const r = await collect(wavReader, bytes, 13);
    expect(r.recording?.startTimeNs).toBe(START_NS);
    expect(channel(r.events, 'accelerometer', 2)).toEqual([Math.fround(G), Math.fround(G), 0]);
  });

  it('AX6 layout: accelerometer and gyroscope (deg/s → rad/s), the unnamed last channel taken as aux', async () => {
    const labels = ['Accel-X', 'Accel-Y', 'Accel-Z', 'Gyro-X', 'Gyro-Y', 'Gyro-Z', null];
    const r = await collect(wavReader, omconvertWav({ labels, frames: [[4096, 0, 0, 16384, 0, -16384, 0x0400]], time: '2023-03-26 01:59:59.500' }), 11);
    const gyro = streams(r.events).find((s) => s.name === 'gyroscope');
    expect(gyro).toMatchObject({ kind: 'imu', sensor: 'gyroscope', channels: ['x', 'y', 'z'], unit: 'rad/s', originalUnit: 'deg/s', range: 2000 * (Math.PI / 180) });
    expect(channel(r.events, 'gyroscope', 0)).toEqual([Math.fround((1000 * Math.PI) / 180)]);
    expect(channel(r.events, 'gyroscope', 2)).toEqual([Math.fround((-1000 * Math.PI) / 180)]);
    expect(channel(r.events, 'accelerometer', 0)).toEqual([Math.fround(G)]);
    expect(r.recording?.startTimeNs).toBe(BigInt(Date.UTC(2023, 2, 26, 1, 59, 59, 500)) * 1_000_000n);
    expect(r.warnings.map((w) => w.code)).toEqual(['wav_aux_channel_skipped']);
  });

  it('frames the aux channel flags as unavailable are stored as missing, not as the zeros written; clipping is counted', async () => {
    const r = await collect(wavReader, omconvertWav({ frames: [[0, 0, 4096, 0], [0, 0, 0, -32768], [0, 0, 0, -32768], [32767, 0, 4096, 0x4000]] }));
    expect(channel(r.events, 'accelerometer', 2).map((v) => (Number.isNaN(v) ? null : v))).toEqual([Math.fround(G), null, null, Math.fround(G)]);
    expect(r.warnings.find((w) => w.code === 'wav_samples_unavailable')).toMatchObject({ count: 2 });
    expect(r.warnings.find((w) => w.code === 'wav_samples_clipped')).toMatchObject({ count: 1 });
  });

  it('a plain audio WAV with a LIST/INFO comment that names no motion channel stays audio', async () => {
    const info = new Uint8Array([...new TextEncoder().encode('INFOICMT'), 6, 0, 0, 0, ...new TextEncoder().encode('hello'), 0]);
    const r = await collect(wavReader, riff([fmt({ channels: 1, rate: 8000 }), { id: 'LIST', body: info }, int16Data([1, 2, 3])]));
    expect(r.stream).toMatchObject({ name: 'audio', kind: 'audio' });
    expect(r.metadata?.session).toMatchObject({ info_icmt: 'hello' });
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: null, absoluteTime: false });
  });

  it('the comment layout is what omconvert documents', () => {
    expect(omconvertComment('2014-08-01 10:00:00.000', ['Accel-X', 'Accel-Y', 'Accel-Z', 'Aux'], [8, 8, 8, null])).toBe(
      'Time: 2014-08-01 10:00:00.000\nChannel-1: Accel-X\nScale-1: 8\nChannel-2: Accel-Y\nScale-2: 8\nChannel-3: Accel-Z\nScale-3: 8\nChannel-4: Aux',
    );
  });
});
