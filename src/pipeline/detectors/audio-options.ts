/**
 * Overrides of an audio detector's typed defaults from the one flat option map every detector of a study
 * receives (the same convention as the IMU detectors): key `${prefix}.${name}`, e.g. `speech.gateDb`, with a
 * value of the default's type (finite for numbers). Other keys and values of the wrong type are ignored, so
 * one detector's settings never change another's and a typo cannot turn a number into a string.
 */
export function withOptions<T extends object>(prefix: string, defaults: Readonly<T>, options?: Record<string, unknown>): T {
  const out: T = { ...defaults };
  if (options === undefined) return out;
  for (const key of Object.keys(defaults) as (keyof T & string)[]) {
    const v = options[`${prefix}.${key}`];
    const d = defaults[key];
    if (v === undefined || typeof v !== typeof d || (typeof v === 'number' && !Number.isFinite(v))) continue;
    out[key] = v as T[typeof key];
  }
  return out;
}
