import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { MAX_SEGMENTS, parseSegments } from './segments-sidecar.js';

function fixture(name: string): Uint8Array {
  return readFileSync(fileURLToPath(new URL(`../../../test/fixtures/pyaudioanalysis-speech/${name}`, import.meta.url)));
}

function parseError(text: string): AppError {
  try {
    parseSegments(text, 'x.segments');
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

const S = 1_000_000_000n;

describe('segments sidecar', () => {
  it('reads count.segments: 20 speech/silence segments covering 0–5.8 s', () => {
    const labels = parseSegments(fixture('count.segments'), 'count.segments');
    expect(labels).toHaveLength(20);
    expect(labels[0]).toEqual({ label: 'silence', startNs: 0n, endNs: 130_000_000n, origin: 'count.segments' });
    expect(labels[1]).toEqual({ label: 'speech', startNs: 130_000_000n, endNs: 510_000_000n, origin: 'count.segments' });
    expect(labels[19]).toEqual({ label: 'speech', startNs: 5_400_000_000n, endNs: 5_800_000_000n, origin: 'count.segments' });
    expect(labels.filter((l) => l.label === 'speech')).toHaveLength(10);
    // contiguous: each segment starts where the previous ended
    for (let i = 1; i < labels.length; i++) expect(labels[i]?.startNs).toBe(labels[i - 1]?.endNs);
  });

  it('reads count2.segments, whose line 7 has a trailing tab', () => {
    const labels = parseSegments(fixture('count2.segments'), 'count2.segments');
    expect(labels).toHaveLength(20);
    expect(labels[6]).toEqual({ label: 'silence', startNs: 2_300_000_000n, endNs: 2_600_000_000n, origin: 'count2.segments' });
    expect(labels[19]).toMatchObject({ label: 'speech', startNs: 10n * S, endNs: 10_500_000_000n });
  });

  it('reads diarizationExample2.segments: six speaker turns, a blank last line', () => {
    const labels = parseSegments(fixture('diarizationExample2.segments'), 'diarizationExample2.segments');
    expect(labels.map((l) => l.label)).toEqual(['speakerA', 'speakerB', 'speakerC', 'speakerD', 'speakerE', 'speakerF']);
    expect(labels.map((l) => [l.startNs, l.endNs])).toEqual([
      [0n, 3_700_000_000n],
      [3_700_000_000n, 7_100_000_000n],
      [7_100_000_000n, 10_600_000_000n],
      [10_600_000_000n, 15_900_000_000n],
      [15_900_000_000n, 19_300_000_000n],
      [19_300_000_000n, 22_500_000_000n],
    ]);
  });

  it('accepts CRLF, a BOM, comments, labels with spaces and exact decimal times', () => {
    const labels = parseSegments('\uFEFF# from a tool\r\n0.1\t0.123456789\tspeaker one\r\n\r\n1\t2\tx\t\r\n', 'a.segments');
    expect(labels).toEqual([
      { label: 'speaker one', startNs: 100_000_000n, endNs: 123_456_789n, origin: 'a.segments' },
      { label: 'x', startNs: S, endNs: 2n * S, origin: 'a.segments' },
    ]);
  });

  it('rejects a bad line with csv_invalid naming it', () => {
    const cases: [string, number, string][] = [
      ['0\t1\ta\nzero\t1\tb\n', 2, 'start time'],
      ['0\t1\ta\n\n1\tx\tb\n', 3, 'end time'],
      ['2\t1\ta\n', 1, 'ends before it starts'],
      ['0\t1\t\t\n', 1, 'no label'],
      ['0\t-1\ta\n', 1, 'end time'],
      ['0\t1e400\ta\n', 1, 'end time'],
    ];
    for (const [text, line, why] of cases) {
      const e = parseError(text);
      expect(e.code).toBe('csv_invalid');
      expect(e.details).toMatchObject({ line });
      expect(e.message).toContain(`Line ${line} of "x.segments"`);
      expect(e.message).toContain(why);
    }
  });

  it('caps the number of segments and the size', () => {
    const many = Array.from({ length: MAX_SEGMENTS + 1 }, (_, i) => `${i}\t${i + 1}\ts`).join('\n');
    expect(parseError(many).code).toBe('format_limits');
    expect(parseError('0\t1\ta\n'.repeat(2_000_000)).code).toBe('format_limits');
  });
});
