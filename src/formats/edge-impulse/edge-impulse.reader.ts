import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ReaderEvent, RecordingMetadata, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { concatBytes } from '../common/byte-source.js';
import { cborValues, jsonValues, parseEiCbor, parseEiJson, type EiDoc, type EiSensor, type ValuesWalker } from './edge-impulse-parse.js';
import { mapEdgeImpulseUnit, sensorOfChannel, streamFor } from './edge-impulse-units.js';
import type { FormatReader, ReaderContext, SniffInput } from '../types.js';

/**
 * Edge Impulse data acquisition format (JSON or CBOR): `{protected: {ver, alg, iat}, signature, payload:
 * {device_name, device_type, interval_ms, sensors: [{name, units}], values: [[…], …]}}`. The values are
 * one in-memory array in this format, so the file is held in memory under a size cap. Channels are grouped
 * into streams by sensor and unit (accelerometer, gyroscope, …) and converted to SI; times are `i × interval_ms` from 0
 * (the format has no start time). The label comes from the file name as Edge Impulse's uploader reads it
 * (`idle.1a2b3c.json` → `idle`) and covers the whole sample. With a study key, an HS256 signature is
 * verified as Edge Impulse computes it: HMAC-SHA256 over the file with the signature's 64 characters set
 * to "0".
 */

export const MAX_EDGE_IMPULSE_BYTES = 256 * 1024 * 1024;
const MAX_SENSORS = 1024;
const ROWS_PER_CHUNK = 65_536;
/** Values one chunk may hold: wide samples get shorter chunks. */
const MAX_CHUNK_CELLS = 4 * 1024 * 1024;

async function readAll(source: AsyncIterable<Uint8Array>, ctx: ReaderContext): Promise<Uint8Array> {
  if (ctx.size > MAX_EDGE_IMPULSE_BYTES) {
    throw new AppError('format_limits', `This Edge Impulse file is ${ctx.size} bytes; at most ${MAX_EDGE_IMPULSE_BYTES} are accepted (the format holds all values in one array).`);
  }
  const pieces: Uint8Array[] = [];
  let size = 0;
  for await (const p of source) {
    size += p.length;
    if (size > MAX_EDGE_IMPULSE_BYTES) throw new AppError('format_limits', `This Edge Impulse file is larger than ${MAX_EDGE_IMPULSE_BYTES} bytes; split the sample.`);
    pieces.push(p);
  }
  return concatBytes(pieces);
}

function sensorsOf(doc: EiDoc): EiSensor[] {
  if (!Array.isArray(doc.sensors) || doc.sensors.length === 0) {
    throw new AppError('format_corrupt', 'The Edge Impulse payload has no "sensors" list ([{"name", "units"}, …]).');
  }
  if (doc.sensors.length > MAX_SENSORS) throw new AppError('format_limits', `The Edge Impulse payload declares ${doc.sensors.length} sensors; at most ${MAX_SENSORS} are accepted.`);
  return doc.sensors.map((s: unknown, i) => {
    const o = (typeof s === 'object' && s !== null ? s : {}) as { name?: unknown; units?: unknown };
    if (typeof o.name !== 'string') throw new AppError('format_corrupt', `Sensor ${i + 1} of the Edge Impulse payload has no "name".`);
    return { name: o.name.slice(0, 100), units: typeof o.units === 'string' ? o.units : '' };
  });
}

/** Verifies the HS256 signature when the study has a key; returns the warnings to emit. */
function verifySignature(buf: Uint8Array, doc: EiDoc, key: string | undefined): ReaderEvent[] {
  if (key === undefined || key === '') return [];
  const alg = doc.alg ?? 'none';
  if (alg === 'none') {
    return [{ type: 'warning', code: 'signature_unverified', message: 'The study has an Edge Impulse HMAC key, but this file is not signed (alg "none"); its origin is not verified.' }];
  }
  if (alg !== 'HS256') {
    throw new AppError('format_unsupported_variant', `This Edge Impulse file is signed with ${JSON.stringify(alg.slice(0, 20))}; FieldSense verifies HS256 (HMAC-SHA256) signatures.`);
  }
  const range = doc.signatureRange;
  const sig = (doc.signature ?? '').toLowerCase();
  if (range === null || range[1] - range[0] !== 64 || !/^[0-9a-f]{64}$/.test(sig)) {
    throw new AppError('signature_invalid', 'This Edge Impulse file says it is signed (HS256) but its "signature" is not 64 hexadecimal characters.');
  }
  const hmac = createHmac('sha256', key);
  hmac.update(buf.subarray(0, range[0]));
  hmac.update(new Uint8Array(64).fill(0x30));
  hmac.update(buf.subarray(range[1]));
  const expected = Buffer.from(hmac.digest('hex'), 'latin1');
  if (!timingSafeEqual(expected, Buffer.from(sig, 'latin1'))) {
    throw new AppError('signature_invalid', "This Edge Impulse file's HMAC-SHA256 signature does not match the study's key: it was changed after signing, or signed with another key.");
  }
  return [];
}

/** `label.sampleid.json` → `label` (Edge Impulse's convention); null when the name has no sample id part. */
export function labelFromFilename(filename: string): string | null {
  const base = filename.split(/[/\\]/).pop() ?? '';
  const parts = base.split('.');
  if (parts.length < 3 || parts[0]!.trim() === '') return null;
  return parts[0]!.trim().slice(0, 200);
}

interface Group {
  info: StreamInfo;
  columns: number[];
  factors: number[];
}

/**
 * Groups the file's channels into streams by sensor (what the channel name says: `accX` → accelerometer,
 * `gyrY` → gyroscope) and unit: a 6-axis sample gives an accelerometer and a gyroscope, even when the units
 * strings are missing or the same. A sensor's channels are named `x`, `y`, `z` when they are exactly its
 * three axes.
 */
function groupStreams(sensors: EiSensor[], intervalMs: number): Group[] {
  const byKey = new Map<string, Group & { axes: (string | null)[]; original: string[] }>();
  const used = new Set<string>();
  sensors.forEach((s, i) => {
    const m = mapEdgeImpulseUnit(s.units);
    const named = sensorOfChannel(s.name);
    const d = streamFor(named?.sensor ?? null, m.unit, s.name);
    const key = `${d.name}\u0000${m.unit}`;
    let g = byKey.get(key);
    if (g === undefined) {
      let name = d.name;
      for (let k = 2; used.has(name); k++) name = `${d.name}_${k}`;
      used.add(name);
      const info: StreamInfo = { name, kind: d.kind, sensor: d.sensor, channels: [], unit: m.unit, nominalRateHz: 1000 / intervalMs };
      if (m.originalUnit !== undefined) info.originalUnit = m.originalUnit;
      if (m.unit === 'pcm') info.fullScale = 1;
      g = { info, columns: [], factors: [], axes: [], original: [] };
      byKey.set(key, g);
    }
    let ch = s.name || `ch${i + 1}`;
    while (g.original.includes(ch)) ch = `${ch}_${i + 1}`;
    g.original.push(ch);
    g.axes.push(named !== null && named.sensor === d.sensor ? named.axis : null);
    g.columns.push(i);
    g.factors.push(m.factor);
  });
  return [...byKey.values()].map(({ info, columns, factors, axes, original }) => {
    const triaxial = axes.length === 3 && axes.every((a) => a !== null) && new Set(axes).size === 3;
    if (!triaxial) return { info: { ...info, channels: original }, columns, factors };
    // x, y, z in that order, whatever order the file lists them in.
    const order = ['x', 'y', 'z'].map((a) => axes.indexOf(a));
    return { info: { ...info, channels: ['x', 'y', 'z'] }, columns: order.map((k) => columns[k]!), factors: order.map((k) => factors[k]!) };
  });
}

function parseDoc(buf: Uint8Array): EiDoc {
  let i = 0;
  while (i < buf.length && (buf[i] === 32 || buf[i] === 9 || buf[i] === 10 || buf[i] === 13)) i++;
  return buf[i] === 0x7b ? parseEiJson(buf) : parseEiCbor(buf);
}

function stripBom(buf: Uint8Array): Uint8Array {
  return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
}

async function* readEdgeImpulse(source: AsyncIterable<Uint8Array>, ctx: ReaderContext): AsyncGenerator<ReaderEvent> {
  const buf = stripBom(await readAll(source, ctx));
  const doc = parseDoc(buf);
  if (doc.values === null) throw new AppError('format_corrupt', 'The Edge Impulse file has no "payload.values" array.');
  const intervalMs = doc.intervalMs;
  if (intervalMs === null || !(intervalMs > 0)) throw new AppError('format_corrupt', 'The Edge Impulse payload has no positive "interval_ms".');
  if (intervalMs < 0.001 || intervalMs > 86_400_000) {
    throw new AppError('format_limits', `The Edge Impulse payload's interval_ms of ${intervalMs} is beyond any real sampling (1 µs … 1 day).`);
  }
  const sensors = sensorsOf(doc);
  const warnings = verifySignature(buf, doc, ctx.secrets?.edgeImpulseHmacKey);
  const groups = groupStreams(sensors, intervalMs);
  const walker: ValuesWalker = doc.format === 'json' ? jsonValues(buf, doc.values) : cborValues(buf, doc.values);

  yield { type: 'recording', startTimeNs: null, absoluteTime: false };
  const metadata: RecordingMetadata = { device: { kind: 'other', app: 'Edge Impulse' }, session: { edgeImpulseFormat: doc.format } };
  if (doc.deviceType !== null) metadata.device!.model = doc.deviceType.slice(0, 200);
  if (doc.deviceName !== null) metadata.device!.serial = doc.deviceName.slice(0, 200);
  if (doc.alg !== null) metadata.session!.signatureAlg = doc.alg.slice(0, 20);
  if (doc.iat !== null && doc.iat > 0 && doc.iat < 4_102_444_800) metadata.session!.createdAt = new Date(doc.iat * 1000).toISOString();
  yield { type: 'metadata', metadata };
  yield* warnings;
  for (const g of groups) yield { type: 'stream', stream: g.info };

  const row = new Float64Array(sensors.length);
  const chunkRows = Math.max(1, Math.min(ROWS_PER_CHUNK, Math.floor(MAX_CHUNK_CELLS / sensors.length)));
  const stepNs = intervalMs * 1e6;
  let total = 0;
  for (;;) {
    const t = new BigInt64Array(chunkRows);
    const values = groups.map((g) => g.columns.map(() => new Float32Array(chunkRows)));
    let n = 0;
    while (n < chunkRows && walker.next(row)) {
      t[n] = BigInt(Math.round((total + n) * stepNs));
      groups.forEach((g, gi) => {
        const vs = values[gi]!;
        for (let k = 0; k < g.columns.length; k++) vs[k]![n] = row[g.columns[k]!]! * g.factors[k]!;
      });
      n++;
    }
    if (n > 0) {
      for (let gi = 0; gi < groups.length; gi++) {
        yield {
          type: 'chunk',
          stream: groups[gi]!.info.name,
          chunk: { length: n, t: t.slice(0, n), values: values[gi]!.map((v) => (n === chunkRows ? v : v.slice(0, n))) },
        };
      }
    }
    total += n;
    if (n < chunkRows) break;
  }
  if (total === 0) throw new AppError('no_samples', 'The Edge Impulse file has an empty "values" array.');
  const label = labelFromFilename(ctx.filename);
  if (label !== null) {
    yield {
      type: 'annotation',
      annotation: { label, startNs: 0n, endNs: BigInt(Math.round(total * stepNs)), origin: `Edge Impulse file name "${ctx.filename.split(/[/\\]/).pop() ?? ''}"` },
    };
  }
}

function includes(head: Uint8Array, needle: string): boolean {
  return Buffer.from(head.buffer, head.byteOffset, head.byteLength).includes(needle, 0, 'latin1');
}

/** JSON object or CBOR map whose head has the `payload` key and `protected` or `signature`. */
function sniffEdgeImpulse(input: SniffInput): boolean {
  const h = input.head;
  let i = 0;
  while (i < h.length && (h[i] === 32 || h[i] === 9 || h[i] === 10 || h[i] === 13)) i++;
  if (h[i] === 0x7b || (h[i] === 0xef && h[i + 1] === 0xbb && h[i + 2] === 0xbf)) {
    return includes(h, '"payload"') && (includes(h, '"protected"') || includes(h, '"signature"')) && (includes(h, '"interval_ms"') || includes(h, '"sensors"'));
  }
  const b = h[0] ?? 0;
  const isMap = (b >= 0xa0 && b <= 0xbb) || b === 0xbf;
  return isMap && includes(h, '\x67payload') && (includes(h, '\x69protected') || includes(h, '\x69signature'));
}

/** Edge Impulse data acquisition files (JSON or CBOR) → one stream per unit, the file-name label as an annotation. */
export const edgeImpulseReader: FormatReader = {
  name: 'edge-impulse',
  description: 'Edge Impulse data acquisition format (JSON or CBOR: protected, signature, payload with interval_ms, sensors and values)',
  sniff: sniffEdgeImpulse,
  read: (source, ctx) => readEdgeImpulse(source, ctx),
};
