import type { ReaderEvent } from '../../domain/stream.js';
import { BlockSampleSink, NsBase } from '../common/block-sample-sink.js';
import { MAX_RATE_HZ, wallClockSeconds, type GeneactivHeader } from './geneactiv-bin-header.js';
import { STANDARD_GRAVITY as G } from '../../domain/units.js';

/**
 * Decodes GENEActiv pages (one `Key:Value` map and one hex line each) into the sinks, with the counts the
 * warnings report. Each sample is 12 hex digits: x, y, z as 12-bit two's complement, then 10 bits of light,
 * the button bit and a reserved bit. A page that fails a check is skipped whole (never filled in), and its
 * neighbours are not stretched over the hole.
 */

/** Rows per chunk (≤ the contract's 65,536; smaller chunks keep the peak RSS lower, see axivity-cwa-blocks.ts). */
const MAX_ROWS = 16_384;
const POINT_ROWS = 4096;
const TRUST_LOW = 0.8;
const TRUST_HIGH = 1.2;
const LIST_MAX = 20;
/** Button presses kept as annotations; a stuck or noisy button beyond this is only counted. */
export const MAX_PRESSES = 10_000;

/** Hex digit values by byte, −1 for anything else. */
const HEX = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[65 + i] = 10 + i;
    t[97 + i] = 10 + i;
  }
  return t;
})();

type BadReason = 'damaged page header' | 'invalid page time' | 'impossible measurement frequency' | 'hex data of a wrong length' | 'characters that are not hex digits' | 'no samples';

export class GeneactivPages {
  readonly out: ReaderEvent[] = [];
  pages = 0;
  good = 0;
  samples = 0;
  readonly bad = new Map<BadReason, number>();
  readonly badIndices: number[] = [];
  badTotal = 0;
  sequenceGaps = 0;
  timeJumps = 0;
  readonly timeJumpIndices: number[] = [];
  presses = 0;
  /** Hex digits of an incomplete last sample dropped at a cut end of file. */
  truncatedDigits = 0;

  private base: NsBase | null = null;
  private baseSec = 0;
  private accel: BlockSampleSink | null = null;
  private light: BlockSampleSink | null = null;
  private temperature: BlockSampleSink | null = null;
  private battery: BlockSampleSink | null = null;
  private readonly a: number[];
  private readonly b: number[];
  private readonly luxPerUnit: number;
  private lastSeq = Number.NaN;
  private lastStartNs = 0;
  private lastPeriodNs = 0;
  private lastCount = 0;
  private skippedSince = 0;
  private pressed = false;
  private pressStartNs = 0;
  private lastSampleNs = 0;

  constructor(
    private readonly header: GeneactivHeader,
    /** The events that open the recording, once the first good page is known. */
    private readonly onFirstPage: (startTimeNs: bigint, rateHz: number) => ReaderEvent[],
  ) {
    // value_g = (raw × 100 − offset) / gain, folded into one multiply-add per value, in m/s².
    this.a = header.gain.map((g) => (100 / g) * G);
    this.b = header.gain.map((g, i) => (-header.offset[i]! / g) * G);
    this.luxPerUnit = Number.isFinite(header.lux) && Number.isFinite(header.volts) ? header.lux / header.volts : 1;
  }

  /** Whether light is in lux (the header gave Lux and Volts) or raw units. */
  get lightInLux(): boolean {
    return Number.isFinite(this.header.lux) && Number.isFinite(this.header.volts);
  }

  private skip(reason: BadReason): void {
    this.bad.set(reason, (this.bad.get(reason) ?? 0) + 1);
    this.badTotal++;
    if (this.badIndices.length < LIST_MAX) this.badIndices.push(this.pages - 1);
    this.skippedSince++;
  }

  /** Counts a damaged page found by the caller (no data line, garbage in its header). */
  skipDamaged(): void {
    this.pages++;
    this.skip('damaged page header');
  }

  /** One page: its header fields and its hex line (`terminated` false when the file ends inside it). */
  page(fields: Map<string, string>, hex: Uint8Array, terminated: boolean): void {
    this.pages++;
    const wall = wallClockSeconds(fields.get('Page Time') ?? '');
    if (Number.isNaN(wall)) return this.skip('invalid page time');
    const freqText = fields.get('Measurement Frequency');
    const rateHz = freqText === undefined ? this.header.rateHz : Number(freqText.replace(/\s*Hz$/i, ''));
    if (!(rateHz > 0 && rateHz <= MAX_RATE_HZ)) return this.skip('impossible measurement frequency');
    const n = Math.floor(hex.length / 12);
    const rest = hex.length - n * 12;
    if (rest !== 0 && terminated) return this.skip('hex data of a wrong length');
    if (n === 0) return this.skip('no samples');
    for (let i = 0; i < n * 12; i++) if (HEX[hex[i]!]! < 0) return this.skip('characters that are not hex digits');
    if (!terminated) this.truncatedDigits = rest;

    const utc = wall - (this.header.utcOffsetMin ?? 0) * 60;
    if (this.base === null) {
      this.baseSec = Math.floor(utc);
      this.base = new NsBase(this.baseSec);
      this.open(this.base);
      this.out.push(...this.onFirstPage(this.base.at(Math.round((utc - this.baseSec) * 1000) * 1e6), rateHz));
    }
    // Page times are whole milliseconds: round away the double's noise.
    const startNs = Math.round((utc - this.baseSec) * 1000) * 1e6;
    const periodNs = 1e9 / rateHz;
    const seq = Number(fields.get('Sequence Number') ?? Number.NaN);
    let trust = false;
    if (this.good > 0) {
      const follows = this.skippedSince === 0 && (Number.isNaN(seq) || seq === this.lastSeq + 1);
      if (!Number.isNaN(seq) && !Number.isNaN(this.lastSeq) && seq !== this.lastSeq + 1 + this.skippedSince) this.sequenceGaps++;
      const expected = this.lastCount * this.lastPeriodNs;
      const delta = startNs - this.lastStartNs;
      const inStep = delta > TRUST_LOW * expected && delta < TRUST_HIGH * expected;
      trust = follows && inStep;
      if (follows && !inStep) {
        this.timeJumps++;
        if (this.timeJumpIndices.length < LIST_MAX) this.timeJumpIndices.push(this.pages - 1);
      }
    }
    this.lastSeq = seq;
    this.lastStartNs = startNs;
    this.lastPeriodNs = periodNs;
    this.lastCount = n;
    this.skippedSince = 0;
    this.good++;
    this.samples += n;
    this.decode(hex, n, startNs, periodNs, trust ? startNs : null);
    const temp = Number(fields.get('Temperature') ?? Number.NaN);
    if (Number.isFinite(temp)) this.emit(this.temperature!.point(startNs, temp));
    const volts = Number(fields.get('Battery voltage') ?? Number.NaN);
    if (Number.isFinite(volts)) this.emit(this.battery!.point(startNs, volts));
  }

  private open(base: NsBase): void {
    this.accel = new BlockSampleSink('accelerometer', 3, MAX_ROWS - (MAX_ROWS % 300), base);
    this.light = new BlockSampleSink('light', 1, MAX_ROWS - (MAX_ROWS % 300), base);
    this.temperature = new BlockSampleSink('temperature', 1, POINT_ROWS, base);
    this.battery = new BlockSampleSink('battery', 1, POINT_ROWS, base);
  }

  private emit(ev: ReaderEvent | null): void {
    if (ev !== null) this.out.push(ev);
  }

  private decode(h: Uint8Array, n: number, startNs: number, periodNs: number, settleAt: number | null): void {
    const accel = this.accel!;
    const light = this.light!;
    accel.settle(settleAt);
    light.settle(settleAt);
    this.emit(accel.reserve(n));
    this.emit(light.reserve(n));
    const r = accel.rows;
    const lr = light.rows;
    const [vx, vy, vz] = accel.values as [Float32Array, Float32Array, Float32Array];
    const vl = light.values[0]!;
    const [ax, ay, az] = this.a as [number, number, number];
    const [bx, by, bz] = this.b as [number, number, number];
    const luxPerUnit = this.luxPerUnit;
    for (let k = 0, p = 0; k < n; k++, p += 12) {
      const x = (HEX[h[p]!]! << 8) | (HEX[h[p + 1]!]! << 4) | HEX[h[p + 2]!]!;
      const y = (HEX[h[p + 3]!]! << 8) | (HEX[h[p + 4]!]! << 4) | HEX[h[p + 5]!]!;
      const z = (HEX[h[p + 6]!]! << 8) | (HEX[h[p + 7]!]! << 4) | HEX[h[p + 8]!]!;
      const l = (HEX[h[p + 9]!]! << 8) | (HEX[h[p + 10]!]! << 4) | HEX[h[p + 11]!]!;
      vx[r + k] = ((x << 20) >> 20) * ax + bx;
      vy[r + k] = ((y << 20) >> 20) * ay + by;
      vz[r + k] = ((z << 20) >> 20) * az + bz;
      vl[lr + k] = (l >> 2) * luxPerUnit;
      if ((((l >> 1) & 1) === 1) !== this.pressed) this.button(startNs + k * periodNs);
    }
    accel.commit(n, startNs, periodNs);
    light.commit(n, startNs, periodNs);
    this.lastSampleNs = startNs + (n - 1) * periodNs;
  }

  /** A button edge at (about: the page's nominal period) `atNs`; a press becomes an annotation when released. */
  private button(atNs: number): void {
    this.pressed = !this.pressed;
    if (this.pressed) {
      this.pressStartNs = atNs;
      return;
    }
    this.press(atNs);
  }

  private press(endNs: number): void {
    this.presses++;
    if (this.presses > MAX_PRESSES) return;
    const base = this.base!;
    this.out.push({
      type: 'annotation',
      annotation: { label: 'button press', startNs: base.at(Math.round(this.pressStartNs)), endNs: base.at(Math.round(endNs)), origin: 'GENEActiv button' },
    });
  }

  /** Closes the open pages at their own rate, ends a press still held, and emits what is left. */
  finish(): void {
    if (this.pressed) this.press(this.lastSampleNs);
    for (const sink of [this.accel, this.light, this.temperature, this.battery]) {
      if (sink === null) continue;
      sink.settle(null);
      this.emit(sink.flush());
    }
  }
}
