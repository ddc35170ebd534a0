import type { components } from '../api/schema';
import type { Viewport } from '../recording/viewport';

export type Recording = components['schemas']['Recording'];
export type Study = components['schemas']['Study'];

/** What the recording view hands the annotation layer. */
export interface AnnotateProps {
  recording: Recording;
  study: Study;
  viewport: Viewport;
  /** The plots' data area inside the overlay, in CSS pixels from the overlay's left edge. */
  plotLeft: number;
  plotWidth: number;
  /** Review mode (`?review=1`): proposals first, accept/reject keys. */
  review: boolean;
}

/** Drawn over the plot stack (position: absolute; inset: 0): the annotations as regions, and the mouse on them. */
export function AnnotateOverlay(_props: AnnotateProps) {
  return <div class="annotate-overlay" data-testid="annotation-overlay" />;
}

/** Beside the plots: the labels with their hotkeys, the list of annotations and proposals, save state, review. */
export function AnnotatePanel(_props: AnnotateProps) {
  return <aside class="annotate-panel" aria-label="Annotations" />;
}
