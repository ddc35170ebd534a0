import { describe, expect, it } from 'vitest';
import { deviceName, nextToReview, nextUnlabelled, sortQueue, type QueueRecording } from './queue-order';

function rec(id: string, over: Partial<QueueRecording> = {}): QueueRecording {
  return {
    id, status: 'ready', participantCode: 'P1', startTime: '2026-01-01T00:00:00Z', durationS: 100, quality: { status: 'ok' },
    labelling: { humanCount: 0, labelledS: 0, proposedCount: 0, reviewedCount: 0, annotators: [] }, ...over,
  };
}
const ids = (rs: QueueRecording[]): string[] => rs.map((r) => r.id);

describe('sortQueue', () => {
  const rs = [
    rec('a', { participantCode: 'P10', startTime: '2026-01-02T00:00:00Z', quality: { status: 'bad' } }),
    rec('b', { participantCode: 'P2', startTime: null, quality: null }),
    rec('c', { participantCode: 'P1', startTime: '2026-01-01T00:00:00Z', quality: { status: 'warn' } }),
  ];
  it('orders participant codes naturally (P2 before P10)', () => {
    expect(ids(sortQueue(rs, 'participant', 'asc'))).toEqual(['c', 'b', 'a']);
    expect(ids(sortQueue(rs, 'participant', 'desc'))).toEqual(['a', 'b', 'c']);
  });
  it('keeps missing values last in both directions', () => {
    expect(ids(sortQueue(rs, 'start', 'asc'))).toEqual(['c', 'a', 'b']);
    expect(ids(sortQueue(rs, 'start', 'desc'))).toEqual(['a', 'c', 'b']);
    expect(ids(sortQueue(rs, 'quality', 'desc'))).toEqual(['a', 'c', 'b']);
  });
  it('sorts by the labelled share of the duration, not by seconds', () => {
    const l = (labelledS: number) => ({ humanCount: 1, labelledS, proposedCount: 0, reviewedCount: 0, annotators: [] });
    const long = rec('long', { durationS: 1000, labelling: l(100) });
    const short = rec('short', { durationS: 10, labelling: l(5) });
    expect(ids(sortQueue([long, short], 'labelled', 'desc'))).toEqual(['short', 'long']);
  });
  it('keeps ties in the order the API gave', () => {
    expect(ids(sortQueue([rec('x'), rec('y'), rec('z')], 'duration', 'desc'))).toEqual(['x', 'y', 'z']);
  });
  it('leaves the given array as it was', () => {
    const copy = [...rs];
    sortQueue(rs, 'participant', 'asc');
    expect(rs).toEqual(copy);
  });
});

describe('the next jumps', () => {
  const labelled = { humanCount: 2, labelledS: 10, proposedCount: 0, reviewedCount: 0, annotators: [] };
  it('next unlabelled is the first ready recording nobody labelled, in the order shown', () => {
    const order = [rec('proc', { status: 'processing' }), rec('done', { labelling: labelled }), rec('todo1'), rec('todo2')];
    expect(nextUnlabelled(order)?.id).toBe('todo1');
    expect(nextUnlabelled([rec('done', { labelling: labelled })])).toBeUndefined();
  });
  it('next to review is the first recording with proposals waiting', () => {
    const order = [rec('none'), rec('p', { labelling: { ...labelled, proposedCount: 3 } })];
    expect(nextToReview(order)?.id).toBe('p');
    expect(nextToReview([rec('none')])).toBeUndefined();
  });
});

describe('deviceName', () => {
  it('reads the model, with the maker when the model does not name it', () => {
    expect(deviceName({ model: 'AX3', manufacturer: 'Axivity' })).toBe('Axivity AX3');
    expect(deviceName({ model: 'Pixel 8', manufacturer: 'Google' })).toBe('Google Pixel 8');
    expect(deviceName({ model: 'Apple Watch', manufacturer: 'Apple' })).toBe('Apple Watch');
    expect(deviceName({ kind: 'watch' })).toBe('watch');
    expect(deviceName(undefined)).toBe('');
  });
});
