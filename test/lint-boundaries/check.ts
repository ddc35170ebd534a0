/**
 * `npm run check:boundaries`: proves the lint boundaries fire. Exits 1 unless every forbidden fixture is rejected
 * by its boundary and every allowed one lints clean.
 */
import { checkBoundaries } from './boundaries.js';

const verdicts = await checkBoundaries();
const failed = verdicts.filter(v => !v.ok);
for (const v of failed) process.stderr.write(`✗ ${v.fixture.name} (${v.fixture.at}): ${v.detail}\n`);
const rejected = verdicts.filter(v => 'rule' in v.fixture).length;
process.stdout.write(`lint boundaries: ${verdicts.length - failed.length} of ${verdicts.length} fixtures as expected (${rejected} forbidden imports, ${verdicts.length - rejected} allowed)\n`);
process.exitCode = failed.length === 0 ? 0 : 1;
