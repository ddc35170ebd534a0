/**
 * The detectors' proposals, apart from people's labels: label, time, detector and version, confidence; accept or
 * reject each (or Enter / Delete on the selected one); a confidence threshold hides the weak ones.
 */
import type { Viewport } from '../recording/viewport';
import type { Study } from './index';
import { clock, labelColor } from './format';
import { goToProposal, showRange } from './actions';
import type { AnnotationStore } from './store';

const LIST_MAX = 300;

export function Review({ store, study, viewport }: { store: AnnotationStore; study: Study; viewport: Viewport }) {
  const all = store.sorted().filter((i) => i.source === 'auto');
  // Reviewed ones stay listed (a rejected one faded, with Accept to take it back); the threshold hides pending ones.
  const visible = all.filter((i) => i.status !== 'proposed' || (i.confidence ?? 1) >= store.threshold);
  const pending = all.filter((i) => i.status === 'proposed');
  const hidden = pending.filter((i) => (i.confidence ?? 1) < store.threshold).length;
  return (
    <section class="ap-section ap-review" aria-labelledby="ap-review-h">
      <h3 id="ap-review-h">Proposals <span class="ap-count">{pending.length} to review of {all.length}</span></h3>
      <div class="ap-threshold">
        <label for="ap-threshold">Confidence threshold</label>
        <input id="ap-threshold" type="range" min={0} max={1} step={0.05} value={store.threshold}
          onInput={(e) => store.set('threshold', Number(e.currentTarget.value))} />
        <output for="ap-threshold">{store.threshold.toFixed(2)}</output>
      </div>
      {hidden > 0 ? <p class="ap-hint">{hidden} below the threshold hidden.</p> : null}
      <div class="ap-buttons">
        <button type="button" onClick={() => goToProposal(store, viewport, -1)} disabled={pending.length === 0} title="Previous proposal ([)">Previous proposal</button>
        <button type="button" class="primary" onClick={() => goToProposal(store, viewport, 1)} disabled={pending.length === 0} title="Next proposal (])">Next proposal</button>
      </div>
      {visible.length === 0 ? <p class="ap-empty">{all.length === 0 ? 'The detectors proposed nothing for this recording.' : 'Nothing at or above this threshold.'}</p> : (
        <ol class="ap-list">
          {visible.slice(0, LIST_MAX).map((it) => (
            <li key={it.key} data-testid="proposal" data-id={it.id ?? it.key} data-status={it.status} class={`ap-proposal ${it.status}${store.selected === it.key ? ' selected' : ''}`}>
              <button type="button" class="ap-proposal-main" aria-pressed={store.selected === it.key}
                onClick={() => { store.select(it.key); showRange(viewport, it.startS, it.endS, false); }}>
                <span class="swatch hatched" style={{ '--c': labelColor(study.labels, it.label) }} />
                <span class="ap-label">{it.label}</span>
                <span class="ap-conf" title="Confidence">{it.confidence === null ? '—' : it.confidence.toFixed(2)}</span>
                <span class="ap-time">{clock(it.startS)}{it.endS > it.startS ? `–${clock(it.endS)}` : ''}</span>
                <span class="ap-meta">{it.detector ?? 'detector'}{it.detectorVersion ? ` ${it.detectorVersion}` : ''}{it.status !== 'proposed' ? ` · ${it.status}` : ''}</span>
              </button>
              <span class="ap-proposal-actions">
                <button type="button" class="accept" disabled={it.status === 'accepted'} onClick={() => store.change(it.key, { status: 'accepted' })}>Accept</button>
                <button type="button" class="reject" disabled={it.status === 'rejected'} onClick={() => store.change(it.key, { status: 'rejected' })}>Reject</button>
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
