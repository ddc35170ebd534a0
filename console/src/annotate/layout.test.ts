import { describe, expect, it } from 'vitest';
import { annotatorsOf, bandsOf, isShown, nextProposal, thinOut, windowFor } from './layout';
import type { Item } from './types';

const item = (key: string, p: Partial<Item>): Item => ({
  key, id: key, startS: 0, endS: 1, label: 'walk', status: 'accepted', adjudicated: false, source: 'human',
  confidence: null, detector: null, detectorVersion: null, annotatorId: null, annotatorName: null, changedByName: null, ...p,
});
const opts = { showRejected: false, threshold: 0.5, compareA: null, compareB: null };

describe('what the annotation layer draws', () => {
  it('hides rejected ones unless asked, and pending proposals below the threshold', () => {
    expect(isShown(item('r', { status: 'rejected' }), opts)).toBe(false);
    expect(isShown(item('r', { status: 'rejected' }), { ...opts, showRejected: true })).toBe(true);
    expect(isShown(item('p', { source: 'auto', status: 'proposed', confidence: 0.4 }), opts)).toBe(false);
    expect(isShown(item('p', { source: 'auto', status: 'proposed', confidence: 0.6 }), opts)).toBe(true);
    expect(isShown(item('p', { source: 'auto', status: 'accepted', confidence: 0.4 }), opts)).toBe(true);
  });

  it('puts two annotators, the adjudicated layer and proposals in bands of their own when comparing', () => {
    const items = [
      item('a1', { annotatorId: 'A', annotatorName: 'Ana' }), item('b1', { annotatorId: 'B' }), item('c1', { annotatorId: 'C' }),
      item('j1', { annotatorId: 'A', adjudicated: true }), item('p1', { source: 'auto', status: 'proposed', confidence: 0.9 }),
    ];
    expect(bandsOf(items, opts, 0, new Map()).map((b) => [b.id, b.items.length])).toEqual([['labels', 4], ['proposals', 1]]);
    expect(bandsOf(items.slice(0, 3), opts, 0, new Map()).map((b) => [b.id, b.items.length])).toEqual([['all', 3]]);
    const bands = bandsOf(items, { ...opts, compareA: 'A', compareB: 'B' }, 0, new Map([['A', 'Ana']]));
    expect(bands.map((b) => [b.title, b.items.map((i) => i.key)])).toEqual([
      ['A · Ana', ['a1']], ['B · B', ['b1']], ['Adjudicated', ['j1']], ['Proposals', ['p1']],
    ]);
  });

  it('lists annotators by how much they labelled', () => {
    const items = [item('1', { annotatorId: 'B', annotatorName: 'Bo' }), item('2', { annotatorId: 'A' }), item('3', { annotatorId: 'B' }), item('4', { annotatorId: 'A', adjudicated: true })];
    expect(annotatorsOf(items)).toEqual([{ id: 'B', name: 'Bo', count: 2 }, { id: 'A', name: 'A', count: 1 }]);
  });

  it('steps through pending proposals in time order, wrapping around', () => {
    const items = [
      item('p2', { source: 'auto', status: 'proposed', startS: 20, endS: 22, confidence: 0.9 }),
      item('p1', { source: 'auto', status: 'proposed', startS: 5, endS: 6, confidence: 0.9 }),
      item('done', { source: 'auto', status: 'accepted', startS: 10, endS: 11 }),
      item('low', { source: 'auto', status: 'proposed', startS: 12, endS: 13, confidence: 0.1 }),
    ];
    expect(nextProposal(items, opts, 0, 1, null)?.key).toBe('p1');
    expect(nextProposal(items, opts, 7, 1, null)?.key).toBe('p2');
    expect(nextProposal(items, opts, 0, 1, 'p2')?.key).toBe('p1');
    expect(nextProposal(items, opts, 7, -1, null)?.key).toBe('p1');
    expect(nextProposal(items, opts, 0, -1, 'p1')?.key).toBe('p2');
    expect(nextProposal([], opts, 0, 1, null)).toBeNull();
  });

  it('centres a region keeping the zoom when it fits, else widens', () => {
    expect(windowFor(50, 52, 0, 10)).toEqual([46, 56]);
    expect(windowFor(50, 70, 0, 10)).toEqual([45, 75]);
  });
});

describe('drawing a crowded view', () => {
  it('drops sub-pixel regions and proposals first, keeps the selected one and the order', () => {
    const regions = [
      { it: item('tinyAuto', { source: 'auto', startS: 0, endS: 0.1 }) },
      { it: item('wideHuman', { startS: 1, endS: 5 }) },
      { it: item('tinyHuman', { startS: 6, endS: 6.1 }) },
      { it: item('wideAuto', { source: 'auto', startS: 7, endS: 9 }) },
      { it: item('tinySelected', { source: 'auto', startS: 10, endS: 10.1 }) },
    ];
    const keys = (n: number): string[] => thinOut(regions, 1, n, 'tinySelected').map((r) => r.it.key);
    expect(keys(5)).toEqual(['tinyAuto', 'wideHuman', 'tinyHuman', 'wideAuto', 'tinySelected']);
    expect(keys(3)).toEqual(['wideHuman', 'wideAuto', 'tinySelected']);
    expect(keys(4)).toEqual(['wideHuman', 'tinyHuman', 'wideAuto', 'tinySelected']);
  });
});
