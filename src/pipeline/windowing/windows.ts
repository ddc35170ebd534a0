/**
 * Fixed-length windows and their labels, for the dataset export (issue 13). Pure; the exporter calls these
 * per block of a recording, with absolute times on the recording's axis.
 *
 * Windows. Window k starts at anchorS + k · hopS, computed from the integer k (never by adding hops up, so a
 * day of 20 ms hops does not drift), and covers [start, start + lengthS). A block [fromS, toS) holds the
 * windows with start ≥ fromS and start + lengthS ≤ toS; comparisons allow 1 ns of rounding, so a window
 * that ends on the block's end is not lost to floating-point error in k · hopS + lengthS.
 *
 * Labels. The annotation spans are clipped to the window; spans of the same label are merged first, so
 * overlapping spans are not counted twice, and each label's overlap is the fraction of the window its
 * merged spans cover. A point event (endS === startS) inside the window, startS ≤ t < start + lengthS,
 * counts as covering the whole window: its label's overlap is 1. The policies:
 * - `majority`: the label covering the largest fraction of the window (ties: first by name), if that
 *   fraction is ≥ minOverlap.
 * - `any`: "any label present": the first label by name among those whose overlap is ≥ minOverlap, so a
 *   window holding any of them is labelled; `all` gives every one for multi-label use.
 * - `center`: the label of a span that contains the window's centre, startS ≤ centre < endS (ties: first by
 *   name), whatever its overlap; minOverlap is ignored. A point event inside the window covers its centre
 *   too, as it covers the whole window.
 * When no label qualifies the window gets opts.background (which may be null). Names are ordered by UTF-16
 * code units (plain `<`), so the order does not depend on the locale.
 */

/** Window length and hop, in seconds (e.g. 2 s windows every 1 s). */
export interface WindowSpec {
  lengthS: number;
  hopS: number;
}

export type LabelPolicy = 'majority' | 'any' | 'center';

/** One annotation on the recording's axis; endS === startS is a point event. */
export interface LabelSpan {
  startS: number;
  endS: number;
  label: string;
}

export interface WindowLabel {
  /** The chosen label, or `background` (opts.background, e.g. "background") or null when none applies. */
  label: string | null;
  /**
   * Fraction of the window the chosen label covers (0..1; point events count as covering when inside). For
   * the background label, the fraction no span covers (point events aside); 0 when the label is null.
   */
  overlap: number;
  /** Every label overlapping the window, sorted by name (for multi-label use), with their overlap fractions. */
  all: { label: string; overlap: number }[];
}

/** Rounding allowed in window-boundary comparisons, in seconds. */
const EPS_S = 1e-9;

/**
 * Window starts (seconds on the recording axis) whose windows lie wholly inside [fromS, toS), on the hop
 * grid anchored at `anchorS`: start_k = anchorS + k · hopS for whole k (negative k too, when fromS is
 * before the anchor), in increasing order.
 */
export function windowStarts(spec: WindowSpec, anchorS: number, fromS: number, toS: number): number[] {
  const { lengthS, hopS } = spec;
  if (!(lengthS > 0)) throw new RangeError(`window lengthS must be positive, got ${lengthS}`);
  if (!(hopS > 0)) throw new RangeError(`window hopS must be positive, got ${hopS}`);
  if (!Number.isFinite(anchorS) || !Number.isFinite(fromS) || !Number.isFinite(toS)) {
    throw new RangeError(`anchorS, fromS and toS must be finite, got ${anchorS}, ${fromS}, ${toS}`);
  }
  const starts: number[] = [];
  if (toS - fromS + EPS_S < lengthS) return starts;
  // A first guess from division, then stepped to agree with the exact start values compared below.
  let k = Math.ceil((fromS - anchorS) / hopS);
  while (anchorS + (k - 1) * hopS >= fromS - EPS_S) k--;
  while (anchorS + k * hopS < fromS - EPS_S) k++;
  let kLast = Math.floor((toS - lengthS - anchorS) / hopS);
  while (anchorS + (kLast + 1) * hopS + lengthS <= toS + EPS_S) kLast++;
  while (kLast >= k && anchorS + kLast * hopS + lengthS > toS + EPS_S) kLast--;
  for (; k <= kLast; k++) starts.push(anchorS + k * hopS);
  return starts;
}

/**
 * The label of the window [startS, startS + lengthS) under `policy`, from the annotation spans (any order;
 * the ones that miss the window are skipped, so giving only the spans near the block keeps this cheap —
 * see `spansOverlapping`).
 */
export function labelWindow(
  startS: number,
  lengthS: number,
  spans: readonly LabelSpan[],
  policy: LabelPolicy,
  opts: { minOverlap: number; background: string | null },
): WindowLabel {
  if (!(lengthS > 0)) throw new RangeError(`window lengthS must be positive, got ${lengthS}`);
  const endS = startS + lengthS;
  const centre = startS + lengthS / 2;

  // The spans touching the window, clipped to it; the common case is none or a few.
  const hits: Clipped[] = [];
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (s.endS === s.startS) {
      if (s.startS >= startS && s.startS < endS) hits.push({ label: s.label, a: s.startS, b: s.startS, point: true });
    } else if (s.endS > startS && s.startS < endS) {
      hits.push({ label: s.label, a: Math.max(s.startS, startS), b: Math.min(s.endS, endS), point: false, contains: s.startS <= centre && centre < s.endS });
    }
  }
  if (hits.length === 0) return background(opts.background, 1);
  hits.sort(byLabelThenStart);

  // Per label: merged coverage, whether a point event falls inside, whether a span contains the centre.
  const all: { label: string; overlap: number }[] = [];
  const centred: boolean[] = [];
  let union = 0; // of interval spans of every label, for the background's fraction
  let unionEnd = -Infinity;
  const intervals: Clipped[] = [];
  for (const h of hits) if (!h.point) intervals.push(h);
  intervals.sort(byStart);
  for (const h of intervals) {
    if (h.a >= unionEnd) {
      union += h.b - h.a;
      unionEnd = h.b;
    } else if (h.b > unionEnd) {
      union += h.b - unionEnd;
      unionEnd = h.b;
    }
  }
  let i = 0;
  while (i < hits.length) {
    const label = hits[i]!.label;
    let covered = 0;
    let curA = NaN;
    let curB = NaN;
    let point = false;
    let contains = false;
    for (; i < hits.length && hits[i]!.label === label; i++) {
      const h = hits[i]!;
      if (h.point) {
        point = true;
        continue;
      }
      if (h.contains === true) contains = true;
      if (!(curB === curB)) {
        curA = h.a;
        curB = h.b;
      } else if (h.a <= curB) {
        if (h.b > curB) curB = h.b;
      } else {
        covered += curB - curA;
        curA = h.a;
        curB = h.b;
      }
    }
    if (curB === curB) covered += curB - curA;
    const overlap = point ? 1 : Math.min(1, covered / lengthS);
    all.push({ label, overlap });
    centred.push(point || contains);
  }

  let chosen = -1;
  switch (policy) {
    case 'majority':
      for (let j = 0; j < all.length; j++) if (chosen < 0 || all[j]!.overlap > all[chosen]!.overlap) chosen = j;
      if (chosen >= 0 && !(all[chosen]!.overlap >= opts.minOverlap)) chosen = -1;
      break;
    case 'any':
      for (let j = 0; j < all.length; j++) {
        if (all[j]!.overlap >= opts.minOverlap) {
          chosen = j;
          break;
        }
      }
      break;
    case 'center':
      for (let j = 0; j < all.length; j++) {
        if (centred[j]) {
          chosen = j;
          break;
        }
      }
      break;
    default: {
      const never: never = policy;
      throw new RangeError(`unknown label policy ${String(never)}`);
    }
  }
  if (chosen < 0) {
    const res = background(opts.background, Math.max(0, 1 - union / lengthS));
    res.all = all;
    return res;
  }
  return { label: all[chosen]!.label, overlap: all[chosen]!.overlap, all };
}

/**
 * The spans that touch [fromS, toS) (interval spans that overlap it, point events inside it), in their
 * given order: what a caller labelling the windows of one block passes to `labelWindow`.
 */
export function spansOverlapping(spans: readonly LabelSpan[], fromS: number, toS: number): LabelSpan[] {
  const out: LabelSpan[] = [];
  for (const s of spans) {
    if (s.endS === s.startS ? s.startS >= fromS && s.startS < toS : s.endS > fromS && s.startS < toS) out.push(s);
  }
  return out;
}

interface Clipped {
  label: string;
  a: number;
  b: number;
  point: boolean;
  /** For interval spans: whether the unclipped span contains the window's centre. */
  contains?: boolean;
}

function byLabelThenStart(x: Clipped, y: Clipped): number {
  return x.label < y.label ? -1 : x.label > y.label ? 1 : x.a - y.a;
}

function byStart(x: Clipped, y: Clipped): number {
  return x.a - y.a;
}

function background(label: string | null, uncovered: number): WindowLabel {
  return { label, overlap: label === null ? 0 : uncovered, all: [] };
}
