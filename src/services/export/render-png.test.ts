import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { classBalanceSvg, exampleWindowSvg } from '../../domain/dataset-plots.js';
import { AppError } from '../../lib/errors.js';
import { PLOT_FONT_FILES, svgToPng } from './render-png.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface Decoded { width: number; height: number; bitDepth: number; colourType: number; rgba: Uint8Array }

/** A PNG decoded with node:zlib: chunks walked, IDAT inflated, each row's filter undone (RFC 2083 §6). */
function decode(png: Uint8Array): Decoded {
  expect([...png.subarray(0, 8)]).toEqual(SIGNATURE);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let offset = 8;
  let ihdr: DataView | null = null;
  const idat: Uint8Array[] = [];
  while (offset < png.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') ihdr = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  if (ihdr === null) throw new Error('no IHDR');
  const width = ihdr.getUint32(0);
  const height = ihdr.getUint32(4);
  const bitDepth = ihdr.getUint8(8);
  const colourType = ihdr.getUint8(9);
  expect({ bitDepth, colourType, interlace: ihdr.getUint8(12) }).toEqual({ bitDepth: 8, colourType: 6, interlace: 0 });
  const raw = inflateSync(Buffer.concat(idat));
  const bpp = 4;
  const stride = width * bpp;
  expect(raw.length).toBe(height * (stride + 1));
  const rgba = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number;
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x] as number;
      const a = x >= bpp ? (rgba[y * stride + x - bpp] as number) : 0;
      const b = y > 0 ? (rgba[(y - 1) * stride + x] as number) : 0;
      const c = x >= bpp && y > 0 ? (rgba[(y - 1) * stride + x - bpp] as number) : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else expect(filter).toBe(0);
      rgba[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return { width, height, bitDepth, colourType, rgba };
}

function pixel(d: Decoded, x: number, y: number): [number, number, number, number] {
  const i = (Math.round(y) * d.width + Math.round(x)) * 4;
  return [d.rgba[i], d.rgba[i + 1], d.rgba[i + 2], d.rgba[i + 3]] as [number, number, number, number];
}

/** Pixels in the rectangle that are clearly not white. */
function inked(d: Decoded, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const [r, g, b] = pixel(d, x, y);
      if (r + g + b < 3 * 200) n++;
    }
  }
  return n;
}

function firstBar(svg: string): { x: number; y: number; width: number; height: number } {
  const m = /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="(\d+)" fill="#4c78a8"\/>/.exec(svg);
  if (m === null) throw new Error('no bar');
  return { x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
}

const COUNTS = { walk: 1200, sit: 830, stand: 410, run: 95 };

describe('svgToPng', () => {
  it('renders the class balance at the SVG size, with its bars and its text', () => {
    const svg = classBalanceSvg(COUNTS, { title: 'Walk study' });
    const height = Number(/height="(\d+)"/.exec(svg)?.[1]);
    const d = decode(svgToPng(svg));
    expect([d.width, d.height]).toEqual([720, height]);
    expect(pixel(d, 2, 2)).toEqual([255, 255, 255, 255]);
    const bar = firstBar(svg);
    expect(pixel(d, bar.x + bar.width / 2, bar.y + bar.height / 2)).toEqual([0x4c, 0x78, 0xa8, 255]);
    // The title (y 16..34) is drawn: the font was found and used.
    expect(inked(d, 16, 16, 200, 34)).toBeGreaterThan(100);
    // Rows are not all white, and not all one colour.
    const rows = new Set<number>();
    for (let y = 0; y < d.height; y++) if (inked(d, 0, y, d.width, y + 1) > 0) rows.add(y);
    expect(rows.size).toBeGreaterThan(d.height / 3);
  });

  it('scales to the width asked for, height in proportion', () => {
    const svg = exampleWindowSvg('walk', [{ name: 'acc_x', values: Float32Array.from({ length: 200 }, (_, i) => Math.sin(i / 5)) }], 20);
    const height = Number(/height="(\d+)"/.exec(svg)?.[1]);
    const d = decode(svgToPng(svg, { width: 1440 }));
    expect([d.width, d.height]).toEqual([1440, 2 * height]);
    // The line is drawn in the first channel colour somewhere inside the panel.
    let blue = 0;
    for (let i = 0; i < d.rgba.length; i += 4) if (d.rgba[i] === 0x4e && d.rgba[i + 1] === 0x79 && d.rgba[i + 2] === 0xa7) blue++;
    expect(blue).toBeGreaterThan(200);
  });

  it('gives the same bytes for the same SVG', () => {
    const svg = classBalanceSvg(COUNTS);
    const a = svgToPng(svg);
    const b = svgToPng(svg);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(svgToPng(classBalanceSvg({ ...COUNTS, run: 96 }))).equals(Buffer.from(a))).toBe(false);
  });

  it('draws text only in the font it was given', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#fff"/>' +
      '<text x="10" y="28" font-family="Some Font Nobody Has" font-size="20">Hello</text></svg>';
    const d = decode(svgToPng(svg, { fontFiles: [PLOT_FONT_FILES[0] as string] }));
    expect(inked(d, 0, 0, 200, 40)).toBeGreaterThan(50);
  });

  it('names the package to install when the font is missing', () => {
    let error: unknown;
    try { svgToPng(classBalanceSvg(COUNTS), { fontFiles: ['/nonexistent/LiberationSans-Regular.ttf'] }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('internal');
    expect((error as AppError).message).toContain('/nonexistent/LiberationSans-Regular.ttf');
    expect((error as AppError).message).toContain('fonts-liberation');
  });

  it('rejects text that is not SVG and widths out of range', () => {
    expect(() => svgToPng('<svg')).toThrow(/the SVG does not parse/);
    for (const width of [0, -1, 1.5, 5000]) {
      expect(() => svgToPng(classBalanceSvg(COUNTS), { width })).toThrow(/whole number of pixels from 1 to 4096/);
    }
  });
});
