import type { ReaderEvent } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { BlockSampleSink, NsBase } from '../common/block-sample-sink.js';
import { BLOCK_BYTES, DATA_PACKET_LENGTH, DEG, G, MAGIC_AX, packedSeconds, rateOf, type CwaHeader } from './axivity-cwa-format.js';

/**
 * The hot loop of the .cwa reader: checks and decodes whole 512-byte data blocks held in an aligned staging
 * buffer, through typed-array views (no per-sample allocation, no BigInt per sample), and keeps the counts the
 * warnings report. A block that fails a check is skipped whole: its samples are left out, never filled in,
 * and the blocks on either side are not stretched over the hole.
 */

/**
 * Rows per chunk: well under the contract's 65,536. Measured on a 7-day file, 16 Ki-row chunks (≈ 330 KB each)
 * keep the peak RSS ~8 MiB lower than 64 Ki-row ones (less freed-but-not-yet-collected memory at any moment)
 * at the same speed.
 */
const MAX_ROWS = 16_384;
/** Rows per chunk of the one-value-per-block streams (a 7-day file has ~500,000 blocks). */
const POINT_ROWS = 4096;
/** Consecutive blocks are trusted to spread samples when their start times differ by this share of nominal. */
const TRUST_LOW = 0.8;
const TRUST_HIGH = 1.2;
/** Block indices listed in a warning message. */
const LIST_MAX = 20;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Why a block was skipped, in the words of the warning. */
type BadReason = 'not a data block (no "AX")' | 'bad checksum' | 'wrong packet length' | 'unknown sample format' | 'more samples than a block holds' | 'impossible sample rate' | 'invalid timestamp' | 'sensor layout changed mid-file';

interface Layout {
  axes: number;
  hasGyro: boolean;
  hasMag: boolean;
}

export class CwaBlockDecoder {
  readonly staging: Uint8Array;
  private readonly u16: Uint16Array;
  private readonly i16: Int16Array;
  private readonly u32: Uint32Array;
  /** Events produced since the caller last drained them. */
  readonly out: ReaderEvent[] = [];
  /** Data blocks seen (the next block's 0-based index). */
  blocks = 0;
  good = 0;
  samples = 0;
  readonly bad = new Map<BadReason, number>();
  readonly badIndices: number[] = [];
  badTotal = 0;
  empty = 0;
  sequenceGaps = 0;
  timeJumps = 0;
  readonly timeJumpIndices: number[] = [];
  sessionChanges = 0;
  firstBlockRateHz: number | null = null;

  private layout: Layout | null = null;
  private base: NsBase | null = null;
  private baseSec = 0;
  private accel: BlockSampleSink | null = null;
  private gyro: BlockSampleSink | null = null;
  private mag: BlockSampleSink | null = null;
  private temperature: BlockSampleSink | null = null;
  private light: BlockSampleSink | null = null;
  private battery: BlockSampleSink | null = null;
  private lastSeq = -1;
  private lastSession = -1;
  private lastStartNs = 0;
  private lastPeriodNs = 0;
  private lastCount = 0;
  /** Blocks skipped (bad or empty) since the last good block. */
  private skippedSince = 0;

  constructor(
    private readonly header: CwaHeader,
    stagingBlocks: number,
    /** The events that open the recording (recording, metadata, stream declarations), once the first good block is known. */
    private readonly onFirstBlock: (startTimeNs: bigint, rateHz: number, layout: Layout) => ReaderEvent[],
  ) {
    if (!LITTLE_ENDIAN) {
      throw new AppError('format_unsupported_variant', 'The .cwa reader needs a little-endian machine; this one is big-endian.');
    }
    const buf = new ArrayBuffer(stagingBlocks * BLOCK_BYTES);
    this.staging = new Uint8Array(buf);
    this.u16 = new Uint16Array(buf);
    this.i16 = new Int16Array(buf);
    this.u32 = new Uint32Array(buf);
  }

  private skip(index: number, reason: BadReason): void {
    this.bad.set(reason, (this.bad.get(reason) ?? 0) + 1);
    this.badTotal++;
    if (this.badIndices.length < LIST_MAX) this.badIndices.push(index);
    this.skippedSince++;
  }

  /** Checks and decodes the block at byte `o` of the staging buffer (o a multiple of 512). */
  block(o: number): void {
    const index = this.blocks++;
    const u16 = this.u16;
    const u8 = this.staging;
    const w = o >> 1;
    if (u16[w] !== MAGIC_AX) return this.skip(index, 'not a data block (no "AX")');
    // 16-bit word sum of the whole block must be 0: summed as the two halves of 32-bit words (half the loads).
    const u32 = this.u32;
    let lo = 0;
    let hi = 0;
    for (let i = o >> 2, end = (o >> 2) + 128; i < end; i++) {
      const v = u32[i]!;
      lo += v & 0xffff;
      hi += v >>> 16;
    }
    if (((lo + hi) & 0xffff) !== 0) return this.skip(index, 'bad checksum');
    if (u16[w + 1] !== DATA_PACKET_LENGTH) return this.skip(index, 'wrong packet length');
    const axesBps = u8[o + 25]!;
    const axes = axesBps >> 4;
    const packed = (axesBps & 0x0f) === 0;
    if (!((axes === 3 && (packed || (axesBps & 0x0f) === 2)) || ((axes === 6 || axes === 9) && (axesBps & 0x0f) === 2))) {
      return this.skip(index, 'unknown sample format');
    }
    const count = u16[w + 14]!;
    if (count > (packed ? 120 : Math.floor(240 / axes))) return this.skip(index, 'more samples than a block holds');
    const rateCode = u8[o + 24]!;
    const tsOffset = this.i16[w + 13]!;
    const rateHz = rateCode !== 0 ? rateOf(rateCode) : tsOffset; // very old files: rate in the offset field
    if (!(rateHz >= 0.09 && rateHz <= 3200)) return this.skip(index, 'impossible sample rate');
    const wholeSec = packedSeconds((u16[w + 7]! | (u16[w + 8]! << 16)) >>> 0);
    if (Number.isNaN(wholeSec)) return this.skip(index, 'invalid timestamp');
    if (this.layout !== null && this.layout.axes !== axes) return this.skip(index, 'sensor layout changed mid-file');
    if (count === 0) {
      this.empty++;
      this.skippedSince++;
      return;
    }

    // The timestamp is the time of sample `offset`; with the fractional flag the offset was shifted to the
    // nearest whole second by the firmware, which is undone here (OpenMovement's `cwa_load`).
    let offset = rateCode !== 0 ? tsOffset : 0;
    let fraction = 0;
    const deviceFractional = u16[w + 2]!;
    if (rateCode !== 0 && (deviceFractional & 0x8000) !== 0) {
      fraction = (deviceFractional & 0x7fff) << 1;
      offset += (fraction * Math.trunc(rateHz)) >> 16;
    }
    const first = this.base === null;
    if (first) this.start(wholeSec, rateHz, axes);
    const startNs = (wholeSec - this.baseSec + fraction / 65536 - offset / rateHz) * 1e9;
    if (first) this.out.push(...this.onFirstBlock(this.base!.at(Math.round(startNs)), rateHz, this.layout!));
    const periodNs = 1e9 / rateHz;
    const seq = (u16[w + 5]! | (u16[w + 6]! << 16)) >>> 0;
    const session = (u16[w + 3]! | (u16[w + 4]! << 16)) >>> 0;

    let trust = false;
    if (this.lastSeq >= 0) {
      if (seq !== (this.lastSeq + 1 + this.skippedSince) % 4294967296) this.sequenceGaps++;
      if (session !== this.lastSession) this.sessionChanges++;
      const expected = this.lastCount * this.lastPeriodNs;
      const delta = startNs - this.lastStartNs;
      const inStep = delta > TRUST_LOW * expected && delta < TRUST_HIGH * expected;
      trust = inStep && this.skippedSince === 0 && seq === this.lastSeq + 1 && session === this.lastSession;
      if (!inStep && this.skippedSince === 0 && seq === this.lastSeq + 1) {
        this.timeJumps++;
        if (this.timeJumpIndices.length < LIST_MAX) this.timeJumpIndices.push(index);
      }
    }
    this.lastSeq = seq;
    this.lastSession = session;
    this.lastStartNs = startNs;
    this.lastPeriodNs = periodNs;
    this.lastCount = count;
    this.skippedSince = 0;
    this.good++;
    this.samples += count;

    const lightScale = u16[w + 9]!;
    this.decode(w, count, packed, axes, lightScale, trust ? startNs : null);
    this.accel!.commit(count, startNs, periodNs);
    this.gyro?.commit(count, startNs, periodNs);
    this.mag?.commit(count, startNs, periodNs);

    const light = lightScale & 0x3ff;
    const temp = u16[w + 10]! & 0x3ff;
    const battery = u8[o + 23]!;
    // 0 means "not measured" in all three fields.
    if (temp !== 0) this.emit(this.temperature!.point(startNs, (temp * 75) / 256 - 50));
    if (light !== 0) this.emit(this.light!.point(startNs, light));
    if (battery !== 0) this.emit(this.battery!.point(startNs, ((battery + 512) * 6000) / 1024 / 1000));
  }

  private emit(ev: ReaderEvent | null): void {
    if (ev !== null) this.out.push(ev);
  }

  private start(wholeSec: number, rateHz: number, axes: number): void {
    this.baseSec = wholeSec;
    const base = new NsBase(wholeSec);
    this.base = base;
    this.firstBlockRateHz = rateHz;
    const layout: Layout = { axes, hasGyro: axes >= 6, hasMag: axes >= 9 };
    this.layout = layout;
    const perBlock = axes === 3 ? 120 : Math.floor(240 / axes);
    const rows = Math.floor(MAX_ROWS / perBlock) * perBlock;
    this.accel = new BlockSampleSink('accelerometer', 3, rows, base);
    if (layout.hasGyro) this.gyro = new BlockSampleSink('gyroscope', 3, rows, base);
    if (layout.hasMag) this.mag = new BlockSampleSink('magnetometer', 3, rows, base);
    this.temperature = new BlockSampleSink('temperature', 1, POINT_ROWS, base);
    this.light = new BlockSampleSink('light', 1, POINT_ROWS, base);
    this.battery = new BlockSampleSink('battery', 1, POINT_ROWS, base);
  }

  /** Settles the open blocks, makes room, and decodes the samples of one block into the sinks. */
  private decode(w: number, count: number, packed: boolean, axes: number, lightScale: number, nextStartNs: number | null): void {
    const accel = this.accel!;
    accel.settle(nextStartNs);
    this.gyro?.settle(nextStartNs);
    this.mag?.settle(nextStartNs);
    this.emit(accel.reserve(count));
    if (this.gyro) this.emit(this.gyro.reserve(count));
    if (this.mag) this.emit(this.mag.reserve(count));
    const r = accel.rows;
    const ax = accel.values[0]!;
    const ay = accel.values[1]!;
    const az = accel.values[2]!;
    const accelScale = G / (1 << (8 + ((lightScale >> 13) & 7)));
    const p0 = w + 15; // byte 30, the first sample
    if (packed) {
      // eezzzzzz zzzzyyyy yyyyyyxx xxxxxxxx: three 10-bit signed values shifted left by the exponent.
      const u16 = this.u16;
      for (let k = 0, p = p0; k < count; k++, p += 2) {
        const v = u16[p]! | (u16[p + 1]! << 16);
        const e = v >>> 30;
        ax[r + k] = (((v << 22) >> 22) << e) * accelScale;
        ay[r + k] = (((v << 12) >> 22) << e) * accelScale;
        az[r + k] = (((v << 2) >> 22) << e) * accelScale;
      }
      return;
    }
    const i16 = this.i16;
    const a = axes === 3 ? 0 : 3; // AX6 order: gyro x,y,z then accel x,y,z (then magnetometer)
    for (let k = 0, p = p0 + a; k < count; k++, p += axes) {
      ax[r + k] = i16[p]! * accelScale;
      ay[r + k] = i16[p + 1]! * accelScale;
      az[r + k] = i16[p + 2]! * accelScale;
    }
    if (this.gyro) {
      const n = (lightScale >> 10) & 7;
      const dps = n !== 0 ? 8000 / (1 << n) : (this.header.gyroRangeDps ?? 2000);
      const scale = (dps / 32768) * DEG;
      const [gx, gy, gz] = this.gyro.values as [Float32Array, Float32Array, Float32Array];
      for (let k = 0, p = p0; k < count; k++, p += axes) {
        gx[r + k] = i16[p]! * scale;
        gy[r + k] = i16[p + 1]! * scale;
        gz[r + k] = i16[p + 2]! * scale;
      }
    }
    if (this.mag) {
      const [mx, my, mz] = this.mag.values as [Float32Array, Float32Array, Float32Array];
      for (let k = 0, p = p0 + 6; k < count; k++, p += axes) {
        mx[r + k] = i16[p]! / 16;
        my[r + k] = i16[p + 1]! / 16;
        mz[r + k] = i16[p + 2]! / 16;
      }
    }
  }

  /** Closes the last open block at its own rate and emits what is left. */
  finish(): void {
    for (const sink of [this.accel, this.gyro, this.mag, this.temperature, this.light, this.battery]) {
      if (sink === null) continue;
      sink.settle(null);
      this.emit(sink.flush());
    }
  }
}

export type { Layout as CwaLayout };
