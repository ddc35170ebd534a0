/** One flat option map for every detector (StudySettings.detectors). */
export type DetectorOptions = Record<string, unknown> | undefined;

/**
 * Overrides of a detector's typed defaults from the study's one flat option map: key `${prefix}.${name}`
 * (e.g. `speech.gateDb`, `tap.minPeakG`) with a value of the default's type, finite for numbers. Other keys
 * and values of the wrong type are ignored, so one detector's settings never change another's and a typo
 * cannot turn a number into a string.
 */
export function withOverrides<T extends object>(defaults: Readonly<T>, options: DetectorOptions, prefix: string): T {
  const out = { ...defaults } as Record<string, unknown>;
  if (options === undefined) return out as T;
  for (const key of Object.keys(out)) {
    const v = options[`${prefix}.${key}`];
    if (v !== undefined && typeof v === typeof out[key] && (typeof v !== 'number' || Number.isFinite(v))) out[key] = v;
  }
  return out as T;
}
