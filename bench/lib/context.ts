import type { Stack } from './stack.js';
import type { Workspace } from './workspace.js';

/** What every benchmark receives from bench/run.ts. */
export interface BenchContext {
  ws: Workspace;
  stack: Stack;
  /** BENCH_SCALE: 1 = full size; 0.1 = a tenth of the bytes / rows (time goals scale with it). */
  scale: number;
  /** Folder for CPU profiles when BENCH_CPU_PROF=1 (kept after the run), else null. */
  profileDir: string | null;
}

/** BENCH_SCALE from the environment, (0, 1]; default 1. */
export function benchScale(raw = process.env.BENCH_SCALE): number {
  if (raw === undefined || raw === '') return 1;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0 || s > 1) throw new Error(`BENCH_SCALE must be a number in (0, 1], got ${JSON.stringify(raw)}`);
  return s;
}

export function log(line: string): void {
  console.log(`  ${line}`);
}
