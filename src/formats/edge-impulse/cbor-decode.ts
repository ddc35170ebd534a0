import { AppError } from '../../lib/errors.js';

/**
 * A small CBOR (RFC 8949) decoder over bytes held in memory, bounded for hostile input: nesting is capped
 * (`json_too_deep`), every declared length is checked against the bytes that remain before anything is
 * allocated (`format_truncated`), and a caller can leave chosen map values undecoded (`lazyKeys`) to walk
 * them itself — Edge Impulse's `values` array can hold millions of numbers that must not become JS arrays.
 */

/*
 * Hand-written rather than cbor-x, on benchmark and safety evidence. Measured 2026-12-03 on the 2-core project
 * machine (Node 20.20, load average near 10 from other work), cbor-x 1.6.9 installed in a scratch folder outside
 * the repository (its optional native cbor-extract does not build: npm blocks its install script), on Edge
 * Impulse CBOR files of [x, y, z] float32 rows at 10 ms:
 *   - 300,000 rows (900,000 values, 4.8 MB): `parseEiCbor` + `cborValues` walking every row into a Float64Array
 *     0.06 CPU-s (61 MB/s), heap peak 11 MiB; `decode(buf)` of cbor-x then reading `payload.values` 0.21 CPU-s
 *     (9.5 MB/s), heap 42 MiB;
 *   - 3,000,000 rows (9 M values, 48 MB): 0.34 vs 1.96 CPU-s (75 vs 10 MB/s; 5.8× the CPU), heap peak 10 vs
 *     372 MiB, peak RSS 171 vs 532 MiB (the file itself is held in both). At the reader's 256 MB cap that
 *     is about 2 GB of JS arrays for cbor-x.
 * Properties cbor-x lacks: it decodes one whole item at once (its DecoderStream only splits a sequence of
 * complete items), so `values` cannot be left undecoded or walked row by row; it reports no byte positions,
 * and the HS256 check needs the exact range of the top-level `signature` text to zero it; it has no depth
 * cap — 100,000 nested one-element arrays throw `RangeError: Maximum call stack size exceeded` instead of
 * `json_too_deep`; its other errors are plain Errors ("Unexpected end of CBOR data", "JavaScript does not
 * support arrays … over 4294967295") with no codes. It does keep 64-bit integers exact (BigInt) where
 * `head()` here rounds past 2^53 — no Edge Impulse field needs that: values end as float32, `iat` is seconds.
 * Reproduce: `npm i cbor-x@1.6.9` in a scratch folder; under tsx, time `decode(buf)` against `parseEiCbor` +
 * `cborValues(...).next(row)` over the same bytes, one process per run, reading `process.cpuUsage()` and the
 * peak of `process.memoryUsage().heapUsed`.
 */

export type CborValue = number | string | boolean | null | undefined | Uint8Array | CborValue[] | CborMap | CborLazy;

/** A map decoded to an object with string keys (integer keys become their decimal text). */
export interface CborMap {
  [key: string]: CborValue;
}

/** A value left undecoded: its byte range in the buffer. */
export interface CborLazy {
  lazy: true;
  start: number;
  end: number;
}

export interface CborDecodeOptions {
  maxDepth?: number;
  /** Map keys whose values are skipped and returned as `CborLazy`. */
  lazyKeys?: ReadonlySet<string>;
  /** Called for every text-string map value with its key and the byte range of its UTF-8 content. */
  onText?: (key: string, start: number, end: number, depth: number) => void;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function isLazy(v: CborValue): v is CborLazy {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v) && (v as CborLazy).lazy === true;
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 31) return mant === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

/** Cursor over a CBOR buffer. */
export class CborReader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    private readonly options: CborDecodeOptions = {},
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private truncated(): never {
    throw new AppError('format_truncated', `The CBOR data ends at byte ${this.buf.length} inside an item that starts before it: the file was cut.`, { offset: this.pos });
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) this.truncated();
  }

  /** Reads an item head: major type, and its argument (length, value or float bits); -1 for indefinite length. */
  head(): { major: number; info: number; arg: number } {
    this.need(1);
    const ib = this.buf[this.pos++]!;
    const major = ib >> 5;
    const info = ib & 0x1f;
    let arg: number;
    if (info < 24) arg = info;
    else if (info === 24) {
      this.need(1);
      arg = this.buf[this.pos]!;
      this.pos += 1;
    } else if (info === 25) {
      this.need(2);
      arg = this.view.getUint16(this.pos);
      this.pos += 2;
    } else if (info === 26) {
      this.need(4);
      arg = this.view.getUint32(this.pos);
      this.pos += 4;
    } else if (info === 27) {
      this.need(8);
      arg = this.view.getUint32(this.pos) * 0x100000000 + this.view.getUint32(this.pos + 4);
      this.pos += 8;
    } else if (info === 31 && major >= 2 && major <= 5) arg = -1;
    else if (info === 31 && major === 7) arg = -2;
    else throw new AppError('format_corrupt', `Invalid CBOR item header 0x${ib.toString(16)} at byte ${this.pos - 1}.`, { offset: this.pos - 1 });
    return { major, info, arg };
  }

  /** True (and consumed) when the next byte is the "break" that ends an indefinite-length item. */
  atBreak(): boolean {
    this.need(1);
    if (this.buf[this.pos] === 0xff) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** Reads a number item (integer or float); NaN for anything else (the item is still consumed). */
  number(depth = 0): number {
    this.checkDepth(depth);
    const start = this.pos;
    const h = this.head();
    if (h.major === 0) return h.arg;
    if (h.major === 1) return -1 - h.arg;
    if (h.major === 7) {
      if (h.info === 25) return halfToNumber(h.arg);
      if (h.info === 26) return this.view.getFloat32(this.pos - 4);
      if (h.info === 27) return this.view.getFloat64(this.pos - 8);
      return Number.NaN;
    }
    if (h.major === 6) return this.number(depth + 1);
    this.pos = start;
    this.skip(depth);
    return Number.NaN;
  }

  private checkDepth(depth: number): void {
    const max = this.options.maxDepth ?? 64;
    if (depth > max) {
      throw new AppError('json_too_deep', `The CBOR data nests deeper than ${max} levels at byte ${this.pos}; no sensor export does that.`, { offset: this.pos });
    }
  }

  /** Length of a definite container/string checked against the bytes left (each element takes ≥ 1 byte). */
  private checkedLength(n: number, perItem: number): number {
    if (n * perItem > this.buf.length - this.pos) this.truncated();
    return n;
  }

  /** Skips one item. */
  skip(depth = 0): void {
    this.checkDepth(depth);
    const h = this.head();
    switch (h.major) {
      case 0:
      case 1:
        return;
      case 2:
      case 3:
        if (h.arg === -1) {
          while (!this.atBreak()) this.skip(depth + 1);
          return;
        }
        this.need(h.arg);
        this.pos += h.arg;
        return;
      case 4:
      case 5: {
        const per = h.major === 5 ? 2 : 1;
        if (h.arg === -1) {
          while (!this.atBreak()) for (let k = 0; k < per; k++) this.skip(depth + 1);
          return;
        }
        const n = this.checkedLength(h.arg, per);
        for (let i = 0; i < n * per; i++) this.skip(depth + 1);
        return;
      }
      case 6:
        this.skip(depth + 1);
        return;
      default:
        return;
    }
  }

  private string(h: { major: number; arg: number }, depth: number): string | Uint8Array {
    if (h.arg === -1) {
      const parts: (string | Uint8Array)[] = [];
      while (!this.atBreak()) {
        this.checkDepth(depth + 1);
        const inner = this.head();
        if (inner.major !== h.major || inner.arg < 0) throw new AppError('format_corrupt', `Invalid CBOR chunked string at byte ${this.pos}.`, { offset: this.pos });
        parts.push(this.string(inner, depth + 1));
      }
      if (h.major === 3) return parts.join('');
      const bytes = parts as Uint8Array[];
      const out = new Uint8Array(bytes.reduce((a, p) => a + p.length, 0));
      let o = 0;
      for (const p of bytes) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    }
    this.need(h.arg);
    const s = this.buf.subarray(this.pos, this.pos + h.arg);
    this.pos += h.arg;
    return h.major === 3 ? utf8.decode(s) : s.slice();
  }

  /** Decodes one item (maps to objects; values of `lazyKeys` left as byte ranges). */
  value(depth = 0): CborValue {
    this.checkDepth(depth);
    const h = this.head();
    switch (h.major) {
      case 0:
        return h.arg;
      case 1:
        return -1 - h.arg;
      case 2:
      case 3:
        return this.string(h, depth);
      case 4: {
        const out: CborValue[] = [];
        if (h.arg === -1) {
          while (!this.atBreak()) out.push(this.value(depth + 1));
          return out;
        }
        const n = this.checkedLength(h.arg, 1);
        for (let i = 0; i < n; i++) out.push(this.value(depth + 1));
        return out;
      }
      case 5: {
        const out: CborMap = {};
        const n = h.arg === -1 ? Infinity : this.checkedLength(h.arg, 2);
        for (let i = 0; i < n; i++) {
          if (h.arg === -1 && this.atBreak()) break;
          const k = this.value(depth + 1);
          const key = typeof k === 'string' ? k : typeof k === 'number' ? String(k) : '';
          if (this.options.lazyKeys?.has(key) === true) {
            const start = this.pos;
            this.skip(depth + 1);
            out[key] = { lazy: true, start, end: this.pos };
            continue;
          }
          const at = this.pos;
          const v = this.value(depth + 1);
          if (typeof v === 'string' && this.options.onText !== undefined) {
            const r = new CborReader(this.buf, at);
            const sh = r.head();
            if (sh.arg >= 0) this.options.onText(key, r.pos, r.pos + sh.arg, depth);
          }
          if (key !== '__proto__') out[key] = v;
        }
        return out;
      }
      case 6:
        return this.value(depth + 1);
      default:
        if (h.info === 20) return false;
        if (h.info === 21) return true;
        if (h.info === 22) return null;
        if (h.info === 25) return halfToNumber(h.arg);
        if (h.info === 26) return this.view.getFloat32(this.pos - 4);
        if (h.info === 27) return this.view.getFloat64(this.pos - 8);
        return undefined;
    }
  }
}
