/**
 * Beside the plots: save state and undo/redo, the study's labels (click one to draw with it), the proposals to
 * review, two annotators compared, and the list of annotations.
 */
import { useEffect } from 'preact/hooks';
import type { AnnotateProps } from './index';
import { clock, labelColor, sourceName } from './format';
import { comparing, isShown } from './layout';
import { showRange } from './actions';
import { Review } from './review';
import { Compare } from './compare';
import { ConflictDialog } from './conflict-dialog';
import { useAnnotationStore } from './use-store';
import type { AnnotationStore } from './store';
import './annotate.css';

const SAVE_TEXT = { saved: 'Saved', saving: 'Saving…', retrying: 'Not saved — retrying' } as const;
const LIST_MAX = 300;

export function Panel(props: AnnotateProps) {
  const { recording, study, viewport, review } = props;
  const store = useAnnotationStore(recording.id, viewport);
  useSync(store);
  const items = store.sorted();
  const hasProposals = items.some((i) => i.source === 'auto');
  const own = items.filter((i) => i.source !== 'auto' && isShown(i, store));
  const compare = <Compare store={store} recordingId={recording.id} viewport={viewport} review={review} />;
  const reviewSection = review || hasProposals ? <Review store={store} study={study} viewport={viewport} /> : null;
  return (
    <aside class="annotate-panel" aria-label="Annotations">
      <div class="ap-head">
        {/* While a stale edit waits for the person's choice, it is not saved, whatever else is. */}
        <span class={`save-state save-${store.conflict ? 'retrying' : store.saveState}`} data-testid="save-state" role="status" aria-live="polite">
          {store.conflict ? 'Not saved — someone else changed it' : SAVE_TEXT[store.saveState]}
        </span>
        <span class="ap-head-buttons">
          <button type="button" onClick={() => store.undo()} disabled={!store.canUndo} title="Undo (Ctrl+Z)">Undo</button>
          <button type="button" onClick={() => store.redo()} disabled={!store.canRedo} title="Redo (Ctrl+Shift+Z)">Redo</button>
        </span>
      </div>
      {store.refusal ? (
        <div class="ap-refusal" role="alert">
          <span>Not saved: {store.refusal}</span>
          <button type="button" class="link" onClick={() => store.set('refusal', null)}>Dismiss</button>
        </div>
      ) : null}
      {store.loadError ? <div class="ap-refusal" role="alert">The annotations could not be loaded: {store.loadError}</div> : null}
      {/* A reviewer comparing two people works on their disagreements first, then on the proposals. */}
      {review && comparing(store) ? compare : null}
      {review ? reviewSection : null}
      {review && !comparing(store) ? compare : null}
      <Labels store={store} labels={study.labels} />
      {review ? null : compare}
      <section class="ap-section" aria-labelledby="ap-list-h">
        <h3 id="ap-list-h">Annotations <span class="ap-count">{own.length}</span></h3>
        {store.loading ? <p class="ap-empty" role="status">Loading…</p>
          : own.length === 0 ? <p class="ap-empty">None yet. Drag across the plots to draw a region, or press <kbd>.</kbd> for a point event.</p>
          : (
            <ol class="ap-list">
              {own.slice(0, LIST_MAX).map((it) => (
                <li key={it.key}>
                  <button type="button" class={`ap-row${store.selected === it.key ? ' selected' : ''}`} aria-pressed={store.selected === it.key}
                    onClick={() => { store.select(it.key); showRange(viewport, it.startS, it.endS, false); }}>
                    <span class="swatch" style={{ background: labelColor(study.labels, it.label) }} />
                    <span class="ap-time">{clock(it.startS)}{it.endS > it.startS ? `–${clock(it.endS)}` : ''}</span>
                    <span class="ap-label">{it.label}</span>
                    <span class="ap-meta">{sourceName(it)}{it.status === 'rejected' ? ' · rejected' : ''}{it.annotatorName ? ` · ${it.annotatorName}` : ''}{it.changedByName && it.changedByName !== it.annotatorName ? ` · changed by ${it.changedByName}` : ''}{it.id === null ? ' · unsaved' : ''}</span>
                  </button>
                </li>
              ))}
              {own.length > LIST_MAX ? <li class="ap-more">{own.length - LIST_MAX} more; zoom in to find them on the plots.</li> : null}
            </ol>
          )}
        <label class="ap-check"><input type="checkbox" checked={store.showRejected} onChange={(e) => store.set('showRejected', e.currentTarget.checked)} /> Show rejected</label>
      </section>
      {review ? null : reviewSection}
      <ConflictDialog store={store} labels={study.labels} />
    </aside>
  );
}

/**
 * Others' changes come in when the window gets the focus back (no polling: while two people work at once, a stale
 * edit is caught by its revision and asked about); leaving with unsaved changes asks first.
 */
function useSync(store: AnnotationStore): void {
  useEffect(() => {
    const refresh = (): void => { if (document.visibilityState === 'visible') void store.refresh(); };
    const leave = (e: BeforeUnloadEvent): void => { if (store.pending > 0) e.preventDefault(); };
    window.addEventListener('focus', refresh);
    document.addEventListener('visibilitychange', refresh);
    window.addEventListener('beforeunload', leave);
    return () => {
      window.removeEventListener('focus', refresh);
      document.removeEventListener('visibilitychange', refresh);
      window.removeEventListener('beforeunload', leave);
    };
  }, [store]);
}

function Labels({ store, labels }: { store: AnnotationStore; labels: readonly { name: string; hotkey?: string; color?: string }[] }) {
  return (
    <section class="ap-section" aria-labelledby="ap-labels-h">
      <h3 id="ap-labels-h">Labels</h3>
      {labels.length === 0 ? <p class="ap-empty">This study has no labels yet; an admin adds them to the study.</p> : (
        <ul class="ap-labels">
          {labels.map((l) => (
            <li key={l.name}>
              <button type="button" aria-pressed={store.currentLabel === l.name} class="ap-label-btn"
                title={store.currentLabel === l.name ? 'Regions you draw take this label (click again to ask each time)' : 'Draw regions with this label'}
                onClick={() => store.set('currentLabel', store.currentLabel === l.name ? null : l.name)}>
                <span class="swatch" style={{ background: labelColor(labels, l.name) }} />
                <span class="name">{l.name}</span>
                {l.hotkey ? <kbd aria-label={`hotkey ${l.hotkey}`}>{l.hotkey}</kbd> : null}
              </button>
            </li>
          ))}
        </ul>
      )}
      <p class="ap-hint">{store.currentLabel ? <>Drawing <b>{store.currentLabel}</b>. </> : null}Select an annotation and press a hotkey to relabel it; while playing, a hotkey marks the moment.</p>
    </section>
  );
}
