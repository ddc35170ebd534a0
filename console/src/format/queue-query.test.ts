import { describe, expect, it } from 'vitest';
import { apiQuery, hasFilters, parseQueueQuery, queueSearch } from './queue-query';

describe('the queue query in the address bar', () => {
  it('round-trips filters and order', () => {
    const search = '?status=ready&participant=par_1&label=handwashing&quality=warn&review=pending&sort=participant&dir=asc';
    const q = parseQueueQuery(search);
    expect(q).toEqual({
      filters: { status: 'ready', participantId: 'par_1', label: 'handwashing', quality: 'warn', pendingReview: true },
      sort: 'participant', dir: 'asc',
    });
    expect(queueSearch(q)).toBe(search);
  });
  it('drops what it does not know instead of sending it to the API', () => {
    const q = parseQueueQuery('?status=deleted&quality=great&sort=colour&dir=up&review=yes');
    expect(q).toEqual({ filters: { pendingReview: false }, sort: 'start', dir: 'desc' });
    expect(queueSearch(q)).toBe('');
    expect(hasFilters(q.filters)).toBe(false);
  });
  it("ignores the address bar's other parameters (a token link)", () => {
    expect(parseQueueQuery('?token=abc').filters).toEqual({ pendingReview: false });
  });
});

describe('apiQuery', () => {
  it('names the API parameters', () => {
    expect(apiQuery('stu_1', { status: 'ready', participantId: 'p', label: 'l', quality: 'bad', labelled: 'none', pendingReview: true }))
      .toEqual({ studyId: 'stu_1', status: 'ready', participantId: 'p', label: 'l', quality: 'bad', labelled: 'none', review: 'pending' });
    expect(apiQuery('stu_1', { pendingReview: false })).toEqual({ studyId: 'stu_1' });
  });
});
