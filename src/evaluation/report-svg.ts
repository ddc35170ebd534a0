import type { LabeledInterval } from './intervals.js';
import type { EvaluationReport } from './report.js';

/**
 * Hand-written SVG for the evaluation report: no browser or canvas, so it renders the same in a CLI, a CI
 * artefact or the console. Geometry is plain arithmetic on the report's numbers.
 */

const WIDTH = 960;
const MARGIN = 48;
const BAR_H = 200;
const ROW_H = 14;
const FONT = 'font-family="system-ui, sans-serif"';
/** Frame P/R/F1 in solid colours, event P/R/F1 in the same hues, lighter. */
const SERIES = [
  { key: 'frame P', color: '#1f77b4' },
  { key: 'frame R', color: '#2ca02c' },
  { key: 'frame F1', color: '#d62728' },
  { key: 'event P', color: '#aec7e8' },
  { key: 'event R', color: '#98df8a' },
  { key: 'event F1', color: '#ff9896' },
] as const;

/** Escapes text and attribute values for XML. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

function n(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

function text(x: number, y: number, s: string, extra = '', size = 11): string {
  return `<text x="${n(x)}" y="${n(y)}" ${FONT} font-size="${size}"${extra === '' ? '' : ` ${extra}`}>${xmlEscape(s)}</text>`;
}

function short(label: string, max = 14): string {
  return label.length <= max ? label : `${label.slice(0, max - 1)}…`;
}

/** A round step for about `count` ticks over `span` (1, 2 or 5 × 10^k). */
function tickStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function bars(report: EvaluationReport, labels: string[], top: number): string[] {
  const out: string[] = [];
  const left = MARGIN;
  const plotW = WIDTH - 2 * MARGIN;
  const bottom = top + BAR_H;
  out.push(text(left, top - 8, 'Per-label precision, recall and F1 (frames solid, events light)', 'font-weight="bold"'));
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    const y = bottom - v * BAR_H;
    out.push(`<line x1="${left}" y1="${n(y)}" x2="${left + plotW}" y2="${n(y)}" stroke="#ddd"/>`);
    out.push(text(left - 6, y + 4, v.toFixed(2), 'text-anchor="end"'));
  }
  const groupW = plotW / Math.max(1, labels.length);
  const barW = Math.min(18, (groupW * 0.8) / SERIES.length);
  labels.forEach((label, g) => {
    const r = report.labels.find((l) => l.label === label);
    if (r === undefined) return;
    const values = [r.frame.precision, r.frame.recall, r.frame.f1, r.event.precision, r.event.recall, r.event.f1];
    const x0 = left + g * groupW + (groupW - barW * SERIES.length) / 2;
    values.forEach((v, k) => {
      const s = SERIES[k];
      if (s === undefined) return;
      const x = x0 + k * barW;
      if (v === null) {
        out.push(text(x + barW / 2, bottom - 3, '–', 'text-anchor="middle" fill="#666"'));
        return;
      }
      // A zero still gets a visible 1.5 px sliver, so "scored 0" differs from "undefined".
      const h = Math.max(1.5, v * BAR_H);
      out.push(`<rect x="${n(x)}" y="${n(bottom - h)}" width="${n(barW - 1)}" height="${n(h)}" fill="${s.color}"><title>${xmlEscape(`${label} ${s.key}: ${v.toFixed(3)}`)}</title></rect>`);
      if (s.key.endsWith('F1')) out.push(text(x + barW / 2, bottom - h - 3, v.toFixed(2), 'text-anchor="middle"', 9));
    });
    out.push(text(left + g * groupW + groupW / 2, bottom + 14, short(label), 'text-anchor="middle"'));
  });
  out.push(`<line x1="${left}" y1="${bottom}" x2="${left + plotW}" y2="${bottom}" stroke="#333"/>`);
  SERIES.forEach((s, k) => {
    const x = left + k * 110;
    out.push(`<rect x="${x}" y="${bottom + 24}" width="10" height="10" fill="${s.color}"/>`);
    out.push(text(x + 14, bottom + 33, s.key));
  });
  return out;
}

function strip(list: readonly LabeledInterval[], label: string, y: number, x: (t: number) => number, color: string): string[] {
  const out: string[] = [];
  for (const iv of list) {
    if (iv.label !== label) continue;
    const x0 = x(iv.startS);
    if (iv.endS === iv.startS) {
      out.push(`<line x1="${n(x0)}" y1="${n(y)}" x2="${n(x0)}" y2="${n(y + ROW_H - 2)}" stroke="${color}" stroke-width="2"/>`);
    } else {
      out.push(`<rect x="${n(x0)}" y="${n(y)}" width="${n(Math.max(1, x(iv.endS) - x0))}" height="${ROW_H - 2}" fill="${color}"/>`);
    }
  }
  return out;
}

function timeline(report: EvaluationReport, labels: string[], top: number): { parts: string[]; height: number } {
  const t = report.timeline;
  const left = MARGIN + 90;
  const plotW = WIDTH - MARGIN - left;
  const span = Math.max(t.endS - t.startS, 1e-9);
  const x = (s: number): number => left + ((Math.min(Math.max(s, t.startS), t.endS) - t.startS) / span) * plotW;
  const minutes = (t.endS - t.startS) / 60;
  const title = `Timeline, first ${minutes >= 1 ? `${Math.round(minutes * 10) / 10} min` : `${Math.round((t.endS - t.startS) * 100) / 100} s`}: reference (dark) vs prediction (pink)${t.truncated ? ', truncated' : ''}`;
  const parts = [text(MARGIN, top - 8, title, 'font-weight="bold"')];
  let y = top;
  for (const label of labels) {
    parts.push(text(left - 6, y + ROW_H - 3, `${short(label, 10)} ref`, 'text-anchor="end"'));
    parts.push(`<rect x="${left}" y="${y}" width="${n(plotW)}" height="${ROW_H - 2}" fill="#f4f4f4"/>`);
    parts.push(...strip(t.reference, label, y, x, '#333'));
    y += ROW_H;
    parts.push(text(left - 6, y + ROW_H - 3, 'pred', 'text-anchor="end"'));
    parts.push(`<rect x="${left}" y="${y}" width="${n(plotW)}" height="${ROW_H - 2}" fill="#f4f4f4"/>`);
    parts.push(...strip(t.prediction, label, y, x, '#e377c2'));
    y += ROW_H + 6;
  }
  const step = t.endS > t.startS ? tickStep(t.endS - t.startS, 8) : Infinity;
  for (let k = Number.isFinite(step) ? Math.ceil(t.startS / step) * step : Infinity; k <= t.endS + 1e-9; k += step) {
    const px = x(k);
    parts.push(`<line x1="${n(px)}" y1="${y}" x2="${n(px)}" y2="${y + 4}" stroke="#333"/>`);
    parts.push(text(px, y + 16, `${Math.round(k * 1000) / 1000} s`, 'text-anchor="middle"'));
  }
  return { parts, height: y + 24 - top };
}

/** The whole SVG document for a report. */
export function reportSvg(report: EvaluationReport, title: string, maxLabels: number): string {
  const all = report.labels.map((l) => l.label);
  const labels = all.slice(0, Math.max(1, maxLabels));
  const parts: string[] = [text(MARGIN, 24, title, 'font-weight="bold"', 16)];
  if (all.length > labels.length) parts.push(text(WIDTH - MARGIN, 24, `showing ${labels.length} of ${all.length} labels`, 'text-anchor="end" fill="#666"'));
  const barsTop = 60;
  parts.push(...bars(report, labels, barsTop));
  const tl = timeline(report, labels, barsTop + BAR_H + 80);
  parts.push(...tl.parts);
  const height = Math.ceil(barsTop + BAR_H + 80 + tl.height + 10);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    `</svg>`,
    '',
  ].join('\n');
}
