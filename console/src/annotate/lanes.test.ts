import { describe, expect, it } from 'vitest';
import { assignLanes } from './lanes';

describe('lanes for overlapping annotations', () => {
  it('puts overlapping annotations in different lanes and reuses a lane once free', () => {
    const { lane, count } = assignLanes([
      { key: 'a', startS: 0, endS: 10 },
      { key: 'b', startS: 5, endS: 12 },
      { key: 'c', startS: 11, endS: 20 },
      { key: 'd', startS: 6, endS: 7 },
    ]);
    expect(lane.get('a')).toBe(0);
    expect(lane.get('b')).toBe(1);
    expect(lane.get('d')).toBe(2);
    expect(lane.get('c')).toBe(0);
    expect(count).toBe(3);
  });

  it('lets touching regions share a lane', () => {
    const { lane, count } = assignLanes([{ key: 'b', startS: 2, endS: 4 }, { key: 'a', startS: 0, endS: 2 }]);
    expect(lane.get('a')).toBe(0);
    expect(lane.get('b')).toBe(0);
    expect(count).toBe(1);
  });

  it('gives point events a width, so close ones do not draw over each other', () => {
    const items = [{ key: 'p', startS: 1, endS: 1 }, { key: 'q', startS: 1.01, endS: 1.01 }];
    expect(assignLanes(items, 0).count).toBe(1);
    const wide = assignLanes(items, 0.05);
    expect(wide.count).toBe(2);
    expect(wide.lane.get('q')).toBe(1);
  });

  it('is the same whatever order the items come in', () => {
    const items = [{ key: 'x', startS: 3, endS: 9 }, { key: 'y', startS: 1, endS: 4 }, { key: 'z', startS: 3, endS: 5 }];
    const one = assignLanes(items);
    const two = assignLanes([...items].reverse());
    expect([...one.lane.entries()].sort()).toEqual([...two.lane.entries()].sort());
  });
});
