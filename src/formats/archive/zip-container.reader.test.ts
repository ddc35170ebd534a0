import { describe, expect, it } from 'vitest';
import type { ReaderEvent } from '../../domain/stream.js';
import { empaticaE4CsvReader } from '../empatica/empatica-e4.reader.js';
import { inMemoryContext } from '../common/in-memory-context.test-support.js';
import { appError, collect, detectWith } from '../common/reader-collect.test-support.js';
import { sensorLoggerCsvReader } from '../sensor-logger/sensor-logger-csv.reader.js';
import { wavReader } from '../audio/wav.reader.js';
import { readZipDirectory } from './zip-central-directory.js';
import { zipContainerReader } from './zip-container.reader.js';
import { entryDataStart, memberContext } from './zip-entry-source.js';
import { buildZip, type TestZipEntry } from './zip-writer.test-support.js';
import { omconvertWav } from '../audio/wav-omconvert.test-support.js';
import { DEFAULT_ZIP_LIMITS } from './zip-central-directory.js';

const G = 9.80665;
const detect = detectWith([wavReader, empaticaE4CsvReader, sensorLoggerCsvReader]);
const SESSION_MS = 1714557600000n;
const SESSION_NS = SESSION_MS * 1_000_000n;

/** A Sensor Logger CSV at 100 Hz starting `startNs`, header order z,y,x as the app writes it. */
function slCsv(startNs: bigint, rows: number, eol = '\n', trailing = true): string {
  const lines = ['time,seconds_elapsed,z,y,x'];
  for (let i = 0; i < rows; i++) lines.push(`${startNs + BigInt(i) * 10_000_000n},${(Number(startNs - SESSION_NS) / 1e9 + i / 100).toFixed(3)},${9.8 + i / 100},${-i},${i}.5`);
  return lines.join(eol) + (trailing ? eol : '');
}

function metadataCsv(platform: string, standardisation: boolean): string {
  return (
    'version,device name,recording epoch time,recording time,recording timezone,platform,appVersion,device id,sensors,sampleRateMs,standardisation,platform version\n' +
    `3,iPhone 15 Pro,${SESSION_MS},2024-05-01_12-00-00,Europe/Zurich,${platform},1.59,abc-123,Accelerometer|Gyroscope|Gravity,10|20|10,${standardisation},17.4\n`
  );
}

/** A 16-bit mono PCM WAV of `frames` frames at `rate` Hz (a ramp). */
function wav(frames: number, rate: number): Uint8Array {
  const b = Buffer.alloc(44 + frames * 2);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + frames * 2, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(frames * 2, 40);
  for (let i = 0; i < frames; i++) b.writeInt16LE((i % 200) * 100, 44 + i * 2);
  return new Uint8Array(b);
}

function sensorLoggerZip(opts: { platform?: string; standardisation?: boolean } = {}): Uint8Array {
  const dir = 'Recording_2024-05-01_12-00-00/';
  const wrist = ['time,seconds_elapsed,rotationRateX,rotationRateY,rotationRateZ,gravityX,gravityY,gravityZ,accelerationX,accelerationY,accelerationZ'];
  for (let i = 0; i < 5; i++) wrist.push(`${SESSION_NS + BigInt(i) * 20_000_000n},${i / 50},0.1,0.2,0.3,0,-1,0,0.5,0,0`);
  const entries: TestZipEntry[] = [
    { name: dir, data: '' },
    { name: `${dir}Metadata.csv`, data: metadataCsv(opts.platform ?? 'ios', opts.standardisation ?? false), method: 'deflate' },
    { name: `${dir}Accelerometer.csv`, data: slCsv(SESSION_NS + 5_000_000n, 300), method: 'deflate' },
    { name: `${dir}Gyroscope.csv`, data: slCsv(SESSION_NS - 3_000_000n, 200) },
    { name: `${dir}Gravity.csv`, data: '' },
    { name: `${dir}Magnetometer.csv`, data: slCsv(SESSION_NS, 3, '\r\n', false), method: 'deflate' },
    { name: `${dir}AccelerometerUncalibrated.csv`, data: slCsv(SESSION_NS, 2), method: 'deflate' },
    { name: `${dir}WristMotion.csv`, data: wrist.join('\n') + '\n', method: 'deflate' },
    { name: `${dir}Microphone.wav`, data: wav(800, 8000) },
    {
      name: `${dir}Annotation.csv`,
      data: `time,seconds_elapsed,text,millisecond_press_duration\n${SESSION_NS + 1_500_000_000n},1.5,walking,120\n${SESSION_NS + 2_000_000_000n},2.0,"sat, down",80`,
      method: 'deflate',
    },
    { name: `__MACOSX/${dir}._Accelerometer.csv`, data: 'junk' },
    { name: `${dir}.DS_Store`, data: 'junk' },
  ];
  return buildZip(entries);
}

function formats(events: readonly ReaderEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'format' ? [e.name] : []));
}

describe('zip-container reader: the format it found and the clock it gives', () => {
  it('names a Sensor Logger export sensor-logger-zip (with Metadata.csv, or only its CSVs)', async () => {
    const r = await collect(zipContainerReader, sensorLoggerZip(), 'export.zip', { detect });
    expect(formats(r.events)).toEqual(['sensor-logger-zip']);
    // Right after the recording event, so a consumer knows it before any stream.
    expect(r.events.slice(0, 2).map((e) => e.type)).toEqual(['recording', 'format']);
    const csvOnly = buildZip([{ name: 'Accelerometer.csv', data: slCsv(SESSION_NS, 2) }, { name: 'Gyroscope.csv', data: slCsv(SESSION_NS, 2) }]);
    expect(formats((await collect(zipContainerReader, csvOnly, 'x.zip', { detect })).events)).toEqual(['sensor-logger-zip']);
  });

  it('names an Empatica E4 download empatica-e4-zip, and leaves any other archive zip-container (no format event)', async () => {
    const e4 = buildZip([
      { name: 'ACC.csv', data: '1560279825.000000, 1560279825.000000, 1560279825.000000\n32.000000, 32.000000, 32.000000\n-61,25,6\n' },
      { name: 'HR.csv', data: '1560279835.000000\n1.000000\n93.00\n' },
    ]);
    expect(formats((await collect(zipContainerReader, e4, 'e4.zip', { detect })).events)).toEqual(['empatica-e4-zip']);
    const mixed = buildZip([{ name: 'Accelerometer.csv', data: slCsv(SESSION_NS, 2) }, { name: 'voice.wav', data: wav(10, 1000) }]);
    expect(formats((await collect(zipContainerReader, mixed, 'x.zip', { detect })).events)).toEqual([]);
  });

  it("gives the recording the device-local clock when a member is on it (omconvert WAV), UTC otherwise", async () => {
    const om = omconvertWav({ frames: [[0, 0, 4096, 0], [0, 0, 4096, 0]], time: '2024-05-01 10:00:00.000' });
    const alone = await collect(zipContainerReader, buildZip([{ name: 'CWA-DATA.wav', data: om, method: 'deflate' }]), 'om.zip', { detect });
    expect(alone.recording).toEqual({ type: 'recording', startTimeNs: SESSION_NS, absoluteTime: true, clock: 'device-local' });
    expect(alone.stream('accelerometer').info.unit).toBe('m/s^2');
    expect(alone.warnings).toEqual([{ code: 'wav_aux_channel_skipped', message: expect.stringContaining('CWA-DATA.wav') as string }]);
    const both = await collect(zipContainerReader, buildZip([{ name: 'CWA-DATA.wav', data: om }, { name: 'Accelerometer.csv', data: slCsv(SESSION_NS, 2) }]), 'x.zip', { detect });
    expect(both.recording.clock).toBe('device-local');
    expect(both.warnings.map((w) => w.code)).toContain('zip_mixed_clocks');
    const utc = await collect(zipContainerReader, sensorLoggerZip(), 'export.zip', { detect });
    expect(utc.recording.clock).toBeUndefined();
  });
});

describe('zip-container reader: Sensor Logger export', () => {
  it('reads the export as one recording on one time axis, with metadata, annotations and frames', async () => {
    const zip = sensorLoggerZip();
    const r = await collect(zipContainerReader, zip, 'export.zip', { detect });
    // The gyroscope's first sample (3 ms before the Start tap) is the earliest.
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: SESSION_NS - 3_000_000n, absoluteTime: true });
    expect([...r.streams.keys()].sort()).toEqual(['accelerometer', 'accelerometer_uncalibrated', 'audio', 'gyroscope', 'magnetometer', 'wrist_motion']);
    const acc = r.stream('accelerometer');
    expect(acc.info).toMatchObject({ kind: 'imu', unit: 'm/s^2', frame: 'ios', nominalRateHz: 100, channels: ['x', 'y', 'z'], sourceFile: 'Recording_2024-05-01_12-00-00/Accelerometer.csv' });
    expect(acc.rows).toBe(300);
    expect(acc.t[0]).toBe(SESSION_NS + 5_000_000n);
    expect(acc.t[299]).toBe(SESSION_NS + 5_000_000n + 299n * 10_000_000n);
    expect(acc.col('x').slice(0, 2)).toEqual([0.5, 1.5]);
    expect(acc.col('z')[0]).toBe(Math.fround(9.8));
    expect(r.stream('gyroscope').info.nominalRateHz).toBe(50);
    expect(r.stream('gyroscope').rows).toBe(200);
    // A file without a trailing newline keeps its last row.
    expect(r.stream('magnetometer').rows).toBe(3);
    expect(r.stream('magnetometer').info.unit).toBe('uT');
    // iOS without standardisation writes uncalibrated acceleration in g.
    const unc = r.stream('accelerometer_uncalibrated');
    expect(unc.info).toMatchObject({ unit: 'm/s^2', originalUnit: 'g' });
    expect(unc.col('x')[0]).toBe(Math.fround(Math.fround(0.5) * G));
    const wrist = r.stream('wrist_motion');
    expect(wrist.info).toMatchObject({ kind: 'imu', sensor: 'wrist_motion', frame: 'ios' });
    expect(wrist.col('gravityY')[0]).toBe(Math.fround(-G));
    expect(wrist.col('accelerationX')[0]).toBe(Math.fround(0.5 * G));
    expect(wrist.col('rotationRateX')[0]).toBe(Math.fround(0.1));
    // The microphone has no clock: it starts when Start Recording was tapped (Metadata.csv).
    const audio = r.stream('audio');
    expect(audio.info.sourceFile).toBe('Recording_2024-05-01_12-00-00/Microphone.wav');
    expect(audio.rows).toBe(800);
    expect(audio.t[0]).toBe(SESSION_NS);
    expect(audio.t[8]).toBe(SESSION_NS + 1_000_000n);
    expect(r.annotations).toEqual([
      { label: 'walking', startNs: SESSION_NS + 1_500_000_000n, endNs: null, origin: 'Recording_2024-05-01_12-00-00/Annotation.csv' },
      { label: 'sat, down', startNs: SESSION_NS + 2_000_000_000n, endNs: null, origin: 'Recording_2024-05-01_12-00-00/Annotation.csv' },
    ]);
    expect(r.metadata[0]).toMatchObject({
      device: { kind: 'phone', platform: 'iOS', model: 'iPhone 15 Pro', app: 'Sensor Logger', appVersion: '1.59' },
      timezone: 'Europe/Zurich',
      session: { standardisation: false, recordingTime: '2024-05-01_12-00-00' },
    });
    expect(r.metadata.at(-1)).toEqual({ session: { watchStreams: 'wrist_motion' } });
    expect(r.warnings.map((w) => w.code)).toEqual(['zip_member_empty']);
    expect(r.warnings[0]!.message).toContain('Gravity.csv');
    // Every stream is closed once its member is read, and before the next member's stream opens.
    expect([...r.streams.values()].every((s) => s.ended)).toBe(true);
    const order = r.events.flatMap((e) => (e.type === 'stream' || e.type === 'stream-end' ? [`${e.type}:${e.type === 'stream' ? e.stream.name : e.stream}`] : []));
    expect(order.slice(0, 4)).toEqual(['stream:accelerometer', 'stream-end:accelerometer', 'stream:gyroscope', 'stream-end:gyroscope']);
  });

  it('marks standardised exports and leaves their units alone', async () => {
    const r = await collect(zipContainerReader, sensorLoggerZip({ standardisation: true }), 'export.zip', { detect });
    for (const s of r.streams.values()) if (s.info.kind !== 'audio') expect(s.info.frame).toBe('sensor-logger-standardized');
    const unc = r.stream('accelerometer_uncalibrated');
    expect(unc.info.originalUnit).toBeUndefined();
    expect(unc.col('x')[0]).toBe(0.5);
    expect(r.stream('wrist_motion').col('gravityY')[0]).toBe(-1);
  });

  it('marks Android exports', async () => {
    const r = await collect(zipContainerReader, sensorLoggerZip({ platform: 'android' }), 'export.zip', { detect });
    expect(r.stream('gyroscope').info.frame).toBe('android');
    expect(r.metadata[0]?.device?.platform).toBe('Android');
  });

  it('reads Android files without seconds_elapsed and in other column orders as Sensor Logger CSVs', async () => {
    const zip = buildZip([
      { name: 'Metadata.csv', data: metadataCsv('android', false) },
      { name: 'TotalAcceleration.csv', data: `x,time,z,y\n1.5,${SESSION_NS},9.8,0.25\n2.5,${SESSION_NS + 10_000_000n},9.7,0.5\n`, method: 'deflate' },
    ]);
    const r = await collect(zipContainerReader, zip, 'android.zip', { detect: detectWith([wavReader]) });
    const acc = r.stream('total_acceleration');
    expect(acc.info).toMatchObject({ kind: 'imu', unit: 'm/s^2', frame: 'android', channels: ['x', 'y', 'z'] });
    expect(acc.col('x')).toEqual([1.5, 2.5]);
    expect(acc.col('y')).toEqual([0.25, 0.5]);
    expect(acc.t).toEqual([SESSION_NS, SESSION_NS + 10_000_000n]);
  });

  it('renames colliding streams with a warning and reads archives without Metadata.csv', async () => {
    const zip = buildZip([
      { name: 'phone/Accelerometer.csv', data: slCsv(SESSION_NS, 2), method: 'deflate' },
      { name: 'watch/Accelerometer.csv', data: slCsv(SESSION_NS + 1n, 2) },
    ]);
    const r = await collect(zipContainerReader, zip, 'two.zip', { detect });
    expect(r.stream('accelerometer').info.sourceFile).toBe('phone/Accelerometer.csv');
    expect(r.stream('accelerometer_2').info.sourceFile).toBe('watch/Accelerometer.csv');
    expect(r.stream('accelerometer').info.frame).toBeUndefined();
    expect(r.warnings).toEqual([{ code: 'stream_renamed', message: expect.stringContaining('stored as "accelerometer_2"') as string }]);
  });

  it('skips files it does not read with a warning naming them', async () => {
    const zip = buildZip([
      { name: 'Accelerometer.csv', data: slCsv(SESSION_NS, 2) },
      { name: 'notes.txt', data: 'hello' },
      { name: 'photo.jpg', data: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) },
    ]);
    const r = await collect(zipContainerReader, zip, 'x.zip', { detect });
    expect(r.warnings).toEqual([{ code: 'zip_member_skipped', count: 2, message: expect.stringContaining('notes.txt, photo.jpg') as string }]);
  });

  it('starts the recording at the Start tap when the microphone begins before the first timed sample', async () => {
    const zip = buildZip([
      { name: 'Metadata.csv', data: metadataCsv('ios', false) },
      { name: 'Accelerometer.csv', data: slCsv(SESSION_NS + 5_000_000n, 2) },
      { name: 'Microphone.wav', data: wav(80, 8000), method: 'deflate' },
    ]);
    const r = await collect(zipContainerReader, zip, 'x.zip', { detect });
    expect(r.recording.startTimeNs).toBe(SESSION_NS);
    expect(r.stream('audio').t[0]).toBe(SESSION_NS);
    expect(r.warnings).toEqual([]);
  });

  it('skips Microphone.mp4 with a warning when no audio reader claims it', async () => {
    const mp4 = new Uint8Array([0, 0, 0, 0x18, ...new TextEncoder().encode('ftypmp42'), 0, 0, 0, 0, ...new TextEncoder().encode('isommp42')]);
    const zip = buildZip([
      { name: 'Metadata.csv', data: metadataCsv('ios', false) },
      { name: 'Accelerometer.csv', data: slCsv(SESSION_NS, 2) },
      { name: 'Microphone.mp4', data: mp4 },
    ]);
    const r = await collect(zipContainerReader, zip, 'x.zip', { detect });
    expect([...r.streams.keys()]).toEqual(['accelerometer']);
    expect(r.warnings).toEqual([{ code: 'zip_member_skipped', count: 1, message: expect.stringContaining('Microphone.mp4') as string }]);
  });

  it('rejects an archive with nothing readable, listing what it found', async () => {
    const zip = buildZip([
      { name: 'notes.txt', data: 'hello' },
      { name: 'empty.csv', data: '' },
    ]);
    const e = await appError(() => collect(zipContainerReader, zip, 'x.zip', { detect }));
    expect(e.code).toBe('format_unrecognized');
    expect(e.message).toContain('notes.txt (not a recognised format)');
    expect(e.message).toContain('empty.csv (empty)');
    const none = await appError(() => collect(zipContainerReader, buildZip([]), 'x.zip', { detect }));
    expect(none.code).toBe('format_unrecognized');
    expect(none.message).toContain('no files at all');
  });

  it('places a clock-less member of a foreign archive at the earliest start, with a warning', async () => {
    const acc = '1560279825.000000, 1560279825.000000, 1560279825.000000\n32.000000, 32.000000, 32.000000\n-61,25,6\n-62,24,11\n';
    const zip = buildZip([
      { name: 'ACC.csv', data: acc },
      { name: 'HR.csv', data: '1560279835.000000\n1.000000\n93.00\n' },
      { name: 'voice.wav', data: wav(10, 1000), method: 'deflate' },
    ]);
    const r = await collect(zipContainerReader, zip, 'e4.zip', { detect });
    expect(r.stream('audio').t[0]).toBe(1560279825n * 1_000_000_000n);
    expect(r.warnings.map((w) => w.code)).toEqual(['zip_member_time_assumed']);
  });

  it('reads ZIP64 archives, archives behind a stub, and entries with data descriptors', async () => {
    const entries: TestZipEntry[] = [
      { name: 'Accelerometer.csv', data: slCsv(SESSION_NS, 5), method: 'deflate', dataDescriptor: true },
      { name: 'Gyroscope.csv', data: slCsv(SESSION_NS, 4) },
    ];
    for (const zip of [buildZip(entries, { zip64: true }), buildZip(entries, { prefix: new Uint8Array(1000).fill(7) }), buildZip(entries)]) {
      const r = await collect(zipContainerReader, zip, 'x.zip', { detect });
      expect(r.stream('accelerometer').rows).toBe(5);
      expect(r.stream('gyroscope').rows).toBe(4);
    }
  });

  it('gives member readers random access: direct when stored, inflated in memory when deflated', async () => {
    const data = new TextEncoder().encode('0123456789'.repeat(1000));
    const zip = buildZip([
      { name: 'a.bin', data },
      { name: 'b.bin', data, method: 'deflate' },
    ]);
    const ctx = inMemoryContext(zip, 'x.zip');
    const entries = await readZipDirectory(ctx);
    for (const entry of entries) {
      const m = memberContext(ctx, entry, await entryDataStart(ctx, entry), DEFAULT_ZIP_LIMITS);
      expect(m.size).toBe(10_000);
      expect(new TextDecoder().decode(await m.readAt(9995, 100))).toBe('56789');
      expect(new TextDecoder().decode(await m.readAt(12, 3))).toBe('234');
    }
  });

  it('sniffs ZIP archives by their first bytes', () => {
    const sniff = (b: number[]): boolean => zipContainerReader.sniff({ head: new Uint8Array(b), filename: 'x' });
    expect(sniff([0x50, 0x4b, 3, 4, 0])).toBe(true);
    expect(sniff([0x50, 0x4b, 5, 6])).toBe(true);
    expect(sniff([0x50, 0x4b, 1, 2])).toBe(false);
    expect(sniff([0x1f, 0x8b, 8, 0])).toBe(false);
  });
});
