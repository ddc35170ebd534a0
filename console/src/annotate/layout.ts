/**
 * Which annotations the overlay draws and in which band (pure). Normally one band holds everything shown, its
 * overlapping labels in lanes. Comparing two annotators, the bands are A's labels, B's labels, the adjudicated
 * layer and (if any are shown) the detectors' proposals, so the two people's work lines up one above the other.
 */

/** A band's share of the height: people's bands at least two lanes' worth, proposals at most two. */
export function bandWeight(b: Band): number {
  return b.id === 'proposals' ? Math.min(2, Math.max(1, b.lanes.count)) : Math.min(4, Math.max(2, b.lanes.count));
}
import { assignLanes, type Lanes } from './lanes';
import type { Item } from './types';

export interface ShowOptions { showRejected: boolean; threshold: number; compareA: string | null; compareB: string | null }

export interface Band { id: string; title: string | null; items: Item[]; lanes: Lanes }

/** Shown at all: rejected ones only on request; pending proposals only at or above the confidence threshold. */
export function isShown(it: Item, o: Pick<ShowOptions, 'showRejected' | 'threshold'>): boolean {
  if (it.status === 'rejected' && !o.showRejected) return false;
  if (it.source === 'auto' && it.status === 'proposed' && (it.confidence ?? 1) < o.threshold) return false;
  return true;
}

export function comparing(o: Pick<ShowOptions, 'compareA' | 'compareB'>): boolean {
  return !!o.compareA && !!o.compareB && o.compareA !== o.compareB;
}

/** A's or B's own labels (not proposals, not the adjudicated layer). */
export function byAnnotator(it: Item, annotatorId: string): boolean {
  return it.annotatorId === annotatorId && !it.adjudicated && it.source !== 'auto';
}

export function bandsOf(items: readonly Item[], o: ShowOptions, minSpanS: number, names: ReadonlyMap<string, string>): Band[] {
  const shown = items.filter((it) => isShown(it, o));
  const band = (id: string, title: string | null, list: Item[]): Band => ({ id, title, items: list, lanes: assignLanes(list, minSpanS) });
  if (!comparing(o)) {
    // Proposals get a band of their own: detectors can cover a whole recording, and people must still find empty
    // space to draw in.
    const proposals = shown.filter((it) => it.source === 'auto');
    if (proposals.length === 0) return [band('all', null, shown)];
    return [band('labels', 'Labels', shown.filter((it) => it.source !== 'auto')), band('proposals', 'Proposals', proposals)];
  }
  const a = o.compareA!;
  const b = o.compareB!;
  const bands = [
    band('a', `A · ${names.get(a) ?? a}`, shown.filter((it) => byAnnotator(it, a))),
    band('b', `B · ${names.get(b) ?? b}`, shown.filter((it) => byAnnotator(it, b))),
    band('adjudicated', 'Adjudicated', shown.filter((it) => it.adjudicated)),
  ];
  const proposals = shown.filter((it) => it.source === 'auto');
  if (proposals.length > 0) bands.push(band('proposals', 'Proposals', proposals));
  return bands;
}

/** Annotators of the recording with how many labels each made, most first. */
export function annotatorsOf(items: readonly Item[]): { id: string; name: string; count: number }[] {
  const m = new Map<string, { id: string; name: string; count: number }>();
  for (const it of items) {
    if (!it.annotatorId || it.adjudicated || it.source === 'auto') continue;
    const e = m.get(it.annotatorId) ?? { id: it.annotatorId, name: it.annotatorName ?? it.annotatorId, count: 0 };
    e.count++;
    if (it.annotatorName) e.name = it.annotatorName;
    m.set(it.annotatorId, e);
  }
  return [...m.values()].sort((x, y) => y.count - x.count || x.name.localeCompare(y.name));
}

/** The next (dir 1) or previous (-1) pending proposal after `fromS`, wrapping around; null when there is none. */
export function nextProposal(items: readonly Item[], o: Pick<ShowOptions, 'showRejected' | 'threshold'>, fromS: number, dir: 1 | -1, currentKey: string | null): Item | null {
  const list = items.filter((it) => it.source === 'auto' && it.status === 'proposed' && isShown(it, o))
    .sort((x, y) => x.startS - y.startS || x.endS - y.endS || (x.key < y.key ? -1 : 1));
  if (list.length === 0) return null;
  const cur = currentKey === null ? -1 : list.findIndex((it) => it.key === currentKey);
  if (cur >= 0) return list[(cur + dir + list.length) % list.length]!;
  if (dir === 1) return list.find((it) => it.startS > fromS) ?? list[0]!;
  return [...list].reverse().find((it) => it.startS < fromS) ?? list[list.length - 1]!;
}

/** The window that shows [startS, endS]: the current span centred on it when it fits, else wide enough with margins. */
export function windowFor(startS: number, endS: number, fromS: number, toS: number): [number, number] {
  const span = toS - fromS;
  const len = Math.max(0, endS - startS);
  const want = len * 1.1 <= span ? span : len * 1.5;
  const mid = (startS + endS) / 2;
  return [mid - want / 2, mid + want / 2];
}

/**
 * What to draw when too many annotations are in view (a day of detector proposals zoomed out): regions narrower
 * than a pixel go first (the overview strip shows them), then proposals before people's labels, so panning stays
 * smooth. The selected one is always drawn. Order is kept.
 */
export function thinOut<T extends { it: Item }>(regions: readonly T[], pxPerS: number, max: number, selected: string | null): T[] {
  if (regions.length <= max) return [...regions];
  const rank = (r: T): number => {
    if (r.it.key === selected) return 0;
    const wide = (r.it.endS - r.it.startS) * pxPerS >= 1;
    const human = r.it.source !== 'auto';
    return wide ? (human ? 1 : 2) : human ? 3 : 4;
  };
  const order = regions.map((r, i) => ({ r, i, k: rank(r) })).sort((a, b) => a.k - b.k || a.i - b.i);
  const keep = new Set(order.slice(0, max).map((o) => o.i));
  return regions.filter((_r, i) => keep.has(i));
}
