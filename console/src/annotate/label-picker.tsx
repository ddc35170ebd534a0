import { useEffect, useRef } from 'preact/hooks';
import { labelColor } from './format';
import type { Geometry } from './overlay';
import type { AnnotationStore } from './store';

/**
 * Asks for the label of a region just drawn: the study's labels with their hotkeys (the key works too), the
 * last label used first so Enter repeats it. Escape or Cancel drops the region.
 */
export function LabelPicker({ store, labels, x, geo }: { store: AnnotationStore; labels: readonly { name: string; hotkey?: string; color?: string }[]; x: number; geo: Geometry }) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => { first.current?.focus({ preventScroll: true }); }, []);
  const d = store.draft;
  if (!d) return null;
  const ordered = store.lastLabel ? [...labels].sort((a, b) => (a.name === store.lastLabel ? -1 : b.name === store.lastLabel ? 1 : 0)) : [...labels];
  const adj = geo.bands.findIndex((b) => b.id === 'adjudicated');
  const top = d.adjudicated && adj >= 0 ? geo.bandTops[adj]! + 4 : 4;
  return (
    <div class="ann-picker" role="group" aria-label="Label for the new region" style={{ left: `${x}px`, top: `${top}px` }}
      onPointerDown={(e) => e.stopPropagation()}>
      <div class="ann-picker-title">{d.adjudicated ? 'Adjudicated label' : 'Label'}</div>
      {ordered.map((l, i) => (
        <button type="button" key={l.name} ref={i === 0 ? first : undefined} class="ann-picker-item"
          onClick={() => store.create(d.startS, d.endS, l.name, d.adjudicated)}>
          <span class="swatch" style={{ background: labelColor(labels, l.name) }} />
          <span class="name">{l.name}</span>
          {l.hotkey ? <kbd>{l.hotkey}</kbd> : null}
        </button>
      ))}
      <button type="button" class="ann-picker-cancel" onClick={() => store.setDraft(null)}>Cancel</button>
    </div>
  );
}
