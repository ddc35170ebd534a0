import { describe, expect, it } from 'vitest';
import { ariaLabel, clock, fitChip, labelColor } from './format';

describe('annotation texts', () => {
  it('writes times as a clock', () => {
    expect(clock(12.3)).toBe('0:12.30');
    expect(clock(75.456)).toBe('1:15.46');
    expect(clock(3600 + 62.5)).toBe('1:01:02.50');
    expect(clock(59.999)).toBe('1:00.00');
  });

  it('names a region for a screen reader', () => {
    const base = { label: 'handwashing', startS: 12.3, endS: 15.1, source: 'human' as const, status: 'accepted' as const, adjudicated: false, confidence: null, annotatorName: null };
    expect(ariaLabel(base)).toBe('handwashing 12.30 s to 15.10 s, human, accepted');
    expect(ariaLabel({ ...base, endS: 12.3, source: 'auto', status: 'proposed', confidence: 0.8125 })).toBe('handwashing at 12.30 s, proposal, proposed, confidence 0.81');
    expect(ariaLabel({ ...base, annotatorName: 'Ana' })).toBe('handwashing 12.30 s to 15.10 s, human, accepted, by Ana');
  });

  it('takes the study colour, else a stable palette colour', () => {
    const labels = [{ name: 'walk', color: '#ff0000' }, { name: 'run' }, { name: 'bad', color: 'url(javascript:x)' }];
    expect(labelColor(labels, 'walk')).toBe('#ff0000');
    expect(labelColor(labels, 'run')).toBe(labelColor(labels, 'run'));
    expect(labelColor(labels, 'bad')).toMatch(/^#/);
    expect(labelColor(labels, 'speech')).toBe(labelColor([], 'speech'));
  });

  it('cuts a chip to the width of its region', () => {
    expect(fitChip('speech 0.93', 200)).toBe('speech 0.93');
    expect(fitChip('speech 0.93', 12 + 6.6 * 11)).toBe('speech 0.93');
    expect(fitChip('speech 0.93', 12 + 6.6 * 7)).toBe('speech…');
    expect(fitChip('handwashing', 40)).toBe('han…');
    expect(fitChip('handwashing', 20)).toBe('');
    expect(fitChip('a', 19)).toBe('a');
  });
});
