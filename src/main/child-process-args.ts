/**
 * Node options for FieldSense's own processes (API, workers, embedded object store), used by `npm start`
 * and by the benchmarks so that they measure what runs. A small young generation keeps peak RSS down
 * while uploads and readers churn through short-lived buffers (measured: 25–50 MiB less per process).
 */
export const CHILD_NODE_ARGS: readonly string[] = ['--import', 'tsx', '--max-semi-space-size=2'];
