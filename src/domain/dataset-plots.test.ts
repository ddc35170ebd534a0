import { describe, expect, it } from 'vitest';
import { AppError } from '../lib/errors.js';
import { classBalanceSvg, exampleWindowSvg, MAX_BARS, niceTicks, svgText } from './dataset-plots.js';

const HOSTILE = ['=HYPERLINK("http://x","y")', '<script>alert(1)</script>', `it's "quoted" & <b>`, 'evil\u202Evsc.exe', 'bell\u0007', 'lone\ud800', '🚲 cycling', 'עברית\u200F'];

/** The tags of an SVG document, and what is left once they are taken out (text content only). */
function parse(svg: string): { tags: { name: string; attrs: Record<string, string> }[]; rest: string } {
  const tags: { name: string; attrs: Record<string, string> }[] = [];
  const rest = svg.replace(/<\/?([a-z]+)((?:\s+[a-z][a-zA-Z0-9-]*="[^"<>]*")*)\s*\/?>/g, (_, name: string, attrs: string) => {
    tags.push({ name, attrs: Object.fromEntries([...attrs.matchAll(/([a-z][a-zA-Z0-9-]*)="([^"]*)"/g)].map((m) => [m[1], m[2]])) });
    return '';
  });
  return { tags, rest };
}

/** The document is made only of our own elements, and its text holds no markup and only the five entities. */
function wellFormed(svg: string): boolean {
  const { tags, rest } = parse(svg);
  const known = new Set(['svg', 'rect', 'line', 'text', 'path', 'circle']);
  return tags.every((t) => known.has(t.name)) && !/[<>]/.test(rest) &&
    !/&(?!(?:amp|lt|gt|quot|apos);)/.test(rest) && [...svg].every(xmlChar);
}

/** A character XML 1.0 allows (`Char`), taken by code point: a lone surrogate is not one. */
function xmlChar(ch: string): boolean {
  const c = ch.codePointAt(0) as number;
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;
}

/** Characters that would reorder or hide text, or ring a terminal's bell. */
function hasHidden(s: string): boolean {
  return [...s].some((ch) => [0x7, 0x200f, 0x202e].includes(ch.codePointAt(0) as number));
}

function unescape(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] as string);
}

/** The contents of every `<text>` element, unescaped, in document order. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => unescape(m[1] as string));
}

describe('svgText', () => {
  it('escapes markup and shows hidden, reordering and XML-invalid characters as code points', () => {
    expect(svgText(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
    expect(svgText('evil\u202Evsc.exe')).toBe('evilU+202Evsc.exe');
    expect(svgText('\u0000\u0007\t\n\u0085\u200F\u2028\ufeff')).toBe('U+0000U+0007U+0009U+000AU+0085U+200FU+2028U+FEFF');
    expect(svgText('lone\ud800 and \udc00')).toBe('loneU+FFFD and U+FFFD');
    expect(svgText('🚲 ünïcödé עברית')).toBe('🚲 ünïcödé עברית');
  });
});

describe('niceTicks', () => {
  it('gives round steps and exact decimal values', () => {
    expect(niceTicks(0, 1200, 5)).toEqual({ step: 500, decimals: 0, values: [0, 500, 1000] });
    expect(niceTicks(0, 0.3, 3)).toEqual({ step: 0.1, decimals: 1, values: [0, 0.1, 0.2, 0.3] });
    expect(niceTicks(-1.28, -0.68, 4)).toEqual({ step: 0.2, decimals: 1, values: [-1.2, -1, -0.8] });
    expect(niceTicks(0, 10, 8).values).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(5, 5, 4).values).toEqual([5]);
  });
});

describe('classBalanceSvg', () => {
  const counts = { walk: 1200, sit: 830, stand: 410, run: 95, bike: 95, stairs: 0 };

  it('draws one bar per label, largest first then by label, with count and share at each bar', () => {
    const svg = classBalanceSvg(counts, { title: 'Walk study' });
    const t = texts(svg);
    expect(t[0]).toBe('Walk study');
    expect(t[1]).toBe('2630 windows, 6 labels');
    const labels = ['walk', 'sit', 'stand', 'bike', 'run', 'stairs'];
    expect(t.filter((s) => labels.includes(s))).toEqual(labels);
    for (const v of ['1200 (45.6 %)', '830 (31.6 %)', '410 (15.6 %)', '95 (3.6 %)', '0 (0.0 %)']) expect(t).toContain(v);
    expect(t.filter((s) => s === '95 (3.6 %)')).toHaveLength(2);
    // Bar lengths are proportional to the counts.
    const bars = parse(svg).tags.filter((x) => x.name === 'rect' && x.attrs.fill === '#4c78a8').map((x) => Number(x.attrs.width));
    expect(bars).toHaveLength(6);
    expect(bars[1]! / bars[0]!).toBeCloseTo(830 / 1200, 3);
    expect(bars[2]! / bars[0]!).toBeCloseTo(410 / 1200, 3);
    expect(bars[5]).toBe(0);
    expect(t).toEqual(expect.arrayContaining(['0', '500', '1000', 'Windows']));
    expect(wellFormed(svg)).toBe(true);
    // A share that is not zero never prints as zero.
    expect(texts(classBalanceSvg({ a: 9999, b: 1, c: 0 }))).toEqual(expect.arrayContaining(['9999 (100.0 %)', '1 (< 0.1 %)', '0 (0.0 %)']));
  });

  it('escapes every label and keeps the document well formed', () => {
    const svg = classBalanceSvg(Object.fromEntries(HOSTILE.map((l, i) => [l, i + 1])), { title: '<title>"x"' });
    expect(wellFormed(svg)).toBe(true);
    expect(svg).not.toContain('<script>');
    expect(hasHidden(svg)).toBe(false);
    const t = texts(svg);
    expect(t[0]).toBe('<title>"x"');
    for (const label of ['=HYPERLINK("http://x","y")', '<script>alert(1)</script>', `it's "quoted" & <b>`, 'evilU+202Evsc.exe', 'bellU+0007', 'loneU+FFFD', '🚲 cycling', 'עבריתU+200F']) {
      expect(t).toContain(label);
    }
  });

  it('cuts a long label with an ellipsis', () => {
    const long = 'a very long label name '.repeat(10);
    const t = texts(classBalanceSvg({ [long]: 3 }));
    const shown = t.find((s) => s.startsWith('a very long'));
    expect(shown).toMatch(/…$/);
    expect(shown!.length).toBeLessThan(60);
  });

  it('is deterministic whatever order the counts were filled in', () => {
    const reversed = Object.fromEntries(Object.entries(counts).reverse());
    expect(classBalanceSvg(reversed)).toBe(classBalanceSvg(counts));
  });

  it(`sums the smallest labels into one bar past ${MAX_BARS} labels`, () => {
    const many = Object.fromEntries(Array.from({ length: MAX_BARS + 5 }, (_, i) => [`label-${String(i).padStart(2, '0')}`, 100 - i]));
    const svg = classBalanceSvg(many);
    const t = texts(svg);
    expect(t.filter((s) => s.startsWith('label-'))).toHaveLength(MAX_BARS - 1);
    expect(t).toContain('label-38');
    expect(t).not.toContain('label-39');
    // labels 39..44 hold 61 + 60 + … + 56 windows.
    expect(t).toContain('(6 more labels)');
    const total = Object.values(many).reduce((a, b) => a + b, 0);
    expect(t).toContain(`351 (${((100 * 351) / total).toFixed(1)} %)`);
    expect(parse(svg).tags.filter((x) => x.name === 'rect' && x.attrs.height === '16')).toHaveLength(MAX_BARS);
  });

  it('says so when there is no label, and rejects counts that are not whole numbers', () => {
    const empty = classBalanceSvg({});
    expect(texts(empty)).toContain('No labelled windows.');
    expect(texts(empty)).toContain('0 windows, 0 labels');
    for (const bad of [-1, 1.5, Number.NaN, Infinity]) {
      let error: unknown;
      try { classBalanceSvg({ walk: 3, odd: bad }); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('validation_failed');
      expect((error as AppError).message).toContain(`label "odd" has ${bad} windows`);
    }
  });
});

describe('exampleWindowSvg', () => {
  /** Plot geometry (see exampleWindowSvg): the first panel spans x 72..704, y 84..180; later panels 132 px apart. */
  const LEFT = 72;
  const PLOT_W = 632;

  function paths(svg: string): string[] {
    return parse(svg).tags.filter((x) => x.name === 'path').map((x) => x.attrs.d as string);
  }

  it('puts each sample at its time and value', () => {
    const svg = exampleWindowSvg('walk', [{ name: 'acc_x', values: Float32Array.of(-1, 1) }], 1);
    // 2 samples at 1 Hz: a 2 s axis; sample 1 at 1 s, half way; -1 and 1 at the bottom and top of the panel.
    expect(paths(svg)).toEqual([`M${LEFT} 180L${LEFT + PLOT_W / 2} 84`]);
    const t = texts(svg);
    expect(t[0]).toBe('Example window: walk');
    expect(t[1]).toBe('1 channel, 2 samples at 1 Hz (2 s)');
    expect(t).toEqual(expect.arrayContaining(['acc_x', '-1.0', '-0.5', '0.0', '0.5', '1.0', 'Time (s)']));
    expect(wellFormed(svg)).toBe(true);
  });

  it('stacks one panel per channel on a shared time axis in seconds, breaking lines at missing samples', () => {
    const n = 500;
    const wave = Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 1.8 * i) / 50));
    const gappy = wave.map((v, i) => (i >= 200 && i < 250 ? Number.NaN : v));
    const svg = exampleWindowSvg('walk', [
      { name: 'acc_x', values: wave }, { name: 'acc_y', values: gappy }, { name: 'acc_z', values: new Float32Array(n).fill(0.02) },
    ], 50);
    const t = texts(svg);
    expect(t[1]).toBe('3 channels, 500 samples at 50 Hz (10 s)');
    // Time ticks only under the last panel.
    for (const s of ['0', '2', '4', '6', '8', '10']) expect(t.filter((x) => x === s)).toHaveLength(1);
    expect(t.slice(2).filter((x) => ['acc_x', 'acc_y', 'acc_z'].includes(x))).toEqual(['acc_x', 'acc_y', 'acc_z']);
    // A constant channel gets a range around its value.
    expect(t).toEqual(expect.arrayContaining(['0.017', '0.020', '0.022']));
    const [x, y, z] = paths(svg);
    expect(x!.match(/M/g)).toHaveLength(1);
    expect(x!.match(/L/g)).toHaveLength(n - 1);
    expect(y!.match(/M/g)).toHaveLength(2);
    // The line picks up again at sample 250, at 5 s: the middle of the axis.
    expect(y).toContain(`M${LEFT + PLOT_W / 2} `);
    expect(z).toMatch(/^M72 (\d+(?:\.\d+)?)(?:L[\d.]+ \1)+$/);
    expect(wellFormed(svg)).toBe(true);
  });

  it('reduces long signals to a min/max envelope per pixel column', () => {
    const n = 16000;
    const audio = Float32Array.from({ length: n }, (_, i) => Math.sin(i / 3));
    audio[8000] = 6;
    const [d] = paths(exampleWindowSvg('speech', [{ name: 'audio', values: audio }], 16000));
    const points = d!.split(/[ML]/).filter(Boolean);
    expect(points.length).toBeLessThanOrEqual(2 * PLOT_W);
    expect(points.length).toBeGreaterThan(PLOT_W);
    // The spike survives the reduction: it is the top of the panel (the range is -2..6 in ticks of 2).
    expect(points.filter((p) => p.endsWith(' 84'))).toHaveLength(1);
  });

  it('draws a lone sample as a dot and marks a channel without samples', () => {
    // Samples 1 and 4 have no neighbour; 2..3 make a line.
    const lone = Float32Array.of(Number.NaN, 1, Number.NaN, 2, 3, Number.NaN, 2.5, Number.NaN);
    const svg = exampleWindowSvg('x', [{ name: 'a', values: lone }, { name: 'b', values: Float32Array.of(Number.NaN, Infinity) }], 2);
    // 8 samples at 2 Hz: 4 s over 632 px, 79 px per sample; values 1..3 over the panel's 96 px.
    expect(paths(svg)).toEqual([`M${LEFT + 3 * 79} 132L${LEFT + 4 * 79} 84`]);
    const dots = parse(svg).tags.filter((x) => x.name === 'circle').map((x) => [Number(x.attrs.cx), Number(x.attrs.cy)]);
    expect(dots).toEqual([[LEFT + 79, 180], [LEFT + 6 * 79, 108]]);
    expect(texts(svg)).toContain('no samples');
  });

  it('escapes the label and channel names', () => {
    const svg = exampleWindowSvg(HOSTILE[1]!, HOSTILE.map((name) => ({ name, values: Float32Array.of(0, 1) })), 10);
    expect(wellFormed(svg)).toBe(true);
    expect(svg).not.toContain('<script>');
    const t = texts(svg);
    expect(t[0]).toBe('Example window: <script>alert(1)</script>');
    expect(t).toContain(`it's "quoted" & <b>`);
    expect(t).toContain('evilU+202Evsc.exe');
  });

  it('is deterministic and rejects a bad rate or no channel', () => {
    const channels = [{ name: 'a', values: Float32Array.from({ length: 300 }, (_, i) => Math.cos(i / 7)) }];
    expect(exampleWindowSvg('w', channels, 100)).toBe(exampleWindowSvg('w', channels, 100));
    for (const rate of [0, -5, Number.NaN, Infinity]) {
      expect(() => exampleWindowSvg('w', channels, rate)).toThrow(/sample rate must be a positive number/);
    }
    expect(() => exampleWindowSvg('w', [], 100)).toThrow(AppError);
    expect(() => exampleWindowSvg('w', [], 100)).toThrow(/no channel to plot/);
  });
});
