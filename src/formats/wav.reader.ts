import type { ReaderEvent, SampleChunk, StreamInfo } from '../domain/stream.js';
import { AppError } from '../lib/errors.js';
import { ByteReader } from './byte-source.js';
import type { FormatReader, SniffInput } from './types.js';

/** Frames per emitted chunk (the reader contract's ~64 Ki samples bound). */
const MAX_FRAMES = 65_536;
/** A `fmt ` chunk larger than this is not a real one (PCM needs 16 bytes, EXTENSIBLE 40). */
const MAX_FMT_BYTES = 4096;
const FORMAT_PCM = 1;
const FORMAT_EXTENSIBLE = 0xfffe;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const FORMAT_TAG_NAMES: Record<number, string> = {
  1: 'PCM',
  2: 'Microsoft ADPCM',
  3: 'IEEE float',
  6: 'A-law',
  7: 'µ-law',
  0x11: 'IMA ADPCM',
  0x55: 'MP3',
  0xfffe: 'EXTENSIBLE',
};

function ascii(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[at + i] ?? 0);
  return s;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
}

function u16(b: Uint8Array, at: number): number {
  return (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
}

function printable(id: string): string {
  return JSON.stringify(id);
}

interface WavFormat {
  channels: number;
  sampleRate: number;
  frameBytes: number;
}

/** Parses a `fmt ` body; throws the error a person can act on when it is not 16-bit PCM. */
function parseFmt(body: Uint8Array): { format: WavFormat; warning?: string } {
  if (body.length < 16) {
    throw new AppError('wav_invalid', `The WAV "fmt " chunk is ${body.length} bytes; at least 16 are needed, so the header is damaged.`);
  }
  let tag = u16(body, 0);
  const channels = u16(body, 2);
  const sampleRate = u32(body, 4);
  const blockAlign = u16(body, 12);
  const bits = u16(body, 14);
  let tagName = `format tag ${tag} (${FORMAT_TAG_NAMES[tag] ?? 'unknown'})`;
  if (tag === FORMAT_EXTENSIBLE && body.length >= 26) {
    const sub = u16(body, 24);
    tagName = `format tag 0xFFFE (EXTENSIBLE, sub-format ${sub} ${FORMAT_TAG_NAMES[sub] ?? 'unknown'})`;
    tag = sub;
  }
  if (tag !== FORMAT_PCM || bits !== 16) {
    throw new AppError(
      'format_unsupported_variant',
      `This WAV file is ${tagName}, ${bits}-bit; FieldSense reads 16-bit PCM WAV today. Convert it (for example \`sox in.wav -b 16 -e signed-integer out.wav\`) and upload again.`,
      { formatTag: u16(body, 0), bitsPerSample: bits },
    );
  }
  if (channels < 1) throw new AppError('wav_invalid', 'The WAV header declares 0 channels, so the file is damaged.');
  if (sampleRate < 1) throw new AppError('wav_invalid', 'The WAV header declares a sample rate of 0 Hz, so the file is damaged.');
  const frameBytes = channels * 2;
  const format: WavFormat = { channels, sampleRate, frameBytes };
  if (blockAlign !== frameBytes) {
    return {
      format,
      warning: `The WAV header's block align is ${blockAlign} but ${channels} channel(s) of 16-bit samples need ${frameBytes}; read as ${frameBytes}-byte frames.`,
    };
  }
  return { format };
}

function channelNames(n: number): string[] {
  if (n === 1) return ['mono'];
  if (n === 2) return ['left', 'right'];
  return Array.from({ length: n }, (_, i) => `ch${i + 1}`);
}

/** Builds frame times `round(i * 1e9 / rate)` without BigInt arithmetic per sample. */
class FrameClock {
  /** round(r * 1e9 / rate) for r in [0, rate), when the rate is small enough to tabulate. */
  private readonly table: Float64Array | null;

  constructor(private readonly rate: number) {
    this.table = rate <= 768_000 ? Float64Array.from({ length: rate }, (_, r) => Math.round((r * 1e9) / rate)) : null;
  }

  /** Time of frame `i` in ns as a double; exact for any realistic length (< 2^53 ns ≈ 104 days). */
  ns(i: number): number {
    const sec = Math.floor(i / this.rate);
    const rem = i - sec * this.rate;
    return sec * 1e9 + Math.round((rem * 1e9) / this.rate);
  }

  fill(t: BigInt64Array, first: number, n: number): void {
    const table = this.table;
    if (!LITTLE_ENDIAN || table === null) {
      for (let k = 0; k < n; k++) t[k] = BigInt(this.ns(first + k));
      return;
    }
    const w = new Uint32Array(t.buffer, t.byteOffset, n * 2);
    let sec = Math.floor(first / this.rate);
    let rem = first - sec * this.rate;
    for (let k = 0; k < n; k++) {
      const v = sec * 1e9 + table[rem]!;
      const hi = Math.floor(v / 4294967296);
      w[2 * k] = v - hi * 4294967296;
      w[2 * k + 1] = hi;
      if (++rem === this.rate) {
        rem = 0;
        sec++;
      }
    }
  }
}

/** Collects decoded frames into chunks of at most MAX_FRAMES. */
class FrameSink {
  private values: Float32Array[] = [];
  private n = 0;
  /** Frames emitted so far (index of the next frame). */
  frames = 0;
  private readonly carry: Uint8Array;
  private carryLen = 0;
  private readonly clock: FrameClock;

  constructor(private readonly format: WavFormat, private readonly streamName: string) {
    this.carry = new Uint8Array(format.frameBytes);
    this.clock = new FrameClock(format.sampleRate);
    this.reset();
  }

  private reset(): void {
    this.values = Array.from({ length: this.format.channels }, () => new Float32Array(MAX_FRAMES));
    this.n = 0;
  }

  /** Bytes of a partial frame held back for the next piece. */
  get pendingBytes(): number {
    return this.carryLen;
  }

  /** Decodes `bytes`; returns the chunks that filled up. */
  push(bytes: Uint8Array): ReaderEvent[] {
    const out: ReaderEvent[] = [];
    const { frameBytes } = this.format;
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
    while (p + frameBytes <= bytes.length) {
      const frames = Math.min(Math.floor((bytes.length - p) / frameBytes), MAX_FRAMES - this.n);
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

  private decode(b: Uint8Array, at: number, frames: number): void {
    const { channels } = this.format;
    const base = this.n;
    const aligned = LITTLE_ENDIAN && (b.byteOffset + at) % 2 === 0;
    if (aligned) {
      // Fast path: read the little-endian int16 samples through a typed view.
      const s16 = new Int16Array(b.buffer, b.byteOffset + at, frames * channels);
      if (channels === 1) {
        const v = this.values[0]!;
        for (let k = 0; k < frames; k++) v[base + k] = s16[k]! / 32768;
      } else if (channels === 2) {
        const l = this.values[0]!;
        const r = this.values[1]!;
        for (let k = 0; k < frames; k++) {
          l[base + k] = s16[2 * k]! / 32768;
          r[base + k] = s16[2 * k + 1]! / 32768;
        }
      } else {
        for (let c = 0; c < channels; c++) {
          const v = this.values[c]!;
          for (let k = 0; k < frames; k++) v[base + k] = s16[k * channels + c]! / 32768;
        }
      }
    } else {
      for (let c = 0; c < channels; c++) {
        const v = this.values[c]!;
        let p = at + 2 * c;
        const step = 2 * channels;
        for (let k = 0; k < frames; k++, p += step) v[base + k] = (((b[p]! | (b[p + 1]! << 8)) << 16) >> 16) / 32768;
      }
    }
    this.n += frames;
  }

  /** Emits the frames collected so far as one chunk (call only when `buffered > 0`). */
  flush(): ReaderEvent {
    const n = this.n;
    const t = new BigInt64Array(n);
    this.clock.fill(t, this.frames, n);
    const chunk: SampleChunk = {
      length: n,
      t,
      values: this.values.map((v) => (n === MAX_FRAMES ? v : v.slice(0, n))),
    };
    this.frames += n;
    this.reset();
    return { type: 'chunk', stream: this.streamName, chunk };
  }

  get buffered(): number {
    return this.n;
  }
}

async function* readWav(source: AsyncIterable<Uint8Array>): AsyncGenerator<ReaderEvent> {
  const r = new ByteReader(source);
  try {
    const riff = await r.readExact(12);
    if (riff.length < 12) {
      throw new AppError('wav_invalid', `The file is ${riff.length} bytes long; a WAV file needs at least a 12-byte RIFF header.`);
    }
    const magic = ascii(riff, 0, 4);
    const wave = ascii(riff, 8, 4);
    if ((magic === 'RF64' || magic === 'RIFX' || magic === 'BW64') && wave === 'WAVE') {
      throw new AppError(
        'format_unsupported_variant',
        `This is a ${magic} WAV file; FieldSense reads 16-bit PCM WAV in a little-endian RIFF container today. Convert it to a plain RIFF WAV and upload again.`,
      );
    }
    if (magic !== 'RIFF' || wave !== 'WAVE') {
      throw new AppError('wav_invalid', `The file does not start with a RIFF/WAVE header (found ${printable(magic)} … ${printable(wave)}), so it is not a WAV file.`);
    }

    let format: WavFormat | null = null;
    /** Header warnings, emitted after the recording and stream are declared. */
    const warnings: ReaderEvent[] = [];
    for (;;) {
      const head = await r.readExact(8);
      if (head.length < 8) {
        throw new AppError(
          'wav_invalid',
          format === null
            ? 'The WAV file ends before its "fmt " chunk: it is truncated or not a real WAV file.'
            : 'The WAV file ends before its "data" chunk: it is truncated (was the upload interrupted?).',
        );
      }
      const id = ascii(head, 0, 4);
      const size = u32(head, 4);
      const padded = size + (size & 1);
      if (id === 'fmt ') {
        if (size > MAX_FMT_BYTES) throw new AppError('wav_invalid', `The WAV "fmt " chunk claims ${size} bytes, which no real WAV has; the header is damaged.`);
        const body = await r.readExact(padded);
        if (body.length < size) throw new AppError('wav_invalid', 'The WAV file ends inside its "fmt " chunk: it is truncated.');
        const parsed = parseFmt(body.subarray(0, size));
        format = parsed.format;
        if (parsed.warning !== undefined) warnings.push({ type: 'warning', code: 'wav_block_align', message: parsed.warning });
        continue;
      }
      if (id === 'data') {
        if (format === null) {
          throw new AppError('wav_invalid', 'The WAV "data" chunk comes before any "fmt " chunk, so the sample format is unknown; re-export the file with a standard tool.');
        }
        yield* readData(r, format, size, warnings);
        return;
      }
      const skipped = await r.skip(padded);
      if (skipped < size) {
        throw new AppError('wav_invalid', `The WAV file ends inside its ${printable(id)} chunk, before any "data": it is truncated.`);
      }
    }
  } finally {
    await r.close();
  }
}

async function* readData(r: ByteReader, format: WavFormat, declared: number, warnings: ReaderEvent[]): AsyncGenerator<ReaderEvent> {
  const stream: StreamInfo = {
    name: 'audio',
    kind: 'audio',
    sensor: 'audio',
    channels: channelNames(format.channels),
    unit: 'pcm',
    nominalRateHz: format.sampleRate,
    fullScale: 1,
  };
  yield { type: 'recording', startTimeNs: null, absoluteTime: false };
  yield { type: 'stream', stream };
  yield* warnings;
  const sink = new FrameSink(format, stream.name);
  const unbounded = declared === 0xffffffff;
  let remaining = unbounded ? Number.POSITIVE_INFINITY : declared;
  let read = 0;
  while (remaining > 0) {
    const piece = await r.readSome(Math.min(remaining, 1 << 20));
    if (piece === null) break;
    remaining -= piece.length;
    read += piece.length;
    for (const ev of sink.push(piece)) yield ev;
  }
  if (unbounded) {
    yield {
      type: 'warning',
      code: 'wav_size_mismatch',
      message: `The WAV "data" chunk declares 0xFFFFFFFF bytes (written by a streaming tool); read the ${read} bytes present.`,
    };
  } else if (read < declared) {
    yield {
      type: 'warning',
      code: 'wav_size_mismatch',
      message: `The WAV "data" chunk declares ${declared} bytes but the file holds ${read}; read what is there (the file may be truncated).`,
    };
  }
  if (sink.pendingBytes > 0) {
    yield {
      type: 'warning',
      code: 'wav_partial_frame',
      message: `The audio ends in the middle of a frame; dropped the last ${sink.pendingBytes} byte(s).`,
    };
  }
  if (sink.buffered > 0) yield sink.flush();
  if (sink.frames === 0) throw new AppError('no_samples', 'The WAV file has no audio samples (its "data" chunk is empty).');
}

function sniffWav(input: SniffInput): boolean {
  const h = input.head;
  if (h.length < 12) return false;
  const magic = ascii(h, 0, 4);
  return (magic === 'RIFF' || magic === 'RIFX' || magic === 'RF64' || magic === 'BW64') && ascii(h, 8, 4) === 'WAVE';
}

/** RIFF/WAVE, 16-bit PCM, any rate and channel count; times count from 0 (WAV has no wall clock). */
export const wavReader: FormatReader = {
  name: 'wav',
  description: 'WAV audio (RIFF, 16-bit PCM, any sample rate and channel count)',
  sniff: sniffWav,
  read: (source) => readWav(source),
};
