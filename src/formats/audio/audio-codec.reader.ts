/**
 * Compressed audio (FLAC, AAC and ALAC in MP4/M4A/CAF, Ogg Opus/Vorbis, MP3, raw AAC, AMR, WebM) decoded by
 * the external decoders of `ctx.decoder` (the Decoder port, decoder.ts; src/decoders/ runs Debian's ffmpeg
 * and libFLAC), streaming. The probe first reads the parameters and tags by random access over `ctx.readAt`
 * (it seeks: an Ogg's duration is on its last page). ffmpeg then decodes the upload's bytes as they arrive —
 * or, when the container must be read out of order (an MP4 whose `moov` index follows the samples, a CAF),
 * by random access again. Either way the file is never held in memory nor written to disk. Raw PCM comes back on stdout and is cut into chunks as it
 * arrives. ffmpeg applies AAC priming and MP4 edit lists (and MP3/Opus encoder delay) itself, so the first
 * sample is the first real one.
 *
 * Native FLAC goes to libFLAC instead (Debian's `flac`, the reference decoder: faster than ffmpeg's and it
 * checks every frame's CRC and the stream's MD5), its parameters read from the metadata blocks without
 * ffprobe. After a damaged frame it picks the stream up again at the next good frame, placed by that
 * frame's own sample number (a gap, no shifted times: see decodeNativeFlac). Without the `flac` program
 * ffmpeg decodes it all, skipping damaged frames (times after them come early, and a warning says so).
 */
import type { ReaderEvent, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { channelNamesFromFfmpegLayout } from './audio-channels.js';
import { FrameClock } from '../../domain/frame-clock.js';
import { flacRawFormat, metadataFromProbe, rawFormatFor, startFromTags } from './audio-codec-meta.js';
import { sniffAudioContainer, type AudioContainer } from './audio-codec-sniff.js';
import type { Probe, ProbeStream } from './audio-probe.js';
import type { Decoder, DecoderReport, DecoderRun, RandomAccess } from './decoder.js';
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

/** Native FLAC that libFLAC will decode: its metadata, the raw format of the decoder's output, and the decoder. */
async function nativeFlac(
  head: Uint8Array,
  file: RandomAccess,
  decoder: Decoder,
): Promise<{ info: FlacInfo; format: NonNullable<ReturnType<typeof flacRawFormat>>; start: NonNullable<Decoder['startFlac']> } | null> {
  // A FLAC behind an ID3 tag, or of an odd sample width, is left to ffmpeg.
  const start = decoder.startFlac;
  if (start === undefined || head[0] !== 0x66 || head[1] !== 0x4c || head[2] !== 0x61 || head[3] !== 0x43) return null;
  const info = await readFlacInfo((offset, length) => file.readAt(offset, length), file.size, head);
  const format = info === null ? null : flacRawFormat(info.bitsPerSample);
  return info === null || format === null ? null : { info, format, start };
}

/**
 * The error of a reader whose context has no decoder (a process built without src/decoders): the file is
 * fine, this process cannot decode it.
 */
function noDecoder(label: string): AppError {
  return new AppError(
    'decoder_missing',
    `Reading ${label} audio needs an external decoder (ffmpeg, or libFLAC for FLAC), and none was given to the reader here: the process that read the file was built without one (its ReaderContext has no decoder). Read the file where FieldSense's worker runs, or give the context a decoder (src/decoders).`,
    { decoder: 'none' },
  );
}

async function* readCodec(source: AsyncIterable<Uint8Array>, ctx: ReaderContext): AsyncGenerator<ReaderEvent> {
  const r = new ByteReader(source);
  const runs: DecoderRun[] = [];
  const file: RandomAccess = { size: ctx.size, readAt: (offset, length) => ctx.readAt(offset, length) };
  try {
    const head = await r.readExact(HEAD_BYTES);
    const container = sniffAudioContainer(head);
    if (container === null) throw new AppError('format_unrecognized', 'The file does not start like FLAC, MP4/M4A, CAF, Ogg, MP3, AAC, AMR or WebM audio.');
    let label = container.label;
    const decoders = ctx.decoder;
    if (decoders === undefined) throw noDecoder(label);
    const flac = container.kind === 'flac' ? await nativeFlac(head, file, decoders) : null;
    const probed: Probe = flac !== null ? flacProbe(flac.info, ctx.size) : await decoders.probe(file, container.demuxer, label);
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
    let decoder: DecoderRun | null = null;
    /** libFLAC's own warnings were given: its exit status says nothing more. */
    let reported = false;
    if (flac !== null) {
      const runFlac = async (input: AsyncIterable<Uint8Array>): Promise<DecoderRun> => {
        const d = await flac.start({ input, bitsPerSample: flac.info.bitsPerSample, label });
        runs.push(d);
        return d;
      };
      decoder = yield* decodeNativeFlac(runFlac, pieces(head, r), ctx, flac.info, sink, limits);
      reported = decoder !== null;
    }
    if (decoder === null) {
      // Not native FLAC, or libFLAC could not decode a sample of it (not installed, a variant it refuses).
      const pipe = flac === null && readsFromPipe(container);
      if (!pipe) await r.close();
      decoder = await decoders.startPcm({
        input: pipe ? { kind: 'stream', bytes: pieces(head, r) } : { kind: 'random-access', file },
        demuxer: container.demuxer,
        streamIndex: s.index,
        format: out.raw,
        channels,
        label,
      });
      runs.push(decoder);
      yield* decodeInto(decoder, sink, limits);
    }
    const exit = await decoder.exited;
    if (exit.notStarted !== null) throw exit.notStarted;
    if (sink.buffered > 0) yield sink.flush();
    yield* endWarnings(sink.frames, rate, s, probed.format?.duration, container, reported ? null : { report: decoder.report, code: exit.code }, label);
    if (sink.frames === 0) throw new AppError('no_samples', `The ${label} file decodes to no audio samples.`);
  } finally {
    await Promise.all(runs.map((d) => d.close()));
    await r.close();
  }
}

/** The decoder's output as chunk events, until it closes its output. */
async function* decodeInto(decoder: DecoderRun, sink: PcmFrameSink, limits: { maxFrames: number; label: string }): AsyncGenerator<ReaderEvent> {
  for await (const ev of decodeStream(decoder.output, sink)) {
    yield ev;
    if (sink.frames > limits.maxFrames) {
      throw new AppError('format_limits', `The ${limits.label} audio decodes to more than ${MAX_DURATION_S / 86_400} days, beyond what FieldSense reads from one file.`);
    }
  }
}

/** libFLAC runs a file may take: one, plus one after each damaged stretch (a hostile file cannot spawn more). */
const MAX_FLAC_RUNS = 1000;

/**
 * Native FLAC through libFLAC, fed from `first` (the upload). libFLAC stops at a damaged frame; the next
 * good frame is then found by its header (read through `ctx.readAt`) and libFLAC runs again from there, its
 * samples placed by that frame's own sample number: the damaged frames become a gap and nothing after them
 * moves. Returns the last run's decoder with every warning given, or null when libFLAC could not decode a
 * single sample (not installed, or a variant it refuses), for ffmpeg to decode the file.
 */
async function* decodeNativeFlac(
  run: (input: AsyncIterable<Uint8Array>) => Promise<DecoderRun>,
  first: AsyncIterable<Uint8Array>,
  ctx: ReaderContext,
  info: FlacInfo,
  sink: PcmFrameSink,
  limits: { maxFrames: number; label: string },
): AsyncGenerator<ReaderEvent, DecoderRun | null> {
  const readAt = (offset: number, length: number): Promise<Uint8Array> => ctx.readAt(offset, length);
  const seconds = (frame: number): string => (frame / info.sampleRate).toFixed(3);
  let decoder = await run(first);
  yield* decodeInto(decoder, sink, limits);
  let exit = await decoder.exited;
  if (exit.notStarted !== null) return null;
  if (exit.code !== 0 && sink.frames + sink.buffered === 0) {
    yield {
      type: 'warning',
      code: 'audio_flac_refused',
      message: `libFLAC could not decode this FLAC (${decoder.report.firstDecodeError ?? decoder.report.reason}); ffmpeg decoded it instead.`,
    };
    return null;
  }
  if (exit.code !== 0 && decoder.report.checksumMismatch) {
    yield {
      type: 'warning',
      code: 'audio_checksum_mismatch',
      message: `The decoded ${limits.label} audio does not match the MD5 signature its encoder stored: the file was altered or damaged after it was written, although every frame passed its own check.`,
    };
    return decoder;
  }
  const gaps: { at: number; lost: number }[] = [];
  let at = sink.frames + sink.buffered; // the damaged frame's first sample: libFLAC writes whole frames
  let reason = decoder.report.firstDecodeError ?? decoder.report.reason;
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
    decoder = await run(resumedStream(readAt, ctx.size, next.offset, info));
    yield* decodeInto(decoder, sink, limits);
    exit = await decoder.exited;
    if (exit.notStarted !== null) throw exit.notStarted;
    const reached = sink.frames + sink.buffered;
    if (reached === next.firstSample && exit.code !== 0) {
      // Its header passed the checks by chance in the damaged bytes; its audio did not: look further.
      from = next.offset + 1;
      continue;
    }
    gaps.push({ at, lost: next.firstSample - at });
    at = reached;
    reason = decoder.report.firstDecodeError ?? decoder.report.reason;
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
  /** ffmpeg's run and exit status; null when libFLAC decoded and gave its own warnings. */
  decoded: { report: DecoderReport; code: number | null } | null,
  label: string,
): Generator<Warning> {
  const decodedS = frames / rate;
  if (decoded !== null && decoded.code !== 0) {
    if (frames === 0) throw decoded.report.failure(label);
    yield {
      type: 'warning',
      code: 'audio_decode_stopped',
      message: `ffmpeg stopped after ${decodedS.toFixed(3)} s of audio: ${decoded.report.failure(label).message} The samples before that point were kept.`,
    };
  } else if (decoded !== null && decoded.report.decodeErrors > 0) {
    const { report } = decoded;
    yield {
      type: 'warning',
      code: 'audio_decode_errors',
      message: `ffmpeg reported ${report.decodeErrors} decoding error(s) and skipped the damaged frames (first: ${report.firstDecodeError ?? 'unknown'}); times after a skipped frame come early by its length.`,
      count: report.decodeErrors,
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

/**
 * FLAC, AAC/ALAC in MP4/M4A/CAF, Ogg Opus/Vorbis, MP3, ADTS AAC, AMR and WebM audio, decoded by the context's
 * decoder (`ctx.decoder`); without one, reading fails with `decoder_missing` (sniffing needs none).
 */
export const audioCodecReader: FormatReader = {
  name: 'audio-codec',
  description: 'compressed audio: FLAC (decoded by libFLAC, or ffmpeg), and through ffmpeg AAC or ALAC in M4A/MP4/CAF, Ogg Opus/Vorbis, MP3, raw AAC, AMR, WebM',
  sniff: sniffCodec,
  read: readCodec,
};
