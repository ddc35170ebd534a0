/**
 * The dataset card's plots (issue 13) as SVG text: the class balance and one example window per label. Pure
 * string building, rendered to PNG without a browser by `services/export/render-png.ts`.
 *
 * Deterministic: coordinates are rounded to 0.01 px and written by one formatter, ticks are built from integer
 * multiples of their step and printed with a fixed number of decimals, and nothing depends on locale, time or
 * map order. Labels and channel names are user text: every such string is XML-escaped, and characters XML 1.0
 * cannot hold (C0 controls, lone surrogates, U+FFFE/U+FFFF) or that would reorder or hide text (C1 controls,
 * bidirectional marks, embeddings, overrides, isolates, line separators, BOM) are shown as `U+XXXX`, so a label
 * can neither break the document nor disguise itself in the picture.
 *
 * Text is set in Liberation Sans (the font the renderer loads); its widths are estimated per character class
 * (no font metrics in pure code), enough to size columns and to cut long labels with an ellipsis.
 */
import { AppError } from '../lib/errors.js';

/** The font family every text element names; the renderer loads exactly this font. */
export const PLOT_FONT_FAMILY = 'Liberation Sans';

const WIDTH = 720;
const FONT_SIZE = 12;
const TITLE_SIZE = 15;
const MARGIN = 16;
const INK = '#222222';
const MUTED = '#666666';
const GRID = '#e3e3e3';
const FRAME = '#bbbbbb';
const BAR = '#4c78a8';
const OTHER_BAR = '#a0a0a0';
/** Channel colours (Tableau 10), repeated past ten channels. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** More labels than this are drawn as the largest `MAX_BARS - 1` and one bar summing the rest. */
export const MAX_BARS = 40;
/** Longest label text drawn beside a bar, in estimated pixels; longer labels end in `…`. */
const MAX_LABEL_PX = 220;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function isHiddenOrInvalid(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0xfffe || c === 0xffff || c === 0xfffd ||
    c === 0x061c || c === 0x200b || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) || c === 0x2028 || c === 0x2029 || c === 0xfeff;
}

/**
 * User text as SVG character data or attribute value: invisible, reordering and XML-invalid characters shown as
 * `U+XXXX` (a lone surrogate as `U+FFFD`), then `&`, `<`, `>`, `"` and `'` escaped.
 */
export function svgText(s: string): string {
  return escapeVisible(visibleText(s));
}

/** {@link svgText} before XML escaping: what the picture shows, used to estimate widths and to cut. */
function visibleText(s: string): string {
  let out = '';
  for (const ch of s.replace(LONE_SURROGATE, '\ufffd')) {
    const c = ch.codePointAt(0) as number;
    out += isHiddenOrInvalid(c) ? `U+${c.toString(16).toUpperCase().padStart(4, '0')}` : ch;
  }
  return out;
}

/** Estimated advance of one character of Liberation Sans, in em. */
function charEm(ch: string): number {
  const c = ch.codePointAt(0) as number;
  if (c >= 0x1100 && (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0x1f000 && c <= 0x1faff) || c >= 0x20000)) return 1;
  if ('iljtfrI.,:;|!\'()[] '.includes(ch)) return 0.3;
  if ('mwMW@%'.includes(ch)) return 0.85;
  if (ch >= 'A' && ch <= 'Z') return 0.68;
  return 0.56;
}

/** Estimated width of already visible text at `size` px. */
function textWidth(text: string, size: number): number {
  let em = 0;
  for (const ch of text) em += charEm(ch);
  return em * size;
}

/** Visible text cut to at most `maxPx` (estimated), ending in `…` when cut. */
function fitText(text: string, maxPx: number, size: number): string {
  if (textWidth(text, size) <= maxPx) return text;
  const budget = maxPx - textWidth('…', size);
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = charEm(ch) * size;
    if (used + w > budget) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/** XML-escaping of text that {@link visibleText} already made visible. */
function escapeVisible(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] as string);
}

/** A coordinate: rounded to 0.01 px, no `-0`, no exponent (plot coordinates are far below 1e21). */
function px(x: number): string {
  const r = Math.round(x * 100) / 100;
  return r === 0 ? '0' : String(r);
}

/** A number printed with fixed decimals (`-0.0` printed as `0.0`); exponent form at 1e6 and beyond. */
function fixed(v: number, decimals: number): string {
  if (Math.abs(v) >= 1e6) return v.toExponential(2);
  const s = v.toFixed(decimals);
  return /^-0(?:\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Evenly spaced round ticks (1, 2 or 5 × 10^k) covering `[lo, hi]`, about `target` of them. */
export function niceTicks(lo: number, hi: number, target: number): { step: number; decimals: number; values: number[] } {
  const raw = (hi - lo) / Math.max(1, target);
  if (!(raw > 0 && Number.isFinite(raw))) return { step: 1, decimals: 0, values: Number.isFinite(lo) ? [lo] : [] };
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw - 1e-12 * raw) ?? 10 * magnitude;
  const decimals = Math.min(20, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const values: number[] = [];
  for (let k = first; k <= last; k++) values.push(Number((k * step).toFixed(decimals)));
  return { step, decimals, values };
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${attrs ? ` ${attrs}` : ''}>${content}</text>`;
}

function svgDocument(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="${PLOT_FONT_FAMILY}" font-size="${FONT_SIZE}" fill="${INK}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function invalid(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('validation_failed', message, details);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A share to one decimal; a share that is not zero but would print as 0.0 prints as `< 0.1 %`. */
function percent(n: number, total: number): string {
  if (total <= 0) return '—';
  const share = (100 * n) / total;
  return n > 0 && share < 0.05 ? '< 0.1 %' : `${share.toFixed(1)} %`;
}

interface Bar { label: string; count: number; other: boolean }

/**
 * The class balance as a horizontal bar chart: one bar per label, sorted by count (largest first) then label
 * (code-unit order), each with its label on the left and `count (share %)` at its end, over a count axis with
 * gridlines. Past {@link MAX_BARS} labels the smallest are summed into one grey bar named for how many it holds.
 *
 * @param counts windows per label (whole numbers ≥ 0)
 * @param opts.title the heading drawn on top (default "Class balance")
 * @throws AppError `validation_failed` when a count is not a whole number ≥ 0
 */
export function classBalanceSvg(counts: Record<string, number>, opts: { title?: string } = {}): string {
  const entries = Object.entries(counts);
  for (const [label, n] of entries) {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw invalid(`Class balance: label "${label}" has ${n} windows; expected a whole number ≥ 0.`, { label, count: n });
    }
  }
  entries.sort(([a, na], [b, nb]) => nb - na || compareCodeUnits(a, b));
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  let bars: Bar[] = entries.map(([label, count]) => ({ label: visibleText(label), count, other: false }));
  if (bars.length > MAX_BARS) {
    const rest = bars.slice(MAX_BARS - 1);
    bars = [...bars.slice(0, MAX_BARS - 1), {
      label: `(${rest.length} more labels)`, count: rest.reduce((sum, b) => sum + b.count, 0), other: true,
    }];
  }

  const title = visibleText(opts.title ?? 'Class balance');
  const subtitle = `${total} windows, ${entries.length} ${entries.length === 1 ? 'label' : 'labels'}`;
  const rowH = 24;
  const barH = 16;
  const top = MARGIN + 44;
  const shown = bars.map((b) => fitText(b.label, MAX_LABEL_PX, FONT_SIZE));
  const labelW = Math.max(40, ...shown.map((l) => textWidth(l, FONT_SIZE)));
  const values = bars.map((b) => `${b.count} (${percent(b.count, total)})`);
  const valueW = Math.max(...values.map((v) => textWidth(v, FONT_SIZE)), 0) + 8;
  const x0 = MARGIN + labelW + 10;
  const x1 = WIDTH - MARGIN - valueW;
  const plotBottom = top + Math.max(1, bars.length) * rowH;
  const height = plotBottom + 44;

  const body: string[] = [
    text(MARGIN, MARGIN + TITLE_SIZE, escapeVisible(fitText(title, WIDTH - 2 * MARGIN, TITLE_SIZE)), `font-size="${TITLE_SIZE}" font-weight="bold"`),
    text(MARGIN, MARGIN + TITLE_SIZE + 18, escapeVisible(subtitle), `fill="${MUTED}"`),
  ];
  if (bars.length === 0) {
    body.push(text((x0 + x1) / 2, top + 16, 'No labelled windows.', `text-anchor="middle" fill="${MUTED}"`));
    return svgDocument(WIDTH, height, body);
  }

  const max = Math.max(1, ...bars.map((b) => b.count));
  const ticks = niceTicks(0, max, 5);
  const domainMax = Math.max(max, ticks.values.at(-1) ?? max);
  const scale = (n: number): number => x0 + ((x1 - x0) * n) / domainMax;
  for (const t of ticks.values) {
    const x = scale(t);
    body.push(`<line x1="${px(x)}" y1="${px(top - 4)}" x2="${px(x)}" y2="${px(plotBottom)}" stroke="${GRID}" stroke-width="1"/>`);
    body.push(text(x, plotBottom + 16, fixed(t, ticks.decimals), `text-anchor="middle" fill="${MUTED}"`));
  }
  body.push(`<line x1="${px(x0)}" y1="${px(plotBottom)}" x2="${px(x1)}" y2="${px(plotBottom)}" stroke="${FRAME}" stroke-width="1"/>`);
  body.push(text((x0 + x1) / 2, plotBottom + 34, 'Windows', `text-anchor="middle" fill="${MUTED}"`));

  bars.forEach((b, i) => {
    const y = top + i * rowH + (rowH - barH) / 2;
    const w = scale(b.count) - x0;
    const baseline = y + barH / 2 + FONT_SIZE * 0.35;
    const style = b.other ? ` fill="${MUTED}" font-style="italic"` : '';
    body.push(text(x0 - 8, baseline, escapeVisible(shown[i] as string), `text-anchor="end"${style}`));
    body.push(`<rect x="${px(x0)}" y="${px(y)}" width="${px(w)}" height="${barH}" fill="${b.other ? OTHER_BAR : BAR}"/>`);
    body.push(text(x0 + w + 6, baseline, escapeVisible(values[i] as string)));
  });
  return svgDocument(WIDTH, height, body);
}

/** One channel of an example window: its name and its samples (NaN or ±Infinity for missing samples). */
export interface PlotChannel { name: string; values: Float32Array }

/**
 * Points of one line in pixel space, broken at missing samples. Past two samples per pixel column the samples
 * of each column are reduced to their minimum and maximum, in the order they occur (the envelope uPlot and
 * wavesurfer.js draw), so a 16 kHz second of audio costs about as much as a 100 Hz accelerometer window.
 */
function linePath(
  values: Float32Array, xAt: (i: number) => number, yAt: (v: number) => number, plotW: number,
): { d: string; dots: [number, number][] } {
  const n = values.length;
  const parts: string[] = [];
  const dots: [number, number][] = [];
  let pen = false;
  let run = 0;
  let last: [number, number] = [0, 0];
  const emit = (x: number, y: number): void => {
    last = [x, y];
    parts.push(`${pen ? 'L' : 'M'}${px(x)} ${px(y)}`);
    pen = true;
    run++;
  };
  // A sample with missing neighbours on both sides has no line to be part of: it is drawn as a dot instead.
  const lift = (): void => {
    if (run === 1) {
      parts.pop();
      dots.push(last);
    }
    pen = false;
    run = 0;
  };
  if (n <= 2 * plotW) {
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      if (Number.isFinite(v)) emit(xAt(i), yAt(v));
      else lift();
    }
    lift();
    return { d: parts.join(''), dots };
  }
  const columns = Math.ceil(plotW);
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * n) / columns);
    const to = Math.floor(((c + 1) * n) / columns);
    let lo = -1;
    let hi = -1;
    for (let i = from; i < to; i++) {
      const v = values[i] as number;
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < (values[lo] as number)) lo = i;
      if (hi < 0 || v > (values[hi] as number)) hi = i;
    }
    if (lo < 0) { lift(); continue; }
    const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
    emit(xAt(a), yAt(values[a] as number));
    if (b !== a) emit(xAt(b), yAt(values[b] as number));
  }
  lift();
  return { d: parts.join(''), dots };
}

function finiteRange(values: Float32Array): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

function duration(seconds: number): string {
  return `${Number(seconds.toPrecision(6))} s`;
}

/**
 * One example window of a label: a small line plot per channel, stacked, sharing a time axis in seconds (0 at the
 * window's first sample, ending at `samples / rateHz`), each with its name, its own y range with round ticks and
 * gridlines. Missing samples (NaN, ±Infinity) break the line; a channel with none is marked "no samples".
 *
 * @param label the window's label (the title says it)
 * @param channels the channels in the order to draw them; lengths may differ (the axis spans the longest)
 * @param rateHz the sample rate of every channel
 * @throws AppError `validation_failed` for no channel or a rate that is not a positive finite number
 */
export function exampleWindowSvg(label: string, channels: PlotChannel[], rateHz: number): string {
  if (!(Number.isFinite(rateHz) && rateHz > 0)) {
    throw invalid(`Example window: the sample rate must be a positive number of Hz, not ${rateHz}.`, { rateHz });
  }
  if (channels.length === 0) throw invalid(`Example window for "${label}": no channel to plot.`);

  const samples = Math.max(...channels.map((c) => c.values.length));
  const seconds = Math.max(samples, 1) / rateHz;
  const panelH = 96;
  const gap = 36;
  const left = MARGIN + 56;
  const right = WIDTH - MARGIN;
  const plotW = right - left;
  const top = MARGIN + 44 + 24;
  const bottom = top + channels.length * panelH + (channels.length - 1) * gap;
  const height = bottom + 46;
  const xAt = (i: number): number => left + (plotW * i) / rateHz / seconds;
  const timeTicks = niceTicks(0, seconds, 8);
  const title = `Example window: ${visibleText(label)}`;
  const subtitle = `${channels.length} ${channels.length === 1 ? 'channel' : 'channels'}, ${samples} samples at ${Number(rateHz.toPrecision(6))} Hz (${duration(samples / rateHz)})`;

  const body: string[] = [
    text(MARGIN, MARGIN + TITLE_SIZE, escapeVisible(fitText(title, WIDTH - 2 * MARGIN, TITLE_SIZE)), `font-size="${TITLE_SIZE}" font-weight="bold"`),
    text(MARGIN, MARGIN + TITLE_SIZE + 18, escapeVisible(subtitle), `fill="${MUTED}"`),
  ];
  channels.forEach((ch, k) => {
    const y0 = top + k * (panelH + gap);
    const y1 = y0 + panelH;
    const colour = PALETTE[k % PALETTE.length] as string;
    body.push(text(left, y0 - 12, escapeVisible(fitText(visibleText(ch.name), plotW, FONT_SIZE)), 'font-weight="bold"'));
    for (const t of timeTicks.values) {
      const x = left + (plotW * t) / seconds;
      body.push(`<line x1="${px(x)}" y1="${px(y0)}" x2="${px(x)}" y2="${px(y1)}" stroke="${GRID}" stroke-width="1"/>`);
      if (k === channels.length - 1) body.push(text(x, y1 + 16, fixed(t, timeTicks.decimals), `text-anchor="middle" fill="${MUTED}"`));
    }
    const range = finiteRange(ch.values);
    if (range === null) {
      body.push(`<rect x="${px(left)}" y="${px(y0)}" width="${px(plotW)}" height="${panelH}" fill="none" stroke="${FRAME}"/>`);
      body.push(text(left + plotW / 2, y0 + panelH / 2 + 4, 'no samples', `text-anchor="middle" fill="${MUTED}"`));
      return;
    }
    let [lo, hi] = range;
    if (lo === hi) {
      const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
    // The range widened to whole ticks, so both edges of the panel are labelled.
    const { step } = niceTicks(lo, hi, 4);
    const yLo = Math.min(lo, Math.floor(lo / step + 1e-9) * step);
    const yHi = Math.max(hi, Math.ceil(hi / step - 1e-9) * step);
    const yTicks = niceTicks(yLo, yHi, Math.round((yHi - yLo) / step));
    const yAt = (v: number): number => y1 - (panelH * (v - yLo)) / (yHi - yLo);
    for (const t of yTicks.values) {
      const y = yAt(t);
      body.push(`<line x1="${px(left)}" y1="${px(y)}" x2="${px(right)}" y2="${px(y)}" stroke="${GRID}" stroke-width="1"/>`);
      body.push(text(left - 6, y + 4, fixed(t, yTicks.decimals), `text-anchor="end" fill="${MUTED}"`));
    }
    body.push(`<rect x="${px(left)}" y="${px(y0)}" width="${px(plotW)}" height="${panelH}" fill="none" stroke="${FRAME}"/>`);
    const { d, dots } = linePath(ch.values, xAt, yAt, plotW);
    if (d !== '') {
      body.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.25" stroke-linejoin="round" stroke-linecap="round"/>`);
    }
    for (const [x, y] of dots) body.push(`<circle cx="${px(x)}" cy="${px(y)}" r="2" fill="${colour}"/>`);
  });
  body.push(text(left + plotW / 2, bottom + 36, 'Time (s)', `text-anchor="middle" fill="${MUTED}"`));
  return svgDocument(WIDTH, height, body);
}
