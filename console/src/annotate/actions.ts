/** Actions shared by the keys and the panel's buttons. */
import type { Viewport } from '../recording/viewport';
import { nextProposal, windowFor } from './layout';
import type { AnnotationStore } from './store';

/** Selects the next/previous pending proposal and brings it into view (centred, the zoom kept when it fits). */
export function goToProposal(store: AnnotationStore, viewport: Viewport, dir: 1 | -1): void {
  const s = viewport.state;
  const from = s.cursorS ?? (s.fromS + s.toS) / 2;
  const p = nextProposal([...store.items.values()], store, from, dir, store.selected);
  if (!p) return;
  store.select(p.key);
  showRange(viewport, p.startS, p.endS);
  if (!s.playing) viewport.setCursor(p.startS);
}

/** Moves the window to show [startS, endS], unless it is already in view. */
export function showRange(viewport: Viewport, startS: number, endS: number, force = true): void {
  const s = viewport.state;
  if (!force && startS >= s.fromS && endS <= s.toS) return;
  const [a, b] = windowFor(startS, endS, s.fromS, s.toS);
  viewport.setWindow(a, b);
}

/** A point event at the play cursor (or the middle of the window when nothing was played yet). */
export function pointAtCursor(store: AnnotationStore, viewport: Viewport, label: string | null): void {
  if (!label) return;
  const s = viewport.state;
  const t = s.cursorS ?? (s.fromS + s.toS) / 2;
  store.create(t, t, label);
  // While playing, the person keeps labelling moments; selecting each new point would make the next key relabel it.
  if (s.playing) store.select(null);
}
