import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, fixture, startHarness, type Harness } from '../helpers/harness.js';

/** The README's walk-through block (the shell block after the `walkthrough` marker), as a reader copies it. */
function walkthrough(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const marker = readme.indexOf('<!-- walkthrough:');
  expect(marker, 'README.md has the walk-through marker').toBeGreaterThan(0);
  const m = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker));
  expect(m, 'a sh block follows the marker').not.toBeNull();
  return m![1]!;
}

function bash(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // -e and pipefail: any command of the block that fails fails the test (curl -f makes HTTP errors failures).
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('README walk-through, run as pasted against a started stack', () => {
  let h: Harness;
  const copy = path.join(ROOT, 'copy.wav');

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    rmSync(copy, { force: true });
    await h.close();
  });

  it('creates the study, uploads, waits until processed, reads the results, labels and evaluates', async () => {
    const run = await bash(walkthrough(), {
      API: h.baseUrl,
      ADMIN_TOKEN: h.adminToken,
      // npm run evaluate reads the database the stack uses.
      DATABASE_URL: h.config.databaseUrl,
      LOG_LEVEL: 'silent',
    });
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);

    // The recording was processed before it was read: the wait step works.
    const summary = /\{\s*"status": "(\w+)",\s*"format": "([^"]+)"/.exec(run.stdout);
    expect(summary?.[1], run.stdout).toBe('ready');
    expect(summary?.[2]).toMatch(/wav/);
    expect(run.stdout).toContain('"sampleRateHz": 16000');
    expect(run.stdout).toContain('"samples": 93888');
    // Segments and proposed annotations, one JSON object per line (jq -c); the detector proposes speech.
    expect(run.stdout).toMatch(/\{"kind":"speech","startS":[\d.]+,"endS":[\d.]+\}/);
    expect(run.stdout).toMatch(/\{"label":"speech","startS":[\d.]+,"endS":[\d.]+,"confidence":[\d.]+\}/);
    // The raw download is byte for byte the upload.
    expect(existsSync(copy)).toBe(true);
    const sha = createHash('sha256').update(fixture('pyaudioanalysis-speech/count.wav')).digest('hex');
    expect(createHash('sha256').update(readFileSync(copy)).digest('hex')).toBe(sha);
    expect(run.stdout.match(new RegExp(sha, 'g'))).toHaveLength(2);

    // The annotator's labels are the file's speech segments (count.segments has 10 speech lines).
    const speech = readFileSync(path.join(ROOT, 'test/fixtures/pyaudioanalysis-speech/count.segments'), 'utf8').split('\n').filter((l) => l.endsWith('\tspeech')).length;
    const human = await h.db.annotation.count({ where: { source: 'human', label: 'speech' } });
    expect(human).toBe(speech);
    // The evaluation ran in the study the walk-through made and scored speech on that one recording.
    expect(run.stdout).toMatch(/1 recording\(s\)/);
    const row = /\| speech \| (\d+) \| (\d+) \|(?: [\d.]+ \|){4} ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|/.exec(run.stdout);
    expect(row, run.stdout).not.toBeNull();
    expect(Number(row![1])).toBe(speech);
    // The VAD finds the counted words: event F1 of the speech row.
    expect(Number(row![5])).toBeGreaterThan(0.8);
  });
});
