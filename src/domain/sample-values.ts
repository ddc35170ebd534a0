/**
 * How a stored float32 sample says what it is when it is not a number. An empty cell (or JSON `null`) is a
 * missing value: the ordinary quiet NaN. A value the file wrote but that is no measurement (`Infinity`,
 * `-Infinity`, `NaN`, `1e309`, a number beyond float32's range) is stored as NaN too, but as a NaN with its own
 * payload, as R tells `NA` from `NaN`: every Parquet reader still sees NaN, and the quality checks can count it
 * as `non_finite` instead of `missing_values`. Readers write it through a Uint32Array view of the channel (never
 * through a double, which may lose the payload); a copy that keeps the bytes (`slice`, `set`) keeps it.
 */

/** The bits of the float32 NaN that marks a non-finite value the file wrote (a quiet NaN, payload 0x0bad). */
export const NON_FINITE_BITS = 0x7fc00bad;

/** Largest finite float32: a value beyond it would be stored as ±Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** A Uint32Array over the same bytes as `values`, to write or read the marker. */
export function bitsOf(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** True when the sample at `i` is the non-finite marker (for values already known to be NaN). */
export function isNonFiniteMarker(bits: Uint32Array, i: number): boolean {
  return bits[i] === NON_FINITE_BITS;
}

/** Replaces ±Infinity in `values` by the marker in place; returns how many were replaced (for readers that decode floats). */
export function markNonFinite(values: Float32Array): number {
  let bits: Uint32Array | null = null;
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x - x !== 0 && x === x) {
      bits ??= bitsOf(values);
      bits[i] = NON_FINITE_BITS;
      k++;
    }
  }
  return k;
}
