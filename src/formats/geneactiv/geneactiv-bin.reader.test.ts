import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ImportedLabel, ReaderEvent, RecordingMetadata, SampleChunk, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { chunked } from '../common/byte-source.js';
import { geneactivBinReader } from './geneactiv-bin.reader.js';
import { inMemoryContext } from '../common/in-memory-context.test-support.js';

const BIN = readFileSync(fileURLToPath(new URL('../../../test/fixtures/ggirread-wearables/GENEActiv_testfile.bin', import.meta.url)));
const G = 9.80665;
const enc = new TextEncoder();

interface Read {
  events: ReaderEvent[];
  streams: Map<string, StreamInfo>;
  warnings: { code: string; message: string; count?: number }[];
  metadata: RecordingMetadata | undefined;
  labels: ImportedLabel[];
  rows(stream: string): number;
  t(stream: string): bigint[];
  col(stream: string, c: number): number[];
}

async function read(bytes: Uint8Array | string, pieceSize = 65_536): Promise<Read> {
  const b = typeof bytes === 'string' ? enc.encode(bytes) : bytes;
  const events: ReaderEvent[] = [];
  for await (const ev of geneactivBinReader.read(chunked(b, pieceSize), inMemoryContext(b, 'x.bin'))) events.push(ev);
  const chunks = (s: string): SampleChunk[] => events.flatMap((e) => (e.type === 'chunk' && e.stream === s ? [e.chunk] : []));
  return {
    events,
    streams: new Map(events.flatMap((e) => (e.type === 'stream' ? [[e.stream.name, e.stream] as const] : []))),
    warnings: events.flatMap((e) => (e.type === 'warning' ? [{ code: e.code, message: e.message, ...(e.count !== undefined ? { count: e.count } : {}) }] : [])),
    metadata: events.flatMap((e) => (e.type === 'metadata' ? [e.metadata] : []))[0],
    labels: events.flatMap((e) => (e.type === 'annotation' ? [e.annotation] : [])),
    rows: (s) => chunks(s).reduce((a, c) => a + c.length, 0),
    t: (s) => chunks(s).flatMap((c) => Array.from(c.t)),
    col: (s, i) => chunks(s).flatMap((c) => Array.from(c.values[i]!)),
  };
}

async function readError(bytes: Uint8Array | string): Promise<AppError> {
  try {
    await read(bytes, 97);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

const HEADER = [
  'Device Identity',
  'Device Unique Serial Code:000042',
  'Device Type:GENEActiv',
  'Device Model:1.1',
  '',
  'Configuration Info',
  'Measurement Frequency:100 Hz',
  'Time Zone:GMT +02:00',
  '',
  'Calibration Data',
  'x gain:25600',
  'x offset:0',
  'y gain:25600',
  'y offset:0',
  'z gain:25600',
  'z offset:0',
  'Volts:300',
  'Lux:800',
  '',
  'Memory Status',
  'Number of Pages:3',
  '',
];

function hex3(v: number): string {
  return (v & 0xfff).toString(16).toUpperCase().padStart(3, '0');
}

/** One page of `n` samples at 100 Hz: x = 256 (1 g), y = −128, z = k; light 10, button bit from `pressed`. */
function page(seq: number, time: string, n = 300, pressed: (k: number) => boolean = () => false, rate = '100'): string[] {
  let data = '';
  for (let k = 0; k < n; k++) data += hex3(256) + hex3(-128) + hex3(k) + hex3((10 << 2) | (pressed(k) ? 2 : 0));
  return ['Recorded Data', 'Device Unique Serial Code:000042', `Sequence Number:${seq}`, `Page Time:${time}`, 'Unassigned:', 'Temperature:24.5', 'Battery voltage:4.05', 'Device Status:Recording', `Measurement Frequency:${rate}`, data];
}

function file(header: string[], ...pages: string[][]): string {
  return [...header, ...pages.flat()].join('\r\n') + '\r\n';
}

const THREE = file(HEADER, page(0, '2024-03-01 10:00:00:000'), page(1, '2024-03-01 10:00:03:000'), page(2, '2024-03-01 10:00:06:000'));
/** 2024-03-01 08:00:00Z (10:00 at GMT+02:00). */
const T0 = 1_709_280_000n * 1_000_000_000n;

describe('geneactiv-bin reader: the GGIRread test file', () => {
  it('is claimed by content', () => {
    expect(geneactivBinReader.sniff({ head: BIN.subarray(0, 65_536), filename: 'x.csv' })).toBe(true);
    expect(geneactivBinReader.sniff({ head: enc.encode('Device Identity\nDevice Type:Other\n'), filename: 'x.bin' })).toBe(false);
    expect(geneactivBinReader.sniff({ head: enc.encode('time,x,y,z\n'), filename: 'x.bin' })).toBe(false);
  });

  it('reads the header: device, calibration, rate, range, time zone', async () => {
    const r = await read(BIN);
    expect(r.metadata?.device).toEqual({ kind: 'wearable', model: 'GENEActiv 1.1', serial: '012967' });
    expect(r.metadata?.timezone).toBe('Etc/GMT-1');
    expect(r.metadata?.session).toMatchObject({ measurementFrequencyHz: 85.7, timeZone: 'GMT +01:00', pagesDeclared: 222_048, startTime: '2013-05-30 10:12:49:500' });
    const acc = r.streams.get('accelerometer')!;
    expect(acc).toMatchObject({ unit: 'm/s^2', originalUnit: 'g', nominalRateHz: 85.7, frame: 'device' });
    expect(acc.range).toBeCloseTo(8 * G, 9);
    expect(acc.calibration).toMatchObject({ gain: [25875, 25734, 25538], offset: [439, -662, -3056] });
    expect(r.streams.get('light')?.unit).toBe('lux');
  });

  it('gives the README / GGIRread values', async () => {
    const r = await read(BIN);
    // 16 whole pages of 300 samples, and the cut 17th page's 231 complete samples.
    expect(r.rows('accelerometer')).toBe(16 * 300 + 231);
    // First page time 2013-05-30 10:12:54.500 at GMT+01:00 (GGIRread, reading it as UTC, gives 1369908774.5).
    expect(r.events[0]).toEqual({ type: 'recording', startTimeNs: 1_369_905_174_500_000_000n, absoluteTime: true, clock: 'utc' });
    expect(r.t('accelerometer')[0]).toBe(1_369_905_174_500_000_000n);
    expect(r.col('accelerometer', 2)[299]! / G).toBeCloseTo(-0.808364033699, 6);
    expect(r.col('light', 0)[1]).toBeCloseTo(2.666667, 5);
    expect(r.col('temperature', 0)[0]).toBe(21.5);
    expect(r.col('battery', 0)[0]).toBeCloseTo(4.1493, 5);
    expect(r.rows('temperature')).toBe(17);
  });

  it('spreads each page over the 3.5 s to the next page, and warns about the cut end and the page count', async () => {
    const r = await read(BIN);
    const t = r.t('accelerometer');
    // 300 samples per 3.5 s: 11.667 ms (the header's 85.7 Hz is rounded from 85.714 Hz).
    expect(Math.abs(Number(t[1]! - t[0]!) - 11_666_667)).toBeLessThanOrEqual(1);
    expect(t[300]! - t[0]!).toBe(3_500_000_000n);
    for (let i = 1; i < t.length; i++) expect(t[i]! > t[i - 1]!).toBe(true);
    expect(r.warnings.map((w) => w.code)).toEqual(['geneactiv_truncated', 'geneactiv_page_count']);
    expect(r.warnings[1]!.message).toContain('declares 222,048 pages but the file holds 17');
  });

  it('reads the same whatever the size of the pieces the bytes arrive in', async () => {
    const whole = await read(BIN);
    const small = await read(BIN, 13);
    expect(small.t('accelerometer')).toEqual(whole.t('accelerometer'));
    expect(small.col('accelerometer', 0)).toEqual(whole.col('accelerometer', 0));
  });
});

describe('geneactiv-bin reader: synthetic files', () => {
  it('calibrates, places pages in UTC from the header time zone, and keeps the last page at its rate', async () => {
    const r = await read(THREE);
    expect(r.rows('accelerometer')).toBe(900);
    expect(r.col('accelerometer', 0)[0]).toBeCloseTo(G, 5);
    expect(r.col('accelerometer', 1)[0]).toBeCloseTo(-G / 2, 5);
    expect(r.col('accelerometer', 2)[10]).toBeCloseTo((10 / 256) * G, 5);
    expect(r.col('light', 0)[0]).toBeCloseTo((10 * 800) / 300, 4);
    const t = r.t('accelerometer');
    expect(t[0]).toBe(T0);
    expect(t[300]).toBe(T0 + 3_000_000_000n);
    expect(t[1]! - t[0]!).toBe(10_000_000n);
    expect(t[899]! - t[898]!).toBe(10_000_000n);
    expect(r.warnings).toEqual([]);
    expect(r.metadata?.timezone).toBe('Etc/GMT-2');
  });

  it('turns button presses into annotations', async () => {
    const r = await read(file(HEADER, page(0, '2024-03-01 10:00:00:000', 300, (k) => k >= 100 && k < 150), page(1, '2024-03-01 10:00:03:000', 300, (k) => k >= 290), page(2, '2024-03-01 10:00:06:000', 300, (k) => k < 10)));
    expect(r.labels).toEqual([
      { label: 'button press', startNs: T0 + 1_000_000_000n, endNs: T0 + 1_500_000_000n, origin: 'GENEActiv button' },
      { label: 'button press', startNs: T0 + 5_900_000_000n, endNs: T0 + 6_100_000_000n, origin: 'GENEActiv button' },
    ]);
  });

  it('says the clock is device-local when the header has no time zone', async () => {
    const r = await read(file(HEADER.filter((l) => !l.startsWith('Time Zone')), page(0, '2024-03-01 10:00:00:000')));
    expect(r.t('accelerometer')[0]).toBe(T0 + 7_200_000_000_000n);
    expect(r.events.find((e) => e.type === 'recording')).toMatchObject({ absoluteTime: true, clock: 'device-local' });
    expect(r.metadata?.session?.clock).toBe('device-local');
  });
});

describe('geneactiv-bin reader: damaged and hostile files', () => {
  it('keeps the complete samples of a file cut inside a hex line', async () => {
    const cut = THREE.slice(0, THREE.length - 12 * 100 - 7);
    const r = await read(cut);
    expect(r.rows('accelerometer')).toBe(600 + 199);
    expect(r.warnings.find((w) => w.code === 'geneactiv_truncated')?.message).toContain('last 7 hex digit(s)');
  });

  it('says so when the file is cut inside a page header, or before any page', async () => {
    const cut = THREE.slice(0, THREE.indexOf('Page Time:2024-03-01 10:00:06'));
    const r = await read(cut);
    expect(r.rows('accelerometer')).toBe(600);
    expect(r.warnings.find((w) => w.code === 'geneactiv_truncated')?.message).toContain('inside the header of its last page');
    expect((await readError(file(HEADER))).code).toBe('format_truncated');
  });

  it('skips a page with garbage in its data and lines of garbage between pages', async () => {
    const p1 = page(1, '2024-03-01 10:00:03:000');
    p1[9] = `${p1[9]!.slice(0, 1000)}zz${p1[9]!.slice(1002)}`;
    const text = file(HEADER, page(0, '2024-03-01 10:00:00:000'), p1, ['\u0000\u0001garbage ### line', 'more:garbage'], page(2, '2024-03-01 10:00:06:000'));
    const r = await read(text);
    expect(r.rows('accelerometer')).toBe(600);
    const bad = r.warnings.find((w) => w.code === 'geneactiv_bad_page')!;
    expect(bad.count).toBe(1);
    expect(bad.message).toContain('characters that are not hex digits: 1');
    expect(r.warnings.find((w) => w.code === 'geneactiv_garbage')?.count).toBe(1);
    // Page 0 is not stretched over the skipped page.
    const t = r.t('accelerometer');
    expect(t[299]! - t[298]!).toBe(10_000_000n);
    expect(t[300]).toBe(T0 + 6_000_000_000n);
  });

  it('rejects a header with an absurd measurement frequency or no calibration', async () => {
    const absurd = await readError(file(HEADER.map((l) => (l.startsWith('Measurement Frequency') ? 'Measurement Frequency:1e9 Hz' : l)), page(0, '2024-03-01 10:00:00:000')));
    expect(absurd.code).toBe('format_limits');
    const noCal = await readError(file(HEADER.filter((l) => !l.includes('gain')), page(0, '2024-03-01 10:00:00:000')));
    expect(noCal.code).toBe('format_corrupt');
    const zeroGain = await readError(file(HEADER.map((l) => (l === 'y gain:25600' ? 'y gain:0' : l)), page(0, '2024-03-01 10:00:00:000')));
    expect(zeroGain.message).toContain('gain of 0');
  });

  it('skips pages claiming an absurd rate or holding no samples, and rejects a file where no page can be read', async () => {
    const r = await read(file(HEADER, page(0, '2024-03-01 10:00:00:000'), page(1, '2024-03-01 10:00:03:000', 300, undefined, '99999'), page(2, '2024-03-01 10:00:06:000', 0)));
    expect(r.rows('accelerometer')).toBe(300);
    expect(r.warnings.find((w) => w.code === 'geneactiv_bad_page')?.message).toMatch(/impossible measurement frequency: 1.*no samples: 1|no samples: 1.*impossible measurement frequency: 1/);
    const e = await readError(file(HEADER, page(0, 'yesterday'), page(1, 'not a time')));
    expect(e.code).toBe('format_corrupt');
    expect(e.message).toContain('invalid page time: 2');
  });

  it('warns when the declared page count does not match, and counts sequence gaps', async () => {
    const r = await read(file(HEADER, page(0, '2024-03-01 10:00:00:000'), page(5, '2024-03-01 10:00:15:000')));
    expect(r.warnings.find((w) => w.code === 'geneactiv_page_count')?.message).toContain('declares 3 pages but the file holds 2');
    expect(r.warnings.find((w) => w.code === 'geneactiv_sequence_gap')?.count).toBe(1);
  });

  it('stays bounded on a huge line without newlines and on a header that never ends', async () => {
    const huge = `${file(HEADER, page(0, '2024-03-01 10:00:00:000'))}${'A'.repeat(300_000)}\r\n${page(1, '2024-03-01 10:00:03:000').join('\r\n')}\r\n`;
    const r = await read(huge, 4096);
    expect(r.rows('accelerometer')).toBe(600);
    expect(r.warnings.find((w) => w.code === 'geneactiv_garbage')?.count).toBe(1);
    const endless = `Device Identity\r\nDevice Type:GENEActiv\r\n${'Key:value\r\n'.repeat(1000)}`;
    expect((await readError(endless)).code).toBe('format_corrupt');
  });
});
