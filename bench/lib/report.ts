import { cpus, totalmem } from 'node:os';

/** One figure of a benchmark, optionally beside its anchor (measured in the same run) and a goal. */
export interface Metric {
  name: string;
  value: number;
  unit: string;
  /** The reference measured side by side in the same run. */
  anchor?: { name: string; value: number; unit: string };
  /** `value` must be ≥ (or ≤) this to pass. */
  goal?: { op: '>=' | '<='; value: number; unit: string };
  /** Not a goal: context for reading the figure (baseline, anchor only, …). */
  note?: string;
}

export interface BenchResult {
  name: string;
  ok: boolean;
  error?: string;
  seconds: number;
  metrics: Metric[];
  /** Raw measurements (every repetition, stage timings, sizes) for whoever wants to dig. */
  details: Record<string, unknown>;
}

export function passes(m: Metric): boolean | null {
  if (!m.goal) return null;
  return m.goal.op === '>=' ? m.value >= m.goal.value : m.value <= m.goal.value;
}

export function machine(): Record<string, unknown> {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** 10^6 bytes per second (the unit of the anchor figures in the dependency notes). */
export function mbPerS(bytes: number, seconds: number): number {
  return bytes / 1e6 / seconds;
}

function fmt(v: number, unit: string): string {
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${unit}`.trim();
}

/** The side-by-side table printed at the end of `npm run bench`. */
export function table(results: BenchResult[]): string {
  const rows: string[][] = [['benchmark', 'measurement', 'value', 'anchor (same run)', 'goal', '']];
  for (const r of results) {
    if (!r.ok) rows.push([r.name, 'FAILED', r.error?.split('\n')[0]?.slice(0, 100) ?? '', '', '', 'FAIL']);
    for (const m of r.metrics) {
      const p = passes(m);
      rows.push([
        r.name,
        m.name,
        fmt(m.value, m.unit),
        m.anchor ? `${fmt(m.anchor.value, m.anchor.unit)} (${m.anchor.name})` : (m.note ?? ''),
        m.goal ? `${m.goal.op} ${fmt(m.goal.value, m.goal.unit)}` : '',
        p === null ? '' : p ? 'ok' : 'MISSED',
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
