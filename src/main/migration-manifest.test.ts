import { describe, expect, it } from 'vitest';
import { appendLanded, compareWithHistory, compareWithManifest, readManifest, readMigrations, type MigrationManifest } from './migration-manifest.js';

const manifest: MigrationManifest = {
  lock: 'L',
  landed: { '20260101000000_a': 'A', '20260102000000_b': 'B' },
  superseded: { '20260101120000_old': { sha256: 'O', landedIn: 'x', removedIn: 'y', replacedBy: '20260102000000_b', repair: 'r.sql' } },
};
const dir = (entries: [string, string][], lock: string | undefined = 'L') => ({ migrations: new Map(entries), lock });

describe('landed migrations against the record', () => {
  it('the repository as committed matches its record', () => {
    expect(compareWithManifest(readManifest(), readMigrations())).toEqual({ findings: [], fresh: [] });
  });

  it('unchanged landed migrations and a later new one pass; the new one is reported as fresh', () => {
    const r = compareWithManifest(manifest, dir([['20260101000000_a', 'A'], ['20260102000000_b', 'B'], ['20260103000000_c', 'C']]));
    expect(r).toEqual({ findings: [], fresh: ['20260103000000_c'] });
    expect(appendLanded(manifest, new Map([['20260103000000_c', 'C']]), r.fresh).landed).toEqual({ ...manifest.landed, '20260103000000_c': 'C' });
  });

  it('a changed, a deleted, a returning superseded, an out-of-order migration and a changed lock each fail, by name', () => {
    const r = compareWithManifest(manifest, dir([['20260101000000_a', 'A2'], ['20260101120000_old', 'O'], ['20260101130000_early', 'E']], 'L2'));
    expect(r.findings.map((f) => [f.problem, f.migration])).toEqual([
      ['changed', '20260101000000_a'],
      ['deleted', '20260102000000_b'],
      ['superseded_back', '20260101120000_old'],
      ['lock_changed', 'migration_lock.toml'],
      ['out_of_order', '20260101130000_early'],
    ]);
    expect(r.findings[0]!.message).toMatch(/20260101000000_a\/migration\.sql changed since it landed.*add a new migration instead/);
    expect(r.fresh).toEqual([]);
  });

  it('a new migration that is already committed must be recorded', () => {
    const r = compareWithManifest(manifest, dir([['20260101000000_a', 'A'], ['20260102000000_b', 'B'], ['20260103000000_c', 'C']]), new Set(['20260103000000_c']));
    expect(r.findings.map((f) => [f.problem, f.migration])).toEqual([['not_recorded', '20260103000000_c']]);
    expect(r.fresh).toEqual(['20260103000000_c']);
  });

  it('a record that disagrees with the first committed version fails; files history does not have yet pass', () => {
    const first: Record<string, { sha256: string; commit: string }> = {
      '20260101000000_a': { sha256: 'A-as-landed', commit: 'abc1234' },
      '20260101120000_old': { sha256: 'O', commit: 'def5678' },
    };
    const findings = compareWithHistory(manifest, (n) => first[n]);
    expect(findings.map((f) => [f.problem, f.migration])).toEqual([['not_as_landed', '20260101000000_a']]);
    expect(findings[0]!.message).toMatch(/landed in abc1234/);
  });
});
