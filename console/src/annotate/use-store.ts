import { useEffect, useReducer } from 'preact/hooks';
import { useConsole } from '../app';
import type { Viewport, ViewState } from '../recording/viewport';
import { afterFirstPlot } from '../recording/first-plot';
import { annotationsApi } from './api';
import { AnnotationStore } from './store';

/**
 * The overlay and the panel are mounted apart by the recording view but must share one store: it is keyed by the
 * view's Viewport, which exists once per open recording.
 */
const stores = new WeakMap<Viewport, AnnotationStore>();

export function useAnnotationStore(recordingId: string, viewport: Viewport): AnnotationStore {
  const { api, session } = useConsole();
  let store = stores.get(viewport);
  if (!store || store.recordingId !== recordingId) {
    store = new AnnotationStore(recordingId, annotationsApi(api), { name: session.name ?? null, annotatorId: session.annotatorId ?? null }, afterFirstPlot());
    stores.set(viewport, store);
  }
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => store.subscribe(() => bump(0)), [store]);
  return store;
}

/** Re-renders when one of `keys` of the view state changes (not on every cursor move). */
export function useViewState(viewport: Viewport, keys: readonly (keyof ViewState)[]): ViewState {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const sig = keys.join(',');
  useEffect(() => viewport.subscribe((_s, changed) => {
    for (const k of keys) if (changed.has(k)) { bump(0); return; }
  }), [viewport, sig]);
  return viewport.state;
}
