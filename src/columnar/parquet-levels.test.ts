/**
 * The RLE / bit-packed hybrid encoders against the Parquet spec's own example and a decoder written from the
 * spec (Encodings.md, "Run Length Encoding / Bit-Packing Hybrid"); the files they end up in are read back by
 * hyparquet and DuckDB in dataset-parquet-writer.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { encodeHybrid, listLevels } from './parquet-levels.js';

/** Decodes `count` values of `width` bits. */
function decodeHybrid(bytes: Uint8Array, count: number, width: number): number[] {
  const out: number[] = [];
  let p = 0;
  const varUint = (): number => {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[p++] as number;
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
    }
  };
  while (out.length < count) {
    if (p >= bytes.length) throw new Error(`ran out of bytes after ${out.length} values`);
    const header = varUint();
    if (header % 2 === 0) {
      let value = 0;
      for (let b = 0; b < Math.ceil(width / 8); b++) value |= (bytes[p++] as number) << (8 * b);
      for (let k = 0; k < header / 2; k++) out.push(value);
    } else {
      const n = ((header - 1) / 2) * 8;
      for (let k = 0; k < n; k++) {
        let v = 0;
        for (let bit = 0; bit < width; bit++) {
          const at = k * width + bit;
          v |= (((bytes[p + (at >>> 3)] as number) >>> (at & 7)) & 1) << bit;
        }
        out.push(v);
      }
      p += ((header - 1) / 2) * width;
    }
  }
  if (p !== bytes.length) throw new Error(`${bytes.length - p} bytes left over`);
  return out.slice(0, count);
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('encodeHybrid', () => {
  it('bit-packs 0..7 at width 3 as the spec shows (one group: 0x03, then 10001000 11000110 11111010)', () => {
    expect([...encodeHybrid([0, 1, 2, 3, 4, 5, 6, 7], 8, 3)]).toEqual([0x03, 0x88, 0xc6, 0xfa]);
  });

  it('writes a run of equal values as one RLE run, the value in whole bytes', () => {
    expect([...encodeHybrid(new Array(300).fill(5), 300, 3)]).toEqual([0xd8, 0x04, 0x05]);
    expect([...encodeHybrid(new Array(9).fill(0x1234), 9, 13)]).toEqual([0x12, 0x34, 0x12]);
  });

  it('round-trips mixed runs and noise at every width from 1 to 20', () => {
    const rnd = lcg(7);
    for (let width = 1; width <= 20; width++) {
      const max = 2 ** width - 1;
      const values: number[] = [];
      while (values.length < 5000) {
        const v = Math.floor(rnd() * (max + 1));
        const run = rnd() < 0.3 ? 1 + Math.floor(rnd() * 40) : 1;
        for (let k = 0; k < run; k++) values.push(v);
      }
      for (const n of [1, 7, 8, 9, 4999, values.length]) {
        expect(decodeHybrid(encodeHybrid(values, n, width), n, width), `width ${width}, ${n} values`).toEqual(values.slice(0, n));
      }
    }
  });
});

describe('listLevels', () => {
  /** The levels as the spec defines them: a row of L > 0 values is rep 0, 1 × (L-1), def 1 × L; empty is 0 / 0. */
  function reference(lengths: number[]): { rep: number[]; def: number[] } {
    const rep: number[] = [];
    const def: number[] = [];
    for (const l of lengths) {
      if (l === 0) {
        rep.push(0);
        def.push(0);
        continue;
      }
      for (let k = 0; k < l; k++) {
        rep.push(k === 0 ? 0 : 1);
        def.push(1);
      }
    }
    return { rep, def };
  }
  const offsetsOf = (lengths: number[]): Uint32Array => {
    const o = new Uint32Array(lengths.length + 1);
    lengths.forEach((l, i) => (o[i + 1] = (o[i] as number) + l));
    return o;
  };

  it('writes equal-length rows as ~5 bytes of runs each and one definition run', () => {
    const l = listLevels(offsetsOf([100, 100]), 0, 2);
    expect([...l.rep]).toEqual([0x02, 0x00, 0xc6, 0x01, 0x01, 0x02, 0x00, 0xc6, 0x01, 0x01]);
    expect([...l.def]).toEqual([0x90, 0x03, 0x01]);
    expect([l.levels, l.empty]).toEqual([200, 0]);
  });

  it.each([
    ['long rows with empty ones', (r: () => number) => (r() < 0.1 ? 0 : 90 + Math.floor(r() * 20)), 400],
    ['short rows (bit-packed)', (r: () => number) => Math.floor(r() * 4), 3000],
    ['only empty rows', () => 0, 50],
    ['one row', () => 7, 1],
  ])('matches the levels of the definition: %s', (_name, length, rows) => {
    const rnd = lcg(rows);
    const lengths = Array.from({ length: rows }, () => length(rnd));
    const offsets = offsetsOf(lengths);
    // The whole range, and a page from the middle.
    for (const [from, to] of [[0, rows], [Math.floor(rows / 3), rows]] as const) {
      const part = reference(lengths.slice(from, to));
      const l = listLevels(offsets, from, to);
      expect(l.levels).toBe(part.rep.length);
      expect(l.empty).toBe(lengths.slice(from, to).filter((x) => x === 0).length);
      expect(decodeHybrid(l.rep, l.levels, 1)).toEqual(part.rep);
      expect(decodeHybrid(l.def, l.levels, 1)).toEqual(part.def);
    }
  });
});
