import { describe, expect, it } from 'vitest';
import { startDeltaS, type AlignedRecording } from './aligned';
import { alignedShiftS, offsetMs, parseOffsets, withOffsets } from './aligned-panel';

const rec = (id: string, startTime: string | null) => ({ id, startTime }) as AlignedRecording['recording'];

describe('aligned recordings', () => {
  it('puts the other recording on this one\'s axis: start difference plus the stored offset', () => {
    const me = rec('rec_a', '2026-03-01T10:00:00.000Z');
    const other = rec('rec_b', '2026-03-01T10:00:02.500Z');
    const a = { recording: other, alignment: { offsetS: -0.1234 } as AlignedRecording['alignment'], startDeltaS: startDeltaS(me, other) };
    expect(a.startDeltaS).toBe(2.5);
    expect(offsetMs(a, {})).toBe(-123.4);
    expect(alignedShiftS(a, {})).toBeCloseTo(2.3766, 9);
    expect(alignedShiftS(a, { rec_b: 100 })).toBeCloseTo(2.6, 9);
  });

  it('uses the offset alone for recordings without wall clocks', () => {
    expect(startDeltaS(rec('a', null), rec('b', '2026-03-01T10:00:00Z'))).toBe(0);
  });

  it('keeps the offsets set by hand in the address, next to the other parameters', () => {
    const search = withOffsets('?review=1&t=30', { rec_b: -120.5, rec_c: 30 });
    expect(search).toBe('?review=1&t=30&offsets=rec_b:-120.5,rec_c:30');
    expect(parseOffsets(search)).toEqual({ rec_b: -120.5, rec_c: 30 });
    expect(withOffsets(search, {})).toBe('?review=1&t=30');
    expect(withOffsets('', {})).toBe('');
    expect(parseOffsets('?offsets=rec_b:abc,:5,rec_c:,rec_d:7')).toEqual({ rec_d: 7 });
  });
});
