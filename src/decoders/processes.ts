/**
 * What every decoding program needs from its child process: its exit, its stderr's tail (where the reason
 * is) with counts of the lines that report decoding errors, a kill that is safe to repeat, its input fed with
 * backpressure, and whether a program is installed at all.
 */
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Stderr kept for messages (the end of it, where the reason is). */
const STDERR_TAIL = 8192;

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

/** The last informative line of stderr (the reason a program gives when it stops). */
export function lastReason(stderr: string): string {
  const lines = stderr.split('\n').map(cleanLine).filter((l) => l !== '');
  return lines[lines.length - 1] ?? 'no reason given';
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started (ENOENT: not installed). */
  spawnError: NodeJS.ErrnoException | null;
}

export function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => resolve({ code: null, signal: null, spawnError: err }));
    child.once('close', (code, signal) => resolve({ code, signal, spawnError: null }));
  });
}

/** Kills a child that is still running (SIGKILL: it holds nothing we need). */
export function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Feeds `input` into a child's stdin until it ends or `signal` aborts; resolves either way. EPIPE when the
 * program stops early is expected: its exit status says what happened.
 */
export function feed(stdin: Writable | null, input: AsyncIterable<Uint8Array>, signal: AbortSignal): Promise<void> {
  if (stdin === null) return Promise.resolve();
  stdin.on('error', () => undefined);
  return pipeline(Readable.from(input), stdin, { signal }).catch(() => undefined);
}

/** Whether `program` is an executable file on PATH (a name) or at its path, looked up once. */
const found = new Map<string, boolean>();
export function installed(program: string): boolean {
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
