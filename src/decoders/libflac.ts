/**
 * Debian's `flac` (libFLAC, the reference decoder) as a child process: native FLAC from stdin to raw PCM on
 * stdout, every frame's CRC and the stream's MD5 signature checked.
 */
import { spawn } from 'node:child_process';
import { AppError } from '../lib/errors.js';
import type { Started } from './ffmpeg.js';
import { exitOf, installed, lastReason, StderrTail, type Exit } from './processes.js';

/** `stdbuf`'s exit status when it cannot run the program it was given (GNU coreutils). */
const STDBUF_CANNOT_RUN = new Set([126, 127]);

/**
 * Starts `program` decoding a native FLAC stream from stdin to raw little-endian PCM on stdout: 8-bit
 * unsigned, wider samples signed, in bytes of the file's width. It stops at the first damaged frame.
 * flac writes one codec frame (≈ 8 KiB) at a time; under coreutils' `stdbuf` (1 MiB stdio buffers) its
 * output goes out in large writes that the reader takes in ~7× fewer reads (measured: 0.2 instead of 0.5
 * CPU-s per hour of 16 kHz audio in the reading process), and it reads its input in large pieces too.
 * `exited.spawnError` is set (ENOENT) when flac is not installed.
 */
export function startLibFlac(program: string, bitsPerSample: number): Started {
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

/** The error for a flac that could not be started. */
export function libFlacSpawnFailure(err: NodeJS.ErrnoException, label: string): AppError {
  return err.code === 'ENOENT'
    ? new AppError('decoder_missing', `Reading ${label} audio with libFLAC needs flac, which is not installed here. Install it on the server (Debian/Ubuntu: \`apt-get install flac\`) and import the file again.`, { program: 'flac' })
    : new AppError('processing_failed', `flac could not be started: ${err.message}`);
}
