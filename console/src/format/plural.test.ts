import { describe, expect, it } from 'vitest';
import { plural } from './plural';

describe('plural', () => {
  it('uses the singular for exactly one', () => {
    expect(plural(1, 'participant')).toBe('1 participant');
    expect(plural(0, 'participant')).toBe('0 participants');
    expect(plural(2, 'day')).toBe('2 days');
  });
  it('takes an irregular plural', () => {
    expect(plural(3, 'is stale', 'are stale')).toBe('3 are stale');
  });
});
