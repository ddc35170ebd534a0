/**
 * The audio Decoder port (src/formats/audio/decoder.ts) implemented by Debian's programs: ffprobe and ffmpeg
 * reading the upload by ranges through a loopback server (or ffmpeg from stdin, fed as the upload arrives),
 * and libFLAC (`flac`) for native FLAC. Each run owns what it started — the child, its input feed, its range
 * server — and `close()` releases them all.
 */
import { AppError } from '../lib/errors.js';
import type { Decoder, DecoderReport, DecoderRun } from '../formats/audio/decoder.js';
import { decodeFailure, probe, spawnFailure, startFfmpeg, type Started } from './ffmpeg.js';
import { libFlacSpawnFailure, startLibFlac } from './libflac.js';
import { feed, kill, lastReason } from './processes.js';
import { startRangeServer, type RangeServer } from './range-server.js';

/** Where the programs are: names on PATH by default. */
export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
  /** The reference FLAC decoder (Debian's `flac`), used for native FLAC when given; ffmpeg otherwise. */
  flac?: string;
}

export const DEFAULT_TOOLS: FfmpegTools = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', flac: 'flac' };

/** A started program as one run of the port: its stdin fed from `input` (if any), `server` closed with it. */
function run(started: Started, notStarted: (err: NodeJS.ErrnoException) => AppError, input: AsyncIterable<Uint8Array> | null, server: RangeServer | null): DecoderRun {
  const { child, stderr } = started;
  // Both programs are started with stdout piped: a missing pipe is a bug here, not a property of the file.
  const output = child.stdout;
  if (output === null) {
    kill(child);
    void server?.close();
    throw new AppError('processing_failed', 'A decoder was started without an output pipe.');
  }
  const abort = new AbortController();
  const feeding = input === null ? Promise.resolve() : feed(child.stdin, input, abort.signal);
  const report: DecoderReport = {
    get decodeErrors() {
      return stderr.decodeErrors;
    },
    get firstDecodeError() {
      return stderr.firstDecodeError;
    },
    get reason() {
      return lastReason(stderr.tail);
    },
    get checksumMismatch() {
      return /MD5 signature mismatch/i.test(stderr.tail);
    },
    failure: (label) => decodeFailure(stderr.tail, label),
  };
  let closed: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    abort.abort();
    kill(child);
    await feeding;
    await server?.close();
  };
  return {
    output,
    exited: started.exited.then((exit) => ({ code: exit.code, signal: exit.signal, notStarted: exit.spawnError === null ? null : notStarted(exit.spawnError) })),
    report,
    close: () => (closed ??= close()),
  };
}

/** The decoders of this machine, as `tools` names them (names on PATH by default). */
export function createAudioDecoder(tools: FfmpegTools = DEFAULT_TOOLS): Decoder {
  const decoder: Decoder = {
    async probe(file, demuxer, label) {
      const server = await startRangeServer(file);
      try {
        return await probe(tools.ffprobe, demuxer, server.url, label);
      } finally {
        await server.close();
      }
    },
    async startPcm({ input, demuxer, streamIndex, format, channels, label }) {
      const server = input.kind === 'random-access' ? await startRangeServer(input.file) : null;
      const started = startFfmpeg(tools.ffmpeg, demuxer, server?.url ?? 'pipe:0', streamIndex, format, channels);
      return run(started, (err) => spawnFailure('ffmpeg', err, label), input.kind === 'stream' ? input.bytes : null, server);
    },
  };
  const flac = tools.flac;
  if (flac !== undefined) {
    decoder.startFlac = ({ input, bitsPerSample, label }) => Promise.resolve(run(startLibFlac(flac, bitsPerSample), (err) => libFlacSpawnFailure(err, label), input, null));
  }
  return decoder;
}
