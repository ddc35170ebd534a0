import { describe, expect, it } from 'vitest';
import { STEPS, jobId } from './catalogue.js';

describe('jobId', () => {
  it('is the same for the same recording, run and step, whoever computes it and however often', () => {
    expect(jobId('rec_abc', 3, 'segment')).toBe('rec_abc-3-segment');
    expect(jobId('rec_abc', 3, 'segment')).toBe(jobId('rec_abc', 3, 'segment'));
  });

  it('differs between steps, runs and recordings: one job per step of each run', () => {
    const ids = ['rec_abc', 'rec_abd'].flatMap((rec) => [0, 1].flatMap((run) => STEPS.map((step) => jobId(rec, run, step))));
    expect(new Set(ids).size).toBe(2 * 2 * STEPS.length);
  });
});
