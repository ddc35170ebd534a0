import path from 'node:path';
import { PROCESS_ENTRIES, type ProcessName } from './process-bundle.js';

/**
 * Node options for FieldSense's own processes (API, workers, embedded object store), used by `npm start`
 * and by the benchmarks so that they measure what runs. A small young generation keeps peak RSS down
 * while uploads and readers churn through short-lived buffers (measured: 25–50 MiB less per process).
 */
export const CHILD_NODE_ARGS: readonly string[] = ['--max-semi-space-size=2'];

/** Running TypeScript sources directly (tests, and the launcher when no bundle could be built). */
export const TSX_NODE_ARGS: readonly string[] = ['--import', 'tsx', ...CHILD_NODE_ARGS];

/** How to start one process: its bundle on plain Node, or its source through tsx. */
export function processCommand(root: string, name: ProcessName, bundles: Record<ProcessName, string> | null): { file: string; execArgv: string[] } {
  return bundles
    ? { file: bundles[name], execArgv: ['--enable-source-maps', ...CHILD_NODE_ARGS] }
    : { file: path.join(root, PROCESS_ENTRIES[name]), execArgv: [...TSX_NODE_ARGS] };
}
