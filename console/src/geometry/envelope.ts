/**
 * A min/max envelope (the samples route's reduced answer: points alternate, two per bucket) as two series, the
 * upper and lower edge of each bucket at the bucket's middle, so an audio waveform can be drawn as a filled band
 * (as audio editors do) rather than a zigzag. Raw samples give the same value on both edges.
 */
export interface Band {
  t: number[];
  hi: (number | null)[];
  lo: (number | null)[];
}

export function envelopeBand(t: readonly number[], v: readonly (number | null)[], reduced: boolean): Band {
  if (!reduced) return { t: [...t], hi: [...v], lo: [...v] };
  const n = t.length >> 1;
  const out: Band = { t: new Array<number>(n), hi: new Array<number | null>(n), lo: new Array<number | null>(n) };
  for (let k = 0; k < n; k++) {
    const a = v[2 * k] ?? null;
    const b = v[2 * k + 1] ?? null;
    out.t[k] = (t[2 * k]! + t[2 * k + 1]!) / 2;
    out.hi[k] = a === null ? b : b === null ? a : Math.max(a, b);
    out.lo[k] = a === null ? b : b === null ? a : Math.min(a, b);
  }
  return out;
}
