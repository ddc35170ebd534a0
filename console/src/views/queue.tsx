import { useEffect, useMemo, useState } from 'preact/hooks';
import { useConsole } from '../app';
import { unwrap } from '../api/client';
import { navigate } from '../router';
import { typingInField, useHelp } from '../help';
import { hasFilters, parseQueueQuery, queueSearch, type QueueFilters } from '../format/queue-query';
import { nextToReview, nextUnlabelled, sortQueue, type SortKey } from '../format/queue-order';
import type { SortDir } from '../format/sort';
import { useStudy } from './study-context';
import { useRecordings } from './use-recordings';
import { QueueFiltersBar, type ParticipantOption } from './queue-filters';
import { QueueTable } from './queue-table';
import { plural } from '../format/plural';
import './queue.css';

/** Text columns start A→Z; the others with the most (newest, longest, worst, most labelled) first. */
const ASCENDING_FIRST: SortKey[] = ['participant', 'device', 'status'];

/** The work queue: the study's recordings, filtered by the API, sorted here, and the two "next" jumps. */
export function Queue() {
  const { api, session } = useConsole();
  const study = useStudy();
  const [query, setQuery] = useState(() => parseQueueQuery(window.location.search));
  const { filters, sort, dir } = query;
  const studyId = study.study?.id ?? null;
  const recs = useRecordings(api, studyId, filters);
  const participants = useParticipantOptions(studyId, recs.items, session.kind === 'admin');

  useEffect(() => { document.title = `Work queue${study.study ? ` · ${study.study.name}` : ''} — FieldSense`; }, [study.study]);

  // The address bar mirrors the filters and order (replaceState: typing in filters makes no history entries).
  useEffect(() => {
    const search = queueSearch(query);
    if (window.location.search !== search) window.history.replaceState(window.history.state, '', window.location.pathname + search);
  }, [query]);

  const rows = useMemo(() => sortQueue(recs.items, sort, dir), [recs.items, sort, dir]);
  const unlabelled = nextUnlabelled(rows);
  const toReview = nextToReview(rows);
  const open = (id: string | undefined, review: boolean): void => {
    if (id) navigate(`recordings/${encodeURIComponent(id)}${review ? '?review=1' : ''}`);
  };

  useHelp({ title: 'Work queue', entries: [{ keys: 'n', does: 'Open the next unlabelled recording' }, { keys: 'r', does: 'Open the next recording to review' }] });
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || typingInField(e) || document.querySelector('[role=dialog]')) return;
      if (e.key === 'n') open(unlabelled?.id, false);
      else if (e.key === 'r') open(toReview?.id, true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const setFilters = (f: QueueFilters): void => setQuery({ ...query, filters: f });
  const onSort = (key: SortKey): void => {
    const nextDir: SortDir = key === sort ? (dir === 'asc' ? 'desc' : 'asc') : ASCENDING_FIRST.includes(key) ? 'asc' : 'desc';
    setQuery({ ...query, sort: key, dir: nextDir });
  };

  const loading = study.state === 'loading' || recs.state === 'loading' || recs.state === 'refreshing';
  const placeholder = study.state === 'error' ? <ErrorState message={study.error} onRetry={study.reload} />
    : study.state === 'ready' && !study.study ? <Empty title="No study yet" text={session.kind === 'admin' ? 'Create a study (POST /v1/studies); its recordings appear here.' : 'This token sees no study.'} />
    : recs.state === 'error' && rows.length === 0 ? <ErrorState message={recs.error} onRetry={recs.reload} />
    : recs.state === 'ready' && rows.length === 0
      ? hasFilters(filters)
        ? <Empty title="No recordings match these filters" action={<button type="button" onClick={() => setFilters({ pendingReview: false })}>Clear filters</button>} />
        : <Empty title="No recordings yet — participants' uploads appear here" text="Each upload shows here as soon as it is received, and is ready to label once processed." />
      : null;

  return (
    <section class="queue" aria-labelledby="queue-title">
      <header class="page-head">
        <div>
          <h1 id="queue-title">Work queue</h1>
          <p class="summary muted" aria-live="polite">{summary(recs.state, rows.length, rows)}</p>
        </div>
        <div class="actions">
          <button type="button" class="primary" disabled={!unlabelled} onClick={() => open(unlabelled?.id, false)}
            title={unlabelled ? `Open ${unlabelled.participantCode}'s recording (n)` : 'Every ready recording has labels'}>Next unlabelled</button>
          <button type="button" disabled={!toReview} onClick={() => open(toReview?.id, true)}
            title={toReview ? `Review ${toReview.labelling.proposedCount} proposals of ${toReview.participantCode} (r)` : 'No proposals are waiting'}>Next to review</button>
        </div>
      </header>
      <QueueFiltersBar filters={filters} onChange={setFilters} participants={participants} labels={study.study?.labels ?? []} />
      {recs.state === 'error' && rows.length > 0 ? <p class="notice error banner" role="alert">Could not refresh the list: {recs.error} <button type="button" onClick={recs.reload}>Retry</button></p> : null}
      <div class="table-wrap">
        <QueueTable rows={placeholder ? [] : rows} sort={sort} dir={dir} onSort={onSort} busy={loading} placeholder={placeholder} />
      </div>
      {loading ? <p class="sr-only" role="status">Loading recordings…</p> : null}
    </section>
  );
}

function summary(state: string, n: number, rows: { status: string; labelling: { humanCount: number; proposedCount: number } }[]): string {
  if (state === 'loading') return 'Loading…';
  if (state === 'error' && n === 0) return '';
  const unlabelled = rows.filter((r) => r.status === 'ready' && r.labelling.humanCount === 0).length;
  const review = rows.filter((r) => r.labelling.proposedCount > 0).length;
  return `${plural(n, 'recording')} · ${unlabelled} unlabelled · ${review} with proposals to review`;
}

function Empty({ title, text, action }: { title: string; text?: string; action?: preact.ComponentChildren }) {
  return <div class="empty"><p class="empty-title">{title}</p>{text ? <p class="muted">{text}</p> : null}{action}</div>;
}

function ErrorState({ message, onRetry }: { message: string | null; onRetry: () => void }) {
  return (
    <div class="empty" role="alert">
      <p class="empty-title">The recordings could not be loaded</p>
      <p class="muted">{message}</p>
      <button type="button" class="primary" onClick={onRetry}>Retry</button>
    </div>
  );
}

/**
 * The participants to filter by. An admin's token can list the study's participants; an annotator's cannot, so
 * its list is the participants seen in the answers so far (a filtered answer never shrinks it).
 */
function useParticipantOptions(studyId: string | null, items: { participantId: string; participantCode: string }[], admin: boolean): ParticipantOption[] {
  const { api } = useConsole();
  const [listed, setListed] = useState<ParticipantOption[] | null>(null);
  const [seen, setSeen] = useState(new Map<string, string>());
  useEffect(() => { setSeen(new Map()); setListed(null); }, [studyId]);
  useEffect(() => {
    if (items.every((r) => seen.has(r.participantId))) return;
    const next = new Map(seen);
    for (const r of items) next.set(r.participantId, r.participantCode);
    setSeen(next);
  }, [items, seen]);
  useEffect(() => {
    if (!admin || !studyId) return;
    let live = true;
    api.GET('/v1/studies/{studyId}/participants', { params: { path: { studyId } } })
      .then((r) => { if (live) setListed(unwrap(r).items.map((p) => ({ id: p.id, code: p.code }))); })
      .catch(() => undefined); // the recordings seen still give a list
    return () => { live = false; };
  }, [api, admin, studyId]);
  return useMemo(() => {
    const all = new Map(seen);
    for (const p of listed ?? []) all.set(p.id, p.code);
    return [...all].map(([id, code]) => ({ id, code })).sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }));
  }, [seen, listed]);
}
