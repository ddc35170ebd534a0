import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatSegments, parseSegments } from './segments-format.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../test/fixtures/pyaudioanalysis-speech/${name}`, import.meta.url)), 'utf8');

describe('parseSegments', () => {
  it('reads count.segments: 20 speech/silence lines covering 0–5.8 s', () => {
    const s = parseSegments(fixture('count.segments'));
    expect(s).toHaveLength(20);
    expect(s[0]).toEqual({ label: 'silence', startS: 0, endS: 0.13 });
    expect(s[1]).toEqual({ label: 'speech', startS: 0.13, endS: 0.51 });
    expect(s[19]).toEqual({ label: 'speech', startS: 5.4, endS: 5.8 });
  });

  it('accepts the trailing tab in count2.segments and the blank last line of diarizationExample2.segments', () => {
    const c2 = parseSegments(fixture('count2.segments'));
    expect(c2[6]).toEqual({ label: 'silence', startS: 2.3, endS: 2.6 });
    const d = parseSegments(fixture('diarizationExample2.segments'));
    expect(d.map((x) => x.label)).toEqual(['speakerA', 'speakerB', 'speakerC', 'speakerD', 'speakerE', 'speakerF']);
    expect(d[5]).toEqual({ label: 'speakerF', startS: 19.3, endS: 22.5 });
  });

  it('accepts CRLF, a BOM and blank lines', () => {
    expect(parseSegments('\uFEFF0\t1.5\tspeech\r\n\r\n1.5\t2\tsilence\t\t\r\n')).toEqual([
      { label: 'speech', startS: 0, endS: 1.5 },
      { label: 'silence', startS: 1.5, endS: 2 },
    ]);
  });

  it('names the line of a malformed entry', () => {
    expect(() => parseSegments('0\t1\tspeech\n1\t2\n')).toThrow(/Line 2 .* start<TAB>end<TAB>label/);
    expect(() => parseSegments('0\tx\tspeech\n')).toThrow(/Line 1 .* not a number/);
    expect(() => parseSegments('2\t1\tspeech\n')).toThrow(/Line 1 .* ends \(1 s\) before it starts \(2 s\)/);
    expect(() => parseSegments('0\t1\tspeech\textra\n')).toThrow(/Line 1/);
  });
});

describe('formatSegments', () => {
  it('writes what parseSegments reads back (count.segments round trip; 3.0 is written 3)', () => {
    const parsed = parseSegments(fixture('count.segments'));
    const text = formatSegments(parsed);
    expect(text.split('\n')[10]).toBe('2.8\t3\tsilence');
    expect(parseSegments(text)).toEqual(parsed);
  });

  it('keeps a label on its line', () => {
    expect(formatSegments([{ label: 'a\tb', startS: 0.25, endS: 1 }])).toBe('0.25\t1\ta b\n');
  });
});
