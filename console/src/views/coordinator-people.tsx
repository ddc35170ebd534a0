import { formatBytes } from '../format/duration';
import { relativeTime } from '../format/relative-time';
import { sortBy } from '../format/sort';
import { plural } from '../format/plural';
import { STATUS_ORDER } from './status-bar';
import type { Overview } from './use-overview';

type Participant = Overview['participants'][number];
type Annotator = Overview['annotators'][number];

const FRESHNESS_RANK: Record<string, number> = { never: 0, stale: 1, fresh: 2 };

/** Participants, the ones who need a nudge first (never uploaded, then the longest silent), revoked ones last. */
export function ParticipantsTable({ participants, staleDays }: { participants: Participant[] | null; staleDays: number }) {
  const now = Date.now();
  const rows = participants
    ? sortBy(sortBy(participants, (p) => -(p.daysSinceLastUpload ?? Infinity), 'asc'), (p) => (p.revoked ? 9 : FRESHNESS_RANK[p.freshness] ?? 3), 'asc')
    : null;
  return (
    <table class="coord-table" aria-label="Participants">
      <colgroup><col style={{ width: '11%' }} /><col style={{ width: '13%' }} /><col style={{ width: '17%' }} /><col style={{ width: '7%' }} /><col style={{ width: '8%' }} /><col style={{ width: '26%' }} /><col /></colgroup>
      <thead><tr><th scope="col">Participant</th><th scope="col">Last upload</th><th scope="col">Freshness</th><th scope="col" class="num">Uploads</th><th scope="col" class="num">Data</th><th scope="col">Devices</th><th scope="col">Recordings</th></tr></thead>
      <tbody>
        {rows === null ? <SkeletonRows cols={7} n={4} />
          : rows.length === 0 ? <tr><td colSpan={7} class="empty-cell">No participants enrolled yet.</td></tr>
          : rows.map((p) => (
            <tr key={p.id} class={p.revoked ? 'revoked' : undefined}>
              <td><strong>{p.code}</strong>{p.revoked ? <> <span class="badge revoked">revoked</span></> : null}</td>
              <td title={p.lastUploadAt ? new Date(p.lastUploadAt).toLocaleString() : undefined}>{relativeTime(p.lastUploadAt, now)}</td>
              <td><Freshness p={p} staleDays={staleDays} /></td>
              <td class="num">{p.uploads}</td>
              <td class="num">{formatBytes(p.bytes)}</td>
              <td class="devices" title={p.devices.join(', ')}>{p.devices.length ? p.devices.join(', ') : <span class="muted">—</span>}</td>
              <td><StatusCounts counts={p.recordingsByStatus} /></td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

function Freshness({ p, staleDays }: { p: Participant; staleDays: number }) {
  if (p.freshness === 'never') return <span class="badge never">never uploaded</span>;
  if (p.freshness === 'stale') {
    // The API gives tenths of a day; whole days read better in a flag.
    const d = p.daysSinceLastUpload === null ? null : Math.floor(p.daysSinceLastUpload);
    return <span class="badge stale" title={`Nothing for more than ${plural(staleDays, 'day')}`}>stale · no data for {d === null ? '?' : plural(d, 'day')}</span>;
  }
  return <span class="badge fresh">fresh</span>;
}

function StatusCounts({ counts }: { counts: Partial<Record<string, number>> }) {
  const present = STATUS_ORDER.filter((k) => (counts[k] ?? 0) > 0);
  if (present.length === 0) return <span class="muted">none</span>;
  return <span class="status-counts">{present.map((k) => <span key={k} class={`sc ${k}`}>{counts[k]} {k}</span>)}</span>;
}

/** The study's annotators with how much each has labelled, busiest first. */
export function AnnotatorsList({ annotators }: { annotators: Annotator[] | null }) {
  if (annotators === null) return <ul class="annotator-chips" aria-hidden="true"><li class="chip"><span class="skeleton" /></li></ul>;
  if (annotators.length === 0) return <p class="muted empty-cell">No annotators yet: add one with POST /v1/studies/:id/annotators.</p>;
  return (
    <ul class="annotator-chips" aria-label="Annotators">
      {sortBy(annotators, (a) => a.annotations, 'desc').map((a) => (
        <li key={a.id} class={`chip${a.revoked ? ' revoked' : ''}`}>
          <span class="name">{a.name}</span>
          <span class="muted">{plural(a.annotations, 'annotation')}</span>
          {a.revoked ? <span class="badge revoked">revoked</span> : null}
        </li>
      ))}
    </ul>
  );
}

export function SkeletonRows({ cols, n }: { cols: number; n: number }) {
  return <>{Array.from({ length: n }, (_, i) => <tr key={i} aria-hidden="true">{Array.from({ length: cols }, (_, j) => <td key={j}><span class="skeleton" /></td>)}</tr>)}</>;
}
