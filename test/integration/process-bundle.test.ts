import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleProcesses } from '../../src/main/process-bundle.js';
import { ROOT } from '../helpers/harness.js';

/** The launcher's process bundles: built once, reused while no source changed. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'fieldsense-bundles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('process bundles', () => {
  it('are reused while their sources are older than the build, and rebuilt otherwise', async () => {
    const out = path.join(dir, 'processes');
    const first = await bundleProcesses(ROOT, out);
    expect(first).not.toBeNull();
    const record = JSON.parse(readFileSync(path.join(out, 'inputs.json'), 'utf8')) as { builtAtMs: number; inputs: string[] };
    expect(record.inputs).toContain(path.join(ROOT, 'src/main/api.ts'));
    const built = statSync(first!.api).mtimeMs;

    expect(await bundleProcesses(ROOT, out)).toEqual(first);
    expect(statSync(first!.api).mtimeMs).toBe(built);

    // A source newer than the build (here: the build made older than every source) → built again.
    writeFileSync(path.join(out, 'inputs.json'), JSON.stringify({ ...record, builtAtMs: 0 }));
    expect(await bundleProcesses(ROOT, out)).toEqual(first);
    expect(statSync(first!.api).mtimeMs).toBeGreaterThan(built);
    expect((JSON.parse(readFileSync(path.join(out, 'inputs.json'), 'utf8')) as { builtAtMs: number }).builtAtMs).toBeGreaterThan(0);
  });
});
