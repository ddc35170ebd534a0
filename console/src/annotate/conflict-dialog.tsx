/**
 * A 412 from the API: someone else changed the annotation after this console read it. Theirs and yours side by
 * side; "Reload theirs" drops yours, "Keep both" keeps theirs and saves yours as a new annotation.
 */
import { useEffect, useRef } from 'preact/hooks';
import { createPortal } from 'preact/compat';
import { clock, labelColor } from './format';
import type { Fields } from './history';
import type { AnnotationStore } from './store';
import type { Annotation } from './types';

export function ConflictDialog({ store, labels }: { store: AnnotationStore; labels: readonly { name: string; color?: string }[] }) {
  const c = store.conflict;
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => { if (c) first.current?.focus(); }, [c]);
  if (!c) return null;
  const row = (f: Fields | Annotation | null, who: string): preact.JSX.Element => (
    <div class="cd-side">
      <h3>{who}</h3>
      {f ? (
        <dl>
          <dt>Label</dt><dd><span class="swatch" style={{ background: labelColor(labels, f.label) }} /> {f.label}</dd>
          <dt>From</dt><dd>{clock(f.startS)}</dd>
          <dt>To</dt><dd>{clock(f.endS)}</dd>
          <dt>Status</dt><dd>{f.status}</dd>
        </dl>
      ) : <p>Deleted</p>}
    </div>
  );
  // The API names whose write made the revision this edit met (null: the admin token's).
  const who = c.theirs.changedBy;
  const by = who === null || who === undefined
    ? ` meanwhile (it is now at revision ${c.theirs.revision})`
    : who.annotatorId === store.myAnnotatorId
      ? ` meanwhile, in another window of yours (it is now at revision ${c.theirs.revision})`
      : ` meanwhile: ${who.name} changed it at ${new Date(c.theirs.updatedAt).toLocaleTimeString()} (revision ${c.theirs.revision})`;
  return createPortal(
    <div class="cd-backdrop">
      <div class="cd" role="dialog" aria-modal="true" aria-labelledby="cd-title" aria-describedby="cd-desc"
        onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); store.takeTheirs(); } }}>
        <h2 id="cd-title">Someone else changed this annotation</h2>
        <p id="cd-desc">Your change was not saved: the annotation was changed{by}. Choose what to keep.</p>
        <div class="cd-sides">
          {row(c.theirs, who ? `Theirs — ${who.name} (saved)` : 'Theirs (saved)')}
          {row(c.yours, 'Yours (not saved)')}
        </div>
        <div class="cd-buttons">
          <button type="button" ref={first} onClick={() => store.takeTheirs()}>Reload theirs</button>
          <button type="button" class="primary" onClick={() => store.keepBoth()} disabled={!c.yours}
            title={c.yours ? 'Keep theirs and save yours as a new annotation' : 'You deleted it: there is nothing of yours to keep'}>Keep both</button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
