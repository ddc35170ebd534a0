import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ReaderEvent, RecordingMetadata, SampleChunk, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { axivityCwaReader } from './axivity-cwa.reader.js';
import { ax3Blocks, packEpochSeconds, packTimestamp, synthFile, type SynthBlock } from './axivity-cwa-synth.test-support.js';
import { chunked } from '../common/byte-source.js';
import { inMemoryContext } from '../common/in-memory-context.test-support.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/ggirread-wearables/', import.meta.url));
const AX3 = readFileSync(`${FIXTURES}ax3_testfile.cwa`);
const AX3_CORRUPT = readFileSync(`${FIXTURES}ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa`);
const G = 9.80665;
/** 2024-03-01 09:00:00 as a wall clock read as UTC. */
const START = 1_709_283_600;

interface Read {
  events: ReaderEvent[];
  streams: Map<string, StreamInfo>;
  warnings: { code: string; message: string; count?: number }[];
  metadata: RecordingMetadata | undefined;
  chunks(stream: string): SampleChunk[];
  rows(stream: string): number;
  t(stream: string): bigint[];
  col(stream: string, c: number): number[];
}

async function read(bytes: Uint8Array, pieceSize = 65_536): Promise<Read> {
  const events: ReaderEvent[] = [];
  for await (const ev of axivityCwaReader.read(chunked(bytes, pieceSize), inMemoryContext(bytes, 'x.cwa'))) events.push(ev);
  const chunks = (s: string): SampleChunk[] => events.flatMap((e) => (e.type === 'chunk' && e.stream === s ? [e.chunk] : []));
  return {
    events,
    streams: new Map(events.flatMap((e) => (e.type === 'stream' ? [[e.stream.name, e.stream] as const] : []))),
    warnings: events.flatMap((e) => (e.type === 'warning' ? [{ code: e.code, message: e.message, ...(e.count !== undefined ? { count: e.count } : {}) }] : [])),
    metadata: events.flatMap((e) => (e.type === 'metadata' ? [e.metadata] : []))[0],
    chunks,
    rows: (s) => chunks(s).reduce((a, c) => a + c.length, 0),
    t: (s) => chunks(s).flatMap((c) => Array.from(c.t)),
    col: (s, i) => chunks(s).flatMap((c) => Array.from(c.values[i]!)),
  };
}

async function readError(bytes: Uint8Array): Promise<AppError> {
  try {
    await read(bytes, 333);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

const seconds = (ns: bigint): number => Number(ns) / 1e9;

describe('axivity-cwa reader: the GGIRread AX3 test file', () => {
  it('is claimed by content', () => {
    expect(axivityCwaReader.sniff({ head: AX3.subarray(0, 65_536), filename: 'anything.bin' })).toBe(true);
    expect(axivityCwaReader.sniff({ head: new TextEncoder().encode('MD,time,x\n1,2,3\n'), filename: 'a.cwa' })).toBe(false);
    expect(axivityCwaReader.sniff({ head: new Uint8Array([0x52, 0x49, 0x46, 0x46]), filename: 'a.cwa' })).toBe(false);
  });

  it('reads the device, session and stream facts from the header', async () => {
    const r = await read(AX3);
    expect(r.events[0]).toEqual({ type: 'recording', startTimeNs: 1_551_178_506_000_488_281n, absoluteTime: true, clock: 'device-local' });
    expect(r.metadata?.device).toMatchObject({ kind: 'wearable', model: 'AX3', serial: '39434' });
    expect(r.metadata?.session).toMatchObject({
      deviceId: 39434,
      sessionId: 26,
      sampleRateHz: 100,
      accelRangeG: 8,
      annotation: '_p=right+wrist&_sc=26',
      'annotation.Body Location': 'right wrist',
      'annotation.Subject Code': '26',
    });
    expect(r.warnings).toEqual([]);
    expect(r.streams.get('accelerometer')).toEqual({
      name: 'accelerometer', kind: 'imu', sensor: 'accelerometer', channels: ['x', 'y', 'z'], unit: 'm/s^2', originalUnit: 'g',
      nominalRateHz: 100, range: 8 * G, frame: 'device',
    });
    expect([...r.streams.keys()]).toEqual(['accelerometer', 'temperature', 'light', 'battery']);
  });

  it('gives the raw samples with the README / GGIRread values', async () => {
    const r = await read(AX3);
    // 145 data blocks × 120 packed samples; GGIRread's 17,599 rows are its 100 Hz grid over the same span.
    expect(r.rows('accelerometer')).toBe(17_400);
    const t = r.t('accelerometer');
    const spanS = seconds(t.at(-1)! - t[0]!);
    expect(Math.floor(spanS * 100) + 1).toBe(17_599);
    for (let i = 1; i < t.length; i++) expect(t[i]! > t[i - 1]!).toBe(true);
    // GGIRread reads blocks 1–4 from block 1: first x = 0.7656 g, y of row 4 = −0.3125 g, time[5] = …907.255 in
    // Europe/Berlin, i.e. 10:55:07.255 on the device clock, which FieldSense reads as UTC (+3600 s).
    const x = r.col('accelerometer', 0);
    const y = r.col('accelerometer', 1);
    expect(x[120]! / G).toBeCloseTo(0.7656, 4);
    expect(y[123]! / G).toBeCloseTo(-0.3125, 4);
    expect(seconds(t[120]!)).toBeCloseTo(1_551_174_907.215 + 3600, 3);
    expect(seconds(t[124]!)).toBeCloseTo(1_551_174_907.255 + 3600, 2);
    expect(Math.abs(seconds(t[124]!) - (1_551_174_907.255 + 3600))).toBeLessThan(0.001);
    // Block 0 starts at 10:55:06.000 (GGIRread start = 0: time[5] = …906.040 in Berlin).
    expect(seconds(t[4]!) - 3600).toBeCloseTo(1_551_174_906.04, 2);
  });

  it('spreads each block over the time to the next block (the device runs at ~98.8 Hz, not 100)', async () => {
    const r = await read(AX3);
    const t = r.t('accelerometer');
    const step = (i: number): number => Number(t[i + 1]! - t[i]!);
    expect(step(0)).toBeGreaterThan(10_100_000);
    expect(step(0)).toBeLessThan(10_150_000);
    // The last block has no next block: it keeps the nominal 100 Hz.
    expect(step(t.length - 2)).toBe(10_000_000);
  });

  it('gives temperature, light and battery once per block at the block time', async () => {
    const r = await read(AX3);
    expect(r.rows('temperature')).toBe(145);
    expect(r.col('temperature', 0)[0]).toBeCloseTo(25.5859, 4); // GGIRread start = 0: temp[3] = 25.5859
    expect(r.col('temperature', 0)[1]).toBeCloseTo(26.46484, 4); // GGIRread start = 1: temp[3] = 26.46484
    expect(r.t('temperature')[1]).toBe(r.t('accelerometer')[120]);
    expect(r.col('battery', 0)[0]).toBeCloseTo(4.1133, 4);
    expect(r.col('light', 0)[0]).toBe(283);
    expect(r.streams.get('temperature')).toMatchObject({ kind: 'other', unit: 'degC' });
  });

  it('reads the same whatever the size of the pieces the bytes arrive in', async () => {
    const whole = await read(AX3);
    const bytewise = await read(AX3, 7);
    expect(bytewise.t('accelerometer')).toEqual(whole.t('accelerometer'));
    expect(bytewise.col('accelerometer', 2)).toEqual(whole.col('accelerometer', 2));
  });
});

describe('axivity-cwa reader: the copy with corrupted blocks', () => {
  it('flags exactly blocks 0, 13, 14, 142, 143, 144 and leaves their samples out', async () => {
    const clean = await read(AX3);
    const r = await read(AX3_CORRUPT);
    const bad = r.warnings.filter((w) => w.code === 'cwa_bad_block');
    expect(bad).toHaveLength(1);
    expect(bad[0]!.count).toBe(6);
    expect(bad[0]!.message).toContain('Blocks (0-based data-block index): 0, 13, 14, 142, 143, 144.');
    expect(bad[0]!.message).toContain('bad checksum: 6');
    expect(r.warnings.some((w) => w.code === 'cwa_sequence_gap')).toBe(false);
    expect(r.rows('accelerometer')).toBe(139 * 120);
    // Block 1 is now the first: the recording starts there.
    expect(r.events[0]).toMatchObject({ type: 'recording', startTimeNs: clean.t('accelerometer')[120] });
  });

  it('keeps the gap of blocks 13–14 a gap: no sample inside it, the blocks around it unchanged', async () => {
    const clean = await read(AX3);
    const r = await read(AX3_CORRUPT);
    const t = r.t('accelerometer');
    const ct = clean.t('accelerometer');
    // Rows 0–1439 are blocks 1–12; row 1440 is block 15.
    const lastBefore = t[12 * 120 - 1]!;
    const firstAfter = t[12 * 120]!;
    expect(firstAfter).toBe(ct[15 * 120]);
    expect(Number(firstAfter - lastBefore) / 1e9).toBeGreaterThan(2 * 1.2);
    expect(r.col('accelerometer', 0).slice(12 * 120, 13 * 120)).toEqual(clean.col('accelerometer', 0).slice(15 * 120, 16 * 120));
    // Block 12 is followed by a bad block: its samples keep the nominal 100 Hz instead of stretching over the hole.
    expect(Number(t[12 * 120 - 1]! - t[12 * 120 - 2]!)).toBe(10_000_000);
  });
});

describe('axivity-cwa reader: variants', () => {
  it('reads unpacked 16-bit AX3 blocks and spreads times from block to block', async () => {
    // 80 samples per block, blocks 0.81 s apart: the device's 100 Hz really runs at 98.77 Hz.
    const blocks = ax3Blocks(3, START, 0, { numAxesBps: 0x32, raw: (k, a) => (a === 0 ? 256 : a === 1 ? -128 : k) }, 0.81);
    const r = await read(synthFile({}, blocks));
    expect(r.rows('accelerometer')).toBe(240);
    expect(r.warnings).toEqual([]);
    expect(r.col('accelerometer', 0)[0]).toBeCloseTo(G, 5);
    expect(r.col('accelerometer', 1)[5]).toBeCloseTo(-G / 2, 5);
    expect(r.col('accelerometer', 2)[79]).toBeCloseTo((79 / 256) * G, 5);
    const t = r.t('accelerometer');
    expect(seconds(t[0]!)).toBeCloseTo(START, 4);
    // 0.81 s over 80 samples: 10.125 ms per sample; the last block at the nominal 10 ms.
    expect(Math.abs(Number(t[1]! - t[0]!) - 10_125_000)).toBeLessThan(1000);
    expect(Number(t[239]! - t[238]!)).toBe(10_000_000);
  });

  it('reads AX6 gyroscope + accelerometer blocks with their scales', async () => {
    // Accel scale code 4 (1/4096 g), gyro scale code 2 (2000 dps over 32768).
    const lightScale = (4 << 13) | (2 << 10) | 100;
    const blocks = ax3Blocks(2, START, 0, { numAxesBps: 0x62, lightScale, raw: (_k, a) => [16384, -16384, 1000, 4096, 0, -2048][a]! });
    const r = await read(synthFile({ hardwareType: 0x64, sensorConfig: 0x02 }, blocks));
    expect(r.metadata?.device?.model).toBe('AX6');
    expect([...r.streams.keys()]).toEqual(['accelerometer', 'gyroscope', 'temperature', 'light', 'battery']);
    expect(r.streams.get('gyroscope')).toMatchObject({ unit: 'rad/s', originalUnit: 'deg/s', frame: 'device' });
    expect(r.streams.get('gyroscope')?.range).toBeCloseTo((2000 * Math.PI) / 180, 9);
    expect(r.rows('gyroscope')).toBe(80);
    expect(r.col('gyroscope', 0)[0]).toBeCloseTo((1000 * Math.PI) / 180, 4);
    expect(r.col('gyroscope', 1)[0]).toBeCloseTo((-1000 * Math.PI) / 180, 4);
    expect(r.col('accelerometer', 0)[0]).toBeCloseTo(G, 5);
    expect(r.col('accelerometer', 2)[0]).toBeCloseTo(-G / 2, 5);
    expect(r.t('gyroscope')).toEqual(r.t('accelerometer'));
  });

  it('reads 9-axis blocks with the magnetometer in µT', async () => {
    const blocks = ax3Blocks(1, START, 0, { numAxesBps: 0x92, raw: (_k, a) => (a >= 6 ? 160 * (a - 5) : 0) });
    const r = await read(synthFile({ hardwareType: 0x64 }, blocks));
    expect(r.rows('magnetometer')).toBe(26);
    expect(r.col('magnetometer', 2)[25]).toBeCloseTo(30, 5);
  });

  it('reads very old files whose blocks carry the rate in the offset field', async () => {
    const blocks: SynthBlock[] = [0, 1].map((i) => ({ sequence: i, timestamp: packEpochSeconds(START + i), rateCode: 0, timestampOffset: 100, sampleCount: 100 }));
    const r = await read(synthFile({ rateCode: 0x4a }, blocks));
    expect(r.rows('accelerometer')).toBe(200);
    expect(seconds(r.t('accelerometer')[100]!)).toBeCloseTo(START + 1, 6);
  });
});

describe('axivity-cwa reader: damaged and hostile files', () => {
  const good = synthFile({}, ax3Blocks(10, START));

  it('keeps the whole blocks of a file cut mid-block and says so', async () => {
    const r = await read(good.subarray(0, 1024 + 5 * 512 + 200));
    expect(r.rows('accelerometer')).toBe(5 * 120);
    expect(r.warnings.find((w) => w.code === 'cwa_truncated')?.message).toContain('200 bytes into data block 5');
  });

  it('rejects a file cut inside its header or its first block', async () => {
    expect((await readError(good.subarray(0, 700))).code).toBe('format_truncated');
    expect((await readError(good.subarray(0, 1024 + 100))).code).toBe('format_truncated');
  });

  it('skips a garbage block in the middle and reads the rest', async () => {
    const bytes = good.slice();
    for (let i = 0; i < 512; i++) bytes[1024 + 4 * 512 + i] = (i * 131 + 7) & 0xff;
    const r = await read(bytes);
    expect(r.rows('accelerometer')).toBe(9 * 120);
    const bad = r.warnings.find((w) => w.code === 'cwa_bad_block');
    expect(bad?.count).toBe(1);
    expect(bad?.message).toMatch(/not a data block.*: 1/);
    expect(bad?.message).toContain('index): 4.');
  });

  it('skips blocks with a valid checksum but impossible contents', async () => {
    const blocks = ax3Blocks(6, START);
    blocks[1] = { ...blocks[1]!, sampleCount: 1000 };
    blocks[2] = { ...blocks[2]!, rateCode: 0, timestampOffset: 30_000 };
    blocks[3] = { ...blocks[3]!, timestamp: packTimestamp({ year: 2024, month: 14, day: 1, hours: 0, minutes: 0, seconds: 0 }) };
    blocks[4] = { ...blocks[4]!, numAxesBps: 0x50 };
    const r = await read(synthFile({}, blocks));
    expect(r.rows('accelerometer')).toBe(2 * 120);
    const bad = r.warnings.find((w) => w.code === 'cwa_bad_block')!;
    expect(bad.count).toBe(4);
    for (const why of ['more samples than a block holds: 1', 'impossible sample rate: 1', 'invalid timestamp: 1', 'unknown sample format: 1']) expect(bad.message).toContain(why);
  });

  it('skips blocks of 0 samples, and says there are no samples when all are', async () => {
    const blocks = ax3Blocks(3, START);
    blocks[1] = { ...blocks[1]!, sampleCount: 0 };
    const r = await read(synthFile({}, blocks));
    expect(r.rows('accelerometer')).toBe(240);
    expect(r.warnings.find((w) => w.code === 'cwa_empty_block')?.count).toBe(1);
    expect((await readError(synthFile({}, ax3Blocks(3, START, 0, { sampleCount: 0 })))).code).toBe('no_samples');
    expect((await readError(synthFile({}, []))).code).toBe('no_samples');
  });

  it('rejects a file where no block can be read, naming why', async () => {
    const e = await readError(synthFile({}, ax3Blocks(50, START, 0, { corrupt: true })));
    expect(e.code).toBe('format_corrupt');
    expect(e.message).toContain('bad checksum: 50');
  });

  it('counts sequence numbers that jump (blocks missing, or a count that does not match the file)', async () => {
    const blocks = ax3Blocks(4, START);
    blocks[2] = { ...blocks[2]!, sequence: 0xfffffff0 };
    const r = await read(synthFile({}, blocks));
    expect(r.rows('accelerometer')).toBe(480);
    expect(r.warnings.find((w) => w.code === 'cwa_sequence_gap')?.count).toBe(2);
  });

  it('keeps each block on its own clock when the clock jumps, and says where', async () => {
    const blocks = [...ax3Blocks(2, START), ...ax3Blocks(2, START + 3600, 2)];
    const r = await read(synthFile({}, blocks));
    const t = r.t('accelerometer');
    expect(Number(t[239]! - t[238]!)).toBe(10_000_000);
    expect(seconds(t[240]!) - seconds(t[0]!)).toBeCloseTo(3600 + 2.4, 3);
    expect(r.warnings.find((w) => w.code === 'cwa_time_jump')?.message).toContain('At blocks: 2.');
  });

  it('stays bounded on a long run of garbage and emits chunks of at most 65,536 rows', async () => {
    const many = synthFile({}, ax3Blocks(1200, START));
    const r = await read(many);
    expect(r.chunks('accelerometer').every((c) => c.length <= 65_536)).toBe(true);
    expect(r.rows('accelerometer')).toBe(144_000);
    const junk = new Uint8Array(1024 + 20_000 * 512).fill(0x41);
    junk.set(synthFile({}, []).subarray(0, 1024));
    expect((await readError(junk)).code).toBe('format_corrupt');
  });
});
