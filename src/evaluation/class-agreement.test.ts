import { describe, expect, it } from 'vitest';
import { boundaryErrors, classRuns, mapLabels, parseLabelMap } from './class-agreement.js';
import { classScores, evaluate, renderReport } from './report.js';
import { renderRecordings } from './report-render.js';

const iv = (label: string, startS: number, endS: number): { label: string; startS: number; endS: number } => ({ label, startS, endS });

describe('label mapping', () => {
  it('reads from=to lists and renames both sides; refuses what is not a mapping', () => {
    expect(parseLabelMap('walking=moving, running=moving,')).toEqual({ walking: 'moving', running: 'moving' });
    expect(() => parseLabelMap('walking')).toThrow(/from=to/);
    expect(() => parseLabelMap('a=b=c')).toThrow(/from=to/);
    expect(() => parseLabelMap('a=b,a=c')).toThrow(/twice/);
    expect(mapLabels([iv('walking', 0, 1), iv('still', 1, 2)], { walking: 'moving' }).map((x) => x.label)).toEqual(['moving', 'still']);
    expect(mapLabels([iv('toString', 0, 1)], {}).map((x) => x.label)).toEqual(['toString']);
  });
});

describe('class runs and boundary errors', () => {
  it('builds a class timeline with unlabelled stretches', () => {
    expect(classRuns([iv('still', 0, 10), iv('moving', 12, 20), iv('moving', 20, 25)], ['still', 'moving'], 0, 30)).toEqual([
      { cls: 'still', startS: 0, endS: 10 }, { cls: null, startS: 10, endS: 12 }, { cls: 'moving', startS: 12, endS: 25 }, { cls: null, startS: 25, endS: 30 },
    ]);
  });

  it('matches boundaries one to one in the same direction, signed late-positive, across an unlabelled gap, not across a break', () => {
    const labels = ['still', 'moving'];
    const ref = classRuns([iv('still', 0, 10), iv('moving', 12, 30), iv('still', 30, 50), iv('moving', 50, 60)], labels, 0, 60);
    const pred = classRuns([iv('still', 0, 11), iv('moving', 11, 31.5), iv('still', 31.5, 40), iv('moving', 40, 41), iv('still', 41, 49), iv('moving', 49, 60)], labels, 0, 60);
    const b = boundaryErrors(ref, pred, 5);
    expect(b).toMatchObject({ reference: 3, matched: 3, missed: 0, spurious: 2 });
    // 11 lies inside the reference's gap [10, 12]: error 0; then +1.5 (late) and −1 (early).
    expect(b.meanAbsS).toBeCloseTo(2.5 / 3, 9);
    expect(b.meanSignedS).toBeCloseTo(0.5 / 3, 9);
    expect(b.maxAbsS).toBe(1.5);
    expect(boundaryErrors(ref, pred, 5, [30]).reference).toBe(2);
    expect(boundaryErrors(ref, classRuns([iv('still', 0, 60)], labels, 0, 60), 5)).toMatchObject({ matched: 0, missed: 3, meanAbsS: null });
  });
});

describe('still vs moving scored from activity labels', () => {
  const map = { walking: 'moving', jogging: 'moving', downstairs: 'moving', running: 'moving' };
  const reference = [iv('still', 0, 20), iv('walking', 20, 50), iv('still', 50, 70), iv('jogging', 70, 100), iv('still', 100, 110), iv('downstairs', 110, 120)];
  const prediction = [iv('still', 0, 21), iv('walking', 21, 40), iv('moving', 40, 50.5), iv('still', 50.5, 70), iv('running', 70, 100), iv('moving', 100, 103), iv('still', 103, 109), iv('moving', 109, 120)];

  it('gives the frame agreement, the agreement per activity and the boundary errors', () => {
    const r = evaluate({ reference, prediction, durationS: 120, map, labels: ['still', 'moving'] });
    expect(r.params.map).toEqual(map);
    // Wrong: 20–21 (still for walking), 50–50.5 (moving for still), 100–103 (moving for still) and 109–110.
    expect(r.classes.frameAgreement).toBeCloseTo((120 - 1 - 0.5 - 3 - 1) / 120, 9);
    const by = Object.fromEntries(r.classes.byActivity.map((a) => [a.activity, a]));
    expect(Object.keys(by)).toEqual(['downstairs', 'jogging', 'still', 'walking']);
    expect(by.walking).toMatchObject({ scoredAs: 'moving' });
    expect(by.walking!.agreement).toBeCloseTo(29 / 30, 9);
    expect(by.walking!.predictedS.still).toBeCloseTo(1, 6);
    expect(by.jogging!.agreement).toBe(1);
    expect(by.still!.agreement).toBeCloseTo((50 - 4.5) / 50, 9);
    expect(r.classes.boundaries).toMatchObject({ reference: 5, matched: 5, missed: 0, spurious: 0 });
    expect(r.classes.boundaries.maxAbsS).toBeCloseTo(3, 9);
    const md = renderReport(r, { title: 'still vs moving' }).markdown;
    expect(md).toContain('walking → moving');
    expect(md).toContain('## Agreement per reference label (activity)');
    expect(md).toMatch(/\| walking \| moving \| 30\.00 \| 0\.967 \|/);
    expect(md).toContain('5 reference boundaries between scored labels; 5 found within 10 s');
  });

  it('scores one recording of several laid end to end, and renders a row per recording', () => {
    const second = [iv('still', 120, 130), iv('walking', 130, 140)];
    const all = { reference: [...reference, ...second], prediction: [...prediction, iv('still', 120, 132), iv('moving', 132, 140)], map, labels: ['still', 'moving'], breaksS: [120] };
    const one = classScores({ ...all, spanStartS: 120, durationS: 20 });
    expect(one.frameAgreement).toBeCloseTo(18 / 20, 9);
    expect(one.boundaries).toMatchObject({ reference: 1, matched: 1, maxAbsS: 2, meanSignedS: 2 });
    // The join at 120 s (downstairs → still) is not a boundary.
    expect(classScores({ ...all, durationS: 140 }).boundaries.reference).toBe(6);
    const md = renderRecordings([{ recording: 'b.csv', durationS: 20, classes: one }]);
    expect(md).toMatch(/\| b\.csv \| 20\.00 \| 20\.00 \| 0\.900 \| 1 \| 1 \| 2\.00 \| 2\.00 \| 0 \|/);
  });
});

describe('boundaries at the joins of recordings', () => {
  it('are not scored, even where the two sides overlap by a rounding error', () => {
    const labels = ['still', 'moving'];
    const runs = classRuns([iv('still', 0, 91.34000000000002), iv('moving', 91.34, 120)], labels, 0, 120);
    expect(boundaryErrors(runs, runs, 10, [91.34]).reference).toBe(0);
    expect(boundaryErrors(runs, runs, 10).reference).toBe(1);
  });
});
