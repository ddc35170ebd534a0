/**
 * The Sensor Logger CSV reader's row hot loop (sensor-logger-csv.reader.ts reads the file through it): the header,
 * and a fused parser of whole lines straight from bytes into int64 ns times and float32 values — no per-line
 * strings, no BigInt per row (times are assembled as two 32-bit halves and written through a Uint32 view of the
 * BigInt64Array).
 */
import type { SampleChunk } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { closingQuote, COMMA, field, parseNumber, parseTime, QUOTE } from '../common/csv-fields.js';

const ROWS_PER_CHUNK = 65_536;
/** Longest header or data line accepted; anything longer is not a Sensor Logger file. */
export const MAX_LINE_BYTES = 1 << 20;
export const LF = 10;
const CR = 13;
const TWO32 = 4294967296;
const TWO53 = 9007199254740992;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Field roles in `fieldMap`: a channel index ≥ 0, or one of these. */
const ROLE_TIME = -2;
const ROLE_IGNORE = -1;

export interface Header {
  names: string[];
  timeIdx: number;
  /** Per header field: ROLE_TIME, ROLE_IGNORE, or the channel index. */
  fieldMap: Int32Array;
  channels: string[];
}

export function splitHeader(text: string): string[] {
  let s = text;
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (s.endsWith('\r')) s = s.slice(0, -1);
  return s.split(',').map((f) => {
    const t = f.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
  });
}

export function parseHeader(bytes: Uint8Array): Header {
  const names = splitHeader(new TextDecoder().decode(bytes));
  const lower = names.map((n) => n.toLowerCase());
  const timeIdx = lower.indexOf('time');
  if (timeIdx < 0) {
    throw new AppError(
      'csv_missing_column',
      `line 1: the header has no "time" column (found: ${names.join(', ')}); Sensor Logger files start with "time,seconds_elapsed,…".`,
      { line: 1, column: 'time' },
    );
  }
  const valueIdx: number[] = [];
  lower.forEach((n, i) => {
    if (i !== timeIdx && n !== 'seconds_elapsed') valueIdx.push(i);
  });
  if (valueIdx.length === 0) {
    throw new AppError('csv_invalid', 'line 1: the header has no value columns besides time and seconds_elapsed, so there is nothing to read.', { line: 1 });
  }
  const xi = lower.indexOf('x');
  const yi = lower.indexOf('y');
  const zi = lower.indexOf('z');
  let order = valueIdx;
  if (xi >= 0 && yi >= 0 && zi >= 0) {
    order = [xi, yi, zi, ...valueIdx.filter((i) => i !== xi && i !== yi && i !== zi)];
  }
  const fieldMap = new Int32Array(names.length).fill(ROLE_IGNORE);
  fieldMap[timeIdx] = ROLE_TIME;
  order.forEach((fi, ci) => {
    fieldMap[fi] = ci;
  });
  const channels = order.map((fi) => {
    const n = names[fi] ?? '';
    return n === '' ? `column_${fi + 1}` : n;
  });
  return { names, timeIdx, fieldMap, channels };
}

/** `Number(text)` of `b[a, z)`, for the rare value whose fast parse may be off in the last bits. */
function exactNumber(b: Uint8Array, a: number, z: number): number {
  return Number(new TextDecoder().decode(b.subarray(a, z)));
}

/**
 * Accumulates parsed rows into chunks of at most ROWS_PER_CHUNK rows.
 *
 * Kept beside the delimited engine's RowParser on purpose: the benchmark says this fused loop is needed.
 * `BENCH_ONLY=csv-reader npm run bench` (bench/README.md, csv-reader), 2026-12-03, the shared 2-core machine
 * under load, 24 h at 100 Hz (829 MB, 8,640,000 rows), median of three: this reader 254 MB/s (3.03 CPU-s),
 * the generic delimited reader on the same file 41 MB/s (16.7 CPU-s), DuckDB read_csv threads=1 179 MB/s
 * (2.69 CPU-s). The generic engine is 0.16 × this loop (5.5 × its CPU), far from the 10 % that would let this
 * reader run on it. Most of the gap: Sensor Logger writes values as the shortest double of a float32 reading
 * (17 significant digits, beyond 2^53), which the generic value parser sends to its exact slow path (text →
 * `Number`), where `fastLine` below proves the float32 from an interval; the rest is the engine's generality
 * (roles, scales, several streams, label runs, time rebasing) per field.
 */
export class RowParser {
  private readonly nFields: number;
  private readonly fieldMap: Int32Array;
  private readonly nChannels: number;
  private t = new BigInt64Array(0);
  private tw = new Uint32Array(0);
  private values: Float32Array[] = [];
  /** Rows in the current chunk. */
  n = 0;
  /** Rows emitted or buffered in total. */
  total = 0;
  /** Physical line number of the last line consumed (the header is line 1). */
  line = 1;
  readonly badCount: number[];
  readonly badFirstLine: number[];

  constructor(private readonly header: Header) {
    this.nFields = header.names.length;
    this.fieldMap = header.fieldMap;
    this.nChannels = header.channels.length;
    this.badCount = new Array<number>(this.nChannels).fill(0);
    this.badFirstLine = new Array<number>(this.nChannels).fill(0);
    this.reset();
  }

  private reset(): void {
    this.t = new BigInt64Array(ROWS_PER_CHUNK);
    this.tw = new Uint32Array(this.t.buffer);
    this.values = Array.from({ length: this.nChannels }, () => new Float32Array(ROWS_PER_CHUNK));
    this.n = 0;
  }

  get full(): boolean {
    return this.n === ROWS_PER_CHUNK;
  }

  /**
   * Parses the complete (newline-terminated) lines of `b[p, end)` until the chunk is full; returns the
   * position after the last line consumed.
   */
  parseLines(b: Uint8Array, p0: number, end: number): number {
    let p = p0;
    if (p >= end) return p;
    // Every line before `last` ends with an LF inside the buffer, so the fused parser needs no bounds checks:
    // it stops at the first byte that is neither a digit nor expected punctuation, at the latest on that LF.
    const last = b.lastIndexOf(LF, end - 1);
    while (this.n < ROWS_PER_CHUNK && p <= last) {
      const q = this.fastLine(b, p);
      if (q >= 0) {
        p = q;
        continue;
      }
      const nl = b.indexOf(LF, p);
      this.parseLine(b, p, nl);
      p = nl + 1;
    }
    return p;
  }

  /**
   * The fused parser for the common line: unquoted fields, plain decimal numbers, a time of 1–19 digits, the
   * header's field count, LF or CRLF. Returns the position after the line's LF, or -1 (with no effect except
   * possibly values written into the current row, which `parseLine` then overwrites or ignores) if the line
   * needs the general `parseLine`. A value is used only when it is exactly `Number(text)` (digits < 2^53 and a
   * decimal exponent within ±22, Clinger's fast path) or, when the digits exceed 2^53, when an interval of
   * relative width 2^-40 around it (far more than the rounding error, < 2^-46) rounds to one float32, so the
   * stored float32 equals `Math.fround(Number(text))` bit for bit.
   */
  private fastLine(b: Uint8Array, s: number): number {
    const map = this.fieldMap;
    const last = this.nFields - 1;
    const row = this.n;
    const values = this.values;
    let p = s;
    let hi = 0;
    let lo = 0;
    let hasTime = false;
    for (let f = 0; f <= last; f++) {
      const role = map[f]!;
      let c = b[p]!;
      if (role >= 0) {
        let neg = false;
        if (c === 45) {
          neg = true;
          c = b[++p]!;
        } else if (c === 43) {
          c = b[++p]!;
        }
        let m = 0;
        let nd = 0;
        let ex = 0;
        while (c >= 48 && c <= 57) {
          m = m * 10 + (c - 48);
          nd++;
          c = b[++p]!;
        }
        if (c === 46) {
          c = b[++p]!;
          while (c >= 48 && c <= 57) {
            m = m * 10 + (c - 48);
            nd++;
            ex--;
            c = b[++p]!;
          }
        }
        if (nd === 0 || nd > 30) return -1;
        if (c === 101 || c === 69) {
          c = b[++p]!;
          let eneg = false;
          if (c === 45) {
            eneg = true;
            c = b[++p]!;
          } else if (c === 43) {
            c = b[++p]!;
          }
          if (c < 48 || c > 57) return -1;
          let x = 0;
          while (c >= 48 && c <= 57) {
            if (x > 1000) return -1;
            x = x * 10 + (c - 48);
            c = b[++p]!;
          }
          ex += eneg ? -x : x;
        }
        let v: number;
        if (ex < 0) {
          if (ex < -22) return -1;
          v = m / POW10[-ex]!;
        } else {
          if (ex > 22) return -1;
          v = m * POW10[ex]!;
        }
        if (m >= TWO53) {
          const slack = v * 9.094947017729282e-13; // 2^-40
          if (Math.fround(v - slack) !== Math.fround(v + slack)) return -1;
        }
        values[role]![row] = neg ? -v : v;
      } else if (role === ROLE_TIME) {
        let a = 0;
        let nd = 0;
        while (c >= 48 && c <= 57 && nd < 15) {
          a = a * 10 + (c - 48);
          nd++;
          c = b[++p]!;
        }
        if (nd === 0) return -1;
        hi = Math.floor(a / TWO32);
        lo = a - hi * TWO32;
        if (c >= 48 && c <= 57) {
          let r = 0;
          let k = 1;
          while (c >= 48 && c <= 57) {
            if (++nd > 19) return -1;
            r = r * 10 + (c - 48);
            k *= 10;
            c = b[++p]!;
          }
          lo = lo * k + r;
          const carry = Math.floor(lo / TWO32);
          lo -= carry * TWO32;
          hi = hi * k + carry;
          if (hi >= 2147483648) return -1;
        }
        hasTime = true;
      } else {
        if (c === QUOTE) return -1;
        while (c !== COMMA && c !== LF) c = b[++p]!;
      }
      if (f < last) {
        if (c !== COMMA) return -1;
        p++;
      } else if (c === LF) {
        p++;
      } else if (c === CR && b[p + 1] === LF) {
        p += 2;
      } else {
        return -1;
      }
    }
    if (!hasTime) return -1;
    this.line++;
    if (LITTLE_ENDIAN) {
      this.tw[2 * row] = lo;
      this.tw[2 * row + 1] = hi;
    } else {
      this.t[row] = (BigInt(hi) << 32n) | BigInt(lo);
    }
    this.n++;
    this.total++;
    return p;
  }

  /** Parses one line `b[s, e)` (without its LF). */
  parseLine(b: Uint8Array, s: number, e0: number): void {
    let e = e0;
    this.line++;
    if (e > s && b[e - 1] === CR) e--;
    if (e === s) return;
    const row = this.n;
    const map = this.fieldMap;
    const nFields = this.nFields;
    const values = this.values;
    let p = s;
    let f = 0;
    for (;;) {
      const role = f < nFields ? map[f]! : ROLE_IGNORE;
      if (b[p] === QUOTE && p < e) {
        const q = closingQuote(b, p, e);
        if (role === ROLE_TIME) {
          if (!parseTime(b, p + 1, q) || field.cursor !== q) this.badTime(b, p, e);
        } else if (role >= 0) {
          field.bad = false;
          let v = parseNumber(b, p + 1, q);
          if (field.approx) v = exactNumber(b, p + 1, field.cursor);
          if (field.cursor !== q) field.bad = true;
          values[role]![row] = field.bad ? Number.NaN : v;
          if (field.bad) {
            field.bad = false;
            this.noteBad(role);
          }
        }
        p = q + 1;
        while (p < e && b[p] !== COMMA) p++;
      } else if (role >= 0) {
        let v = parseNumber(b, p, e);
        if (field.approx) v = exactNumber(b, p, field.cursor);
        values[role]![row] = v;
        if (field.bad) {
          field.bad = false;
          this.noteBad(role);
        }
        p = field.cursor;
      } else if (role === ROLE_TIME) {
        if (!parseTime(b, p, e)) this.badTime(b, p, e);
        p = field.cursor;
      } else {
        while (p < e && b[p] !== COMMA) p++;
      }
      f++;
      if (p >= e) break;
      p++;
    }
    if (f !== nFields) {
      throw new AppError('csv_column_count', `line ${this.line} has ${f} fields, the header has ${nFields}.`, {
        line: this.line,
        fields: f,
        expected: nFields,
      });
    }
    if (LITTLE_ENDIAN) {
      this.tw[2 * row] = field.timeLo;
      this.tw[2 * row + 1] = field.timeHi;
    } else {
      this.t[row] = (BigInt(field.timeHi) << 32n) | BigInt(field.timeLo);
    }
    this.n++;
    this.total++;
  }

  private noteBad(ch: number): void {
    if (this.badCount[ch] === 0) this.badFirstLine[ch] = this.line;
    this.badCount[ch]!++;
  }

  private badTime(b: Uint8Array, p: number, e: number): never {
    let z = p;
    while (z < e && b[z] !== COMMA) z++;
    const text = new TextDecoder().decode(b.subarray(p, Math.min(z, p + 40)));
    throw new AppError(
      'csv_bad_value',
      `line ${this.line}: the time ${JSON.stringify(text)} is not an integer of Unix epoch nanoseconds (up to 19 digits).`,
      { line: this.line, column: 'time' },
    );
  }

  /** Returns the buffered rows as a chunk and starts a new one. */
  flush(): SampleChunk {
    const n = this.n;
    const chunk: SampleChunk =
      n === ROWS_PER_CHUNK
        ? { length: n, t: this.t, values: this.values }
        : { length: n, t: this.t.slice(0, n), values: this.values.map((v) => v.slice(0, n)) };
    this.reset();
    return chunk;
  }
}
