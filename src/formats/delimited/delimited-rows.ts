/**
 * The hot loop of the delimited-text readers: parses complete lines straight from bytes into per-stream
 * chunks (int64 ns times, float32 SI values), following a Plan. No strings per row on the fast path; label
 * runs are compared as bytes. A row is added to a stream only when at least one of its channels has a
 * value, so files that interleave sensors at different rates (blank cells) keep each stream's own rows.
 */

import { FLOAT32_MAX, NON_FINITE_BITS } from '../../domain/sample-values.js';
import type { ImportedLabel, SampleChunk } from '../../domain/stream.js';
import { closingQuote, QUOTE } from '../common/csv-fields.js';
import { decimal } from '../common/decimal-field.js';
import { fieldEnd, fieldText, fld, isoField, parseExactTime, parseIsoField, parseValue } from './delimited-fields.js';
import { MAX_ANNOTATIONS, type LabelPlan, type Plan } from './delimited-plan.js';
import { parseClockTime, parseIsoTime } from './delimited-time.js';
import { NS_PER_UNIT } from './delimited-units.js';

const CR = 13;
const SPACE = 32;
const TAB = 9;
const TWO32 = 4294967296;
const BILLION = 1e9;
/** Beyond this (ns), a time delta relative to the base is no longer an exact double: move the base. */
const REBASE_ABOVE = 2 ** 52;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const ROLE_IGNORE = -1;
const ROLE_TIME = -2;
/** Label column k has role ROLE_LABEL − k. */
const ROLE_LABEL = -3;
const DAY_NS = 86_400e9;
const HALF_DAY_NS = 43_200e9;
const MAX_LABEL_BYTES = 200;
/** Values held per chunk across all channels: bounds memory when a file has hundreds of columns. */
const VALUES_PER_CHUNK = 4_194_304;

class StreamBuffer {
  n = 0;
  total = 0;
  t = new BigInt64Array(0);
  tw = new Uint32Array(0);
  values: Float32Array[] = [];
  /** The same bytes as `values`, to write the non-finite marker exactly. */
  bits: Uint32Array[] = [];
  present = false;
  declared = false;

  constructor(
    readonly channels: number,
    readonly rows: number,
  ) {
    this.reset();
  }

  reset(): void {
    this.t = new BigInt64Array(this.rows);
    this.tw = new Uint32Array(this.t.buffer);
    this.values = Array.from({ length: this.channels }, () => new Float32Array(this.rows));
    this.bits = this.values.map((v) => new Uint32Array(v.buffer));
    this.n = 0;
  }

  flush(): SampleChunk {
    const n = this.n;
    const chunk: SampleChunk =
      n === this.rows ? { length: n, t: this.t, values: this.values } : { length: n, t: this.t.slice(0, n), values: this.values.map((v) => v.slice(0, n)) };
    this.reset();
    return chunk;
  }
}

/** The run of equal values a label column is in. */
class LabelRun {
  bytes = new Uint8Array(MAX_LABEL_BYTES);
  len = -1;
  text = '';
  startNs = 0n;
  /** The field's bytes in the current line (−1: not seen). */
  fieldStart = -1;
  fieldEnd = -1;

  constructor(readonly plan: LabelPlan) {}
}

/** Why a line was skipped. */
export type SkipReason = 'fields' | 'time';

export class RowParser {
  readonly streams: StreamBuffer[];
  private readonly map: Int32Array;
  private readonly slotStream: Int32Array;
  private readonly slotChannel: Int32Array;
  private readonly slotScale: Float64Array;
  private readonly d1: number;
  private readonly d2: number;
  private readonly dec: number;
  private readonly ws: boolean;
  private readonly nFields: number;
  private readonly nsPerUnit: number;
  private readonly rateStepNs: number;
  /** Physical line number of the last line parsed. */
  line: number;
  rows = 0;
  anyFull = false;
  /** Time base: t = baseNs + d, d an exact double. */
  private baseNs = 0n;
  private baseHi = 0;
  private baseLo = 0;
  private baseUnitsHi = 0;
  private baseUnitsLo = 0;
  private haveBase = false;
  private prevD = Number.NaN;
  private rowD = 0;
  firstNs: bigint | null = null;
  lastNs: bigint | null = null;
  backwards = 0;
  firstBackwardsLine = 0;
  readonly nonNumeric: Int32Array;
  readonly nonNumericLine: Int32Array;
  /** Values the file wrote as `Infinity`, `NaN`, `1e309` (stored as the non-finite marker), per slot. */
  readonly nonFinite: Int32Array;
  readonly nonFiniteLine: Int32Array;
  skipped = 0;
  firstSkipped: { line: number; reason: SkipReason } | null = null;
  truncatedLast = false;
  // label runs, one per label column
  private readonly labels: LabelRun[];
  readonly annotations: ImportedLabel[] = [];
  annotationCount = 0;
  annotationsDropped = 0;
  /** Clock-of-day times: days added after passing midnight, and the last time of day seen. */
  private dayNs = 0;
  private prevClockNs = Number.NaN;

  constructor(private readonly plan: Plan, firstLine: number) {
    const { dialect } = plan;
    this.line = firstLine - 1;
    this.nFields = dialect.fieldCount;
    this.ws = dialect.whitespace;
    this.d1 = dialect.delimiter;
    this.d2 = dialect.whitespace ? TAB : dialect.delimiter;
    this.dec = dialect.decimalComma ? 44 : 46;
    const slots = plan.streams.reduce((a, s) => a + s.fields.length, 0);
    const rows = Math.max(1024, Math.min(65_536, Math.floor(VALUES_PER_CHUNK / Math.max(1, slots))));
    this.streams = plan.streams.map((s) => new StreamBuffer(s.fields.length, rows));
    this.map = new Int32Array(this.nFields).fill(ROLE_IGNORE);
    this.slotStream = new Int32Array(slots);
    this.slotChannel = new Int32Array(slots);
    this.slotScale = new Float64Array(slots);
    let slot = 0;
    plan.streams.forEach((s, si) => {
      s.fields.forEach((f, ci) => {
        this.map[f] = slot;
        this.slotStream[slot] = si;
        this.slotChannel[slot] = ci;
        this.slotScale[slot] = s.scales[ci] ?? 1;
        slot++;
      });
    });
    if (plan.time.kind === 'column') this.map[plan.time.index] = ROLE_TIME;
    this.labels = plan.labels.map((l, k) => {
      this.map[l.index] = ROLE_LABEL - k;
      return new LabelRun(l);
    });
    this.nsPerUnit = plan.time.kind === 'column' ? NS_PER_UNIT[plan.time.unit] : 1;
    this.rateStepNs = plan.time.kind === 'rate' ? 1e9 / plan.time.rateHz : 0;
    if (plan.time.kind === 'rate' && plan.time.indexField !== null) this.map[plan.time.indexField] = ROLE_TIME;
    this.nonNumeric = new Int32Array(slots);
    this.nonNumericLine = new Int32Array(slots);
    this.nonFinite = new Int32Array(slots);
    this.nonFiniteLine = new Int32Array(slots);
  }

  /** Parses complete lines of `b[p, end)` until a stream's chunk is full; returns the position after the last. */
  parseLines(b: Uint8Array, p0: number, end: number): number {
    let p = p0;
    while (!this.anyFull) {
      const nl = b.indexOf(10, p);
      if (nl < 0 || nl >= end) return p;
      this.parseLine(b, p, nl, false);
      p = nl + 1;
    }
    return p;
  }

  private skip(reason: SkipReason, last: boolean): void {
    if (last && reason === 'fields') {
      this.truncatedLast = true;
      return;
    }
    this.skipped++;
    if (this.firstSkipped === null) this.firstSkipped = { line: this.line, reason };
  }

  /** Counts a line that was skipped without being parsed (longer than the line cap). */
  skipLongLine(): void {
    this.line++;
    this.skip('fields', false);
  }

  /** Parses one line `b[s, e)` (without its LF); `last` when it is the file's unterminated last line. */
  parseLine(b: Uint8Array, s: number, e0: number, last: boolean): void {
    let e = e0;
    this.line++;
    if (e > s && b[e - 1] === CR) e--;
    let p = s;
    if (this.ws) while (p < e && (b[p] === SPACE || b[p] === TAB)) p++;
    if (p === e) return;
    const { map, d1, d2, dec, nFields, streams } = this;
    for (const st of streams) st.present = false;
    let timeOk = this.plan.time.kind === 'rate' && this.plan.time.indexField === null;
    if (timeOk) this.rowD = Math.round(this.rows * this.rateStepNs);
    for (const l of this.labels) l.fieldStart = -1;
    let f = 0;
    for (;;) {
      if (!this.ws) while (p < e && b[p] === SPACE) p++;
      const role = f < nFields ? map[f]! : ROLE_IGNORE;
      let fe = e;
      let fs = p;
      if (p < e && b[p] === QUOTE) {
        fe = closingQuote(b, p, e);
        fs = p + 1;
      }
      if (role >= 0) {
        fld.bad = false;
        const v = parseValue(b, fs, fe, d1, d2, dec);
        if (fe !== e && fld.cursor !== fe) fld.bad = true;
        const st = streams[this.slotStream[role]!]!;
        if (fld.bad) {
          if (this.nonNumeric[role] === 0) this.nonNumericLine[role] = this.line;
          this.nonNumeric[role]!++;
          st.values[this.slotChannel[role]!]![st.n] = Number.NaN;
        } else {
          const x = v * this.slotScale[role]!;
          if (x <= FLOAT32_MAX && x >= -FLOAT32_MAX) {
            st.values[this.slotChannel[role]!]![st.n] = x;
            st.present = true;
          } else if (v !== v && !decimal.nanText) st.values[this.slotChannel[role]!]![st.n] = Number.NaN;
          else this.nonFiniteValue(role, st);
        }
        p = fld.cursor;
      } else if (role === ROLE_TIME) {
        timeOk = this.parseTimeField(b, fs, fe);
        p = fld.cursor;
      } else if (role <= ROLE_LABEL) {
        const z = fe === e ? fieldEnd(b, fs, e, d1, d2) : fe;
        const l = this.labels[ROLE_LABEL - role]!;
        l.fieldStart = fs;
        l.fieldEnd = z;
        p = z;
      }
      if (fe !== e) p = fe + 1;
      if (p < e && b[p] !== d1 && b[p] !== d2) p = fieldEnd(b, p, e, d1, d2);
      f++;
      if (p >= e) break;
      p++;
      if (this.ws) {
        while (p < e && (b[p] === SPACE || b[p] === TAB)) p++;
        if (p >= e) break;
      }
    }
    if (f !== nFields) return this.skip('fields', last);
    if (!timeOk) return this.skip('time', last);
    this.acceptRow();
    for (const l of this.labels) if (l.fieldStart >= 0 || l.len >= 0) this.noteLabel(l, b);
  }

  /** Stores the non-finite marker for a value the file wrote as `Infinity`, `NaN`, `1e309` (rare path). */
  private nonFiniteValue(role: number, st: StreamBuffer): void {
    decimal.nanText = false;
    if (this.nonFinite[role] === 0) this.nonFiniteLine[role] = this.line;
    this.nonFinite[role]!++;
    st.bits[this.slotChannel[role]!]![st.n] = NON_FINITE_BITS;
    st.present = true;
  }

  /** Parses the time field into `rowD` (ns after the base). */
  private parseTimeField(b: Uint8Array, p: number, e: number): boolean {
    const time = this.plan.time;
    if (time.kind === 'rate') {
      const v = parseValue(b, p, e, this.d1, this.d2, this.dec);
      decimal.nanText = false;
      if (!(v === v)) return false;
      this.rowD = Math.round(v * this.rateStepNs);
      return true;
    }
    if (time.mode === 'rel') {
      fld.bad = false;
      const v = parseValue(b, p, e, this.d1, this.d2, this.dec);
      decimal.nanText = false;
      if (fld.bad || !(v === v)) return false;
      this.rowD = Math.round(v * this.nsPerUnit) - time.shiftNs;
      return true;
    }
    if (time.mode === 'clock') {
      const z = fieldEnd(b, p, e, this.d1, this.d2);
      fld.cursor = z;
      const ns = parseClockTime(fieldText(b, p, z));
      if (ns === null) return false;
      // Past midnight the time of day starts again: a drop of more than half a day is the next day.
      if (ns < this.prevClockNs - HALF_DAY_NS) this.dayNs += DAY_NS;
      this.prevClockNs = ns;
      this.rowD = ns + this.dayNs - time.shiftNs;
      return true;
    }
    if (time.mode === 'iso') {
      // Base units: Unix ms (hi) and the ns below them (lo).
      let ms: number;
      let sub: number;
      if (parseIsoField(b, p, e, this.d1, this.d2)) {
        ms = isoField.ms;
        sub = isoField.subNs;
      } else {
        const z = fieldEnd(b, p, e, this.d1, this.d2);
        fld.cursor = z;
        const parsed = parseIsoTime(fieldText(b, p, z));
        if (parsed === null) return false;
        ms = Number(parsed.ns / 1_000_000n);
        sub = Number(parsed.ns - BigInt(ms) * 1_000_000n);
      }
      if (this.haveBase) {
        const d = (ms - this.baseUnitsHi) * 1e6 + (sub - this.baseUnitsLo);
        if (Math.abs(d) <= REBASE_ABOVE) {
          this.rowD = d;
          return true;
        }
      }
      this.setBase(BigInt(ms) * 1_000_000n + BigInt(sub), ms, sub);
      this.rowD = 0;
      return true;
    }
    if (!parseExactTime(b, p, e, this.d1, this.d2, this.dec, this.nsPerUnit)) return false;
    const sh = fld.neg ? -fld.hi : fld.hi;
    const sl = fld.neg ? -fld.lo : fld.lo;
    const frac = fld.neg ? -fld.fracNs : fld.fracNs;
    const M = this.nsPerUnit;
    if (this.haveBase) {
      const d = ((sh - this.baseUnitsHi) * BILLION + (sl - this.baseUnitsLo)) * M + frac;
      if (Math.abs(d) <= REBASE_ABOVE) {
        this.rowD = d;
        return true;
      }
    }
    this.setBase((BigInt(sh) * 1_000_000_000n + BigInt(sl)) * BigInt(M), sh, sl);
    this.rowD = frac;
    return true;
  }

  private setBase(ns: bigint, unitsHi: number, unitsLo: number): void {
    if (this.haveBase) this.prevD = Number.NaN;
    this.baseNs = ns;
    const u = BigInt.asUintN(64, ns);
    this.baseHi = Number(u >> 32n);
    this.baseLo = Number(u & 0xffffffffn);
    this.baseUnitsHi = unitsHi;
    this.baseUnitsLo = unitsLo;
    this.haveBase = true;
  }

  private acceptRow(): void {
    const d = this.rowD;
    if (d < this.prevD) {
      if (this.backwards === 0) this.firstBackwardsLine = this.line;
      this.backwards++;
    }
    this.prevD = d;
    const dh = Math.floor(d / TWO32);
    let lo = this.baseLo + (d - dh * TWO32);
    let hi = this.baseHi + dh;
    if (lo >= TWO32) {
      lo -= TWO32;
      hi++;
    }
    if (this.firstNs === null) this.firstNs = this.nowNs();
    for (const st of this.streams) {
      if (!st.present) continue;
      const r = st.n;
      if (LITTLE_ENDIAN) {
        st.tw[2 * r] = lo;
        st.tw[2 * r + 1] = hi;
      } else {
        st.t[r] = this.nowNs();
      }
      st.n++;
      st.total++;
      if (st.n === st.rows) this.anyFull = true;
    }
    this.rows++;
  }

  /** The current row's time as a BigInt (rare: first row, label changes, the end). */
  private nowNs(): bigint {
    return this.baseNs + BigInt(this.rowD);
  }

  private noteLabel(l: LabelRun, b: Uint8Array): void {
    const now = this.nowNs();
    this.lastNs = now;
    let a = Math.max(0, l.fieldStart);
    let z = l.fieldStart < 0 ? a : Math.max(0, l.fieldEnd);
    while (a < z && (b[a] === SPACE || b[a] === TAB)) a++;
    while (z > a && (b[z - 1] === SPACE || b[z - 1] === TAB)) z--;
    if (z - a > MAX_LABEL_BYTES) z = a + MAX_LABEL_BYTES;
    const len = z - a;
    if (len === l.len) {
      let same = true;
      for (let i = 0; i < len && same; i++) same = l.bytes[i] === b[a + i];
      if (same) return;
    }
    this.closeRun(l, now);
    if (len === 0) {
      l.len = -1;
      return;
    }
    l.bytes.set(b.subarray(a, z));
    l.len = len;
    l.text = new TextDecoder().decode(b.subarray(a, z));
    l.startNs = now;
  }

  /** Ends every label column's current run at `endNs` (the last row). */
  closeLabel(endNs: bigint | null): void {
    for (const l of this.labels) this.closeRun(l, endNs);
  }

  /** Ends a label run at `endNs` (the first row of the next run, or the last row). */
  private closeRun(l: LabelRun, endNs: bigint | null): void {
    if (l.len <= 0) return;
    l.len = -1;
    if (this.annotationCount >= MAX_ANNOTATIONS) {
      this.annotationsDropped++;
      return;
    }
    this.annotationCount++;
    this.annotations.push({ label: l.text, startNs: l.startNs, endNs: endNs ?? this.lastNs, origin: l.plan.origin });
  }

  /** The time of the last accepted row. */
  lastRowNs(): bigint | null {
    return this.rows === 0 ? null : this.nowNs();
  }
}
