/**
 * What the pointer is on in the annotation layer: an edge of a region (to resize it), a point event (to move it),
 * or a region's body (to move or select it). Pure: the overlay passes the regions of the lane under the pointer
 * and a time → pixel mapping.
 *
 * Edges have a tolerance of a few pixels outside the region; inside it they reach at most a third of the region's
 * width, so the middle of a narrow region stays grabbable as a body and both edges of a tiny region stay
 * reachable from outside (the handles stick out).
 */

export interface HitRegion { key: string; startS: number; endS: number }

export type Hit =
  | { kind: 'edge'; key: string; edge: 'start' | 'end' }
  | { kind: 'point'; key: string }
  | { kind: 'body'; key: string };

interface Candidate { hit: Hit; dist: number; inside: boolean }

/**
 * The hit at `xPx`, or null on empty space. Among edges and points within `tolPx` the nearest wins; on a tie, the
 * edge whose region lies on the pointer's side (at a shared boundary, left of it is the end of the left region).
 * A body hit is the narrowest region containing the pointer, and loses to any edge or point in reach.
 */
export function hitTest(regions: readonly HitRegion[], xPx: number, toPx: (t: number) => number, tolPx: number): Hit | null {
  let best: Candidate | null = null;
  let body: { key: string; width: number } | null = null;
  const consider = (c: Candidate): void => {
    if (!best || c.dist < best.dist || (c.dist === best.dist && c.inside && !best.inside)) best = c;
  };
  for (const r of regions) {
    const x0 = toPx(r.startS);
    const x1 = toPx(r.endS);
    if (r.endS <= r.startS) {
      const d = Math.abs(xPx - x0);
      if (d <= tolPx) consider({ hit: { kind: 'point', key: r.key }, dist: d, inside: true });
      continue;
    }
    const inward = Math.min(tolPx, (x1 - x0) / 3);
    if (xPx >= x0 - tolPx && xPx <= x0 + inward) consider({ hit: { kind: 'edge', key: r.key, edge: 'start' }, dist: Math.abs(xPx - x0), inside: xPx >= x0 });
    if (xPx >= x1 - inward && xPx <= x1 + tolPx) consider({ hit: { kind: 'edge', key: r.key, edge: 'end' }, dist: Math.abs(xPx - x1), inside: xPx <= x1 });
    if (xPx > x0 && xPx < x1 && (!body || x1 - x0 < body.width)) body = { key: r.key, width: x1 - x0 };
  }
  if (best) return (best as Candidate).hit;
  if (body) return { kind: 'body', key: (body as { key: string }).key };
  return null;
}
