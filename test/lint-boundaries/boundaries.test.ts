import { describe, expect, it } from 'vitest';
import { checkBoundaries } from './boundaries.js';

describe('lint boundaries (eslint.config.js)', () => {
  it('reject every forbidden import with its boundary, let every allowed one through, and keep only exceptions that cover a real breach', async () => {
    const verdicts = await checkBoundaries();
    expect(verdicts.filter(v => !v.ok).map(v => `${v.fixture.name}: ${v.detail}`)).toEqual([]);
    expect(verdicts.filter(v => 'rule' in v.fixture).length).toBeGreaterThanOrEqual(30);
  });
});
