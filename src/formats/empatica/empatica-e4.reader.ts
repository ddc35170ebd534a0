import { regularChunk } from '../../domain/chunk-times.js';
import { FrameClock } from '../../domain/frame-clock.js';
import type { ImportedLabel, ReaderEvent, SampleChunk, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { textLines } from '../common/text-lines.js';
import type { FormatReader, SniffInput } from '../types.js';
import { STANDARD_GRAVITY as G } from '../../domain/units.js';

/**
 * Empatica E4 wristband export (E4 Connect): one CSV per signal. Row 1 is the session start as Unix seconds
 * (repeated per column), row 2 the rate in Hz, then one sample per row: ACC (32 Hz, x,y,z in 1/64 g),
 * BVP (64 Hz, PPG), EDA (4 Hz, µS), TEMP (4 Hz, °C), HR (1 Hz, bpm, starting 10 s later). IBI.csv is
 * irregular: row 1 `start, IBI`, then `seconds since start, interval s`. tags.csv holds button presses
 * (Unix seconds). Uploaded alone, each CSV is one recording with one stream; inside a ZIP the container
 * reads the whole set as one recording (see zip-container.reader.ts).
 */

const ROWS_PER_CHUNK = 65_536;
const MAX_RATE_HZ = 10_000;
/** Plausible session starts: 1990 … 2100 in Unix seconds. */
const MIN_START_S = 631_152_000;
const MAX_START_S = 4_102_444_800;

type E4Kind = 'ACC' | 'BVP' | 'EDA' | 'TEMP' | 'HR' | 'IBI';

interface KindInfo {
  stream: Omit<StreamInfo, 'nominalRateHz'>;
  columns: number;
  scale: number;
}

const KINDS: Record<E4Kind, KindInfo> = {
  ACC: {
    stream: { name: 'accelerometer', kind: 'imu', sensor: 'accelerometer', channels: ['x', 'y', 'z'], unit: 'm/s^2', originalUnit: '1/64 g', range: 2 * G, frame: 'device' },
    columns: 3,
    scale: G / 64,
  },
  BVP: { stream: { name: 'bvp', kind: 'other', sensor: 'ppg', channels: ['bvp'], unit: 'au' }, columns: 1, scale: 1 },
  EDA: { stream: { name: 'eda', kind: 'other', sensor: 'eda', channels: ['eda'], unit: 'uS' }, columns: 1, scale: 1 },
  TEMP: { stream: { name: 'temperature', kind: 'other', sensor: 'skin_temperature', channels: ['temperature'], unit: 'degC' }, columns: 1, scale: 1 },
  HR: { stream: { name: 'heart_rate', kind: 'other', sensor: 'heart_rate', channels: ['hr'], unit: 'bpm' }, columns: 1, scale: 1 },
  IBI: { stream: { name: 'ibi', kind: 'other', sensor: 'ibi', channels: ['ibi'], unit: 's' }, columns: 2, scale: 1 },
};

/** Base names of the files of an E4 export. */
export const E4_DATA_FILES = ['ACC.csv', 'BVP.csv', 'EDA.csv', 'TEMP.csv', 'HR.csv', 'IBI.csv'];
export const E4_SIDE_FILES = ['tags.csv', 'info.txt'];

/** The device facts every E4 recording carries. */
export const E4_METADATA = { device: { kind: 'wearable' as const, model: 'Empatica E4', app: 'E4 Connect' } };

/** True when the base names in an archive are an E4 export (at least two of its signal files). */
export function isEmpaticaSet(baseNames: readonly string[]): boolean {
  const lower = new Set(baseNames.map((n) => n.toLowerCase()));
  return E4_DATA_FILES.filter((f) => lower.has(f.toLowerCase())).length >= 2;
}

function fields(line: string): string[] {
  return line.split(',').map((f) => f.trim());
}

/** Unix seconds with a fraction (`1560279825.000000`) → exact ns; null when not a number. */
export function unixSecondsToNs(text: string): bigint | null {
  const m = /^(\d{1,12})(?:\.(\d*))?$/.exec(text.trim());
  if (m !== null) return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 9));
  const v = Number(text);
  return Number.isFinite(v) && v >= 0 && v < 1e12 ? BigInt(Math.round(v * 1e6)) * 1000n : null;
}

function plausibleStart(text: string): boolean {
  const v = Number(text);
  return Number.isFinite(v) && v >= MIN_START_S && v <= MAX_START_S;
}

interface Header {
  kind: 'signal' | 'ibi';
  startText: string;
  columns: number;
  rate: number;
}

function parseHeaderLines(l1: string, l2: string | undefined): Header | null {
  const a = fields(l1);
  if (a.length === 2 && a[1]!.toUpperCase() === 'IBI' && plausibleStart(a[0]!)) return { kind: 'ibi', startText: a[0]!, columns: 2, rate: 0 };
  if (a.length < 1 || a.length > 3 || !a.every(plausibleStart) || l2 === undefined) return null;
  const b = fields(l2);
  const rate = Number(b[0]);
  if (b.length !== a.length || !b.every((x) => Number(x) === rate) || !(rate > 0)) return null;
  return { kind: 'signal', startText: a[0]!, columns: a.length, rate };
}

function kindFromName(filename: string): E4Kind | null {
  const base = (filename.split(/[/\\]/).pop() ?? '').replace(/\.[^.]*$/, '').toUpperCase();
  return base in KINDS ? (base as E4Kind) : null;
}

/** Which E4 signal a file is: by its name when that is one of E4's, else by its shape. */
function resolveKind(h: Header, filename: string): E4Kind {
  const named = kindFromName(filename);
  if (h.kind === 'ibi') return 'IBI';
  if (named !== null && named !== 'IBI' && KINDS[named].columns === h.columns) return named;
  if (h.columns === 3) return 'ACC';
  if (h.columns === 1 && h.rate === 64) return 'BVP';
  if (h.columns === 1 && h.rate === 1) return 'HR';
  throw new AppError(
    'csv_ambiguous',
    `This looks like an Empatica E4 file (start time and ${h.rate} Hz rate rows), but a single ${h.rate} Hz column could be EDA.csv or TEMP.csv; upload it under its original name.`,
    { filename },
  );
}

/** Empatica E4 signal file: start-time row (1–3 equal Unix times) and rate row, or IBI's `start, IBI` row. */
function sniffE4(input: SniffInput): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(input.head.subarray(0, 4096)).replace(/^\uFEFF/, '');
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length < 2) return false;
  return parseHeaderLines(lines[0]!, lines[1]) !== null;
}

/** Reads one E4 CSV (signal or IBI) as one stream; `filename` says which signal. */
export async function* readEmpaticaCsv(source: AsyncIterable<Uint8Array>, filename: string): AsyncGenerator<ReaderEvent> {
  const lines = textLines(source, 4096, 'Empatica E4 file');
  const l1 = await lines.next();
  if (l1.done === true) throw new AppError('file_empty', 'The Empatica E4 file is empty.');
  const first = l1.value;
  let header = parseHeaderLines(first, undefined);
  let lineNo = 1;
  if (header === null) {
    const l2 = await lines.next();
    lineNo = 2;
    header = parseHeaderLines(first, l2.done === true ? undefined : l2.value);
  }
  if (header === null) {
    throw new AppError('format_corrupt', 'The first two rows are not an Empatica E4 header (a Unix start time, then the rate in Hz).', { line: 1 });
  }
  const kind = resolveKind(header, filename);
  const info = KINDS[kind];
  if (header.kind === 'signal' && header.rate > MAX_RATE_HZ) {
    throw new AppError('format_limits', `The file declares ${header.rate} Hz; the E4 records at most 64 Hz.`, { line: 2 });
  }
  const startNs = unixSecondsToNs(header.startText);
  if (startNs === null) throw new AppError('format_corrupt', `The start time ${JSON.stringify(header.startText)} is not Unix seconds.`, { line: 1 });
  const stream: StreamInfo = { ...info.stream, nominalRateHz: header.kind === 'signal' ? header.rate : null };
  const nCh = info.stream.channels.length;
  // A signal file is start + rate: its chunks carry that clock instead of a time per row (IBI has its own times).
  const clock = header.kind === 'signal' && Number.isInteger(header.rate) ? new FrameClock(header.rate, startNs) : null;
  let t = new BigInt64Array(clock === null ? ROWS_PER_CHUNK : 0);
  let values = Array.from({ length: nCh }, () => new Float32Array(ROWS_PER_CHUNK));
  let n = 0;
  let total = 0;
  let bad = 0;
  let firstBad = 0;
  let started = false;
  const flush = function* (): Generator<ReaderEvent> {
    const full = n === ROWS_PER_CHUNK;
    const kept = full ? values : values.map((v) => v.slice(0, n));
    const chunk: SampleChunk = clock !== null ? regularChunk(n, kept, clock, total - n) : { length: n, t: full ? t : t.slice(0, n), values: kept };
    if (!started) {
      started = true;
      yield { type: 'recording', startTimeNs: startNs, absoluteTime: true };
      yield { type: 'metadata', metadata: E4_METADATA };
      yield { type: 'stream', stream };
    }
    yield { type: 'chunk', stream: stream.name, chunk };
    if (clock === null) t = new BigInt64Array(ROWS_PER_CHUNK);
    values = Array.from({ length: nCh }, () => new Float32Array(ROWS_PER_CHUNK));
    n = 0;
  };
  const period = header.kind === 'signal' ? 1e9 / header.rate : 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const f = fields(line);
    if (f.length !== info.columns) {
      throw new AppError('csv_column_count', `line ${lineNo} has ${f.length} fields; an E4 ${kind}.csv row has ${info.columns}.`, { line: lineNo });
    }
    if (header.kind === 'ibi') {
      const offset = Number(f[0]);
      const ibi = Number(f[1]);
      if (f[0] === '' || !Number.isFinite(offset) || offset < 0) {
        if (bad++ === 0) firstBad = lineNo;
        continue;
      }
      t[n] = startNs + BigInt(Math.round(offset * 1e9));
      values[0]![n] = f[1] === '' || !Number.isFinite(ibi) ? Number.NaN : ibi;
    } else {
      if (clock === null) t[n] = startNs + BigInt(Math.round(total * period));
      for (let c = 0; c < nCh; c++) {
        const v = f[c] === '' ? Number.NaN : Number(f[c]);
        if (Number.isNaN(v) && f[c] !== '' && f[c]!.toLowerCase() !== 'nan' && bad++ === 0) firstBad = lineNo;
        values[c]![n] = v * info.scale;
      }
    }
    n++;
    total++;
    if (n === ROWS_PER_CHUNK) yield* flush();
  }
  if (n > 0) yield* flush();
  if (total === 0) throw new AppError('no_samples', `The E4 ${kind}.csv file has its header rows but no samples.`, { line: lineNo });
  if (bad > 0) {
    yield {
      type: 'warning',
      code: 'csv_non_numeric',
      message: `${bad} value(s) are not numbers (first at line ${firstBad}); ${header.kind === 'ibi' ? 'those rows were skipped' : 'they are stored as missing'}.`,
      count: bad,
    };
  }
}

/** tags.csv: one Unix time (s) per button press → instantaneous `tag` annotations. */
export function parseE4Tags(text: string, origin: string): { labels: ImportedLabel[]; bad: number } {
  const labels: ImportedLabel[] = [];
  let bad = 0;
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const ns = plausibleStart(line.split(',')[0]!) ? unixSecondsToNs(line.split(',')[0]!) : null;
    if (ns === null) bad++;
    else labels.push({ label: 'tag', startNs: ns, endNs: null, origin });
  }
  return { labels, bad };
}

/** One Empatica E4 CSV uploaded alone (ACC, BVP, EDA, TEMP, HR or IBI) → one stream. */
export const empaticaE4CsvReader: FormatReader = {
  name: 'empatica-e4-csv',
  description: 'Empatica E4 CSV (ACC/BVP/EDA/TEMP/HR/IBI.csv: start-time and rate rows, then samples; the whole export as a ZIP)',
  sniff: sniffE4,
  read: (source, ctx) => readEmpaticaCsv(source, ctx.filename),
};
