import { describe, expect, it } from 'vitest';
import {
  assignSplits, checkDisjoint, parseSplit, participantOrderKey, splitCounts, type ParticipantInfo,
} from './dataset-splits.js';

const ids = (n: number, prefix = 'p'): ParticipantInfo[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i + 1).padStart(3, '0')}` }));

function countBy(map: ReadonlyMap<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const split of map.values()) out[split] = (out[split] ?? 0) + 1;
  return out;
}

const TVT = parseSplit('70/15/15');

describe('parseSplit', () => {
  it('names the parts by their number and normalises the shares', () => {
    expect(parseSplit('70/15/15')).toEqual({ names: ['train', 'validation', 'test'], ratios: [0.7, 0.15, 0.15] });
    expect(parseSplit('80/20')).toEqual({ names: ['train', 'test'], ratios: [0.8, 0.2] });
    expect(parseSplit('100')).toEqual({ names: ['train'], ratios: [1] });
    expect(parseSplit(' 7 / 1.5 / 1.5 ')).toEqual({ names: ['train', 'validation', 'test'], ratios: [0.7, 0.15, 0.15] });
    expect(parseSplit('90/0/10').ratios).toEqual([0.9, 0, 0.1]);
  });

  it('rejects what it cannot read, saying what to give instead', () => {
    expect(() => parseSplit('')).toThrow(RangeError);
    expect(() => parseSplit('')).toThrow(/e\.g\. "70\/15\/15"/);
    expect(() => parseSplit('60/20/10/10')).toThrow(/4 parts; at most 3/);
    expect(() => parseSplit('80/-20')).toThrow(/part 2 \("-20"\) is not a non-negative number/);
    expect(() => parseSplit('eighty/20')).toThrow(/part 1 \("eighty"\)/);
    expect(() => parseSplit('80//20')).toThrow(/part 2 \(""\)/);
    expect(() => parseSplit('1e2')).toThrow(RangeError);
    expect(() => parseSplit('0/0')).toThrow(/total of 0/);
  });
});

describe('splitCounts', () => {
  it('rounds cumulatively, halves up, and always sums to n', () => {
    expect(splitCounts(10, [0.7, 0.15, 0.15])).toEqual([7, 2, 1]);
    expect(splitCounts(10, [70, 15, 15])).toEqual([7, 2, 1]);
    expect(splitCounts(3, [0.5, 0.5])).toEqual([2, 1]);
    expect(splitCounts(0, [0.7, 0.15, 0.15])).toEqual([0, 0, 0]);
    expect(splitCounts(7, [1])).toEqual([7]);
    for (let n = 0; n < 60; n++) {
      const counts = splitCounts(n, [0.7, 0.15, 0.15]);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
      counts.forEach((c, k) => expect(Math.abs(c - n * [0.7, 0.15, 0.15][k]!)).toBeLessThan(1));
    }
  });
});

describe('participantOrderKey', () => {
  it('is FNV-1a 64 then fmix64 over "seed:id", a fixed 64-bit value', () => {
    expect(participantOrderKey(1, 'p1')).toBe(participantOrderKey(1, 'p1'));
    expect(participantOrderKey(1, 'p1')).not.toBe(participantOrderKey(2, 'p1'));
    expect(participantOrderKey(1, 'p1') < 1n << 64n).toBe(true);
    // Pinned so that a change of hash (which would move every participant of every dataset) fails here.
    expect(participantOrderKey(42, 'p001').toString(16)).toBe(PINNED_KEY);
  });
});

describe('assignSplits', () => {
  it('gives the same map for the same inputs, whatever their order', () => {
    const ps = ids(50);
    const a = assignSplits(ps, TVT, 7);
    const b = assignSplits([...ps].reverse(), TVT, 7);
    expect([...b.entries()]).toEqual([...a.entries()]);
    expect(a.size).toBe(50);
    expect([...a.keys()]).toEqual(ps.map((p) => p.id));
  });

  it('gives a different assignment for a different seed', () => {
    const ps = ids(50);
    const a = assignSplits(ps, TVT, 1);
    const b = assignSplits(ps, TVT, 2);
    expect(countBy(a)).toEqual(countBy(b));
    const moved = ps.filter((p) => a.get(p.id) !== b.get(p.id)).length;
    expect(moved).toBeGreaterThan(5);
  });

  it('puts 7/2/1 of 10 participants in train/validation/test at 70/15/15', () => {
    const map = assignSplits(ids(10), TVT, 3);
    expect(countBy(map)).toEqual({ train: 7, validation: 2, test: 1 });
  });

  it('splits each stratum proportionally on its own', () => {
    const ps = [
      ...ids(20, 'w').map((p) => ({ ...p, stratum: 'wrist' })),
      ...ids(10, 'h').map((p) => ({ ...p, stratum: 'hip' })),
    ];
    const map = assignSplits(ps, TVT, 11);
    const wrist = new Map([...map].filter(([id]) => id.startsWith('w')));
    const hip = new Map([...map].filter(([id]) => id.startsWith('h')));
    expect(countBy(wrist)).toEqual({ train: 14, validation: 3, test: 3 });
    expect(countBy(hip)).toEqual({ train: 7, validation: 2, test: 1 });
  });

  it('keeps frozen participants where they were, and new participants never move them', () => {
    const old = ids(10);
    const first = assignSplits(old, TVT, 5);
    const frozen = new Map(first);
    const added = [...old, ...ids(5, 'n')];
    const second = assignSplits(added, TVT, 5, frozen);
    for (const p of old) expect(second.get(p.id)).toBe(first.get(p.id));
    expect(second.size).toBe(15);
    // The 5 new ones are split among themselves as if the old ones did not exist.
    const fresh = new Map([...second].filter(([id]) => id.startsWith('n')));
    expect(countBy(fresh)).toEqual({ train: 4, test: 1 });
    expect(fresh).toEqual(assignSplits(ids(5, 'n'), TVT, 5));
  });

  it('takes a frozen split name as is, even one the spec no longer has', () => {
    const map = assignSplits(ids(3), parseSplit('100'), 1, new Map([['p002', 'holdout'], ['gone', 'test']]));
    expect([...map.entries()]).toEqual([['p001', 'train'], ['p002', 'holdout'], ['p003', 'train']]);
  });

  it('rejects a participant listed twice and an invalid spec', () => {
    expect(() => assignSplits([{ id: 'a' }, { id: 'a' }], TVT, 1)).toThrow(/"a" is listed twice/);
    expect(() => assignSplits(ids(2), { names: ['train'], ratios: [1, 2] }, 1)).toThrow(RangeError);
    expect(() => assignSplits(ids(2), { names: ['a', 'a'], ratios: [1, 1] }, 1)).toThrow(/distinct/);
    expect(() => assignSplits(ids(2), { names: ['a', 'b'], ratios: [-1, 2] }, 1)).toThrow(/non-negative/);
    expect(() => assignSplits(ids(2), TVT, Number.NaN)).toThrow(/seed/);
  });
});

describe('checkDisjoint', () => {
  it('accepts disjoint splits', () => {
    expect(() => checkDisjoint({ train: ['a', 'b'], validation: [], test: ['c'] })).not.toThrow();
  });

  it('throws naming the participant and both splits on an overlap', () => {
    expect(() => checkDisjoint({ train: ['a', 'b'], test: ['c', 'b'] }))
      .toThrow('Participant "b" is in both splits "test" and "train"; a participant must be in one.');
  });
});

// Computed independently (Python, same FNV-1a 64 + fmix64 definition).
const PINNED_KEY = 'bcc89af3d74a7e94';
