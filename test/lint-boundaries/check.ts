/**
 * `npm run check:boundaries`: proves the lint boundaries fire. Exits 1 unless every forbidden fixture is rejected
 * by its boundary, every allowed one lints clean, and every named exception in eslint.config.js still covers a
 * real breach.
 */
import { checkBoundaries } from './boundaries.js';

const verdicts = await checkBoundaries();
const failed = verdicts.filter(v => !v.ok);
for (const v of failed) process.stderr.write(`✗ ${v.fixture.name}: ${v.detail}\n`);
const count = (kind: (v: (typeof verdicts)[number]) => boolean): number => verdicts.filter(kind).length;
const forbidden = count(v => 'rule' in v.fixture);
const exceptions = count(v => 'files' in v.fixture);
process.stdout.write(`lint boundaries: ${verdicts.length - failed.length} of ${verdicts.length} as expected (${forbidden} forbidden imports, ${verdicts.length - forbidden - exceptions} allowed imports, ${exceptions} named exceptions)\n`);
process.exitCode = failed.length === 0 ? 0 : 1;
