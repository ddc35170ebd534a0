import { ByteWriter } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { Float32SplitEncoder, Int64DeltaEncoder, float32Stats, int64MinMax } from './parquet-encoding.js';
import { deltaBinaryUnpack } from './vendor/hyparquet/delta.js';
import { deltaBinaryPack } from './vendor/hyparquet-writer/delta.js';
import { writeByteStreamSplit } from './vendor/hyparquet-writer/splitstream.js';

/** hyparquet-writer's own (BigInt) encoder: the reference the fast one must match byte for byte. */
function referenceDelta(values: BigInt64Array): Uint8Array {
  const w = new ByteWriter();
  deltaBinaryPack(w, values, 'INT64');
  return w.getBytes();
}

function decodeDelta(bytes: Uint8Array, count: number): BigInt64Array {
  const out = new BigInt64Array(count);
  deltaBinaryUnpack({ view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }, count, out);
  return out;
}

let seed = 7;
function rnd(): number {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
}

const T0 = 1698765432123456789n;
const cases: Record<string, () => BigInt64Array> = {
  empty: () => new BigInt64Array(0),
  one: () => BigInt64Array.of(T0),
  two: () => BigInt64Array.of(T0, T0 + 10_000_000n),
  'regular 100 Hz, 19-digit ns (1000 values)': () => BigInt64Array.from({ length: 1000 }, (_, i) => T0 + BigInt(i) * 10_000_000n),
  'jittered ±1 ms (5000 values)': () =>
    BigInt64Array.from({ length: 5000 }, (_, i) => T0 + BigInt(i) * 10_000_000n + BigInt(Math.floor(rnd() * 2_000_000))),
  'block edges (129 and 130 values)': () => BigInt64Array.from({ length: 130 }, (_, i) => T0 + BigInt(i * i)),
  'decreasing and negative': () => BigInt64Array.from({ length: 300 }, (_, i) => -T0 - BigInt(i) * 7_777_777n),
  'low word wraps': () => BigInt64Array.from({ length: 300 }, (_, i) => 0xffff_fff0n + BigInt(i) * 3n - 500n),
  'wide deltas, 33..51 bits': () =>
    BigInt64Array.from({ length: 700 }, (_, i) => T0 + BigInt(i) * 2n ** 40n + BigInt(Math.floor(rnd() * 2 ** 50))),
  'huge jumps (BigInt fallback)': () => BigInt64Array.of(0n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n, 5n, T0, -T0),
};

describe('Int64DeltaEncoder', () => {
  for (const [name, make] of Object.entries(cases)) {
    it(`matches hyparquet-writer byte for byte and decodes back: ${name}`, () => {
      const values = make();
      const bytes = new Int64DeltaEncoder().encode(values);
      expect(Buffer.from(bytes).equals(Buffer.from(referenceDelta(values)))).toBe(true);
      expect(decodeDelta(bytes, values.length)).toEqual(values);
    });
  }

  it('reuses its buffers across calls of different sizes', () => {
    const enc = new Int64DeltaEncoder();
    for (const make of [cases['jittered ±1 ms (5000 values)'], cases.two, cases['wide deltas, 33..51 bits']]) {
      const values = (make as () => BigInt64Array)();
      expect(decodeDelta(enc.encode(values).slice(), values.length)).toEqual(values);
    }
  });

  it('encodes a subarray (non-zero byteOffset)', () => {
    const all = BigInt64Array.from({ length: 1000 }, (_, i) => T0 + BigInt(i) * 10_000_000n + BigInt(i % 7));
    const part = all.subarray(333, 900);
    expect(Buffer.from(new Int64DeltaEncoder().encode(part)).equals(Buffer.from(referenceDelta(part)))).toBe(true);
  });
});

describe('Float32SplitEncoder', () => {
  it('matches hyparquet-writer byte for byte, NaN/±0/±Infinity included', () => {
    const base = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i) * 9.81);
    base.set([NaN, -0, 0, Infinity, -Infinity, 3.4e38, 1e-45], 10);
    const values = base.subarray(1); // non-zero byteOffset
    const ref = new ByteWriter();
    writeByteStreamSplit(ref, values, 'FLOAT', undefined);
    expect(Buffer.from(new Float32SplitEncoder().encode(values)).equals(Buffer.from(ref.getBytes()))).toBe(true);
  });
});

describe('statistics', () => {
  it('int64MinMax finds extremes anywhere, comparing both words', () => {
    const v = BigInt64Array.of(5n, -(2n ** 40n), 2n ** 32n, 2n ** 32n - 1n, -1n, 2n ** 62n, 0n);
    expect(int64MinMax(v)).toEqual({ min: -(2n ** 40n), max: 2n ** 62n });
    expect(int64MinMax(BigInt64Array.of(T0))).toEqual({ min: T0, max: T0 });
    expect(int64MinMax(new BigInt64Array(0))).toBeUndefined();
  });

  it('float32Stats leaves NaN out, signs zero bounds, and has no bounds when all NaN', () => {
    expect(float32Stats(Float32Array.of(NaN, 2, -3, NaN))).toEqual({ min: -3, max: 2, nanCount: 2 });
    const zeros = float32Stats(Float32Array.of(0, -0));
    expect(Object.is(zeros.min, -0) && Object.is(zeros.max, 0)).toBe(true);
    expect(float32Stats(Float32Array.of(NaN))).toEqual({ min: undefined, max: undefined, nanCount: 1 });
  });
});
