import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../lib/errors.js';
import { appError, collect, detectWith } from '../common/reader-collect.test-support.js';
import { sensorLoggerCsvReader } from '../sensor-logger/sensor-logger-csv.reader.js';
import { DEFAULT_ZIP_LIMITS } from './zip-central-directory.js';
import { createZipContainerReader, zipContainerReader } from './zip-container.reader.js';
import { buildZip, type TestZipEntry, type TestZipOptions } from './zip-writer.test-support.js';

/** Hostile and damaged archives: each ends in a clear code before anything is written, never a crash. */

const detect = detectWith([sensorLoggerCsvReader]);
const CSV = 'time,seconds_elapsed,x,y,z\n1000000000000000000,0,1,2,3\n1000000000010000000,0.01,4,5,6\n';

async function rejectZip(entries: TestZipEntry[], options: TestZipOptions = {}): Promise<AppError> {
  const zip = buildZip(entries, options);
  return appError(() => collect(zipContainerReader, zip, 'x.zip', { detect }));
}

describe('zip-container reader: unsafe entries', () => {
  it.each([
    ['../evil.csv', 'climbs out'],
    ['data/../../evil.csv', 'climbs out'],
    ['..', 'climbs out'],
    ['/etc/passwd', 'absolute path'],
    ['C:/Users/x.csv', 'drive letter'],
    ['C:evil.csv', 'drive letter'],
    ['dir\\..\\evil.csv', 'backslash'],
    ['a\u0000b.csv', 'control character'],
  ])('refuses the entry name %j', async (name, why) => {
    const e = await rejectZip([{ name: 'Accelerometer.csv', data: CSV }, { name, data: CSV }]);
    expect(e.code).toBe('archive_unsafe');
    expect(e.message).toContain(why);
    expect(e.details).toMatchObject({ entry: name });
  });

  it('refuses symbolic links', async () => {
    const e = await rejectZip([{ name: 'Accelerometer.csv', data: CSV }, { name: 'link.csv', data: '/etc/passwd', unixMode: 0o120777 }]);
    expect(e.code).toBe('archive_unsafe');
    expect(e.message).toContain('symbolic link');
    // A regular unix file mode is fine.
    const ok = await collect(zipContainerReader, buildZip([{ name: 'Accelerometer.csv', data: CSV, unixMode: 0o100644 }]), 'x.zip', { detect });
    expect(ok.stream('accelerometer').rows).toBe(2);
  });

  it('refuses archives inside the archive, by name and by content', async () => {
    for (const name of ['inner.zip', 'data.tar.gz', 'x.7z', 'raw.tar']) {
      const e = await rejectZip([{ name, data: 'x' }]);
      expect(e.code).toBe('archive_unsafe');
      expect(e.message).toContain('itself an archive');
    }
    const inner = buildZip([{ name: 'a.csv', data: CSV }]);
    const byContent = await rejectZip([{ name: 'Accelerometer.csv', data: CSV }, { name: 'data.bin', data: inner }]);
    expect(byContent.code).toBe('archive_unsafe');
    expect(byContent.message).toContain('ZIP archive');
    const gz = await rejectZip([{ name: 'data.bin', data: new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]) }]);
    expect(gz.message).toContain('gzip');
  });

  it('refuses encrypted entries', async () => {
    const e = await rejectZip([{ name: 'Accelerometer.csv', data: CSV, encrypted: true }]);
    expect(e.code).toBe('archive_encrypted');
    expect(e.message).toContain('password');
    const aes = await rejectZip([{ name: 'Accelerometer.csv', data: CSV, methodNumber: 99 }]);
    expect(aes.code).toBe('archive_encrypted');
  });
});

describe('zip-container reader: caps', () => {
  it('refuses 10,000 entries before reading any', async () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => ({ name: `f${i}.csv`, data: 'x' }));
    const e = await rejectZip(entries);
    expect(e.code).toBe('archive_too_large');
    expect(e.message).toContain('10000 entries');
  });

  it('refuses a zip bomb by its declared ratio', async () => {
    const zeros = new Uint8Array(64 * 1024 * 1024);
    const packed = deflateRawSync(zeros, { level: 9 });
    expect(zeros.length / packed.length).toBeGreaterThan(DEFAULT_ZIP_LIMITS.maxRatio);
    const e = await rejectZip([{ name: 'Accelerometer.csv', data: CSV }, { name: 'bomb.csv', data: zeros, method: 'deflate' }]);
    expect(e.code).toBe('archive_too_large');
    expect(e.message).toContain('zip bomb');
  });

  it('refuses a zip bomb that lies about its size, while inflating', async () => {
    const e = await rejectZip([{ name: 'bomb.csv', data: new Uint8Array(20 * 1024 * 1024), method: 'deflate', declaredSize: 1000 }]);
    expect(e.code).toBe('archive_too_large');
    expect(e.message).toContain('more than its declared 1000 bytes');
  });

  it('refuses entries that share one compressed block (overlapping entries)', async () => {
    const e = await rejectZip([{ name: 'a.csv', data: CSV }], { repeatFirst: 3 });
    expect(e.code).toBe('archive_too_large');
    expect(e.message).toContain('overlap');
  });

  it('caps one entry and the total declared size', async () => {
    const small = { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 100, maxTotalBytes: 150 };
    const reader = createZipContainerReader(small);
    const one = await appError(() => collect(reader, buildZip([{ name: 'a.csv', data: 'x'.repeat(200) }]), 'x.zip', { detect }));
    expect(one.code).toBe('archive_too_large');
    const total = await appError(() =>
      collect(reader, buildZip([{ name: 'a.csv', data: 'x'.repeat(90) }, { name: 'b.csv', data: 'x'.repeat(90) }]), 'x.zip', { detect }),
    );
    expect(total.code).toBe('archive_too_large');
    expect(total.message).toContain('add up to more than 150 bytes');
  });
});

describe('zip-container reader: damaged archives', () => {
  it('says a cut archive was cut', async () => {
    const zip = buildZip([{ name: 'Accelerometer.csv', data: CSV.repeat(50), method: 'deflate' }]);
    for (const cut of [zip.length - 5, Math.floor(zip.length / 2), 10]) {
      const part = zip.subarray(0, cut);
      const e = await appError(() => collect(zipContainerReader, part, 'x.zip', { detect }));
      expect(e.code).toBe('format_truncated');
    }
  });

  it('finds garbage in compressed data', async () => {
    const zip = buildZip([{ name: 'Accelerometer.csv', data: CSV.repeat(200), method: 'deflate' }]);
    const bad = zip.slice();
    for (let i = 60; i < 90; i++) bad[i] = 0xff;
    const e = await appError(() => collect(zipContainerReader, bad, 'x.zip', { detect }));
    expect(['format_corrupt', 'csv_bad_value', 'csv_column_count']).toContain(e.code);
    expect(e.message).toContain('Accelerometer.csv');
  });

  it('checks the CRC-32 of what it read', async () => {
    const zip = buildZip([{ name: 'Accelerometer.csv', data: CSV }]);
    const bad = zip.slice();
    const at = Buffer.from(bad).indexOf('1,2,3');
    bad[at] = '7'.charCodeAt(0);
    const e = await appError(() => collect(zipContainerReader, bad, 'x.zip', { detect }));
    expect(e.code).toBe('format_corrupt');
    expect(e.message).toContain('CRC-32');
  });

  it('reports an index that lies about its entry count', async () => {
    const e = await rejectZip([{ name: 'Accelerometer.csv', data: CSV }], { declaredCount: 5 });
    expect(e.code).toBe('format_corrupt');
    expect(e.message).toContain('entry 2 of 5');
  });

  it('skips members compressed with methods it cannot unpack, and says so', async () => {
    const zip = buildZip([
      { name: 'Accelerometer.csv', data: CSV },
      { name: 'Gyroscope.csv', data: CSV, methodNumber: 12 },
    ]);
    const r = await collect(zipContainerReader, zip, 'x.zip', { detect });
    expect(r.warnings).toEqual([{ code: 'zip_member_skipped', message: expect.stringContaining('bzip2') as string }]);
    const only = await rejectZip([{ name: 'Gyroscope.csv', data: CSV, methodNumber: 12 }]);
    expect(only.code).toBe('format_unrecognized');
    expect(only.message).toContain('bzip2');
  });

  it('reads member errors with the member named', async () => {
    const e = await rejectZip([{ name: 'rec/Accelerometer.csv', data: 'time,seconds_elapsed,x\n1,0,1\n2,0,1,5\n' }]);
    expect(e.code).toBe('csv_column_count');
    expect(e.message).toContain('"rec/Accelerometer.csv"');
    expect(e.details).toMatchObject({ entry: 'rec/Accelerometer.csv', line: 3 });
  });
});
