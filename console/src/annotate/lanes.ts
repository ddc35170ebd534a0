/**
 * Lanes for overlapping annotations: each annotation gets the lowest lane free at its start, so labels that
 * overlap in time sit one above the other instead of hiding each other. Pure (interval-graph greedy colouring,
 * optimal for intervals: the lane count equals the most annotations overlapping at any instant).
 */

export interface LaneItem { key: string; startS: number; endS: number }

export interface Lanes { lane: Map<string, number>; count: number }

/**
 * `minSpanS` is the time a point event (or a tiny region) occupies for the purpose of overlap, so two point
 * events a hair apart do not share a lane and draw on top of each other. Regions that merely touch
 * (one ends where the next starts) share a lane.
 */
export function assignLanes(items: readonly LaneItem[], minSpanS = 0): Lanes {
  const sorted = [...items].sort((a, b) => a.startS - b.startS || b.endS - a.endS || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const laneEnds: number[] = [];
  const lane = new Map<string, number>();
  for (const it of sorted) {
    const end = Math.max(it.endS, it.startS + minSpanS);
    let i = laneEnds.findIndex((e) => e <= it.startS);
    if (i < 0) { i = laneEnds.length; laneEnds.push(end); } else laneEnds[i] = end;
    lane.set(it.key, i);
  }
  return { lane, count: laneEnds.length };
}
