import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LabeledInterval } from './intervals.js';
import { agreement, evaluate, renderReport, type EvaluationReport } from './report.js';
import { parseSegments } from './segments-format.js';

const iv = (label: string, startS: number, endS: number, confidence?: number): LabeledInterval =>
  confidence === undefined ? { label, startS, endS } : { label, startS, endS, confidence };

const countSegments = (): LabeledInterval[] =>
  parseSegments(readFileSync(fileURLToPath(new URL('../../test/fixtures/pyaudioanalysis-speech/count.segments', import.meta.url)), 'utf8'));
/** count.wav: 93,888 frames at 16 kHz (fixture README). */
const COUNT_WAV_S = 93_888 / 16_000;

/**
 * A tiny well-formedness check: one root, every tag closed in order, attributes quoted, no raw `<` or `&`
 * outside entities. Enough to catch the mistakes hand-written SVG makes.
 */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  for (const token of body.match(/<[^>]*>|[^<]+/g) ?? []) {
    if (!token.startsWith('<')) {
      if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(token)) problems.push(`bare & in text: ${token}`);
      if (stack.length === 0 && token.trim() !== '') problems.push(`text outside the root: ${token}`);
      continue;
    }
    const close = /^<\/([A-Za-z][\w:-]*)\s*>$/.exec(token);
    if (close !== null) {
      const open = stack.pop();
      if (open !== close[1]) problems.push(`</${close[1]}> closes <${open ?? 'nothing'}>`);
      continue;
    }
    const tag = /^<([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(token);
    if (tag === null) {
      problems.push(`malformed tag: ${token}`);
      continue;
    }
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(tag[2] ?? '')) problems.push(`bare & in attribute: ${token}`);
    const names = [...(tag[2] ?? '').matchAll(/([\w:-]+)="/g)].map((m) => m[1]);
    if (new Set(names).size !== names.length) problems.push(`repeated attribute: ${token}`);
    if (stack.length === 0) roots++;
    if (tag[3] !== '/') stack.push(tag[1] ?? '');
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

const r3 = (x: number | null): string => (x === null ? '–' : (Math.round(x * 1000) / 1000).toFixed(3));

describe('evaluate', () => {
  it('scores the hand example: one hit within tolerance, one miss, one false alarm in one hour', () => {
    const r = evaluate({ reference: [iv('x', 10, 12), iv('x', 30, 31)], prediction: [iv('x', 10.3, 12.5), iv('x', 50, 51)], durationS: 3600 });
    const x = r.labels[0];
    expect(x?.event).toMatchObject({ tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5, f1: 0.5, falseAlarmsPerHour: 1 });
    expect(x?.frame).toMatchObject({ tp: 170, fp: 150, fn: 130 });
    expect(x?.support).toMatchObject({ referenceEvents: 2, predictionEvents: 2, referenceS: 3 });
    expect(x?.support.predictionS).toBeCloseTo(3.2, 12);
    expect(r.params).toMatchObject({ frames: 360_000, hours: 1, labels: ['x'], tolerance: { onsetS: 0.5, offsetFraction: null } });
    expect(r.confusion.counts).toEqual([
      [170, 130],
      [150, 360_000 - 450],
    ]);
    expect(r.overall.event.falseAlarmsPerHour).toBe(1);
  });

  it('gives F1 = 1 and kappa = 1 for identical labellings', () => {
    const a = [iv('walk', 0, 30), iv('run', 40, 70), iv('walk', 80, 95), iv('tap', 100, 100)];
    const r = evaluate({ reference: a, prediction: a, durationS: 120 });
    for (const l of r.labels) {
      expect(l.event.f1).toBe(1);
      if (l.label !== 'tap') expect(l.frame).toMatchObject({ f1: 1, kappa: 1 });
    }
    expect(r.overall.frameKappa).toBe(1);
    expect(r.overall.event.micro.f1).toBe(1);
    expect(r.overall.frame.macro.f1).toBe(1);
  });

  it('gives F1 = 0 for disjoint labellings', () => {
    const r = evaluate({ reference: [iv('x', 0, 10), iv('x', 20, 30)], prediction: [iv('x', 10, 20), iv('x', 40, 50)], durationS: 60 });
    expect(r.labels[0]?.frame.f1).toBe(0);
    expect(r.labels[0]?.event.f1).toBe(0);
    expect(r.overall.frame.micro.f1).toBe(0);
  });

  it('scores count.segments against itself shifted by 0.2 s (frame F1 from the overlaps by hand)', () => {
    const ref = countSegments();
    const shifted = ref.map((s) => ({ ...s, startS: s.startS + 0.2, endS: s.endS + 0.2 }));
    const r = evaluate({ reference: ref, prediction: shifted, durationS: COUNT_WAV_S, labels: ['speech'] });
    // Speech: 10 segments, 4.12 s; shifted and cut at 5.868 s: 3.99 s. Overlap = Σ(duration − 0.2)
    // = 2.12 s plus Σ max(0, 0.2 − silence) into the next segment = 0.03 + 0.02 + 0.1 + 0.05 + 0.05 = 0.25 s.
    expect(r.params.frames).toBe(587);
    const s = r.labels[0];
    expect(s?.frame).toMatchObject({ tp: 237, fp: 162, fn: 175, tn: 587 - 237 - 162 - 175 });
    expect(s?.frame.precision).toBeCloseTo(237 / 399, 12);
    expect(s?.frame.recall).toBeCloseTo(237 / 412, 12);
    expect(s?.frame.f1).toBeCloseTo(474 / 811, 12);
    // Every onset is 0.2 s late: all ten match at 0.5 s tolerance, none at 0.1 s.
    expect(s?.event).toMatchObject({ tp: 10, fp: 0, fn: 0, f1: 1 });
    expect(s?.event.latency?.medianS).toBeCloseTo(0.2, 9);
    const tight = evaluate({ reference: ref, prediction: shifted, durationS: COUNT_WAV_S, labels: ['speech'], tolerance: 0.1 });
    expect(tight.labels[0]?.event).toMatchObject({ tp: 0, fp: 10, fn: 10, f1: 0 });
    expect(tight.labels[0]?.event.falseAlarmsPerHour).toBeCloseTo(10 / (COUNT_WAV_S / 3600), 9);
  });

  it('evaluates both count.segments labels with silence and none in the confusion matrix', () => {
    const ref = countSegments();
    const r = evaluate({ reference: ref, prediction: ref, durationS: COUNT_WAV_S });
    expect(r.confusion.classes).toEqual(['silence', 'speech', 'none']);
    // 5.8 s labelled, 5.80–5.868 s (7 frames) unlabelled.
    expect(r.confusion.counts).toEqual([
      [168, 0, 0],
      [0, 412, 0],
      [0, 0, 7],
    ]);
    expect(r.overall.frameKappa).toBe(1);
  });

  it('is plain JSON and runs 24 h at 10 ms frames from interval boundaries', () => {
    // One 10 s event a minute for 24 h; the prediction starts and ends 0.25 s late.
    const ref: LabeledInterval[] = [];
    const pred: LabeledInterval[] = [];
    for (let k = 0; k < 1440; k++) {
      ref.push(iv('gesture', k * 60, k * 60 + 10));
      pred.push(iv('gesture', k * 60 + 0.25, k * 60 + 10.25, (k % 10) / 10 + 0.05));
    }
    const r = evaluate({ reference: ref, prediction: pred, durationS: 86_400 });
    expect(r.params.frames).toBe(8_640_000);
    expect(r.labels[0]?.frame).toMatchObject({ tp: 1440 * 975, fp: 1440 * 25, fn: 1440 * 25 });
    expect(r.labels[0]?.event).toMatchObject({ tp: 1440, fp: 0 });
    expect(r.labels[0]?.event.latency?.p90S).toBeCloseTo(0.25, 9);
    expect(r.labels[0]?.operatingPoints).toHaveLength(10);
    expect(r.timeline.reference).toHaveLength(10);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe('renderReport', () => {
  const report: EvaluationReport = evaluate({
    reference: [iv('speech', 1, 3), iv('speech', 5, 8), iv('a<b&"c"', 2, 4), iv('tap', 9, 9)],
    prediction: [iv('speech', 1.2, 3.1, 0.9), iv('speech', 6, 7, 0.4), iv('speech', 10, 11, 0.6), iv('a<b&"c"', 2.1, 4), iv('tap', 9.2, 9.2)],
    durationS: 20,
  });
  const { markdown, svg } = renderReport(report, { title: 'Speech detector v1 vs human & import' });

  it('writes Markdown whose per-label numbers are the JSON rounded to three decimals', () => {
    // The first table is the per-label one; later tables reuse label names as row heads.
    const rows = new Map<string, string[]>();
    for (const line of markdown.split('\n').filter((l) => l.startsWith('| '))) {
      const cells = line.slice(2, -2).split(' | ');
      if (!rows.has(cells[0] ?? '')) rows.set(cells[0] ?? '', cells);
    }
    for (const l of report.labels) {
      const cells = rows.get(l.label.replace(/\|/g, '\\|'));
      expect(cells, l.label).toBeDefined();
      expect(cells?.slice(1, 3)).toEqual([String(l.support.referenceEvents), String(l.support.predictionEvents)]);
      expect(cells?.slice(3, 10)).toEqual([l.frame.precision, l.frame.recall, l.frame.f1, l.frame.kappa, l.event.precision, l.event.recall, l.event.f1].map(r3));
      const fa = l.event.falseAlarmsPerHour;
      expect(cells?.[10]).toBe(fa === null ? '–' : (Math.round(fa * 100) / 100).toFixed(2));
      expect(cells?.[11]).toBe(r3(l.event.latency?.meanS ?? null));
    }
    const micro = rows.get('**micro**');
    expect(micro?.[5]).toBe(r3(report.overall.frame.micro.f1));
    expect(micro?.[9]).toBe(r3(report.overall.event.micro.f1));
    expect(markdown).toContain(`Frame kappa over all classes (labels and none): ${r3(report.overall.frameKappa)}.`);
    const speech = report.labels.find((l) => l.label === 'speech');
    expect(markdown).toContain(`| speech | ${speech?.operatingPoints.length} | ${r3(speech?.bestF1?.f1 ?? null)} |`);
  });

  it('writes well-formed SVG with the labels escaped', () => {
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('a&lt;b&amp;&quot;c&quot;');
    expect(svg).toContain('Speech detector v1 vs human &amp; import');
    expect(xmlProblems('<svg><g></svg>')).not.toEqual([]);
    expect(xmlProblems('<svg><text x="1" x="2">a</text></svg>')).not.toEqual([]);
  });
});

describe('empty inputs', () => {
  it('evaluates and renders nothing to compare without NaN and with well-formed SVG', () => {
    for (const durationS of [0, 60]) {
      const r = evaluate({ reference: [], prediction: [], durationS });
      expect(r.labels).toEqual([]);
      expect(r.overall.frame.micro.f1).toBeNull();
      expect(JSON.parse(JSON.stringify(r))).toEqual(r);
      const out = renderReport(r, { title: 'empty' });
      expect(xmlProblems(out.svg)).toEqual([]);
      expect(out.svg).not.toContain('NaN');
      expect(out.markdown).not.toContain('NaN');
    }
  });
});

describe('agreement', () => {
  it('gives kappa 1 and event F1 1 for identical annotators', () => {
    const a = countSegments();
    const r = agreement({ a, b: a, durationS: COUNT_WAV_S, frameS: 0.01, tolerance: 0.5 });
    expect(r.frameKappa).toBe(1);
    expect(r.eventF1).toBe(1);
    expect(r.labels.map((l) => l.frameKappa)).toEqual([1, 1]);
  });

  it('matches a hand computation for two annotators of a 10 s clip (1 s frames)', () => {
    // a: speech 0–4, 6–8; b: speech 1–4, 8–9. Frames: both 3, a only 3, b only 1, neither 3.
    const r = agreement({ a: [iv('speech', 0, 4), iv('speech', 6, 8)], b: [iv('speech', 1, 4), iv('speech', 8, 9)], durationS: 10, frameS: 1, tolerance: 1 });
    const po = 0.6;
    const pe = 0.6 * 0.4 + 0.4 * 0.6;
    expect(r.frameKappa).toBeCloseTo((po - pe) / (1 - pe), 12);
    expect(r.labels[0]).toMatchObject({ aEvents: 2, bEvents: 2, matchedEvents: 1, eventF1: 0.5 });
    expect(r.labels[0]?.frameF1).toBeCloseTo(6 / 10, 12);
  });
});
