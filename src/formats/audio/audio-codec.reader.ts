/**
 * Compressed audio (FLAC, AAC and ALAC in MP4/M4A/CAF, Ogg Opus/Vorbis, MP3, raw AAC, AMR, WebM) decoded by
 * Debian's ffmpeg as a child process, streaming. ffprobe first reads the parameters and tags through a
 * loopback range server over `ctx.readAt` (it seeks: an Ogg's duration is on its last page). ffmpeg then
 * decodes from stdin, fed from the upload's bytes as they arrive — or, when the container must be read out
 * of order (an MP4 whose `moov` index follows the samples, a CAF), from the range server. Either way the file
 * is never held in memory nor written to disk. Raw PCM comes back on stdout and is cut into chunks as it
 * arrives. ffmpeg applies AAC priming and MP4 edit lists (and MP3/Opus encoder delay) itself, so the first
 * sample is the first real one.
 *
 * Native FLAC goes to libFLAC instead (Debian's `flac`, the reference decoder: faster than ffmpeg's and it
 * checks every frame's CRC and the stream's MD5), its parameters read from the metadata blocks without
 * ffprobe. After a damaged frame it picks the stream up again at the next good frame, placed by that
 * frame's own sample number (a gap, no shifted times: see decodeNativeFlac). Without the `flac` program
 * ffmpeg decodes it all, skipping damaged frames (times after them come early, and a warning says so).
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReaderEvent, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { channelNamesFromFfmpegLayout } from './audio-channels.js';
import { FrameClock } from '../../domain/frame-clock.js';
import { flacRawFormat, metadataFromProbe, rawFormatFor, startFromTags } from './audio-codec-meta.js';
import { sniffAudioContainer, type AudioContainer } from './audio-codec-sniff.js';
import { DEFAULT_TOOLS, decodeFailure, kill, lastReason, probe, spawnFailure, startDecoder, startFlacDecoder, type Decoder, type FfmpegTools, type Probe, type ProbeStream } from './audio-ffmpeg.js';
import { startRangeServer } from './audio-range-server.js';
import { ByteReader } from '../common/byte-source.js';
import { nextFrame, resumedStream } from './flac-frames.js';
import { flacProbe, readFlacInfo, type FlacInfo } from './flac-metadata.js';
import { decodeStream, PcmFrameSink } from './pcm-frames.js';
import type { FormatReader, ReaderContext, SniffInput } from '../types.js';
import { MAX_CHANNELS, MAX_RATE_HZ } from './wav-format.js';

const HEAD_BYTES = 64 * 1024;
/** Longest recording decoded (a hostile file of constant FLAC frames could otherwise expand without end). */
const MAX_DURATION_S = 14 * 86_400;
/** Containers whose declared duration is exact (an index or a sample count), so a shortfall means damage. */
const EXACT_DURATION = new Set(['flac', 'mp4', 'caf', 'ogg']);

type Warning = Extract<ReaderEvent, { type: 'warning' }>;

function audioStream(streams: ProbeStream[], label: string): { stream: ProbeStream; others: number } {
  const audio = streams.filter((s) => s.codec_type === 'audio');
  const first = audio[0];
  if (first === undefined) {
    throw new AppError('format_unsupported_variant', `The ${label} file has no audio track (it holds ${streams.map((s) => s.codec_type ?? 'unknown').join(', ') || 'no tracks'}).`);
  }
  return { stream: first, others: audio.length - 1 };
}

function checkLimits(s: ProbeStream, label: string): { rate: number; channels: number } {
  const rate = s.sample_rate ?? 0;
  const channels = s.channels ?? 0;
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE_HZ) {
    throw new AppError('format_limits', `The ${label} audio declares a sample rate of ${rate} Hz; FieldSense reads 1 Hz to ${MAX_RATE_HZ / 1e6} MHz.`, { sampleRate: rate });
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new AppError('format_limits', `The ${label} audio declares ${channels} channels; FieldSense reads 1 to ${MAX_CHANNELS}.`, { channels });
  }
  return { rate, channels };
}

/** Decodes from stdin unless the container has to be read out of order. */
function readsFromPipe(c: AudioContainer): boolean {
  if (c.kind === 'caf') return false;
  if (c.kind === 'mp4') return c.indexFirst === true;
  return true;
}

async function* pieces(head: Uint8Array, r: ByteReader): AsyncGenerator<Uint8Array> {
  if (head.length > 0) yield head;
  for (;;) {
    const p = await r.readSome(1 << 20);
    if (p === null) return;
    yield p;
  }
}

/** Native FLAC that libFLAC will decode: its metadata and the raw format of the decoder's output. */
async function nativeFlac(head: Uint8Array, ctx: ReaderContext, tools: FfmpegTools): Promise<{ info: FlacInfo; format: NonNullable<ReturnType<typeof flacRawFormat>> } | null> {
  // A FLAC behind an ID3 tag, or of an odd sample width, is left to ffmpeg.
  if (tools.flac === undefined || head[0] !== 0x66 || head[1] !== 0x4c || head[2] !== 0x61 || head[3] !== 0x43) return null;
  const info = await readFlacInfo((offset, length) => ctx.readAt(offset, length), ctx.size, head);
  const format = info === null ? null : flacRawFormat(info.bitsPerSample);
  return info === null || format === null ? null : { info, format };
}

async function* readCodec(source: AsyncIterable<Uint8Array>, ctx: ReaderContext, tools: FfmpegTools): AsyncGenerator<ReaderEvent> {
  const r = new ByteReader(source);
  const abort = new AbortController();
  let server: Awaited<ReturnType<typeof startRangeServer>> | null = null;
  const decoders: Decoder[] = [];
  const feeding: Promise<void>[] = [];
  /** Feeds bytes (the upload's, as they arrive) into a decoder's stdin. */
  const feed = (stdin: Writable | null, input: AsyncIterable<Uint8Array>): void => {
    if (stdin === null) return;
    stdin.on('error', () => undefined);
    // EPIPE when the decoder stops early is expected; its exit status says what happened.
    feeding.push(pipeline(Readable.from(input), stdin, { signal: abort.signal }).catch(() => undefined));
  };
  try {
    const head = await r.readExact(HEAD_BYTES);
    const container = sniffAudioContainer(head);
    if (container === null) throw new AppError('format_unrecognized', 'The file does not start like FLAC, MP4/M4A, CAF, Ogg, MP3, AAC, AMR or WebM audio.');
    let label = container.label;
    const flac = container.kind === 'flac' ? await nativeFlac(head, ctx, tools) : null;
    let probed: Probe;
    if (flac !== null) {
      probed = flacProbe(flac.info, ctx.size);
    } else {
      server = await startRangeServer(ctx);
      probed = await probe(tools, container.demuxer, server.url, label);
    }
    const { stream: s, others } = audioStream(probed.streams, label);
    label = `${(s.codec_name ?? 'unknown').toUpperCase()} in ${container.label}`;
    const { rate, channels } = checkLimits(s, label);
    const out = flac?.format ?? rawFormatFor(s.sample_fmt, channels);
    const start = startFromTags(probed, s);

    yield { type: 'recording', startTimeNs: start?.ns ?? null, absoluteTime: start !== null };
    const info: StreamInfo = {
      name: 'audio',
      kind: 'audio',
      sensor: 'audio',
      channels: channelNamesFromFfmpegLayout(channels, s.channel_layout),
      unit: 'pcm',
      nominalRateHz: rate,
      fullScale: 1,
    };
    yield { type: 'stream', stream: info };
    yield { type: 'metadata', metadata: metadataFromProbe(probed, s, container.label) };
    if (start !== null) {
      yield {
        type: 'warning',
        code: 'audio_start_from_tag',
        message: `The start time comes from ${start.origin}; recording apps write it when the file is created, to the second at best, so check it against the other streams of the session.`,
      };
    }
    if (others > 0) {
      yield { type: 'warning', code: 'audio_extra_tracks', message: `The file has ${others + 1} audio tracks; read the first (track ${s.index}) and ignored the others.`, count: others };
    }

    const sink = new PcmFrameSink({ channels, sampleRate: rate, encoding: out.encoding, frameBytes: channels * out.bytes }, info.name, new FrameClock(rate, start?.ns ?? 0n), {
      piecesHandedOver: true,
    });
    const limits = { maxFrames: rate * MAX_DURATION_S, label };
    let decoder: Decoder | null = null;
    /** libFLAC's own warnings were given: its exit status says nothing more. */
    let reported = false;
    if (flac !== null) {
      const runFlac = (input: AsyncIterable<Uint8Array>): Decoder => {
        const d = startFlacDecoder(tools.flac!, flac.info.bitsPerSample);
        decoders.push(d);
        feed(d.child.stdin, input);
        return d;
      };
      decoder = yield* decodeNativeFlac(runFlac, pieces(head, r), ctx, flac.info, sink, limits);
      reported = decoder !== null;
    }
    if (decoder === null) {
      // Not native FLAC, or libFLAC could not decode a sample of it (not installed, a variant it refuses).
      const pipe = flac === null && readsFromPipe(container);
      if (!pipe) {
        await r.close();
        server ??= await startRangeServer(ctx);
      }
      decoder = startDecoder(tools, container.demuxer, pipe ? 'pipe:0' : server!.url, s.index, out.raw, channels);
      decoders.push(decoder);
      if (pipe) feed(decoder.child.stdin, pieces(head, r));
      yield* decodeInto(decoder, sink, limits);
    }
    const exit = await decoder.exited;
    if (exit.spawnError !== null) throw spawnFailure(exit.spawnError, label);
    if (sink.buffered > 0) yield sink.flush();
    if (reported) yield* endWarnings(sink.frames, rate, s, probed.format?.duration, container, NO_ERRORS, 0, label);
    else yield* endWarnings(sink.frames, rate, s, probed.format?.duration, container, decoder.stderr, exit.code, label);
    if (sink.frames === 0) throw new AppError('no_samples', `The ${label} file decodes to no audio samples.`);
  } finally {
    abort.abort();
    for (const d of decoders) kill(d.child);
    await Promise.all(feeding);
    await server?.close();
    await r.close();
  }
}

/** The decoder's output as chunk events, until it closes its stdout. */
async function* decodeInto(decoder: Decoder, sink: PcmFrameSink, limits: { maxFrames: number; label: string }): AsyncGenerator<ReaderEvent> {
  if (decoder.child.stdout === null) return;
  for await (const ev of decodeStream(decoder.child.stdout, sink)) {
    yield ev;
    if (sink.frames > limits.maxFrames) {
      throw new AppError('format_limits', `The ${limits.label} audio decodes to more than ${MAX_DURATION_S / 86_400} days, beyond what FieldSense reads from one file.`);
    }
  }
}

/** libFLAC runs a file may take: one, plus one after each damaged stretch (a hostile file cannot spawn more). */
const MAX_FLAC_RUNS = 1000;
const NO_ERRORS = { decodeErrors: 0, firstDecodeError: null, tail: '' };

/**
 * Native FLAC through libFLAC, fed from `first` (the upload). libFLAC stops at a damaged frame; the next
 * good frame is then found by its header (read through `ctx.readAt`) and libFLAC runs again from there, its
 * samples placed by that frame's own sample number: the damaged frames become a gap and nothing after them
 * moves. Returns the last run's decoder with every warning given, or null when libFLAC could not decode a
 * single sample (not installed, or a variant it refuses), for ffmpeg to decode the file.
 */
async function* decodeNativeFlac(
  run: (input: AsyncIterable<Uint8Array>) => Decoder,
  first: AsyncIterable<Uint8Array>,
  ctx: ReaderContext,
  info: FlacInfo,
  sink: PcmFrameSink,
  limits: { maxFrames: number; label: string },
): AsyncGenerator<ReaderEvent, Decoder | null> {
  const readAt = (offset: number, length: number): Promise<Uint8Array> => ctx.readAt(offset, length);
  const seconds = (frame: number): string => (frame / info.sampleRate).toFixed(3);
  let decoder = run(first);
  yield* decodeInto(decoder, sink, limits);
  let exit = await decoder.exited;
  if (exit.spawnError !== null) return null;
  if (exit.code !== 0 && sink.frames + sink.buffered === 0) {
    yield {
      type: 'warning',
      code: 'audio_flac_refused',
      message: `libFLAC could not decode this FLAC (${decoder.stderr.firstDecodeError ?? lastReason(decoder.stderr.tail)}); ffmpeg decoded it instead.`,
    };
    return null;
  }
  if (exit.code !== 0 && /MD5 signature mismatch/i.test(decoder.stderr.tail)) {
    yield {
      type: 'warning',
      code: 'audio_checksum_mismatch',
      message: `The decoded ${limits.label} audio does not match the MD5 signature its encoder stored: the file was altered or damaged after it was written, although every frame passed its own check.`,
    };
    return decoder;
  }
  const gaps: { at: number; lost: number }[] = [];
  let at = sink.frames + sink.buffered; // the damaged frame's first sample: libFLAC writes whole frames
  let reason = decoder.stderr.firstDecodeError ?? lastReason(decoder.stderr.tail);
  let from = info.audioOffset;
  for (let runs = 1; exit.code !== 0; runs++) {
    const next = runs < MAX_FLAC_RUNS ? await nextFrame(readAt, ctx.size, from, at + 1, info) : null;
    if (next === null) {
      const held = sink.jumpTo(at); // back from a frame that did not decode, if the last one was such
      if (held !== null) yield held;
      yield {
        type: 'warning',
        code: 'audio_decode_stopped',
        message: `libFLAC stopped at ${seconds(at)} s (${reason}) and no good frame follows${runs >= MAX_FLAC_RUNS ? ` within ${MAX_FLAC_RUNS} attempts` : ''}: the samples before that point were kept.`,
      };
      break;
    }
    const held = sink.jumpTo(next.firstSample);
    if (held !== null) yield held;
    decoder = run(resumedStream(readAt, ctx.size, next.offset, info));
    yield* decodeInto(decoder, sink, limits);
    exit = await decoder.exited;
    if (exit.spawnError !== null) throw spawnFailure(exit.spawnError, limits.label);
    const reached = sink.frames + sink.buffered;
    if (reached === next.firstSample && exit.code !== 0) {
      // Its header passed the checks by chance in the damaged bytes; its audio did not: look further.
      from = next.offset + 1;
      continue;
    }
    gaps.push({ at, lost: next.firstSample - at });
    at = reached;
    reason = decoder.stderr.firstDecodeError ?? lastReason(decoder.stderr.tail);
    from = next.offset;
  }
  if (gaps.length > 0) {
    const lost = gaps.reduce((a, g) => a + g.lost, 0);
    yield {
      type: 'warning',
      code: 'audio_damaged_frames',
      message: `${gaps.length} damaged stretch(es) of FLAC frames left out, ${lost.toLocaleString('en')} samples (${seconds(lost)} s) in all, the first at ${seconds(gaps[0]!.at)} s: the stream has a gap there, and the frames after each are placed by their own sample numbers, so their times are exact.`,
      count: gaps.length,
    };
  }
  return decoder;
}

function* endWarnings(
  frames: number,
  rate: number,
  s: ProbeStream,
  formatDuration: number | undefined,
  container: AudioContainer,
  stderr: { decodeErrors: number; firstDecodeError: string | null; tail: string },
  code: number | null,
  label: string,
): Generator<Warning> {
  const decodedS = frames / rate;
  if (code !== 0) {
    if (frames === 0) throw decodeFailure(stderr.tail, label);
    yield {
      type: 'warning',
      code: 'audio_decode_stopped',
      message: `ffmpeg stopped after ${decodedS.toFixed(3)} s of audio: ${decodeFailure(stderr.tail, label).message} The samples before that point were kept.`,
    };
  } else if (stderr.decodeErrors > 0) {
    yield {
      type: 'warning',
      code: 'audio_decode_errors',
      message: `ffmpeg reported ${stderr.decodeErrors} decoding error(s) and skipped the damaged frames (first: ${stderr.firstDecodeError ?? 'unknown'}); times after a skipped frame come early by its length.`,
      count: stderr.decodeErrors,
    };
  }
  const declared = s.duration ?? formatDuration;
  // One codec frame (up to 4,608 samples for FLAC/AAC/Vorbis) plus 50 ms of rounding in the container.
  const slack = 4608 / rate + 0.05;
  if (declared !== undefined && EXACT_DURATION.has(container.kind) && decodedS < declared - slack) {
    yield {
      type: 'warning',
      code: 'audio_truncated',
      message: `The ${label} file declares ${declared.toFixed(3)} s of audio but only ${decodedS.toFixed(3)} s could be decoded: it is cut or damaged towards the end.`,
    };
  }
}

function sniffCodec(input: SniffInput): boolean {
  return sniffAudioContainer(input.head) !== null;
}

/** Builds the reader with the ffmpeg/ffprobe programs to run (names on PATH by default). */
export function createAudioCodecReader(tools: FfmpegTools = DEFAULT_TOOLS): FormatReader {
  return {
    name: 'audio-codec',
    description: 'compressed audio: FLAC (decoded by libFLAC, or ffmpeg), and through ffmpeg AAC or ALAC in M4A/MP4/CAF, Ogg Opus/Vorbis, MP3, raw AAC, AMR, WebM',
    sniff: sniffCodec,
    read: (source, ctx) => readCodec(source, ctx, tools),
  };
}

/** FLAC, AAC/ALAC in MP4/M4A/CAF, Ogg Opus/Vorbis, MP3, ADTS AAC, AMR and WebM audio, decoded by ffmpeg. */
export const audioCodecReader: FormatReader = createAudioCodecReader();
