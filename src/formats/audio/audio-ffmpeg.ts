/**
 * Debian's ffmpeg and ffprobe as child processes: probing (stream parameters and tags as JSON), decoding to
 * raw PCM on stdout, and turning what they print on stderr into the AppError a person can act on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';

/** Where the programs are: names on PATH by default. */
export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
  /** The reference FLAC decoder (Debian's `flac`), used for native FLAC when installed; ffmpeg otherwise. */
  flac?: string;
}

export const DEFAULT_TOOLS: FfmpegTools = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', flac: 'flac' };

/** ffprobe's JSON is small; a larger answer means hostile tags. */
const MAX_PROBE_JSON = 4 << 20;
const PROBE_TIMEOUT_MS = 60_000;
/** Stderr kept for messages (the end of it, where the reason is). */
const STDERR_TAIL = 8192;

const INSTALL = 'Install ffmpeg on the server (Debian/Ubuntu: `apt-get install ffmpeg`, which brings ffmpeg and ffprobe) and import the file again.';

const tags = z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).optional();
const probeSchema = z.object({
  streams: z
    .array(
      z.object({
        index: z.number(),
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        codec_long_name: z.string().optional(),
        profile: z.string().optional(),
        sample_fmt: z.string().optional(),
        sample_rate: z.coerce.number().optional(),
        channels: z.number().optional(),
        channel_layout: z.string().optional(),
        bits_per_raw_sample: z.coerce.number().optional(),
        duration: z.coerce.number().optional(),
        tags,
      }),
    )
    .default([]),
  format: z
    .object({
      format_name: z.string().optional(),
      duration: z.coerce.number().optional(),
      bit_rate: z.coerce.number().optional(),
      tags,
    })
    .optional(),
});

export type Probe = z.infer<typeof probeSchema>;
export type ProbeStream = Probe['streams'][number];

/** The end of a child's stderr, plus counts of the lines that report decoding errors. */
export class StderrTail {
  private text = '';
  /** Lines that say a packet or frame could not be decoded (ffmpeg goes on after them). */
  decodeErrors = 0;
  firstDecodeError: string | null = null;
  private partial = '';

  attach(child: ChildProcess): void {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => this.add(s));
  }

  private add(s: string): void {
    this.text = (this.text + s).slice(-STDERR_TAIL);
    const lines = (this.partial + s).split('\n');
    this.partial = (lines.pop() ?? '').slice(-STDERR_TAIL);
    for (const line of lines) {
      if (/error while decoding|invalid|corrupt|decode_frame|header missing|error/i.test(line)) {
        this.decodeErrors++;
        this.firstDecodeError ??= cleanLine(line);
      }
    }
  }

  get tail(): string {
    return this.text + this.partial;
  }
}

/** A stderr line without ffmpeg's `[demuxer @ 0x…] ` prefix, shortened. */
function cleanLine(line: string): string {
  // ffmpeg's `[demuxer @ 0x…] `; flac's `-: ` (its name for stdin).
  return line.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').replace(/^-: /, '').trim().slice(0, 200);
}

/** The last informative line of stderr (the reason ffmpeg gives when it stops). */
export function lastReason(stderr: string): string {
  const lines = stderr.split('\n').map(cleanLine).filter((l) => l !== '');
  return lines[lines.length - 1] ?? 'no reason given';
}

/** Maps an ffmpeg/ffprobe failure to the error a person can act on. */
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

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started (ENOENT: not installed). */
  spawnError: NodeJS.ErrnoException | null;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => resolve({ code: null, signal: null, spawnError: err }));
    child.once('close', (code, signal) => resolve({ code, signal, spawnError: null }));
  });
}

/** Kills a child that is still running (SIGKILL: it holds nothing we need). */
export function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Runs ffprobe on `url` (forced demuxer, http/tcp only) and returns its parsed JSON. */
export async function probe(tools: FfmpegTools, demuxer: string, url: string, label: string): Promise<Probe> {
  const args = ['-v', 'error', '-hide_banner', '-protocol_whitelist', 'http,tcp', '-f', demuxer, '-print_format', 'json', '-show_streams', '-show_format', url];
  const child = spawn(tools.ffprobe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
  if (exit.spawnError !== null) {
    throw exit.spawnError.code === 'ENOENT' ? missing('ffprobe', label) : new AppError('processing_failed', `ffprobe could not be started: ${exit.spawnError.message}`);
  }
  if (overflow) throw new AppError('format_limits', `The ${label} file's tags are larger than ${MAX_PROBE_JSON >> 20} MiB, which no real recording has.`);
  if (timedOut) throw new AppError('format_corrupt', `Reading the ${label} file's header took longer than ${PROBE_TIMEOUT_MS / 1000} s; the file is damaged or hostile.`);
  if (exit.code !== 0) throw decodeFailure(stderr.tail, label);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(out).toString('utf8'));
  } catch {
    throw new AppError('processing_failed', 'ffprobe printed something that is not JSON; is this a real ffprobe?');
  }
  const parsed = probeSchema.safeParse(json);
  if (!parsed.success) throw new AppError('processing_failed', `ffprobe's answer has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  return parsed.data;
}

export interface Decoder {
  child: ChildProcess;
  exited: Promise<Exit>;
  stderr: StderrTail;
}

/** Output sample formats: integer codecs keep their integers (bit-exact and half the bytes for 16-bit). */
export type RawFormat = 'u8' | 's16le' | 's24le' | 's32le' | 'f32le';

const PCM_CODEC: Record<RawFormat, string> = { u8: 'pcm_u8', s16le: 'pcm_s16le', s24le: 'pcm_s24le', s32le: 'pcm_s32le', f32le: 'pcm_f32le' };

/**
 * Starts ffmpeg decoding the first audio stream of `input` (`pipe:0` or the range server's URL) to raw
 * interleaved `format` with `channels` channels on stdout, single-threaded (two cores: threads cost more
 * system time than they save).
 */
export function startDecoder(tools: FfmpegTools, demuxer: string, input: string, streamIndex: number, format: RawFormat, channels: number): Decoder {
  const protocols = input === 'pipe:0' ? 'pipe' : 'http,tcp';
  const codec = PCM_CODEC[format];
  const args = [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-threads', '1',
    '-protocol_whitelist', protocols, '-f', demuxer, '-i', input,
    '-map', `0:${streamIndex}`, '-vn', '-sn', '-dn', '-filter_threads', '1',
    // The channel count the reader was told: frames that say otherwise (a damaged or hostile file) are
    // remixed to it rather than read as the wrong interleaving.
    '-ac', String(channels),
    '-c:a', codec, '-f', format, '-flush_packets', '0', 'pipe:1',
  ];
  const child = spawn(tools.ffmpeg, args, { stdio: [input === 'pipe:0' ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const exited = exitOf(child);
  const stderr = new StderrTail();
  stderr.attach(child);
  return { child, exited, stderr };
}

/** The error for a decoder that could not be started. */
export function spawnFailure(err: NodeJS.ErrnoException, label: string): AppError {
  return err.code === 'ENOENT' ? missing('ffmpeg', label) : new AppError('processing_failed', `ffmpeg could not be started: ${err.message}`);
}

/** Whether `program` is an executable file on PATH (a name) or at its path, looked up once. */
const found = new Map<string, boolean>();
function installed(program: string): boolean {
  let yes = found.get(program);
  if (yes === undefined) {
    const dirs = program.includes('/') ? [''] : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
    yes = dirs.some((d) => {
      try {
        accessSync(d === '' ? program : path.join(d, program), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    found.set(program, yes);
  }
  return yes;
}

/** `stdbuf`'s exit status when it cannot run the program it was given (GNU coreutils). */
const STDBUF_CANNOT_RUN = new Set([126, 127]);

/**
 * Starts Debian's `flac` (libFLAC, the reference decoder) decoding a native FLAC stream from stdin to raw
 * little-endian PCM on stdout: 8-bit unsigned, wider samples signed, in bytes of the file's width. It
 * verifies each frame's CRC and the stream's MD5 signature, and stops at the first damaged frame.
 * flac writes one codec frame (≈ 8 KiB) at a time; under coreutils' `stdbuf` (1 MiB stdio buffers) its
 * output goes out in large writes that the reader takes in ~7× fewer reads (measured: 0.2 instead of 0.5
 * CPU-s per hour of 16 kHz audio in the reading process), and it reads its input in large pieces too.
 * `exited.spawnError` is set (ENOENT) when flac is not installed.
 */
export function startFlacDecoder(program: string, bitsPerSample: number): Decoder {
  const sign = bitsPerSample === 8 ? 'unsigned' : 'signed';
  const args = ['-d', '-s', '-c', '--force-raw-format', '--endian=little', `--sign=${sign}`, '-'];
  const buffered = installed('stdbuf') && installed(program);
  const child = buffered ? spawn('stdbuf', ['-i', '1M', '-o', '1M', program, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }) : spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr = new StderrTail();
  stderr.attach(child);
  const exited = exitOf(child).then((exit): Exit => {
    if (buffered && exit.code !== null && STDBUF_CANNOT_RUN.has(exit.code)) {
      const err: NodeJS.ErrnoException = new Error(`stdbuf could not run ${program}: ${lastReason(stderr.tail)}`);
      err.code = 'ENOENT';
      return { code: null, signal: null, spawnError: err };
    }
    return exit;
  });
  return { child, exited, stderr };
}
