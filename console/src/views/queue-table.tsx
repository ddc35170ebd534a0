import type { ComponentChildren } from 'preact';
import { onLinkClick } from '../router';
import { formatDuration, formatPercent, percentOf } from '../format/duration';
import { formatZonedStart } from '../format/zoned-date';
import { deviceName, type SortKey } from '../format/queue-order';
import type { SortDir } from '../format/sort';
import type { Recording } from './use-recordings';

interface Column { key: SortKey; title: string; width: string; numeric?: boolean }

/** Fixed widths: the table keeps its shape while rows load, refresh or change. */
const COLUMNS: Column[] = [
  { key: 'participant', title: 'Participant', width: '8%' },
  { key: 'device', title: 'Device', width: '12%' },
  { key: 'start', title: 'Start', width: '17%' },
  { key: 'duration', title: 'Duration', width: '8%', numeric: true },
  { key: 'status', title: 'Status', width: '14%' },
  { key: 'quality', title: 'Quality', width: '7%' },
  { key: 'labelled', title: 'Labelled', width: '12%' },
  { key: 'annotators', title: 'By whom', width: '14%' },
  { key: 'proposals', title: 'Proposals', width: '8%', numeric: true },
];

export function QueueTable({ rows, sort, dir, onSort, busy, placeholder }: {
  rows: Recording[];
  sort: SortKey;
  dir: SortDir;
  onSort: (key: SortKey) => void;
  /** Rows are being fetched: skeleton rows when there are none yet. */
  busy: boolean;
  /** Shown in the body instead of rows (empty or error state). */
  placeholder: ComponentChildren | null;
}) {
  return (
    <table class="queue-table" aria-label="Recordings" aria-busy={busy}>
      <colgroup>{COLUMNS.map((c) => <col key={c.key} style={{ width: c.width }} />)}</colgroup>
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th key={c.key} scope="col" class={c.numeric ? 'num' : undefined}
              aria-sort={sort === c.key ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
              <button type="button" class="sort" onClick={() => onSort(c.key)}>
                {c.title}<span class="arrow" aria-hidden="true">{sort === c.key ? (dir === 'asc' ? '▲' : '▼') : ''}</span>
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody class={busy && rows.length > 0 ? 'refreshing' : undefined}>
        {placeholder ? <tr class="placeholder"><td colSpan={COLUMNS.length}>{placeholder}</td></tr>
          : busy && rows.length === 0 ? <SkeletonRows />
          : rows.map((r) => <Row key={r.id} r={r} />)}
      </tbody>
    </table>
  );
}

function SkeletonRows() {
  return (
    <>
      {Array.from({ length: 8 }, (_, i) => (
        <tr key={i} class="skeleton-row" aria-hidden="true">
          {COLUMNS.map((c) => <td key={c.key} class={c.numeric ? 'num' : undefined}><span class="skeleton" /></td>)}
        </tr>
      ))}
    </>
  );
}

function Row({ r }: { r: Recording }) {
  const href = `/console/recordings/${encodeURIComponent(r.id)}`;
  const start = formatZonedStart(r.startTime, r.timezone, r.clock);
  const device = deviceName(r.device);
  return (
    <tr class={`status-${r.status}`}>
      <td class="participant"><a href={href} onClick={(e) => onLinkClick(e, href)}>{r.participantCode}</a></td>
      <td class="device" title={[device, r.format].filter(Boolean).join(' · ')}>{device || <span class="muted">—</span>}</td>
      <td class="start" title={start.title}>
        {start.zone ? <>{start.text} <abbr class="zone" title={r.timezone ?? start.zone}>{start.zone}</abbr></> : <span class="muted">{start.text}</span>}
      </td>
      <td class="num">{r.durationS === null ? <span class="muted">—</span> : formatDuration(r.durationS)}</td>
      <td class="status"><StatusBadge r={r} /></td>
      {r.status === 'rejected' || r.status === 'failed' ? <ReasonCell r={r} /> : <WorkCells r={r} href={href} />}
    </tr>
  );
}

/** Why a recording was turned away matters more than the empty columns it would leave: it takes their place. */
function ReasonCell({ r }: { r: Recording }) {
  const text = r.error?.message ?? (r.status === 'failed' ? 'Processing failed on the server.' : 'The file could not be read.');
  return <td class="reason" colSpan={4}><span title={text}>{text}</span></td>;
}

/** Quality and labelling: what an annotator chooses the next recording by. */
function WorkCells({ r, href }: { r: Recording; href: string }) {
  const l = r.labelling;
  const pct = percentOf(l.labelledS, r.durationS);
  const review = `${href}?review=1`;
  return (
    <>
      <td><QualityBadge q={r.quality} /></td>
      {r.status === 'ready' ? (
        <td class="labelled" title={`${formatDuration(l.labelledS)} of ${formatDuration(r.durationS)} labelled`}>
          <span class="bar" aria-hidden="true"><span style={{ width: `${pct}%` }} /></span>
          <span class="pct">{formatPercent(pct)}</span>
        </td>
      ) : <td class="labelled"><span class="muted">—</span></td>}
      <td class="annotators">
        {l.annotators.length === 0 ? <span class="muted">—</span>
          // A name and its count never part across lines; the list breaks between annotators.
          : l.annotators.map((a, i) => <span key={a.id} class="annotator">{i > 0 ? ', ' : ''}{a.name.replace(/ /g, '\u00a0')}&nbsp;<span class="muted">({a.count})</span></span>)}
      </td>
      <td class="num">
        {l.proposedCount > 0
          ? <a href={review} class="proposals" onClick={(e) => onLinkClick(e, review)} title={`${l.proposedCount} proposals waiting, ${l.reviewedCount} reviewed: review them`}>{l.proposedCount}</a>
          : <span class="muted" title={`${l.reviewedCount} reviewed`}>{r.status === 'ready' ? '0' : '—'}</span>}
      </td>
    </>
  );
}

const STAGE: Record<string, string> = { validate: 'reading the file', segment: 'finding segments', annotate: 'running detectors' };

function StatusBadge({ r }: { r: Recording }) {
  return (
    <>
      <span class={`status-badge ${r.status}`}>{r.status}</span>
      {r.status === 'processing' && r.stage ? <span class="stage">{STAGE[r.stage] ?? r.stage}…</span> : null}
    </>
  );
}

export function QualityBadge({ q }: { q: Recording['quality'] }) {
  if (!q) return <span class="muted">—</span>;
  const failing = q.checks.filter((c) => c.status !== 'ok');
  const title = failing.length ? failing.map((c) => `${c.status === 'bad' ? '✕' : '!'} ${c.message}`).join('\n') : 'All checks passed';
  return (
    <>
      <span class={`badge ${q.status}`} title={title}>{q.status}</span>
      {failing.length ? <span class="sr-only">: {failing.map((c) => c.message).join('; ')}</span> : null}
    </>
  );
}
