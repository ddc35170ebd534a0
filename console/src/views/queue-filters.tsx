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
  return (
    <form class="filters" role="search" aria-label="Filter recordings" onSubmit={(e) => e.preventDefault()}>
      <SelectField name="Status" value={filters.status} any="Any status" options={STATUSES.map((v) => ({ value: v, text: v }))}
        onChange={(v) => set('status', v as QueueFilters['status'] | '')} />
      <SelectField name="Participant" value={filters.participantId} any="All participants" options={participants.map((p) => ({ value: p.id, text: p.code }))}
        onChange={(v) => set('participantId', v)} />
      <SelectField name="Label" value={filters.label} any="Any label" options={labels.map((l) => ({ value: l.name, text: l.name }))}
        onChange={(v) => set('label', v)} />
      <SelectField name="Quality" value={filters.quality} any="Any quality" options={QUALITIES.map((v) => ({ value: v, text: v }))}
        onChange={(v) => set('quality', v as QueueFilters['quality'] | '')} />
      <SelectField name="Annotated" value={filters.labelled} any="Any" options={[{ value: 'none', text: 'Not yet' }, { value: 'some', text: 'Partly or fully' }]}
        onChange={(v) => set('labelled', v as QueueFilters['labelled'] | '')} />
      <label class="check">
        <input type="checkbox" checked={filters.pendingReview} onChange={(e) => onChange({ ...filters, pendingReview: (e.target as HTMLInputElement).checked })} />
        <span>Proposed, not reviewed</span>
      </label>
      <button type="button" class="ghost clear" disabled={!hasFilters(filters)} onClick={() => onChange({ pendingReview: false })}>Clear filters</button>
    </form>
  );
}

/** One filter: a select named by its visible label, whose first option (value '') means no filter. */
function SelectField({ name, value, any, options, onChange }: {
  name: string;
  value: string | undefined;
  any: string;
  options: { value: string; text: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <label class="field">
      <span>{name}</span>
      <select value={value ?? ''} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        <option value="">{any}</option>
        {options.map((o) => <option key={o.value} value={o.value}>{o.text}</option>)}
      </select>
    </label>
  );
}
