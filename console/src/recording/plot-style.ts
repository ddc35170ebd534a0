/**
 * What every plot of the recording view shares, so their data areas line up under one ruler and one overlay:
 * the left axis width, the right padding, the channel colours and the compact number format of the y axis.
 */

/** CSS px of the y axis at the left of every plot (the data area starts here). */
export const PLOT_LEFT = 58;
/** CSS px of padding at the right of every plot. */
export const PLOT_RIGHT = 12;

/** The data area's width in a plot stack `width` CSS px wide. */
export function plotAreaWidth(width: number): number {
  return Math.max(0, width - PLOT_LEFT - PLOT_RIGHT);
}

/** Channel colours (x, y, z, then more): distinguishable, colour-blind-safe (Okabe–Ito). */
export const CHANNEL_COLORS = ['#d55e00', '#009e73', '#0072b2', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];

export function channelColor(i: number): string {
  return CHANNEL_COLORS[i % CHANNEL_COLORS.length]!;
}

/** Units as people write them (m/s^2 → m/s²). */
export function prettyUnit(unit: string): string {
  return unit.replace(/\^2/g, '²').replace(/\^3/g, '³').replace(/\bdeg\b/g, '°');
}

/**
 * A y-axis label that fits its column, with as many decimals as the tick increment `incr` needs (4.115, 4.12,
 * 4.125 stay apart): 12.5, -0.03, 1.2k, 33k.
 */
export function axisNumber(v: number, incr: number): string {
  const a = Math.abs(v);
  if (a >= 10_000 && incr >= 1000) return `${Number((v / 1000).toFixed(0))}k`;
  if (a >= 1000 && incr >= 100) return `${Number((v / 1000).toFixed(1))}k`;
  if (v === 0) return '0';
  const decimals = incr > 0 ? Math.max(0, Math.min(6, -Math.floor(Math.log10(incr) + 1e-9))) : 2;
  return v.toFixed(decimals);
}
