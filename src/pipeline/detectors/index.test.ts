import { describe, expect, it } from 'vitest';
import { withoutLoudSpeech } from './index.js';
import type { AnnotationDraft } from '../types.js';

const a = (label: string, startS: number, endS: number): AnnotationDraft => ({ label, startS, endS, confidence: 0.8, detector: 'x', detectorVersion: '1' });

describe('withoutLoudSpeech', () => {
  it('drops loud bursts that are mostly inside speech, keeps the others', () => {
    const out = withoutLoudSpeech([a('speech', 1, 3), a('loud', 1.5, 1.7), a('loud', 2.9, 3.5), a('loud', 5, 5.2), a('tap', 1.5, 1.6)]);
    expect(out.map((d) => `${d.label}@${d.startS}`)).toEqual(['speech@1', 'loud@2.9', 'loud@5', 'tap@1.5']);
  });

  it('changes nothing without speech', () => {
    const drafts = [a('loud', 1, 2), a('walking', 0, 10)];
    expect(withoutLoudSpeech(drafts)).toEqual(drafts);
  });
});
