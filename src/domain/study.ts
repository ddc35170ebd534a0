/** One label of a study's taxonomy, with the console's hotkey and colour. */
export interface StudyLabel {
  name: string;
  hotkey?: string;
  color?: string;
}

/**
 * Per-study processing settings. Quality thresholds override the defaults of pipeline/quality-thresholds.ts
 * by name; detector options are one flat map read by the detectors (each documents its keys); the Edge
 * Impulse key verifies signed uploads and is never shown back.
 */
export interface StudySettings {
  quality?: Record<string, number>;
  detectors?: Record<string, number | string | boolean>;
  edgeImpulseHmacKey?: string;
  /**
   * The participants' IANA time zone (or a fixed offset): places device-local clocks on UTC when neither
   * the file nor the upload names a zone, and gives local times.
   */
  timezone?: string;
}
