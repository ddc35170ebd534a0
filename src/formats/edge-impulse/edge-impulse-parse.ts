import { AppError } from '../../lib/errors.js';
import { CborReader, isLazy, type CborValue } from './cbor-decode.js';
import { field, parseNumber } from '../common/csv-fields.js';
import {
  JsonTokenizer, T_BEGIN_ARRAY, T_BEGIN_OBJECT, T_END_ARRAY, T_END_OBJECT, T_FALSE, T_KEY, T_NULL, T_NUMBER, T_STRING, T_TRUE,
} from '../common/json-tokenizer.js';

/**
 * Parses an Edge Impulse data acquisition file (JSON or CBOR, held in memory under a size cap) into its
 * small parts — `protected`, `signature` (with its byte range, for HMAC verification), the payload's
 * device fields, `interval_ms`, `sensors` — and leaves `payload.values` as a byte range that a walker reads
 * row by row straight into typed arrays.
 */

const MAX_DEPTH = 64;
/** Any JSON part other than `values` is small; a bigger one is hostile. */
const MAX_PART_BYTES = 1024 * 1024;

export interface EiSensor {
  name: string;
  units: string;
}

export interface EiDoc {
  format: 'json' | 'cbor';
  ver: string | null;
  alg: string | null;
  iat: number | null;
  signature: string | null;
  /** Byte range of the signature's characters in the file (zeroed to verify the HMAC). */
  signatureRange: [number, number] | null;
  deviceName: string | null;
  deviceType: string | null;
  intervalMs: number | null;
  sensors: unknown;
  values: { start: number; end: number } | null;
}

function asString(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function asNumber(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Position where the value whose first token is `t` starts. */
function valueStart(tok: JsonTokenizer, t: number): number {
  if (t === T_STRING) return tok.start - 1;
  if (t === T_NUMBER) return tok.start;
  if (t === T_TRUE || t === T_NULL) return tok.pos - 4;
  if (t === T_FALSE) return tok.pos - 5;
  return tok.pos - 1;
}

/** Skips the rest of a value whose first token was `t`; returns the position after it. */
function skipRest(tok: JsonTokenizer, t: number): number {
  if (t === T_BEGIN_OBJECT || t === T_BEGIN_ARRAY) {
    const depth = tok.depth - 1;
    for (;;) {
      const u = tok.next();
      if ((u === T_END_OBJECT || u === T_END_ARRAY) && tok.depth === depth) break;
    }
  }
  return tok.pos;
}

function jsonPart(buf: Uint8Array, start: number, end: number, key: string): unknown {
  if (end - start > MAX_PART_BYTES) throw new AppError('format_limits', `The Edge Impulse field "${key}" is ${end - start} bytes; at most ${MAX_PART_BYTES} are accepted.`);
  return JSON.parse(new TextDecoder().decode(buf.subarray(start, end))) as unknown;
}

function emptyDoc(format: EiDoc['format']): EiDoc {
  return { format, ver: null, alg: null, iat: null, signature: null, signatureRange: null, deviceName: null, deviceType: null, intervalMs: null, sensors: null, values: null };
}

function applyProtected(doc: EiDoc, p: unknown): void {
  if (typeof p !== 'object' || p === null) return;
  const o = p as Record<string, unknown>;
  doc.ver = asString(o.ver);
  doc.alg = asString(o.alg);
  doc.iat = asNumber(o.iat);
}

function applyPayloadField(doc: EiDoc, key: string, v: unknown): void {
  if (key === 'device_name') doc.deviceName = asString(v);
  else if (key === 'device_type') doc.deviceType = asString(v);
  else if (key === 'interval_ms') doc.intervalMs = asNumber(v);
  else if (key === 'sensors') doc.sensors = v;
}

/** Parses the JSON variant. */
export function parseEiJson(buf: Uint8Array): EiDoc {
  const doc = emptyDoc('json');
  const tok = new JsonTokenizer(MAX_DEPTH, Number.MAX_SAFE_INTEGER);
  tok.feed(buf);
  tok.finish();
  if (tok.next() !== T_BEGIN_OBJECT) throw new AppError('format_corrupt', 'An Edge Impulse JSON file is one object {"protected", "signature", "payload"}.');
  for (let t = tok.next(); t === T_KEY; t = tok.next()) {
    const key = tok.text();
    const v = tok.next();
    const start = valueStart(tok, v);
    if (key === 'signature' && v === T_STRING) {
      doc.signature = tok.text();
      doc.signatureRange = [tok.start, tok.end];
    } else if (key === 'payload' && v === T_BEGIN_OBJECT) {
      for (let u = tok.next(); u === T_KEY; u = tok.next()) {
        const pk = tok.text();
        const w = tok.next();
        const ps = valueStart(tok, w);
        const pe = skipRest(tok, w);
        if (pk === 'values') doc.values = { start: ps, end: pe };
        else if (pk === 'device_name' || pk === 'device_type' || pk === 'interval_ms' || pk === 'sensors') applyPayloadField(doc, pk, jsonPart(buf, ps, pe, pk));
      }
    } else {
      const end = skipRest(tok, v);
      if (key === 'protected') applyProtected(doc, jsonPart(buf, start, end, key));
    }
  }
  return doc;
}

/** Parses the CBOR variant. */
export function parseEiCbor(buf: Uint8Array): EiDoc {
  const doc = emptyDoc('cbor');
  const reader = new CborReader(buf, 0, {
    maxDepth: MAX_DEPTH,
    lazyKeys: new Set(['values']),
    onText: (key, start, end, depth) => {
      if (key === 'signature' && depth === 0) doc.signatureRange = [start, end];
    },
  });
  const top = reader.value();
  if (typeof top !== 'object' || top === null || Array.isArray(top) || top instanceof Uint8Array || isLazy(top)) {
    throw new AppError('format_corrupt', 'An Edge Impulse CBOR file is one map {"protected", "signature", "payload"}.');
  }
  const o = top;
  applyProtected(doc, o.protected);
  doc.signature = asString(o.signature);
  if (doc.signature === null) doc.signatureRange = null;
  const payload = o.payload;
  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload) && !(payload instanceof Uint8Array) && !isLazy(payload)) {
    const p = payload;
    for (const k of ['device_name', 'device_type', 'interval_ms', 'sensors']) applyPayloadField(doc, k, p[k]);
    const values: CborValue = p.values;
    if (values !== undefined && isLazy(values)) doc.values = { start: values.start, end: values.end };
  }
  return doc;
}

/** Reads `payload.values` row by row: `[[a,b,c], …]`, or `[a, b, …]` for one sensor. */
export interface ValuesWalker {
  /** Fills `out` with the next row; false after the last. */
  next(out: Float64Array): boolean;
}

function rowError(row: number, got: number, want: number): AppError {
  return new AppError('format_corrupt', `Row ${row + 1} of "values" has ${got} value(s); "sensors" declares ${want}.`, { row: row + 1 });
}

/** Walks the JSON `values` array. */
export function jsonValues(buf: Uint8Array, range: { start: number; end: number }): ValuesWalker {
  const tok = new JsonTokenizer(MAX_DEPTH, Number.MAX_SAFE_INTEGER);
  tok.feed(buf.subarray(range.start, range.end));
  tok.finish();
  if (tok.next() !== T_BEGIN_ARRAY) throw new AppError('format_corrupt', 'The Edge Impulse "values" field is not an array.');
  let row = 0;
  const num = (t: number): number => {
    if (t === T_NUMBER || t === T_STRING) {
      field.bad = false;
      const v = parseNumber(tok.buf, tok.start, tok.end);
      return field.bad || field.cursor !== tok.end ? Number.NaN : v;
    }
    if (t === T_NULL) return Number.NaN;
    throw new AppError('format_corrupt', `Row ${row + 1} of "values" holds something other than numbers.`, { row: row + 1 });
  };
  return {
    next(out) {
      const t = tok.next();
      if (t === T_END_ARRAY) return false;
      if (t !== T_BEGIN_ARRAY) {
        if (out.length !== 1) throw rowError(row, 1, out.length);
        out[0] = num(t);
        row++;
        return true;
      }
      let k = 0;
      for (let u = tok.next(); u !== T_END_ARRAY; u = tok.next()) {
        if (k >= out.length) throw rowError(row, k + 1, out.length);
        out[k++] = num(u);
      }
      if (k !== out.length) throw rowError(row, k, out.length);
      row++;
      return true;
    },
  };
}

/** Walks the CBOR `values` array. */
export function cborValues(buf: Uint8Array, range: { start: number; end: number }): ValuesWalker {
  const r = new CborReader(buf.subarray(0, range.end), range.start, { maxDepth: MAX_DEPTH });
  const h = r.head();
  if (h.major !== 4) throw new AppError('format_corrupt', 'The Edge Impulse "values" field is not an array.');
  const rows = h.arg;
  let row = 0;
  return {
    next(out) {
      if (rows >= 0 ? row >= rows : r.atBreak()) return false;
      const save = r.pos;
      const rh = r.head();
      if (rh.major !== 4) {
        if (out.length !== 1) throw rowError(row, 1, out.length);
        r.pos = save;
        out[0] = r.number();
      } else {
        if (rh.arg >= 0 && rh.arg !== out.length) throw rowError(row, rh.arg, out.length);
        for (let k = 0; k < out.length; k++) out[k] = r.number(1);
        if (rh.arg < 0 && !r.atBreak()) throw rowError(row, out.length + 1, out.length);
      }
      row++;
      return true;
    },
  };
}
