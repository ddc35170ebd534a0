/**
 * The offsets of the aligned recordings: the stored estimate (with its confidence) and a number input in ms that
 * moves the other recording's plots live; Reset goes back to the stored estimate. Kept in the page's address
 * (`?offsets=<recording id>:<ms>,…`), so a link or a reload shows the same alignment.
 */
import type { AlignedRecording } from './aligned';

/** Offsets the annotator set, ms, by other recording id (absent: the stored one). */
export type OffsetsMs = Record<string, number>;

/** The offsets an address names (`offsets=rec_a:-120.5,rec_b:30`); malformed pairs are left out. */
export function parseOffsets(search: string): OffsetsMs {
  const raw = new URLSearchParams(search).get('offsets');
  const out: OffsetsMs = {};
  for (const pair of raw ? raw.split(',') : []) {
    const at = pair.lastIndexOf(':');
    const id = pair.slice(0, at);
    const ms = Number(pair.slice(at + 1));
    if (at > 0 && id && pair.slice(at + 1) !== '' && Number.isFinite(ms)) out[id] = ms;
  }
  return out;
}

/** `search` with its `offsets` parameter set to `offsets` (removed when there are none); other parameters kept. */
export function withOffsets(search: string, offsets: OffsetsMs): string {
  const q = new URLSearchParams(search);
  const pairs = Object.entries(offsets).map(([id, ms]) => `${id}:${ms}`);
  if (pairs.length > 0) q.set('offsets', pairs.join(','));
  else q.delete('offsets');
  const s = q.toString().replaceAll('%3A', ':').replaceAll('%2C', ',');
  return s ? `?${s}` : '';
}

export function offsetMs(a: AlignedRecording, offsets: OffsetsMs): number {
  return offsets[a.recording.id] ?? Math.round(a.alignment.offsetS * 1e4) / 10;
}

/** Seconds added to the other recording's positions to draw them on this one's axis. */
export function alignedShiftS(a: AlignedRecording, offsets: OffsetsMs): number {
  return a.startDeltaS + offsetMs(a, offsets) / 1000;
}

export function AlignedPanel({ aligned, offsetsMs, onChange }: { aligned: AlignedRecording[]; offsetsMs: OffsetsMs; onChange: (o: OffsetsMs) => void }) {
  return (
    <div class="aligned-panel">
      {aligned.map((a) => {
        const id = `offset-${a.recording.id}`;
        const stored = Math.round(a.alignment.offsetS * 1e4) / 10;
        const name = [a.recording.device?.kind, a.recording.device?.model].filter(Boolean).join(' ') || a.recording.format || a.recording.id;
        return (
          <div class="aligned-row" key={a.recording.id}>
            <label for={id}>Offset of {name} (ms)</label>
            <input id={id} type="number" step="1" value={offsetMs(a, offsetsMs)}
              onInput={(e) => {
                const v = Number((e.currentTarget).value);
                if (Number.isFinite(v)) onChange({ ...offsetsMs, [a.recording.id]: v });
              }} />
            <span class="aligned-stored">stored {stored} ms · confidence {a.alignment.confidence.toFixed(2)} · {a.alignment.method} {a.alignment.version}</span>
            {offsetsMs[a.recording.id] !== undefined ? (
              <button type="button" onClick={() => { const { [a.recording.id]: _drop, ...rest } = offsetsMs; onChange(rest); }}>Reset</button>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
