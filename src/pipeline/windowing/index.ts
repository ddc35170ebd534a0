/**
 * Pure windowing for the dataset export (issue 13): streams resampled onto one common grid
 * (`resample.ts`) and fixed-length windows with their labels (`windows.ts`). See each file's header for
 * the method.
 */
export { antiAliasHalfWidthS, DEFAULT_GAP_FACTOR, resampleToGrid } from './resample.js';
export type { GridSpec, Resampled, StreamBlock } from './resample.js';
export { labelWindow, spansOverlapping, windowStarts } from './windows.js';
export type { LabelPolicy, LabelSpan, WindowLabel, WindowSpec } from './windows.js';
