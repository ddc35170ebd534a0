import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/harness.js';

/**
 * The console talks to the API only through a client typed from the OpenAPI document: its types
 * (console/src/api/schema.d.ts) must be generated from the committed docs/openapi.json, so a route change that
 * is not regenerated (`npm run openapi && npm run console:api`) fails here instead of in a browser.
 */
describe('the console API client', () => {
  it('is generated from the current OpenAPI document', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fieldsense-client-'));
    try {
      const out = path.join(dir, 'schema.d.ts');
      execFileSync(path.join(ROOT, 'node_modules/.bin/openapi-typescript'), ['docs/openapi.json', '-o', out], { cwd: ROOT, stdio: 'pipe' });
      const committed = readFileSync(path.join(ROOT, 'console/src/api/schema.d.ts'), 'utf8');
      expect(committed === readFileSync(out, 'utf8'), 'console/src/api/schema.d.ts is stale: run `npm run console:api`').toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
