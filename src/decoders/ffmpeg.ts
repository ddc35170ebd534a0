/**
 * Debian's ffmpeg and ffprobe as child processes: probing (stream parameters and tags as JSON), decoding to
 * raw PCM on stdout, and turning what they print on stderr into the AppError a person can act on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { AppError } from '../lib/errors.js';
import { parseProbe, type Probe } from '../formats/audio/audio-probe.js';
import type { RawFormat } from '../formats/audio/decoder.js';
import { exitOf, kill, lastReason, StderrTail, type Exit } from './processes.js';

/** ffprobe's JSON is small; a larger answer means hostile tags. */
const MAX_PROBE_JSON = 4 << 20;
const PROBE_TIMEOUT_MS = 60_000;

const INSTALL = 'Install ffmpeg on the server (Debian/Ubuntu: `apt-get install ffmpeg`, which brings ffmpeg and ffprobe) and import the file again.';

/** Maps an ffmpeg/ffprobe (or flac) failure, from its stderr, to the error a person can act on. */
export function decodeFailure(stderr: string, label: string): AppError {
  const reason = lastReason(stderr);
  if (/moov atom not found/i.test(stderr)) {
    return new AppError(
      'format_truncated',
      `The ${label} file has no index (its "moov" box is missing): the recording app stopped before it finished the file, or the file was cut during copy or upload. Tools such as untrunc can sometimes rebuild it.`,
      { reason },
    );
  }
  if (/decoder \(codec [^)]*\) not found|unknown decoder|decoder [^\n]* not found|no decoder/i.test(stderr)) {
    return new AppError('decoder_missing', `This ffmpeg cannot decode the ${label} audio (${reason}). ${INSTALL}`, { reason });
  }
  if (/end of file|truncat|partial file|premature|unexpected end/i.test(stderr)) {
    return new AppError('format_truncated', `The ${label} file ends early: ${reason}.`, { reason });
  }
  return new AppError('format_corrupt', `The ${label} file cannot be decoded: ${reason}.`, { reason });
}

function missing(program: string, label: string): AppError {
  return new AppError('decoder_missing', `Reading ${label} audio needs ${program}, which is not installed here. ${INSTALL}`, { program });
}

/** The error for an ffmpeg or ffprobe that could not be started. */
export function spawnFailure(program: 'ffmpeg' | 'ffprobe', err: NodeJS.ErrnoException, label: string): AppError {
  return err.code === 'ENOENT' ? missing(program, label) : new AppError('processing_failed', `${program} could not be started: ${err.message}`);
}

/** Runs ffprobe on `url` (forced demuxer, http/tcp only) and returns its checked JSON. */
export async function probe(ffprobe: string, demuxer: string, url: string, label: string): Promise<Probe> {
  const args = ['-v', 'error', '-hide_banner', '-protocol_whitelist', 'http,tcp', '-f', demuxer, '-print_format', 'json', '-show_streams', '-show_format', url];
  const child = spawn(ffprobe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = exitOf(child);
  const stderr = new StderrTail();
  stderr.attach(child);
  const out: Buffer[] = [];
  let outBytes = 0;
  let overflow = false;
  child.stdout?.on('data', (b: Buffer) => {
    outBytes += b.length;
    if (outBytes > MAX_PROBE_JSON) {
      overflow = true;
      kill(child);
    } else {
      out.push(b);
    }
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    kill(child);
  }, PROBE_TIMEOUT_MS);
  let exit: Exit;
  try {
    exit = await exited;
  } finally {
    clearTimeout(timer);
    kill(child);
  }
  if (exit.spawnError !== null) throw spawnFailure('ffprobe', exit.spawnError, label);
  if (overflow) throw new AppError('format_limits', `The ${label} file's tags are larger than ${MAX_PROBE_JSON >> 20} MiB, which no real recording has.`);
  if (timedOut) throw new AppError('format_corrupt', `Reading the ${label} file's header took longer than ${PROBE_TIMEOUT_MS / 1000} s; the file is damaged or hostile.`);
  if (exit.code !== 0) throw decodeFailure(stderr.tail, label);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(out).toString('utf8'));
  } catch {
    throw new AppError('processing_failed', 'ffprobe printed something that is not JSON; is this a real ffprobe?');
  }
  return parseProbe(json);
}

/** A started program: the child, its exit and its stderr. */
export interface Started {
  child: ChildProcess;
  exited: Promise<Exit>;
  stderr: StderrTail;
}

const PCM_CODEC: Record<RawFormat, string> = { u8: 'pcm_u8', s16le: 'pcm_s16le', s24le: 'pcm_s24le', s32le: 'pcm_s32le', f32le: 'pcm_f32le' };

/**
 * Starts ffmpeg decoding stream `streamIndex` of `input` (`pipe:0` or the range server's URL) to raw
 * interleaved `format` with `channels` channels on stdout, single-threaded (two cores: threads cost more
 * system time than they save).
 */
export function startFfmpeg(ffmpeg: string, demuxer: string, input: string, streamIndex: number, format: RawFormat, channels: number): Started {
  const protocols = input === 'pipe:0' ? 'pipe' : 'http,tcp';
  const args = [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-threads', '1',
    '-protocol_whitelist', protocols, '-f', demuxer, '-i', input,
    '-map', `0:${streamIndex}`, '-vn', '-sn', '-dn', '-filter_threads', '1',
    // The channel count the reader was told: frames that say otherwise (a damaged or hostile file) are
    // remixed to it rather than read as the wrong interleaving.
    '-ac', String(channels),
    '-c:a', PCM_CODEC[format], '-f', format, '-flush_packets', '0', 'pipe:1',
  ];
  const child = spawn(ffmpeg, args, { stdio: [input === 'pipe:0' ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const exited = exitOf(child);
  const stderr = new StderrTail();
  stderr.attach(child);
  return { child, exited, stderr };
}
