import type { ReaderEvent, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { FrameClock } from '../../domain/frame-clock.js';
import { PcmFrameSink } from './pcm-frames.js';
import type { FormatReader, ReaderContext, SniffInput } from '../types.js';
import {
  ascii,
  isInfoChunk,
  parseDs64,
  PushbackReader,
  readTrailingInfo,
  u32,
  validId,
  type Ds64,
} from './wav-chunks.js';
import { parseFmt, type WavFormat } from './wav-format.js';
import { BEXT_FIXED_BYTES, MAX_INFO_CHUNK_BYTES, WavInfo } from './wav-info.js';
import { MotionSplitter } from './wav-motion.js';

/** A `fmt ` chunk larger than this is not a real one (PCM needs 16 bytes, EXTENSIBLE 40). */
const MAX_FMT_BYTES = 4096;
/** A `ds64` chunk larger than this is not a real one (28 bytes plus a short table). */
const MAX_DS64_BYTES = 64 * 1024;
const UNKNOWN_SIZE = 0xffffffff;

type Warning = Extract<ReaderEvent, { type: 'warning' }>;

function printable(id: string): string {
  return JSON.stringify(id);
}

interface Header {
  id: string;
  size: number;
}

/** The WAV chunk walk: header chunks in the file's order, then `data` streamed through a frame sink. */
class WavWalk {
  private readonly r: PushbackReader;
  private format: WavFormat | null = null;
  private ds64: Ds64 | null = null;
  private readonly warnings: Warning[] = [];
  private readonly info = new WavInfo();
  /** The pad byte read after the last odd-sized chunk (null when the last chunk was even). */
  private lastPad: number | null = null;

  constructor(
    source: AsyncIterable<Uint8Array>,
    private readonly ctx: ReaderContext,
  ) {
    this.r = new PushbackReader(source);
  }

  async *read(): AsyncGenerator<ReaderEvent> {
    try {
      const riff = await this.r.readExact(12);
      if (riff.length < 12) {
        throw new AppError('wav_invalid', `The file is ${riff.length} bytes long; a WAV file needs at least a 12-byte RIFF header.`);
      }
      const magic = ascii(riff, 0, 4);
      const wave = ascii(riff, 8, 4);
      if (magic === 'RIFX' && wave === 'WAVE') {
        throw new AppError(
          'format_unsupported_variant',
          'This is a big-endian RIFX WAV file, which FieldSense does not read. Convert it to a little-endian WAV (for example `sox in.wav -L out.wav`) and upload again.',
        );
      }
      if ((magic !== 'RIFF' && magic !== 'RF64' && magic !== 'BW64') || wave !== 'WAVE') {
        throw new AppError('wav_invalid', `The file does not start with a RIFF/WAVE header (found ${printable(magic)} … ${printable(wave)}), so it is not a WAV file.`);
      }
      const rf64 = magic !== 'RIFF';
      for (;;) {
        const h = await this.nextHeader();
        if (h.id === 'data') {
          yield* this.readData(h.size, rf64);
          return;
        }
        await this.headerChunk(h, rf64);
      }
    } finally {
      await this.r.close();
    }
  }

  /** Reads the next chunk header, recovering from a missing pad byte after an odd-sized chunk. */
  private async nextHeader(): Promise<Header> {
    const head = await this.r.readExact(8);
    if (head.length < 8) {
      throw new AppError(
        'wav_invalid',
        this.format === null
          ? 'The WAV file ends before its "fmt " chunk: it is truncated or not a real WAV file.'
          : 'The WAV file ends before its "data" chunk: it is truncated (was the upload interrupted?).',
      );
    }
    if (validId(head, 0)) return { id: ascii(head, 0, 4), size: u32(head, 4) };
    const at = this.r.offset - 8;
    if (this.lastPad !== null) {
      // Some writers leave out the pad byte after an odd-sized chunk: the header started one byte earlier.
      const shifted = new Uint8Array(8);
      shifted[0] = this.lastPad;
      shifted.set(head.subarray(0, 7), 1);
      if (validId(shifted, 0)) {
        this.r.unread(head.subarray(7));
        this.lastPad = null;
        this.warnings.push({
          type: 'warning',
          code: 'wav_chunk_unpadded',
          message: `The WAV chunk before offset ${at - 1} has an odd size but no pad byte (the writer broke the RIFF rule); read it as written.`,
        });
        return { id: ascii(shifted, 0, 4), size: u32(shifted, 4) };
      }
    }
    const hex = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new AppError(
      'format_corrupt',
      `The WAV header is damaged: at byte offset ${at} a chunk id was expected but the bytes are ${hex}, so the sample format and data cannot be found.`,
      { offset: at },
    );
  }

  private async headerChunk(h: Header, rf64: boolean): Promise<void> {
    const { id, size } = h;
    if (id === 'fmt ') {
      if (size > MAX_FMT_BYTES) throw new AppError('wav_invalid', `The WAV "fmt " chunk claims ${size} bytes, which no real WAV has; the header is damaged.`);
      const body = await this.body(size, 'wav_invalid', 'The WAV file ends inside its "fmt " chunk: it is truncated.');
      const parsed = parseFmt(body);
      this.format = parsed.format;
      for (const w of parsed.warnings) this.warnings.push({ type: 'warning', ...w });
      return;
    }
    if (id === 'ds64' && rf64 && size <= MAX_DS64_BYTES) {
      this.ds64 = parseDs64(await this.body(size, 'format_truncated', 'The RF64 file ends inside its "ds64" chunk: it is truncated.'));
      return;
    }
    if (isInfoChunk(id) && size <= MAX_INFO_CHUNK_BYTES) {
      const body = await this.body(size, 'wav_invalid', `The WAV file ends inside its ${printable(id)} chunk, before any "data": it is truncated.`);
      this.info.add(id, id === 'bext' ? body.subarray(0, Math.min(body.length, BEXT_FIXED_BYTES)) : body);
      return;
    }
    const skipped = await this.r.skip(size);
    if (skipped < size) throw new AppError('wav_invalid', `The WAV file ends inside its ${printable(id)} chunk, before any "data": it is truncated.`);
    await this.pad(size);
  }

  /** Reads a whole chunk body and its pad byte. */
  private async body(size: number, code: 'wav_invalid' | 'format_truncated', message: string): Promise<Uint8Array> {
    const body = await this.r.readExact(size);
    if (body.length < size) throw new AppError(code, message);
    await this.pad(size);
    return body;
  }

  private async pad(size: number): Promise<void> {
    this.lastPad = null;
    if ((size & 1) === 0) return;
    const p = await this.r.readExact(1);
    this.lastPad = p[0] ?? null;
  }

  private async *readData(size: number, rf64: boolean): AsyncGenerator<ReaderEvent> {
    const format = this.format;
    if (format === null) {
      throw new AppError('wav_invalid', 'The WAV "data" chunk comes before any "fmt " chunk, so the sample format is unknown; re-export the file with a standard tool.');
    }
    const dataStart = this.r.offset;
    const available = this.ctx.size > 0 ? Math.max(0, this.ctx.size - dataStart) : Number.POSITIVE_INFINITY;
    let declared = size;
    let sizeNote: string | null = null;
    if (size === UNKNOWN_SIZE && rf64 && this.ds64 !== null) declared = this.ds64.dataSize;
    else if (size === UNKNOWN_SIZE) sizeNote = 'declares 0xFFFFFFFF bytes (written by a streaming tool)';
    else if (size === 0 && available >= 8) {
      // A recorder that stopped before it wrote the sizes leaves 0 here and samples after it.
      const next = await this.r.readExact(8);
      this.r.unread(next);
      if (!validId(next, 0)) sizeNote = 'declares 0 bytes although samples follow (the recorder never finished the header)';
    }
    if (declared + dataStart < this.ctx.size && sizeNote === null) await readTrailingInfo(this.ctx, dataStart + declared + (declared & 1), this.info);

    const start = this.info.start;
    // BWF, an unzoned GUANO timestamp and omconvert give the device's local clock, read as if it were UTC.
    yield { type: 'recording', startTimeNs: start?.ns ?? null, absoluteTime: start !== null, ...(start?.local === true ? { clock: 'device-local' as const } : {}) };
    // A WAV whose INFO comment names its channels as motion axes (omconvert) holds IMU data, not sound.
    const motion = this.info.motion(format.channels, format.sampleRate);
    const splitter = motion === null ? null : new MotionSplitter(motion);
    const stream: StreamInfo = {
      name: 'audio',
      kind: 'audio',
      sensor: 'audio',
      channels: format.channelNames,
      unit: 'pcm',
      nominalRateHz: format.sampleRate,
      fullScale: 1,
    };
    if (motion === null) yield { type: 'stream', stream };
    else for (const g of motion.groups) yield { type: 'stream', stream: g.info };
    const metadata = this.info.metadata(format.description, motion === null ? 'other' : 'wearable');
    if (metadata !== null) yield { type: 'metadata', metadata };
    yield* this.warnings;

    const sink = new PcmFrameSink(format, stream.name, new FrameClock(format.sampleRate, start?.ns ?? 0n), { countOutOfRange: true });
    const split = (ev: ReaderEvent): ReaderEvent[] => (splitter === null || ev.type !== 'chunk' ? [ev] : splitter.split(ev.chunk));
    let remaining = sizeNote !== null ? Number.POSITIVE_INFINITY : Math.min(declared, available);
    let read = 0;
    while (remaining > 0) {
      const piece = await this.r.readSome(Math.min(remaining, 1 << 20));
      if (piece === null) break;
      remaining -= piece.length;
      read += piece.length;
      for (const ev of sink.push(piece)) yield* split(ev);
    }
    if (sizeNote !== null) {
      yield { type: 'warning', code: 'wav_size_mismatch', message: `The WAV "data" chunk ${sizeNote}; read the ${read} bytes present.` };
    } else if (read < declared) {
      yield {
        type: 'warning',
        code: 'wav_size_mismatch',
        message: `The WAV "data" chunk declares ${declared} bytes but the file holds ${read}; read what is there (the file may be truncated).`,
      };
    }
    if (sink.pendingBytes > 0) {
      yield { type: 'warning', code: 'wav_partial_frame', message: `The audio ends in the middle of a frame; dropped the last ${sink.pendingBytes} byte(s).` };
    }
    if (sink.buffered > 0) yield* split(sink.flush());
    if (splitter !== null) yield* splitter.warnings();
    if (sink.overFullScale > 0) {
      yield {
        type: 'warning',
        code: 'audio_over_full_scale',
        message: `${sink.overFullScale} float sample(s) lie beyond full scale (|v| > 1); kept as they are.`,
        count: sink.overFullScale,
      };
    }
    if (sink.nonFinite > 0) {
      yield { type: 'warning', code: 'audio_non_finite', message: `${sink.nonFinite} float sample(s) are NaN or infinite; kept as they are.`, count: sink.nonFinite };
    }
    if (sink.frames === 0) throw new AppError('no_samples', `The WAV file has no ${motion === null ? 'audio' : 'motion'} samples (its "data" chunk is empty).`);
  }
}

function sniffWav(input: SniffInput): boolean {
  const h = input.head;
  if (h.length < 12) return false;
  const magic = ascii(h, 0, 4);
  return (magic === 'RIFF' || magic === 'RIFX' || magic === 'RF64' || magic === 'BW64') && ascii(h, 8, 4) === 'WAVE';
}

/**
 * RIFF/RF64/BW64 WAVE: PCM 8/16/24/32-bit, IEEE float 32/64, A-law/µ-law, plain or EXTENSIBLE (channel mask →
 * channel names), any rate up to 1 MHz and up to 64 channels. Times count from 0, or from the Broadcast WAV
 * origination time or GUANO timestamp when the file has one (the device's local clock when it carries no
 * zone: `clock: 'device-local'`). A WAV whose LIST/INFO comment names its channels as motion axes
 * (OpenMovement's omconvert: `Channel-1: Accel-X`, `Scale-1: 8`) is read as IMU streams in SI units from its
 * first-sample time (wav-motion.ts).
 */
export const wavReader: FormatReader = {
  name: 'wav',
  description: 'WAV audio (RIFF/RF64/BWF; PCM 8/16/24/32-bit, float 32/64-bit, A-law/µ-law, EXTENSIBLE; any rate and channel count), and accelerometer WAV written by OpenMovement omconvert',
  sniff: sniffWav,
  read: (source, ctx) => new WavWalk(source, ctx).read(),
};
