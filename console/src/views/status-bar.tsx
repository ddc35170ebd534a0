/** Recordings by status as one stacked bar (and, on request, its legend: the statuses that have any, with counts). */
export const STATUS_ORDER = ['ready', 'processing', 'queued', 'rejected', 'failed'] as const;

export function StatusBar({ counts, legend = false }: { counts: Partial<Record<string, number>>; legend?: boolean }) {
  const total = STATUS_ORDER.reduce((n, k) => n + (counts[k] ?? 0), 0);
  const text = STATUS_ORDER.filter((k) => (counts[k] ?? 0) > 0).map((k) => `${counts[k]} ${k}`).join(', ') || 'no recordings';
  return (
    <span class="status-block">
      <span class="status-bar" role="img" aria-label={`Recordings: ${text}`} title={text}>
        {total > 0 ? STATUS_ORDER.map((k) => (counts[k] ?? 0) > 0 ? <span key={k} class={`seg ${k}`} style={{ flexGrow: counts[k] }} /> : null) : null}
      </span>
      {legend ? (
        <span class="status-legend">
          {total === 0 ? <span class="item">no recordings yet</span>
            : STATUS_ORDER.filter((k) => (counts[k] ?? 0) > 0).map((k) => <span key={k} class="item"><span class={`dot ${k}`} aria-hidden="true" /><strong>{counts[k]}</strong> {k}</span>)}
        </span>
      ) : null}
    </span>
  );
}
