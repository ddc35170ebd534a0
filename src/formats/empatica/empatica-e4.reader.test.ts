import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { empaticaE4CsvReader, parseE4Tags, unixSecondsToNs } from './empatica-e4.reader.js';
import { appError, collect, detectWith } from '../common/reader-collect.test-support.js';
import { sensorLoggerCsvReader } from '../sensor-logger/sensor-logger-csv.reader.js';
import { zipContainerReader } from '../archive/zip-container.reader.js';
import { buildZip } from '../archive/zip-writer.test-support.js';

/** Values checked against test/fixtures/flirt-empatica-e4/README.md (FLIRT's E4 test export). */

const G = 9.80665;
const FILES = ['ACC.csv', 'BVP.csv', 'EDA.csv', 'TEMP.csv', 'HR.csv', 'IBI.csv', 'tags.csv', 'info.txt'];
const START = 1560279825n * 1_000_000_000n;
const enc = new TextEncoder();

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../test/fixtures/flirt-empatica-e4/${name}`, import.meta.url))));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('empatica-e4-csv reader (one file)', () => {
  it('reads ACC.csv: 9,998 samples at 32 Hz in 1/64 g → m/s²', async () => {
    const r = await collect(empaticaE4CsvReader, fixture('ACC.csv'), 'ACC.csv', {}, 4096);
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: START, absoluteTime: true });
    const acc = r.stream('accelerometer');
    expect(acc.info).toEqual({
      name: 'accelerometer', kind: 'imu', sensor: 'accelerometer', channels: ['x', 'y', 'z'], unit: 'm/s^2',
      originalUnit: '1/64 g', range: 2 * G, frame: 'device', nominalRateHz: 32,
    });
    expect(acc.rows).toBe(9998);
    expect(acc.t[0]).toBe(START);
    expect(acc.t[1]).toBe(START + 31_250_000n);
    expect(acc.t[9997]).toBe(START + 9997n * 31_250_000n);
    // The file's own form, start + rate: every chunk carries the 32 Hz clock from the start time, no time per row.
    expect(acc.chunks.map((c) => [c.regular?.clock.rate, c.regular?.clock.baseNs])).toEqual(acc.chunks.map(() => [32, START]));
    expect(acc.chunks.map((c) => c.regular?.firstFrame)).toEqual(acc.chunks.map((_, i) => acc.chunks.slice(0, i).reduce((a, c) => a + c.length, 0)));
    expect(acc.col('x').slice(0, 2)).toEqual([Math.fround((-61 * G) / 64), Math.fround((-62 * G) / 64)]);
    expect(acc.col('z')[0]).toBe(Math.fround((6 * G) / 64));
    expect(acc.col('y')[9997]).toBe(Math.fround((41 * G) / 64));
    const x = acc.col('x');
    const y = acc.col('y');
    const z = acc.col('z');
    const counts = x.map((_, i) => Math.hypot(x[i]!, y[i]!, z[i]!) / (G / 64));
    expect(median(counts)).toBeCloseTo(64, 0);
    expect(r.metadata[0]).toEqual({ device: { kind: 'wearable', model: 'Empatica E4', app: 'E4 Connect' } });
    expect(r.warnings).toEqual([]);
  });

  it('reads BVP, EDA, TEMP and HR with their rates, units and starts', async () => {
    const cases = [
      ['BVP.csv', 'bvp', 64, 9998, 'au', START],
      ['EDA.csv', 'eda', 4, 9998, 'uS', START],
      ['TEMP.csv', 'temperature', 4, 4998, 'degC', START],
      ['HR.csv', 'heart_rate', 1, 4998, 'bpm', START + 10_000_000_000n],
    ] as const;
    for (const [file, name, rate, rows, unit, start] of cases) {
      const r = await collect(empaticaE4CsvReader, fixture(file), file);
      const s = r.stream(name);
      expect(s.info.nominalRateHz).toBe(rate);
      expect(s.info.unit).toBe(unit);
      expect(s.rows).toBe(rows);
      expect(s.t[0]).toBe(start);
      expect(s.t[rows - 1]! - s.t[0]!).toBe(BigInt(Math.round(((rows - 1) * 1e9) / rate)));
    }
    const temp = await collect(empaticaE4CsvReader, fixture('TEMP.csv'), 'TEMP.csv');
    expect(temp.stream('temperature').col('temperature')[0]).toBe(Math.fround(32.13));
    const hr = await collect(empaticaE4CsvReader, fixture('HR.csv'), 'HR.csv');
    expect(hr.stream('heart_rate').col('hr').slice(0, 3)).toEqual([93, 101, 100]);
  });

  it('reads IBI.csv as irregular beats at start + offset', async () => {
    const r = await collect(empaticaE4CsvReader, fixture('IBI.csv'), 'IBI.csv');
    const ibi = r.stream('ibi');
    expect(ibi.chunks.every((c) => c.regular === undefined)).toBe(true);
    expect(ibi.info.nominalRateHz).toBeNull();
    expect(ibi.rows).toBe(4999);
    expect(ibi.t[0]).toBe(START + 83_503_822_000n);
    expect(ibi.col('ibi')[0]).toBe(Math.fround(0.609403));
    expect(ibi.t[4998]).toBe(START + 8_934_049_576_000n);
    expect(ibi.col('ibi')[4998]).toBe(Math.fround(1.234432));
  });

  it('sniffs the two header rows, not the name', () => {
    const sniff = (name: string, text?: string): boolean =>
      empaticaE4CsvReader.sniff({ head: text === undefined ? fixture(name).subarray(0, 65536) : enc.encode(text), filename: 'upload.csv' });
    for (const f of ['ACC.csv', 'BVP.csv', 'EDA.csv', 'TEMP.csv', 'HR.csv', 'IBI.csv']) expect(sniff(f)).toBe(true);
    expect(sniff('', 'time,seconds_elapsed,x\n1,0,1\n')).toBe(false);
    expect(sniff('', '12,13\n4,4\n')).toBe(false);
    expect(sniff('', '1560279825.0, 1560279826.0\n32, 32\n')).toBe(true);
    expect(sniff('', '1560279825.0\n')).toBe(false);
  });

  it('tells files apart by shape when the name does not say, and refuses to guess EDA vs TEMP', async () => {
    const bvp = await collect(empaticaE4CsvReader, fixture('BVP.csv'), 'upload.csv');
    expect(bvp.stream('bvp').rows).toBe(9998);
    const e = await appError(() => collect(empaticaE4CsvReader, fixture('EDA.csv'), 'upload.csv'));
    expect(e.code).toBe('csv_ambiguous');
    expect(e.message).toContain('EDA.csv or TEMP.csv');
  });

  it('rejects damaged and hostile files clearly', async () => {
    const rows = await appError(() => collect(empaticaE4CsvReader, enc.encode('1560279825.0\n4.0\n'), 'EDA.csv'));
    expect(rows.code).toBe('no_samples');
    const cols = await appError(() => collect(empaticaE4CsvReader, enc.encode('1560279825.0,1560279825.0,1560279825.0\n32,32,32\n1,2,3\n1,2\n'), 'ACC.csv'));
    expect(cols.code).toBe('csv_column_count');
    expect(cols.details).toMatchObject({ line: 4 });
    const rate = await appError(() => collect(empaticaE4CsvReader, enc.encode('1560279825.0\n1e9\n1\n'), 'BVP.csv'));
    expect(rate.code).toBe('format_limits');
    const junk = await collect(empaticaE4CsvReader, enc.encode('1560279825.0\n4.0\n0.1\nabc\n0.3'), 'EDA.csv');
    expect(junk.stream('eda').col('eda')).toEqual([Math.fround(0.1), Number.NaN, Math.fround(0.3)]);
    expect(junk.warnings[0]).toMatchObject({ code: 'csv_non_numeric', count: 1 });
    expect(junk.warnings[0]!.message).toContain('line 4');
    const long = await appError(() => collect(empaticaE4CsvReader, enc.encode(`1560279825.0\n4.0\n${'1'.repeat(100_000)}`), 'EDA.csv', {}, 1024));
    expect(long.code).toBe('format_limits');
  });

  it('parses Unix seconds exactly and tags as annotations', () => {
    expect(unixSecondsToNs('1560279825.123456')).toBe(1560279825123456000n);
    expect(unixSecondsToNs('1560279825')).toBe(1560279825n * 1_000_000_000n);
    const tags = parseE4Tags('1560279900.5\r\n\r\n1560280000.25\nnot a time\n', 'tags.csv');
    expect(tags.labels).toEqual([
      { label: 'tag', startNs: 1560279900500000000n, endNs: null, origin: 'tags.csv' },
      { label: 'tag', startNs: 1560280000250000000n, endNs: null, origin: 'tags.csv' },
    ]);
    expect(tags.bad).toBe(1);
  });
});

describe('empatica E4 export zipped (one recording)', () => {
  it('reads the whole set as one recording with six streams and the button presses', async () => {
    const entries = FILES.map((name, i) => ({ name, data: fixture(name), method: i % 2 === 0 ? ('deflate' as const) : ('stored' as const) }));
    entries.push({ name: 'tags.csv', data: enc.encode('1560279900.5\n1560280000.25\n'), method: 'stored' });
    entries.splice(6, 1); // the fixture's tags.csv is empty: use one with two presses instead
    const zip = buildZip(entries);
    const r = await collect(zipContainerReader, zip, '1560279825_A01234.zip', { detect: detectWith([sensorLoggerCsvReader]) });
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: START, absoluteTime: true });
    expect([...r.streams.keys()]).toEqual(['accelerometer', 'bvp', 'eda', 'temperature', 'heart_rate', 'ibi']);
    expect(r.stream('accelerometer').rows).toBe(9998);
    expect(r.stream('heart_rate').t[0]).toBe(START + 10_000_000_000n);
    expect(r.stream('ibi').rows).toBe(4999);
    expect(r.stream('eda').info.sourceFile).toBe('EDA.csv');
    expect(r.annotations.map((a) => [a.label, a.startNs])).toEqual([
      ['tag', 1560279900500000000n],
      ['tag', 1560280000250000000n],
    ]);
    expect(r.metadata[0]?.device).toEqual({ kind: 'wearable', model: 'Empatica E4', app: 'E4 Connect' });
    expect(r.warnings).toEqual([]);
  });

  it('reads the fixture set with its empty tags.csv without a warning', async () => {
    const zip = buildZip(FILES.map((name) => ({ name: `e4/${name}`, data: fixture(name), method: 'deflate' as const })));
    const r = await collect(zipContainerReader, zip, 'e4.zip', { detect: detectWith([]) });
    expect(r.streams.size).toBe(6);
    expect(r.annotations).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});
