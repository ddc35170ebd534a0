import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiMetrics, WorkerMetrics, type ProcessMetrics } from './metrics.js';

const DASHBOARD = path.resolve(import.meta.dirname, '../../infra/grafana/fieldsense-dashboard.json');

interface Panel { title: string; type: string; targets?: { expr: string }[]; datasource?: { uid?: string }; panels?: Panel[] }

function panelsOf(file: string): Panel[] {
  const d = JSON.parse(readFileSync(file, 'utf8')) as { panels: Panel[] };
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** The metric names a PromQL expression reads: a histogram's series name its metric (`_bucket`, `_count`, `_sum`). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\bfieldsense_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''));
}

/** The registries as the processes build them (sources that are never read: nothing is scraped here). */
function processes(): Record<string, ProcessMetrics> {
  const never = (): Promise<never> => Promise.reject(new Error('not scraped in this test'));
  return {
    api: new ApiMetrics({ pendingCount: never, oldestPendingAgeSeconds: never }),
    workers: new WorkerMetrics({ queueDepths: never, recordingsByStatus: never }),
  };
}

function registered(m: ProcessMetrics): Map<string, string> {
  return new Map(m.registry.getMetricsAsArray().map((x) => [(x as unknown as { name: string }).name, (x as unknown as { type: string }).type]));
}

describe('the Grafana dashboard and the processes\' metrics', () => {
  const panels = panelsOf(DASHBOARD);
  const queried = panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr).map((name) => ({ panel: p.title, name }))));
  const procs = processes();
  const all = new Map([...registered(procs.api!), ...registered(procs.workers!)]);

  it('queries only metrics that a process registers (a rename cannot break a panel silently)', () => {
    expect(queried.length).toBeGreaterThan(10);
    const missing = queried.filter((q) => !all.has(q.name));
    expect(missing).toEqual([]);
  });

  it('has a panel for every metric FieldSense defines itself (the default Node metrics aside)', () => {
    const own = [...registered(procs.api!).keys(), ...registered(procs.workers!).keys()].filter((n) => !/^fieldsense_(process|nodejs)_/.test(n));
    const shown = new Set(queried.map((q) => q.name));
    expect(own.filter((n) => !shown.has(n))).toEqual([]);
  });

  it('every panel with queries reads the DS_PROMETHEUS data source variable', () => {
    for (const p of panels.filter((x) => x.targets)) expect(p.datasource?.uid, p.title).toBe('${DS_PROMETHEUS}');
  });

  it('names are fieldsense_* snake_case; counters end in _total and durations in _seconds', () => {
    for (const [name, type] of all) {
      expect(name).toMatch(/^fieldsense_[a-z0-9_]+$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      if (type === 'histogram' && name.includes('duration')) expect(name).toMatch(/_seconds$/);
    }
  });

  it('a gauge whose source fails is left out of the scrape; the scrape still answers', async () => {
    const text = await procs.workers!.registry.metrics();
    expect(text).toContain('# TYPE fieldsense_queue_jobs gauge');
    expect(text).not.toMatch(/^fieldsense_queue_jobs\{/m);
    const ok = new WorkerMetrics({ queueDepths: () => Promise.resolve([{ queue: 'validate', counts: { waiting: 3 } }]), recordingsByStatus: () => Promise.resolve({ ready: 2 }) });
    const t2 = await ok.registry.metrics();
    expect(t2).toContain('fieldsense_queue_jobs{queue="validate",state="waiting"} 3');
    expect(t2).toContain('fieldsense_recordings{status="ready"} 2');
  });

  it('a gauge whose source never answers is left out; the rest of the scrape answers', async () => {
    const hung = new WorkerMetrics({ queueDepths: () => new Promise(() => undefined), recordingsByStatus: () => Promise.resolve({ ready: 1 }) });
    const text = await hung.registry.metrics();
    expect(text).not.toMatch(/^fieldsense_queue_jobs\{/m);
    expect(text).toContain('fieldsense_recordings{status="ready"} 1');
  });
});
