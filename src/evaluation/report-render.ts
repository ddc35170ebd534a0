import type { BoundaryErrors, ClassAgreement } from './class-agreement.js';
import type { EvaluationReport, LabelReport } from './report.js';
import { reportSvg } from './report-svg.js';

export interface RenderOptions {
  title: string;
  /** Labels drawn in the bar chart and timeline at most (the Markdown lists all). */
  maxPlotLabels?: number;
}

export interface RenderedReport {
  markdown: string;
  svg: string;
}

/**
 * A number as the Markdown shows it: three decimals (the JSON keeps full precision, and rounding the JSON
 * value to three decimals gives the cell), `–` where the value is undefined.
 */
export function fmt(x: number | null, digits = 3): string {
  if (x === null) return '–';
  const r = Math.round(x * 10 ** digits) / 10 ** digits;
  return (Object.is(r, -0) ? 0 : r).toFixed(digits);
}

/** Text safe inside a Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** A confidence threshold: three significant digits, so 0.00012 does not read as 0. */
function threshold(x: number | null): string {
  return x === null ? '–' : String(Number(x.toPrecision(3)));
}

function row(values: readonly string[]): string {
  return `| ${values.join(' | ')} |`;
}

function seconds(x: number): string {
  return `${Math.round(x * 1000) / 1000} s`;
}

function labelRow(r: LabelReport): string {
  const f = r.frame;
  const e = r.event;
  return row([
    cell(r.label),
    String(r.support.referenceEvents),
    String(r.support.predictionEvents),
    fmt(f.precision),
    fmt(f.recall),
    fmt(f.f1),
    fmt(f.kappa),
    fmt(e.precision),
    fmt(e.recall),
    fmt(e.f1),
    fmt(e.falseAlarmsPerHour, 2),
    fmt(e.latency?.meanS ?? null),
    fmt(e.latency?.medianS ?? null),
    fmt(e.latency?.p90S ?? null),
  ]);
}

/** The column headers of the per-label table, in the order {@link labelRow} writes them. */
export const LABEL_TABLE_COLUMNS = [
  'label',
  'ref events',
  'pred events',
  'frame P',
  'frame R',
  'frame F1',
  'frame κ',
  'event P',
  'event R',
  'event F1',
  'false alarms/h',
  'latency mean (s)',
  'latency median (s)',
  'latency p90 (s)',
] as const;

function parameters(r: EvaluationReport): string {
  const p = r.params;
  const t = p.tolerance;
  const offset = t.offsetFraction === null ? 'onsets only' : `offsets within max(${t.onsetS} s, ${Math.round(t.offsetFraction * 100)} % of the reference duration)`;
  return [
    `Evaluated ${seconds(p.spanStartS)} – ${seconds(p.spanEndS)} (${fmt(p.hours, 4)} h) at ${p.frameS * 1000} ms frames (${p.frames} frames).`,
    `Events are matched one to one (${p.matching}) with an onset tolerance of ${t.onsetS} s, ${offset}.`,
  ].join(' ');
}

function perLabel(r: EvaluationReport): string[] {
  const o = r.overall;
  const dash = (n: number): string[] => new Array<string>(n).fill('');
  return [
    '## Per label',
    '',
    row([...LABEL_TABLE_COLUMNS]),
    row(LABEL_TABLE_COLUMNS.map(() => '---')),
    ...r.labels.map(labelRow),
    row(['**micro**', '', '', fmt(o.frame.micro.precision), fmt(o.frame.micro.recall), fmt(o.frame.micro.f1), '', fmt(o.event.micro.precision), fmt(o.event.micro.recall), fmt(o.event.micro.f1), fmt(o.event.falseAlarmsPerHour, 2), ...dash(3)]),
    row(['**macro**', '', '', fmt(o.frame.macro.precision), fmt(o.frame.macro.recall), fmt(o.frame.macro.f1), '', fmt(o.event.macro.precision), fmt(o.event.macro.recall), fmt(o.event.macro.f1), ...dash(4)]),
    '',
    `Frame kappa over all classes (labels and none): ${fmt(o.frameKappa)}. Latency is prediction onset − reference onset over matched events (positive: late).`,
  ];
}

function confusion(r: EvaluationReport): string[] {
  const c = r.confusion;
  const lines = [
    '## Confusion matrix (frames; rows: reference, columns: prediction)',
    '',
    row(['reference \\ prediction', ...c.classes.map(cell)]),
    row(['---', ...c.classes.map(() => '---:')]),
    ...c.classes.map((name, i) => row([cell(name), ...(c.counts[i] ?? []).map(String)])),
  ];
  if (c.overlapFrames.reference > 0 || c.overlapFrames.prediction > 0) {
    lines.push('', `Frames covered by more than one label count for the first label listed: ${c.overlapFrames.reference} reference and ${c.overlapFrames.prediction} predicted frames.`);
  }
  return lines;
}

function mapping(r: EvaluationReport): string {
  const entries = Object.entries(r.params.map ?? {});
  return entries.length === 0 ? '' : ` Labels mapped on both sides before scoring: ${entries.map(([a, b]) => `${cell(a)} → ${cell(b)}`).join(', ')}.`;
}

/** One sentence on the boundary errors. */
export function boundarySentence(b: BoundaryErrors): string {
  if (b.reference === 0) return 'The reference has no change between scored labels.';
  return [
    `${b.reference} reference boundaries between scored labels; ${b.matched} found within ${b.windowS} s (same direction), ${b.missed} missed; ${b.spurious} predicted boundaries match none.`,
    b.matched > 0 ? `Boundary error |predicted − reference|: mean ${fmt(b.meanAbsS, 2)} s, median ${fmt(b.medianAbsS, 2)} s, p90 ${fmt(b.p90AbsS, 2)} s, max ${fmt(b.maxAbsS, 2)} s; mean signed ${fmt(b.meanSignedS, 2)} s (positive: late).` : '',
  ].filter(Boolean).join(' ');
}

function classSection(c: ClassAgreement | undefined, labels: readonly string[]): string[] {
  if (c === undefined || c.byActivity.length === 0) return [];
  const cols = [...labels, 'none'];
  return [
    '## Agreement per reference label (activity)',
    '',
    `Frame agreement over the ${fmt(c.referenceS / 3600, 4)} h the reference labels: **${fmt(c.frameAgreement)}**.`,
    '',
    row(['reference label', 'scored as', 'reference (s)', 'agreement', ...cols.map((l) => `predicted ${cell(l)} (s)`)]),
    row(['---', '---', '---:', '---:', ...cols.map(() => '---:')]),
    ...c.byActivity.map((a) => row([cell(a.activity), cell(a.scoredAs), fmt(a.referenceS, 2), fmt(a.agreement), ...cols.map((l) => fmt(a.predictedS[l] ?? 0, 2))])),
    '',
    '## Boundaries',
    '',
    boundarySentence(c.boundaries),
  ];
}

/** One row per recording of a study evaluation: its name, length, class agreement and boundary errors. */
export interface RecordingRow {
  recording: string;
  durationS: number;
  classes: ClassAgreement;
}

/** The per-recording table the study evaluation appends to the Markdown. */
export function renderRecordings(rows: readonly RecordingRow[]): string {
  if (rows.length === 0) return '';
  return [
    '## Per recording',
    '',
    row(['recording', 'duration (s)', 'labelled (s)', 'agreement', 'boundaries', 'found', 'mean |error| (s)', 'max |error| (s)', 'spurious']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...rows.map((r) => {
      const b = r.classes.boundaries;
      return row([cell(r.recording), fmt(r.durationS, 2), fmt(r.classes.referenceS, 2), fmt(r.classes.frameAgreement), String(b.reference), String(b.matched), fmt(b.meanAbsS, 2), fmt(b.maxAbsS, 2), String(b.spurious)]);
    }),
  ].join('\n');
}

function thresholds(r: EvaluationReport): string[] {
  const swept = r.labels.filter((l) => l.operatingPoints.length > 1);
  if (swept.length === 0) return [];
  const targets = r.params.falseAlarmTargetsPerHour;
  const lines = [
    '## Confidence thresholds',
    '',
    row(['label', 'points', 'best F1', 'at threshold', ...targets.map((t) => `recall at ≤ ${t} FA/h (threshold)`)]),
    row(['---', '---:', '---:', '---:', ...targets.map(() => '---:')]),
  ];
  for (const l of swept) {
    const b = l.bestF1;
    lines.push(
      row([
        cell(l.label),
        String(l.operatingPoints.length),
        fmt(b?.f1 ?? null),
        threshold(b?.threshold ?? null),
        ...l.recallAtFalseAlarms.map((x) => (x.point === null ? '–' : `${fmt(x.point.recall)} (${threshold(x.point.threshold)})`)),
      ]),
    );
  }
  return lines;
}

/**
 * The report as a person reads it: a Markdown summary (parameters, per-label table with micro and macro rows,
 * confusion matrix, threshold sweep) whose numbers are the JSON's rounded to three decimals (false alarms per
 * hour to two, confidence thresholds to three significant digits), and a standalone SVG with per-label P/R/F1 bars and a reference-vs-prediction timeline.
 */
export function renderReport(report: EvaluationReport, options: RenderOptions): RenderedReport {
  const markdown = [`# ${options.title.replace(/[\r\n]+/g, ' ')}`, '', parameters(report) + mapping(report), '', ...perLabel(report), '', ...confusion(report), '', ...classSection(report.classes, report.params.labels), '', ...thresholds(report)]
    .join('\n')
    .trimEnd();
  return { markdown: `${markdown}\n`, svg: reportSvg(report, options.title, options.maxPlotLabels ?? 12) };
}
