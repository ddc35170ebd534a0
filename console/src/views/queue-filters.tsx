import type { components } from '../api/schema';
import { QUALITIES, STATUSES, hasFilters, type QueueFilters } from '../format/queue-query';

type Label = components['schemas']['Label'];

export interface ParticipantOption { id: string; code: string }

/** The queue's filters: each a labelled control; the API does the filtering. */
export function QueueFiltersBar({ filters, onChange, participants, labels }: {
  filters: QueueFilters;
  onChange: (f: QueueFilters) => void;
  participants: ParticipantOption[];
  labels: Label[];
}) {
  const set = <K extends keyof QueueFilters>(k: K, v: QueueFilters[K] | ''): void => {
    const next = { ...filters };
    if (v === '' || v === undefined) delete next[k];
    else next[k] = v;
    onChange(next);
  };
  const value = (e: Event): string => (e.target as HTMLSelectElement).value;
  return (
    <form class="filters" role="search" aria-label="Filter recordings" onSubmit={(e) => e.preventDefault()}>
      <label class="field">
        <span>Status</span>
        <select value={filters.status ?? ''} onChange={(e) => set('status', value(e) as QueueFilters['status'] | '')}>
          <option value="">Any status</option>
          {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      <label class="field">
        <span>Participant</span>
        <select value={filters.participantId ?? ''} onChange={(e) => set('participantId', value(e))}>
          <option value="">All participants</option>
          {participants.map((p) => <option key={p.id} value={p.id}>{p.code}</option>)}
        </select>
      </label>
      <label class="field">
        <span>Label</span>
        <select value={filters.label ?? ''} onChange={(e) => set('label', value(e))}>
          <option value="">Any label</option>
          {labels.map((l) => <option key={l.name} value={l.name}>{l.name}</option>)}
        </select>
      </label>
      <label class="field">
        <span>Quality</span>
        <select value={filters.quality ?? ''} onChange={(e) => set('quality', value(e) as QueueFilters['quality'] | '')}>
          <option value="">Any quality</option>
          {QUALITIES.map((q) => <option key={q} value={q}>{q}</option>)}
        </select>
      </label>
      <label class="field">
        <span>Annotated</span>
        <select value={filters.labelled ?? ''} onChange={(e) => set('labelled', value(e) as QueueFilters['labelled'] | '')}>
          <option value="">Any</option>
          <option value="none">Not yet</option>
          <option value="some">Partly or fully</option>
        </select>
      </label>
      <label class="check">
        <input type="checkbox" checked={filters.pendingReview} onChange={(e) => onChange({ ...filters, pendingReview: (e.target as HTMLInputElement).checked })} />
        <span>Proposed, not reviewed</span>
      </label>
      <button type="button" class="ghost clear" disabled={!hasFilters(filters)} onClick={() => onChange({ pendingReview: false })}>Clear filters</button>
    </form>
  );
}
