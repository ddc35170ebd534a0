import { describe, expect, it } from 'vitest';
import { checkBoundaries } from './boundaries.js';

describe('lint boundaries (eslint.config.js)', () => {
  it('reject every forbidden import with its boundary and let every allowed one through', async () => {
    const verdicts = await checkBoundaries();
    expect(verdicts.filter(v => !v.ok).map(v => `${v.fixture.name} (${v.fixture.at}): ${v.detail}`)).toEqual([]);
    expect(verdicts.filter(v => 'rule' in v.fixture).length).toBeGreaterThanOrEqual(30);
  });
});
