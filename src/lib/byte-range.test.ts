import { describe, expect, it } from 'vitest';
import { resolveRange } from './byte-range.js';

const part = (start: number, end: number): unknown => ({ kind: 'partial', start, end });
const whole = { kind: 'whole' };
const unsatisfiable = { kind: 'unsatisfiable' };

describe('resolveRange (RFC 9110 §14)', () => {
  it('the three forms of a single range', () => {
    expect(resolveRange('bytes=0-99', 1000)).toEqual(part(0, 99));
    expect(resolveRange('bytes=400-599', 1000)).toEqual(part(400, 599));
    expect(resolveRange('bytes=900-', 1000)).toEqual(part(900, 999));
    expect(resolveRange('bytes=-500', 1000)).toEqual(part(500, 999));
    expect(resolveRange('bytes=999-999', 1000)).toEqual(part(999, 999));
  });

  it('clamps an end past the last byte and a suffix longer than the file', () => {
    expect(resolveRange('bytes=990-5000', 1000)).toEqual(part(990, 999));
    expect(resolveRange('bytes=0-99999999999999999999999', 1000)).toEqual(part(0, 999));
    expect(resolveRange('bytes=-5000', 1000)).toEqual(part(0, 999));
  });

  it('a range that starts at or past the end, or an empty suffix, is unsatisfiable', () => {
    expect(resolveRange('bytes=1000-', 1000)).toEqual(unsatisfiable);
    expect(resolveRange('bytes=1000-2000', 1000)).toEqual(unsatisfiable);
    expect(resolveRange('bytes=99999999999999999999-', 1000)).toEqual(unsatisfiable);
    expect(resolveRange('bytes=-0', 1000)).toEqual(unsatisfiable);
    expect(resolveRange('bytes=2000-3000, 5000-', 1000)).toEqual(unsatisfiable);
  });

  it('ignores what is not a valid bytes range: the whole representation', () => {
    for (const h of [undefined, '', 'bytes', 'bytes=', 'bytes=,', 'bytes=abc', 'bytes=5-1', 'bytes=1-2-3', 'bytes=--5', 'bytes=0-1;x',
      'items=0-5', 'bytes 0-5', 'bytes=0 - 5', 'bytes=0x10-', 'bytes=+1-2', 'bytes=0-1, nonsense', 'bytes=1.5-2']) {
      expect(resolveRange(h, 1000), String(h)).toEqual(whole);
    }
    expect(resolveRange(`bytes=${'0-0,'.repeat(100)}0-0`, 1000)).toEqual(whole);
  });

  it('the unit is case-insensitive; spaces around list elements and empty elements are allowed', () => {
    expect(resolveRange('Bytes=0-9', 100)).toEqual(part(0, 9));
    expect(resolveRange('BYTES=0-9', 100)).toEqual(part(0, 9));
    expect(resolveRange('bytes= 0-9 ,\t', 100)).toEqual(part(0, 9));
    expect(resolveRange('bytes=0-4,,5-9', 100)).toEqual(part(0, 9));
  });

  it('several ranges: one part when they overlap or touch, else the whole; the unsatisfiable ones are dropped', () => {
    expect(resolveRange('bytes=0-49,50-99', 1000)).toEqual(part(0, 99));
    expect(resolveRange('bytes=50-99,0-60', 1000)).toEqual(part(0, 99));
    expect(resolveRange('bytes=0-9,-10', 20)).toEqual(part(0, 19));
    expect(resolveRange('bytes=0-9,5000-6000', 1000)).toEqual(part(0, 9));
    expect(resolveRange('bytes=0-9,20-29', 1000)).toEqual(whole);
    expect(resolveRange('bytes=0-0,-1', 1000)).toEqual(whole);
  });

  it('an empty representation has no range to give', () => {
    expect(resolveRange('bytes=0-9', 0)).toEqual(whole);
  });
});
