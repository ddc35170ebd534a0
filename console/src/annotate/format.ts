/** Texts the annotation layer shows and speaks (pure). */
import type { Item } from './types';

/** Seconds as the lists show them: m:ss.ss under an hour, h:mm:ss.ss beyond. */
export function clock(t: number): string {
  const neg = t < 0 ? '-' : '';
  let cs = Math.round(Math.abs(t) * 100);
  const h = Math.floor(cs / 360000); cs -= h * 360000;
  const m = Math.floor(cs / 6000); cs -= m * 6000;
  const s = (cs / 100).toFixed(2).padStart(5, '0');
  return h > 0 ? `${neg}${h}:${String(m).padStart(2, '0')}:${s}` : `${neg}${m}:${s}`;
}

export function sourceName(it: Pick<Item, 'source' | 'adjudicated'>): string {
  return it.adjudicated ? 'adjudicated' : it.source === 'auto' ? 'proposal' : it.source;
}

/** "handwashing 12.30 s to 15.10 s, human, accepted" — what a screen reader says for a region. */
export function ariaLabel(it: Pick<Item, 'label' | 'startS' | 'endS' | 'source' | 'status' | 'adjudicated' | 'confidence' | 'annotatorName'>): string {
  const when = it.endS <= it.startS ? `at ${it.startS.toFixed(2)} s` : `${it.startS.toFixed(2)} s to ${it.endS.toFixed(2)} s`;
  const conf = it.source === 'auto' && it.confidence !== null ? `, confidence ${it.confidence.toFixed(2)}` : '';
  const who = it.annotatorName ? `, by ${it.annotatorName}` : '';
  return `${it.label} ${when}, ${sourceName(it)}, ${it.status}${conf}${who}`;
}

const PALETTE = ['#2f6fdf', '#d9480f', '#2b8a3e', '#ae3ec9', '#e67700', '#0c8599', '#c2255c', '#5c940d', '#364fc7', '#862e9c'];

/** The study label's colour, or a stable one from the palette for labels without one (or not in the study). */
export function labelColor(labels: readonly { name: string; color?: string }[], name: string): string {
  const i = labels.findIndex((l) => l.name === name);
  const c = i >= 0 ? labels[i]!.color : undefined;
  if (c && /^#[0-9a-f]{3,8}$|^[a-z]+$|^(rgb|hsl)a?\(/i.test(c)) return c;
  let h = i;
  if (h < 0) { h = 0; for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0; }
  return PALETTE[h % PALETTE.length]!;
}

/** Average advance of the chips' 11 px semibold text, px per character (measured on system-ui and Liberation Sans). */
const CHIP_CHAR_PX = 6.6;
/** The chip's padding and border, px. */
const CHIP_PAD_PX = 12;

/**
 * The chip text that fits in `px` (a region's width): whole, cut with an ellipsis, or nothing when not even two
 * characters fit. Cut here rather than by CSS `text-overflow`, which needs an overflow clip per chip: thousands
 * of clips make every frame of a pan re-layer the page.
 */
export function fitChip(text: string, px: number): string {
  const room = Math.floor((px - CHIP_PAD_PX) / CHIP_CHAR_PX);
  if (room >= text.length) return text;
  if (room < 2) return '';
  return `${text.slice(0, room - 1).trimEnd()}…`;
}
