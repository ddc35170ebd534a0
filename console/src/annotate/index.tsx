import type { components } from '../api/schema';
import type { Viewport } from '../recording/viewport';
import { Overlay } from './overlay';
import { Panel } from './panel';

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
export function AnnotateOverlay(props: AnnotateProps) {
  return <Overlay {...props} />;
}

/** Beside the plots: the labels with their hotkeys, the list of annotations and proposals, save state, review. */
export function AnnotatePanel(props: AnnotateProps) {
  return <Panel {...props} />;
}
