import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './workspace.js';

const MIB = 1024 * 1024;

/** Resident memory of a process from /proc/<pid>/status, in MiB: current (VmRSS) and peak (VmHWM). */
export function memoryOf(pid: number): { rssMiB: number; hwmMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rssMiB: (kib('VmRSS') * 1024) / MIB, hwmMiB: (kib('VmHWM') * 1024) / MIB };
}

/**
 * Resets a process's peak RSS (VmHWM) to its current RSS (`echo 5 > /proc/<pid>/clear_refs`, Linux ≥ 4.0),
 * so that the next VmHWM read is the peak of one phase, not of the process's whole life (which includes
 * tsx compiling the sources at start). Returns false when the kernel refuses; callers then fall back on
 * the sampled maximum.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Peak RSS of one phase of a child process: VmHWM after a reset (exact, kernel-tracked) and, as a
 * cross-check and fallback, the maximum of VmRSS sampled every `everyMs`.
 */
export class PeakRss {
  private sampledMax = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly resetOk: boolean;

  constructor(private readonly pid: number, everyMs = 50) {
    this.resetOk = resetPeak(pid);
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  private sample(): void {
    try {
      this.sampledMax = Math.max(this.sampledMax, memoryOf(this.pid).rssMiB);
    } catch {
      // the process exited: keep what was seen
    }
  }

  /** Stops sampling; `peakMiB` is VmHWM since the reset (or the sampled max if the reset was refused). */
  stop(): { peakMiB: number; sampledMaxMiB: number; exact: boolean } {
    clearInterval(this.timer);
    this.sample();
    let hwm = this.sampledMax;
    try {
      hwm = memoryOf(this.pid).hwmMiB;
    } catch {
      // exited
    }
    return { peakMiB: this.resetOk ? hwm : this.sampledMax, sampledMaxMiB: this.sampledMax, exact: this.resetOk };
  }
}

/**
 * RSS of an idle `node --import tsx` process that does nothing: the floor under every figure of a child
 * forked the way `npm start` forks them (tsx's loader and esbuild's service).
 */
export async function idleTsxBaselineMiB(): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', 'setInterval(() => {}, 60_000)'], { cwd: ROOT, stdio: 'ignore' });
  try {
    await sleep(2000);
    if (child.pid === undefined || child.exitCode !== null) throw new Error('the idle tsx process did not start');
    return memoryOf(child.pid).rssMiB;
  } finally {
    child.kill('SIGKILL');
  }
}

/** CPU seconds of this process's reaped children (/proc/self/stat cutime + cstime), at `ticksPerS` clock ticks a second. */
export function childrenCpuS(ticksPerS: number): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / ticksPerS;
}
