import { describe, expect, it } from 'vitest';
import { labelWindow, spansOverlapping, windowStarts, type LabelSpan } from './windows.js';

describe('windowStarts', () => {
  it('gives 9 windows of 2 s every 1 s over [0, 10)', () => {
    expect(windowStarts({ lengthS: 2, hopS: 1 }, 0, 0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('gives the starts 600 … 1198 for the block [600, 1200) anchored at 0', () => {
    const s = windowStarts({ lengthS: 2, hopS: 1 }, 0, 600, 1200);
    expect(s.length).toBe(599);
    expect(s[0]).toBe(600);
    expect(s.at(-1)).toBe(1198);
    for (let i = 0; i < s.length; i++) expect(s[i]).toBe(600 + i);
  });

  it('stays on the anchored hop grid when the block does not start on it', () => {
    expect(windowStarts({ lengthS: 2, hopS: 1 }, 0.25, 3, 8)).toEqual([3.25, 4.25, 5.25]);
    // A block before the anchor uses negative k.
    expect(windowStarts({ lengthS: 1, hopS: 0.5 }, 10, 8, 10)).toEqual([8, 8.5, 9]);
    // Too short a block holds no window.
    expect(windowStarts({ lengthS: 2, hopS: 1 }, 0, 5, 6.5)).toEqual([]);
  });

  it('has no drift over a day of 20 ms hops', () => {
    const hop = 0.02;
    const s = windowStarts({ lengthS: 2, hopS: hop }, 0, 0, 86_400);
    // Windows 0 … (86 400 − 2) / 0.02 = 4 319 900: the last one ends on the day's end, and is kept.
    expect(s.length).toBe(4_319_901);
    expect(s.at(-1)).toBe(86_398);
    for (const k of [0, 1, 3, 7, 1_000_003, 2_500_000, 4_319_899, 4_319_900]) expect(s[k]).toBe(k * hop);
    // Adding the hops up instead drifts by hundreds of nanoseconds.
    let acc = 0;
    for (let k = 0; k < 4_319_900; k++) acc += hop;
    expect(Math.abs(acc - 86_398)).toBeGreaterThan(1e-7);
    expect(Math.abs(s.at(-1)! - 86_398)).toBeLessThan(1e-9);
    // A block late in the day, anchored at the day's start, starts exactly where the whole-day list does.
    const late = windowStarts({ lengthS: 2, hopS: hop }, 0, 86_000, 86_400);
    expect(late[0]).toBe(s[4_300_000]);
    expect(late.at(-1)).toBe(s.at(-1));
    expect(late.length).toBe(19_901);
  });

  it('keeps windows whose bounds meet the block only up to rounding in k · hop', () => {
    // 29 · 0.1 + 0.1 = 3.0000000000000004: the last window still ends on the block's end.
    const ends = windowStarts({ lengthS: 0.1, hopS: 0.1 }, 0, 0, 3);
    expect(ends.length).toBe(30);
    expect(ends.at(-1)).toBe(29 * 0.1);
    // 3 · 0.3 = 0.8999999999999999: the window at k = 3 starts on the block's start.
    const starts = windowStarts({ lengthS: 0.3, hopS: 0.3 }, 0, 0.9, 1.8);
    expect(starts).toEqual([3 * 0.3, 4 * 0.3, 5 * 0.3]);
  });

  it('rejects a non-positive hop or length', () => {
    expect(() => windowStarts({ lengthS: 2, hopS: 0 }, 0, 0, 10)).toThrow(RangeError);
    expect(() => windowStarts({ lengthS: 0, hopS: 1 }, 0, 0, 10)).toThrow(RangeError);
  });
});

describe('labelWindow', () => {
  // Window [10, 12): "walk" covers 30 % of it, "run" 70 %.
  const split: LabelSpan[] = [
    { startS: 5, endS: 10.6, label: 'walk' },
    { startS: 10.6, endS: 20, label: 'run' },
  ];
  const bg = { minOverlap: 0.5, background: 'background' };
  const noBg = { minOverlap: 0.5, background: null };

  it('majority: the label covering most of the window, if it covers at least minOverlap', () => {
    const r = labelWindow(10, 2, split, 'majority', bg);
    expect(r.label).toBe('run');
    expect(r.overlap).toBeCloseTo(0.7, 12);
    expect(r.all.map((a) => a.label)).toEqual(['run', 'walk']);
    expect(r.all[1]!.overlap).toBeCloseTo(0.3, 12);
    // With a 0.8 threshold neither qualifies.
    const none = labelWindow(10, 2, split, 'majority', { minOverlap: 0.8, background: 'background' });
    expect(none.label).toBe('background');
    expect(none.overlap).toBeCloseTo(0, 12); // the window is fully covered by spans
    expect(none.all.length).toBe(2);
    expect(labelWindow(10, 2, split, 'majority', { minOverlap: 0.8, background: null })).toMatchObject({ label: null, overlap: 0 });
  });

  it('majority: a tie goes to the first label by name', () => {
    const tie: LabelSpan[] = [
      { startS: 0, endS: 1, label: 'sit' },
      { startS: 1, endS: 2, label: 'lie' },
    ];
    expect(labelWindow(0, 2, tie, 'majority', bg)).toMatchObject({ label: 'lie', overlap: 0.5 });
  });

  it('any: the first label by name among those reaching minOverlap', () => {
    expect(labelWindow(10, 2, split, 'any', bg).label).toBe('run');
    // Both reach 0.25: "run" comes before "walk" by name whatever their overlaps.
    const low = labelWindow(10, 2, split, 'any', { minOverlap: 0.25, background: null });
    expect(low.label).toBe('run');
    const renamed = split.map((s) => ({ ...s, label: s.label === 'walk' ? 'amble' : s.label }));
    const a = labelWindow(10, 2, renamed, 'any', { minOverlap: 0.25, background: null });
    expect(a).toMatchObject({ label: 'amble' });
    expect(a.overlap).toBeCloseTo(0.3, 12);
    // majority would pick the larger one.
    expect(labelWindow(10, 2, renamed, 'majority', { minOverlap: 0.25, background: null }).label).toBe('run');
    expect(labelWindow(10, 2, renamed, 'any', { minOverlap: 0.9, background: null }).label).toBeNull();
  });

  it('center: the span containing the centre, whatever its overlap', () => {
    // Centre 11 lies in "run".
    expect(labelWindow(10, 2, split, 'center', { minOverlap: 0.99, background: null }).label).toBe('run');
    // Window [9.5, 11.5): centre 10.5 lies in "walk" though "run" covers less (45 % vs 55 %)…
    const w = labelWindow(9.5, 2, split, 'center', bg);
    expect(w.label).toBe('walk');
    expect(w.overlap).toBeCloseTo(0.55, 12);
    // …and a short span holding the centre wins over one covering most of the window.
    const short: LabelSpan[] = [
      { startS: 0, endS: 10, label: 'walk' },
      { startS: 10.9, endS: 11.1, label: 'stumble' },
    ];
    const c = labelWindow(10, 2, short, 'center', bg);
    expect(c.label).toBe('stumble');
    expect(c.overlap).toBeCloseTo(0.1, 12);
    // Nothing at the centre: background.
    expect(labelWindow(9, 2, [{ startS: 0, endS: 9.5, label: 'walk' }], 'center', bg)).toMatchObject({
      label: 'background',
      overlap: 0.75,
    });
    // Ties at the centre: first by name.
    const both: LabelSpan[] = [
      { startS: 0, endS: 20, label: 'walk' },
      { startS: 10.5, endS: 11.5, label: 'talk' },
    ];
    expect(labelWindow(10, 2, both, 'center', bg).label).toBe('talk');
  });

  it('counts a point event inside the window as covering it', () => {
    const spans: LabelSpan[] = [
      { startS: 0, endS: 10.2, label: 'walk' },
      { startS: 11.5, endS: 11.5, label: 'cough' },
    ];
    const r = labelWindow(10, 2, spans, 'majority', bg);
    expect(r.label).toBe('cough');
    expect(r.overlap).toBe(1);
    expect(r.all).toEqual([
      { label: 'cough', overlap: 1 },
      { label: 'walk', overlap: expect.closeTo(0.1, 12) as number },
    ]);
    expect(labelWindow(10, 2, spans, 'center', bg).label).toBe('cough');
    // At the window's end (exclusive) it is outside.
    const atEnd = labelWindow(10, 2, [{ startS: 12, endS: 12, label: 'cough' }], 'majority', bg);
    expect(atEnd).toEqual({ label: 'background', overlap: 1, all: [] });
    expect(labelWindow(10, 2, [{ startS: 10, endS: 10, label: 'cough' }], 'any', bg).label).toBe('cough');
  });

  it('merges overlapping spans of one label before measuring', () => {
    const spans: LabelSpan[] = [
      { startS: 10, endS: 10.8, label: 'walk' },
      { startS: 10.4, endS: 11, label: 'walk' },
      { startS: 10.5, endS: 10.6, label: 'walk' },
      { startS: 11.5, endS: 11.7, label: 'walk' },
    ];
    // Union [10, 11) ∪ [11.5, 11.7) = 1.2 s of 2 s; counting each span would give 1.7 s.
    const r = labelWindow(10, 2, spans, 'majority', bg);
    expect(r.label).toBe('walk');
    expect(r.overlap).toBeCloseTo(0.6, 12);
    expect(r.all.length).toBe(1);
    // Below minOverlap 0.7 it is background, covering the remaining 40 %.
    const b = labelWindow(10, 2, spans, 'majority', { minOverlap: 0.7, background: 'background' });
    expect(b.label).toBe('background');
    expect(b.overlap).toBeCloseTo(0.4, 12);
    // A span covering the whole window once is 1, never more.
    const twice: LabelSpan[] = [
      { startS: 0, endS: 20, label: 'walk' },
      { startS: 5, endS: 15, label: 'walk' },
    ];
    expect(labelWindow(10, 2, twice, 'majority', bg).overlap).toBe(1);
  });

  it('gives the background, or null, when no span touches the window', () => {
    expect(labelWindow(30, 2, split, 'majority', bg)).toEqual({ label: 'background', overlap: 1, all: [] });
    expect(labelWindow(30, 2, split, 'majority', noBg)).toEqual({ label: null, overlap: 0, all: [] });
    expect(labelWindow(30, 2, [], 'center', noBg)).toEqual({ label: null, overlap: 0, all: [] });
    // A span ending where the window starts does not touch it.
    expect(labelWindow(20, 2, split, 'any', noBg).label).toBeNull();
  });
});

describe('spansOverlapping', () => {
  it('keeps the spans touching a block, in order', () => {
    const spans: LabelSpan[] = [
      { startS: 0, endS: 5, label: 'a' },
      { startS: 4, endS: 12, label: 'b' },
      { startS: 10, endS: 10, label: 'c' },
      { startS: 20, endS: 20, label: 'd' },
      { startS: 19, endS: 25, label: 'e' },
    ];
    expect(spansOverlapping(spans, 5, 20).map((s) => s.label)).toEqual(['b', 'c', 'e']);
  });
});
