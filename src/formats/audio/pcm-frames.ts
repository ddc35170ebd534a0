/**
 * Interleaved little-endian PCM (a WAV `data` chunk, or ffmpeg's raw output) → regular chunks (start +
 * rate, no time per sample) of float32 channels in [-1, 1]. Bytes may arrive in any piece size; a partial frame is carried over.
 */
import { regularChunk } from '../../domain/chunk-times.js';
import type { ReaderEvent } from '../../domain/stream.js';
import type { FrameClock } from '../../domain/frame-clock.js';

/** Frames per emitted chunk (the reader contract's ~64 Ki samples bound). */
export const MAX_FRAMES = 65_536;
/** Bytes decoded per step: bounds the alignment scratch buffer. */
const STEP_BYTES = 1 << 20;
/** Smaller pieces are copied into a chunk rather than emitted as views (chunks of a few samples cost more). */
const MIN_VIEW_BYTES = 16 << 10;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `u8` unsigned 8-bit (offset 128), `s16`/`s24`/`s32` signed little-endian integers (values left-justified
 * in their container, so any valid-bit count reads right), `f32`/`f64` IEEE float, `alaw`/`ulaw` G.711.
 */
export type SampleEncoding = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64' | 'alaw' | 'ulaw';

export interface PcmLayout {
  channels: number;
  sampleRate: number;
  encoding: SampleEncoding;
  /** Bytes of one interleaved frame (all channels). */
  frameBytes: number;
}

const BYTES: Record<SampleEncoding, number> = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8, alaw: 1, ulaw: 1 };

/** Bytes per sample of one channel. */
export function bytesPerSample(e: SampleEncoding): number {
  return BYTES[e];
}

function g711Table(alaw: boolean): Float32Array {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    let v: number;
    if (alaw) {
      const a = i ^ 0x55;
      const seg = (a & 0x70) >> 4;
      let mag = ((a & 0x0f) << 4) + 8;
      if (seg !== 0) mag = (mag + 0x100) << (seg - 1);
      v = a & 0x80 ? mag : -mag;
    } else {
      const u = ~i & 0xff;
      const mag = ((((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)) - 0x84;
      v = u & 0x80 ? -mag : mag;
    }
    t[i] = v / 32768;
  }
  return t;
}

let alawTable: Float32Array | null = null;
let ulawTable: Float32Array | null = null;

export interface FrameSinkOptions {
  /** Count float samples beyond ±1 and non-finite ones (float WAV can hold them; they are kept as they are). */
  countOutOfRange?: boolean;
  /**
   * The caller hands over each piece it pushes (a fresh buffer per read, as a child's stdout gives) and
   * never writes to it again: mono float32 is then emitted as views of the pieces, without a copy.
   */
  piecesHandedOver?: boolean;
}

/** Collects decoded frames into chunks of at most MAX_FRAMES. */
export class PcmFrameSink {
  private values: Float32Array[] = [];
  private n = 0;
  /** Frames emitted so far (index of the next frame). */
  frames = 0;
  /** Float samples with |v| > 1 (kept), when counting. */
  overFullScale = 0;
  /** NaN or infinite float samples (kept), when counting. */
  nonFinite = 0;
  private readonly carry: Uint8Array;
  private carryLen = 0;
  private scratch = new Uint8Array(0);
  private readonly count: boolean;
  private readonly zeroCopy: boolean;

  constructor(
    private readonly layout: PcmLayout,
    private readonly streamName: string,
    private readonly clock: FrameClock,
    options: FrameSinkOptions = {},
  ) {
    this.carry = new Uint8Array(layout.frameBytes);
    this.count = options.countOutOfRange === true && (layout.encoding === 'f32' || layout.encoding === 'f64');
    this.zeroCopy = options.piecesHandedOver === true && LITTLE_ENDIAN && layout.encoding === 'f32' && layout.channels === 1;
    this.reset();
  }

  private reset(cap = MAX_FRAMES): void {
    const channels = this.layout.channels;
    this.values = Array.from({ length: channels }, () => new Float32Array(cap));
    this.n = 0;
  }

  /** Bytes of a partial frame held back for the next piece. */
  get pendingBytes(): number {
    return this.carryLen;
  }

  /** Frames decoded but not yet emitted. */
  get buffered(): number {
    return this.n;
  }

  /**
   * Continues at stream position `frame` (after a gap: damaged frames left out): emits the frames collected
   * so far first (returned), drops a partial frame; the next frames' times start at the new position.
   */
  jumpTo(frame: number): ReaderEvent | null {
    const ev = this.n > 0 ? this.flush() : null;
    this.carryLen = 0;
    this.frames = frame;
    return ev;
  }

  /** Decodes `bytes`; returns the chunks that filled up. */
  push(bytes: Uint8Array): ReaderEvent[] {
    const out: ReaderEvent[] = [];
    const { frameBytes } = this.layout;
    if (this.zeroCopy && this.carryLen === 0 && bytes.byteOffset % 4 === 0 && bytes.length >= MIN_VIEW_BYTES) {
      this.view(bytes, out);
      return out;
    }
    let p = 0;
    if (this.carryLen > 0) {
      const take = Math.min(frameBytes - this.carryLen, bytes.length);
      this.carry.set(bytes.subarray(0, take), this.carryLen);
      this.carryLen += take;
      p = take;
      if (this.carryLen < frameBytes) return out;
      this.decode(this.carry, 0, 1);
      this.carryLen = 0;
      if (this.n === MAX_FRAMES) out.push(this.flush());
    }
    const stepFrames = Math.max(1, Math.floor(STEP_BYTES / frameBytes));
    while (p + frameBytes <= bytes.length) {
      const frames = Math.min(Math.floor((bytes.length - p) / frameBytes), MAX_FRAMES - this.n, stepFrames);
      this.decode(bytes, p, frames);
      p += frames * frameBytes;
      if (this.n === MAX_FRAMES) out.push(this.flush());
    }
    if (p < bytes.length) {
      this.carry.set(bytes.subarray(p), 0);
      this.carryLen = bytes.length - p;
    }
    return out;
  }

  /** The bytes at b[at, at + len) as a view aligned to `align` (copied into scratch when they are not). */
  private aligned(b: Uint8Array, at: number, len: number, align: number): Uint8Array {
    if (LITTLE_ENDIAN && (b.byteOffset + at) % align === 0) return b.subarray(at, at + len);
    if (this.scratch.length < len) this.scratch = new Uint8Array(Math.max(len, 4096));
    const s = this.scratch.subarray(0, len);
    s.set(b.subarray(at, at + len));
    if (!LITTLE_ENDIAN) swapInPlace(s, align);
    return s;
  }

  private decode(b: Uint8Array, at: number, frames: number): void {
    const { channels, encoding } = this.layout;
    const base = this.n;
    const count = frames * channels;
    switch (encoding) {
      case 'u8':
        this.fromBytes(b, at, frames, (x) => (x - 128) / 128);
        break;
      case 'alaw': {
        const t = (alawTable ??= g711Table(true));
        this.fromBytes(b, at, frames, (x) => t[x]!);
        break;
      }
      case 'ulaw': {
        const t = (ulawTable ??= g711Table(false));
        this.fromBytes(b, at, frames, (x) => t[x]!);
        break;
      }
      case 's24':
        for (let c = 0; c < channels; c++) {
          const v = this.values[c]!;
          const step = 3 * channels;
          for (let k = 0, p = at + 3 * c; k < frames; k++, p += step) {
            v[base + k] = (((b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) << 8) >> 8) / 8388608;
          }
        }
        break;
      case 's16': {
        const s = this.aligned(b, at, count * 2, 2);
        const src = new Int16Array(s.buffer, s.byteOffset, count);
        if (channels === 1) s16ToFloat(src, this.values[0]!, base);
        else this.scaled(src, 1 / 32768);
        break;
      }
      case 's32': {
        const s = this.aligned(b, at, count * 4, 4);
        this.scaled(new Int32Array(s.buffer, s.byteOffset, count), 1 / 2147483648);
        break;
      }
      case 'f32': {
        const s = this.aligned(b, at, count * 4, 4);
        const f = new Float32Array(s.buffer, s.byteOffset, count);
        if (channels === 1) this.values[0]!.set(f, base);
        else this.scaled(f, 1);
        break;
      }
      case 'f64': {
        const s = this.aligned(b, at, count * 8, 8);
        this.scaled(new Float64Array(s.buffer, s.byteOffset, count), 1);
        break;
      }
    }
    if (this.count) this.countRange(base, frames);
    this.n += frames;
  }

  /** Deinterleaves a typed view into the channels, times `scale` (a power of two: exact). */
  private scaled(src: Int16Array | Int32Array | Float32Array | Float64Array, scale: number): void {
    const channels = this.layout.channels;
    const base = this.n;
    const frames = src.length / channels;
    if (channels === 1) {
      const v = this.values[0]!;
      for (let k = 0; k < frames; k++) v[base + k] = src[k]! * scale;
      return;
    }
    if (channels === 2) {
      const l = this.values[0]!;
      const r = this.values[1]!;
      for (let k = 0; k < frames; k++) {
        l[base + k] = src[2 * k]! * scale;
        r[base + k] = src[2 * k + 1]! * scale;
      }
      return;
    }
    for (let c = 0; c < channels; c++) {
      const v = this.values[c]!;
      for (let k = 0, p = c; k < frames; k++, p += channels) v[base + k] = src[p]! * scale;
    }
  }

  private fromBytes(b: Uint8Array, at: number, frames: number, map: (x: number) => number): void {
    const channels = this.layout.channels;
    const base = this.n;
    for (let c = 0; c < channels; c++) {
      const v = this.values[c]!;
      for (let k = 0, p = at + c; k < frames; k++, p += channels) v[base + k] = map(b[p]!);
    }
  }

  private countRange(base: number, frames: number): void {
    for (const v of this.values) this.countIn(v.subarray(base, base + frames));
  }

  private countIn(v: Float32Array): void {
    for (let k = 0; k < v.length; k++) {
      const x = v[k]!;
      if (x > 1 || x < -1) {
        if (Number.isFinite(x)) this.overFullScale++;
        else this.nonFinite++;
      } else if (x !== x) {
        this.nonFinite++;
      }
    }
  }

  /**
   * Mono float32 in place: the chunks are views of `bytes` itself (no conversion, no copy), after the
   * frames already collected. The caller hands over `bytes` (a fresh buffer per read, as a stream gives).
   */
  private view(bytes: Uint8Array, out: ReaderEvent[]): void {
    if (this.n > 0) out.push(this.flush());
    const frames = bytes.length >> 2;
    const all = new Float32Array(bytes.buffer, bytes.byteOffset, frames);
    for (let k = 0; k < frames; k += MAX_FRAMES) {
      const n = Math.min(MAX_FRAMES, frames - k);
      const v = all.subarray(k, k + n);
      if (this.count) this.countIn(v);
      out.push({ type: 'chunk', stream: this.streamName, chunk: regularChunk(n, [v], this.clock, this.frames) });
      this.frames += n;
    }
    const rest = bytes.length - frames * 4;
    if (rest > 0) {
      this.carry.set(bytes.subarray(bytes.length - rest), 0);
      this.carryLen = rest;
    }
  }

  /** Emits the frames collected so far as one chunk (call only when `buffered > 0`). */
  flush(): ReaderEvent {
    const n = this.n;
    // A short (last) chunk is copied into a right-sized allocation rather than pin 64 Ki frames of memory.
    const values = n < MAX_FRAMES ? this.values.map((v) => v.slice(0, n)) : this.values;
    const chunk = regularChunk(n, values, this.clock, this.frames);
    this.frames += n;
    this.reset();
    return { type: 'chunk', stream: this.streamName, chunk };
  }
}

/**
 * dst[at + k] = src[k] / 32768: the hottest loop of 16-bit audio, kept monomorphic (one source type) and
 * unrolled, which V8 runs about twice as fast as the generic deinterleaving loop.
 */
function s16ToFloat(src: Int16Array, dst: Float32Array, at: number): void {
  const n = src.length;
  const s = 1 / 32768;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    dst[at + k] = src[k]! * s;
    dst[at + k + 1] = src[k + 1]! * s;
    dst[at + k + 2] = src[k + 2]! * s;
    dst[at + k + 3] = src[k + 3]! * s;
  }
  for (; k < n; k++) dst[at + k] = src[k]! * s;
}

/** Reverses each `width`-byte group (little-endian samples on a big-endian host). */
function swapInPlace(s: Uint8Array, width: number): void {
  for (let i = 0; i + width <= s.length; i += width) s.subarray(i, i + width).reverse();
}

/**
 * Decodes a byte stream (a child's stdout) into chunk events: bytes are converted in the 'data' handler as
 * they arrive (cheaper than a promise per piece), and the stream is paused while a few chunks wait for the
 * consumer, so memory stays bounded whatever the consumer's pace.
 */
export async function* decodeStream(bytes: NodeJS.ReadableStream & { destroy(): void }, sink: PcmFrameSink): AsyncGenerator<ReaderEvent> {
  const queue: ReaderEvent[] = [];
  let ended = false;
  const state: { failure: Error | null } = { failure: null };
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onData = (b: Buffer): void => {
    for (const ev of sink.push(b)) queue.push(ev);
    if (queue.length >= 2) bytes.pause();
    notify();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  const onError = (e: Error): void => {
    state.failure = e;
    notify();
  };
  bytes.on('data', onData);
  bytes.on('end', onEnd);
  bytes.on('close', onEnd);
  bytes.on('error', onError);
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (state.failure !== null) throw state.failure;
      if (ended) return;
      bytes.resume();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    bytes.off('data', onData);
    bytes.off('end', onEnd);
    bytes.off('close', onEnd);
    bytes.off('error', onError);
    bytes.destroy();
  }
}
