import { useState } from 'preact/hooks';
import { onLinkClick } from '../router';
import { relativeTime } from '../format/relative-time';
import { SkeletonRows } from './coordinator-people';
import type { Overview } from './use-overview';

const SHOWN = 25;

function RecordingLink({ id, children }: { id: string; children: preact.ComponentChildren }) {
  const href = `/console/recordings/${encodeURIComponent(id)}`;
  return <a href={href} onClick={(e) => onLinkClick(e, href)}>{children}</a>;
}

/** Rejected and failed recordings, newest first, with the file's name and the API's plain-language reason. */
export function RejectedList({ rejected }: { rejected: Overview['rejected'] | null }) {
  const [all, setAll] = useState(false);
  const now = Date.now();
  const rows = rejected ? [...rejected].sort((a, b) => Date.parse(b.receivedAt) - Date.parse(a.receivedAt)) : null;
  return (
    <>
      <table class="coord-table" aria-label="Rejected recordings">
        <colgroup><col style={{ width: '11%' }} /><col style={{ width: '22%' }} /><col style={{ width: '12%' }} /><col /><col style={{ width: '8%' }} /></colgroup>
        <thead><tr><th scope="col">Participant</th><th scope="col">File</th><th scope="col">Received</th><th scope="col">Why</th><th scope="col"><span class="sr-only">Recording</span></th></tr></thead>
        <tbody>
          {rows === null ? <SkeletonRows cols={5} n={2} />
            : rows.length === 0 ? <tr><td colSpan={5} class="empty-cell">Nothing rejected: every file could be read.</td></tr>
            : rows.slice(0, all ? undefined : SHOWN).map((r) => (
              <tr key={r.recordingId}>
                <td><strong>{r.participantCode}</strong></td>
                <td class="filename" title={r.filename ?? undefined}>{r.filename ?? <span class="muted">—</span>}</td>
                <td title={new Date(r.receivedAt).toLocaleString()}>{relativeTime(r.receivedAt, now)}</td>
                <td class="why">
                  {r.message}
                  {r.code === 'processing_failed' ? <span class="badge warn server" title="A problem on the server's side, not the file's: reprocess the recording">server</span> : null}
                </td>
                <td class="num"><RecordingLink id={r.recordingId}>Open<span class="sr-only"> {r.participantCode}'s recording</span></RecordingLink></td>
              </tr>
            ))}
        </tbody>
      </table>
      {rows && rows.length > SHOWN ? <ShowAll all={all} n={rows.length} onToggle={() => setAll(!all)} /> : null}
    </>
  );
}

/** Failing quality checks across the study, the bad ones first. */
export function QualityProblems({ problems }: { problems: Overview['qualityProblems'] | null }) {
  const [all, setAll] = useState(false);
  const rows = problems ? [...problems].sort((a, b) => (a.status === b.status ? 0 : a.status === 'bad' ? -1 : 1)) : null;
  return (
    <>
      <table class="coord-table" aria-label="Quality problems">
        <colgroup><col style={{ width: '11%' }} /><col style={{ width: '16%' }} /><col style={{ width: '8%' }} /><col /><col style={{ width: '8%' }} /></colgroup>
        <thead><tr><th scope="col">Participant</th><th scope="col">Check</th><th scope="col">Status</th><th scope="col">What it found</th><th scope="col"><span class="sr-only">Recording</span></th></tr></thead>
        <tbody>
          {rows === null ? <SkeletonRows cols={5} n={2} />
            : rows.length === 0 ? <tr><td colSpan={5} class="empty-cell">No quality problems in this study.</td></tr>
            : rows.slice(0, all ? undefined : SHOWN).map((q, i) => (
              <tr key={`${q.recordingId}-${q.check}-${i}`}>
                <td><strong>{q.participantCode}</strong></td>
                <td>{humanCheck(q.check)}</td>
                <td><span class={`badge ${q.status}`}>{q.status}</span></td>
                <td class="message">{q.message}</td>
                <td class="num"><RecordingLink id={q.recordingId}>Open<span class="sr-only"> {q.participantCode}'s recording</span></RecordingLink></td>
              </tr>
            ))}
        </tbody>
      </table>
      {rows && rows.length > SHOWN ? <ShowAll all={all} n={rows.length} onToggle={() => setAll(!all)} /> : null}
    </>
  );
}

function ShowAll({ all, n, onToggle }: { all: boolean; n: number; onToggle: () => void }) {
  return <p class="show-all"><button type="button" class="link" onClick={onToggle}>{all ? `Show the first ${SHOWN}` : `Show all ${n}`}</button></p>;
}

function humanCheck(name: string): string {
  return name.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
