import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './workspace.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/**
 * Where a `--cpu-prof` profile spent its time: self time per function and per source file (project
 * files relative to the repository, dependencies by package), as shares of the busy (non-idle) time. A
 * process run with `--import tsx` writes a second, mostly idle profile: tsx's module-loader thread.
 */
export function summarizeCpuProfile(file: string, top = 20): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const isIdle = (id: number): boolean => byId.get(id)?.callFrame.functionName === '(idle)';
  const idleUs = [...selfUs].filter(([id]) => isIdle(id)).reduce((a, [, us]) => a + us, 0);
  const totalUs = [...selfUs].filter(([id]) => !isIdle(id)).reduce((a, [, us]) => a + us, 0);
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n || isIdle(id)) continue;
    const where = shortUrl(n.callFrame.url);
    const line = n.callFrame.lineNumber > 0 ? `:${n.callFrame.lineNumber + 1}` : '';
    const fn = `${n.callFrame.functionName || '(anonymous)'}  ${where}${line}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const fileKey = where || `(${n.callFrame.functionName})`;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
  }
  const pct = (us: number): string => `${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${(us / 1e6).toFixed(2).padStart(6)} s`;
  const lines = [
    `${path.relative(ROOT, file)}: ${(totalUs / 1e6).toFixed(2)} s busy, ${(idleUs / 1e6).toFixed(2)} s idle (shares below are of the busy time)`,
    '  self time by source file:',
  ];
  for (const [k, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`    ${pct(us)}  ${k}`);
  lines.push('  self time by function:');
  for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`    ${pct(us)}  ${k}`);
  return lines.join('\n');
}

function shortUrl(url: string): string {
  if (!url) return '';
  const f = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const nm = f.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = f.slice(nm + '/node_modules/'.length).split('/');
    return `[${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}]`;
  }
  return f.startsWith(ROOT) ? path.relative(ROOT, f) : f;
}
