import { describe, expect, it } from 'vitest';
import { bitsOf, NON_FINITE_BITS } from '../domain/sample-values.js';
import type { StreamInfo } from '../domain/stream.js';
import { qualityReport, StreamAnalyzer } from './stream-analyzer.js';
import { ACCEL, accelRows, analyze, toChunks } from './signals.test-support.js';
import type { QualityCheck, StreamSummary } from './types.js';

const T0 = 1_698_765_432_000_000_000n;

function check(s: StreamSummary, name: string): QualityCheck {
  const c = s.checks.find((k) => k.name === name);
  if (c === undefined) throw new Error(`no check ${name}`);
  return c;
}

/** 100 Hz accelerometer at rest: gravity on z plus small noise. */
function restingRows(seconds: number, skip?: (i: number) => boolean): { t: bigint[]; v: number[][] } {
  return accelRows(T0, seconds, undefined, skip);
}

describe('StreamAnalyzer timing', () => {
  it('measures a clean 100 Hz stream', () => {
    const { t, v } = restingRows(60);
    const s = analyze(ACCEL, t, v);
    expect(s.samples).toBe(6000);
    expect(s.firstNs).toBe(T0.toString());
    expect(s.lastNs).toBe((T0 + 5999n * 10_000_000n).toString());
    expect(s.durationS).toBeCloseTo(59.99, 9);
    expect(s.measuredRateHz).toBeCloseTo(100, 9);
    expect(s.gapCount).toBe(0);
    expect(s.checks.map((c) => c.name)).toEqual([
      'sample_count',
      'duration',
      'sample_rate',
      'jitter',
      'gaps',
      'duplicate_timestamps',
      'backwards_timestamps',
      'missing_values',
      'non_finite',
      'clipping',
    ]);
    expect(qualityReport([s]).status).toBe('ok');
    expect(s.checks.every((c) => c.stream === 'accelerometer')).toBe(true);
  });

  it('finds a 1 s gap, its position, and gives the same answer whatever the chunking', () => {
    // Samples 2000..2099 (20.00–20.99 s) are missing: the gap runs from 19.99 s to 21.00 s.
    const { t, v } = restingRows(60, (i) => i >= 2000 && i < 2100);
    for (const size of [1, 7, 1000, 65_536]) {
      const s = analyze(ACCEL, t, v, size);
      expect(s.samples).toBe(5900);
      expect(s.gapCount).toBe(1);
      expect(s.gaps).toHaveLength(1);
      expect(s.gaps[0]!.startS).toBeCloseTo(19.99, 9);
      expect(s.gaps[0]!.endS).toBeCloseTo(21.0, 9);
      expect(s.measuredRateHz).toBeCloseTo(100, 9);
      const gaps = check(s, 'gaps');
      expect(gaps.status).toBe('warn');
      expect(gaps.value).toBe(1);
      expect(gaps.message).toContain('1.01 s');
      expect(qualityReport([s]).status).toBe('warn');
    }
  });

  it('makes long gaps bad and caps the gap list while counting all gaps', () => {
    // 1,200 gaps of 1 s: keep 10 samples, drop 100.
    const { t, v } = restingRows(1320, (i) => i % 110 >= 10);
    const s = analyze(ACCEL, t, v);
    expect(s.gapCount).toBe(1199);
    expect(s.gaps).toHaveLength(1000);
    expect(check(s, 'gaps').status).toBe('bad');
  });

  it('counts duplicate and backwards timestamps', () => {
    const { t, v } = restingRows(20);
    t[100] = t[99]!; // duplicate
    t[200] = t[199]!; // duplicate
    t[300] = t[298]! - 5_000_000n; // backwards (and the next interval is a jump forward, not a gap)
    const s = analyze(ACCEL, t, v, 64);
    expect(check(s, 'duplicate_timestamps')).toMatchObject({ status: 'warn', value: 2 });
    expect(check(s, 'backwards_timestamps')).toMatchObject({ status: 'warn', value: 1 });
    expect(s.gapCount).toBe(0);
    expect(s.samples).toBe(2000);
    // One backwards time in 1,000 samples reaches the 0.1 % threshold.
    expect(check(analyze(ACCEL, t.slice(0, 1000), v.map((c) => c.slice(0, 1000))), 'backwards_timestamps').status).toBe('bad');
  });

  it('compares the measured rate with the nominal one and measures jitter', () => {
    const t = Array.from({ length: 1000 }, (_, i) => BigInt(i) * 20_000_000n); // 50 Hz
    const v = [t.map(() => 0), t.map(() => 0), t.map(() => 9.8)];
    const s = analyze({ ...ACCEL, nominalRateHz: 100 }, t, v);
    expect(s.measuredRateHz).toBeCloseTo(50, 9);
    expect(check(s, 'sample_rate')).toMatchObject({ status: 'bad', threshold: 100 });

    // Intervals alternating 6 and 14 ms: std 4 ms for a 10 ms period → 40 % → warn.
    let ns = 0n;
    const tj = Array.from({ length: 2001 }, (_, i) => {
      ns += i === 0 ? 0n : i % 2 === 1 ? 6_000_000n : 14_000_000n;
      return ns;
    });
    const sj = analyze(ACCEL, tj, [tj.map(() => 0), tj.map(() => 0), tj.map(() => 9.8)]);
    expect(check(sj, 'jitter').value).toBeCloseTo(4, 6);
    expect(check(sj, 'jitter').status).toBe('warn');
    expect(sj.measuredRateHz).toBeCloseTo(100, 6);
  });

  it('counts missing values per stream', () => {
    const { t, v } = restingRows(10);
    v[1]![5] = Number.NaN;
    v[1]![6] = Number.NaN;
    v[2]![7] = Number.NaN;
    const s = analyze(ACCEL, t, v);
    const c = check(s, 'missing_values');
    expect(c).toMatchObject({ status: 'warn', value: 3 });
    expect(c.message).toContain('channel "y"');
    // Windows skip rows with a NaN in x, y or z: window 0 holds 97 of its 100 samples.
    expect(s.windows.n[0]).toBe(97);
    expect(s.windows.n[1]).toBe(100);
  });
});

describe('StreamAnalyzer non-finite values', () => {
  it('counts the non-finite marker and ±Infinity as non_finite, apart from missing values, whatever the chunking', () => {
    const { t, v } = restingRows(10);
    v[0]![3] = Number.POSITIVE_INFINITY;
    v[0]![4] = Number.NEGATIVE_INFINITY;
    v[2]![9] = Number.NaN;
    for (const size of [1, 7, 65_536]) {
      const a = new StreamAnalyzer(ACCEL);
      for (const chunk of toChunks(t, v, size)) {
        // Samples 500 and 501 of z: the marker a reader writes for `Infinity`/`NaN` text (a NaN with a payload).
        const first = Number(chunk.t[0]! - t[0]!) / 10_000_000;
        for (const k of [500, 501]) if (k >= first && k < first + chunk.length) bitsOf(chunk.values[2]!)[k - first] = NON_FINITE_BITS;
        a.push(chunk);
      }
      const s = a.finish();
      const nf = check(s, 'non_finite');
      expect(nf).toMatchObject({ status: 'warn', value: 4, unit: 'values' });
      expect(nf.message).toContain('4 non-finite value(s)');
      expect(nf.message).toContain('stored as NaN');
      expect(nf.message).toContain('channel "x"');
      expect(check(s, 'missing_values')).toMatchObject({ status: 'warn', value: 1 });
      // The infinities do not reach the clipping judgement.
      expect(check(s, 'clipping').status).toBe('ok');
    }
  });

  it('is ok without any, and bad only when every value is non-finite (by default)', () => {
    const { t, v } = restingRows(2);
    expect(check(analyze(ACCEL, t, v), 'non_finite')).toMatchObject({ status: 'ok', value: 0 });
    const inf = v.map((ch) => ch.map(() => Number.POSITIVE_INFINITY));
    expect(check(analyze(ACCEL, t, inf), 'non_finite')).toMatchObject({ status: 'bad', value: 600 });
  });
});

describe('StreamAnalyzer clipping', () => {
  const rows = (f: (ts: number) => number): { t: bigint[]; v: number[][] } => {
    const t = Array.from({ length: 3000 }, (_, i) => BigInt(i) * 10_000_000n);
    return { t, v: [t.map((_, i) => f(i / 100)), t.map(() => 0.1), t.map(() => 9.8)] };
  };

  it('flags a clipped sine and not an intact one', () => {
    const clippedSine = rows((ts) => Math.max(-20, Math.min(20, 30 * Math.sin(2 * Math.PI * ts))));
    const s = analyze(ACCEL, clippedSine.t, clippedSine.v);
    const c = check(s, 'clipping');
    expect(c.status).toBe('bad');
    // |30 sin| ≥ 20 for ~53.5 % of each period → ~1,600 samples of x at ±20.
    expect(c.value).toBeGreaterThan(1400);
    expect(c.value).toBeLessThan(1700);
    expect(c.message).toContain('channel "x"');

    const sine = rows((ts) => 20 * Math.sin(2 * Math.PI * 0.3 * ts));
    expect(check(analyze(ACCEL, sine.t, sine.v), 'clipping')).toMatchObject({ status: 'ok', value: 0 });
  });

  it('does not call a constant channel clipped', () => {
    const flat = rows(() => 0.5);
    expect(check(analyze(ACCEL, flat.t, flat.v), 'clipping').value).toBe(0);
  });

  it('flags audio at full scale', () => {
    const audio: StreamInfo = { name: 'audio', kind: 'audio', sensor: 'audio', channels: ['mono'], unit: 'pcm', nominalRateHz: 8000, fullScale: 1 };
    const t = Array.from({ length: 8000 }, (_, i) => BigInt(i) * 125_000n);
    const x = t.map((_, i) => Math.max(-1, Math.min(32767 / 32768, 1.5 * Math.sin((2 * Math.PI * 440 * i) / 8000))));
    const s = analyze(audio, t, [x]);
    expect(check(s, 'clipping').status).toBe('bad');
    const quiet = analyze(audio, t, [x.map((v) => v * 0.5)]);
    expect(check(quiet, 'clipping')).toMatchObject({ status: 'ok', value: 0 });
    expect(check(quiet, 'sample_rate').status).toBe('ok');
  });
});

describe('StreamAnalyzer windows', () => {
  it('computes IMU activity (std of |a|) and level (mean |a|) per 1 s window', () => {
    const { t, v } = restingRows(20);
    // Seconds 10–19: a 2 Hz, 3 m/s² vertical bounce (along gravity, as when walking).
    for (let i = 1000; i < 2000; i++) v[2]![i] = v[2]![i]! + 3 * Math.sin((2 * Math.PI * 2 * i) / 100);
    const s = analyze(ACCEL, t, v);
    expect(s.windows.windowS).toBe(1);
    expect(s.windows.count).toBe(20);
    expect(s.windows.n.every((k) => k === 100)).toBe(true);
    for (let w = 0; w < 10; w++) {
      expect(s.windows.activity[w]).toBeLessThan(0.02);
      expect(s.windows.level[w]).toBeCloseTo(9.81, 2);
    }
    // std of 3·sin = 3/√2 = 2.12 m/s².
    for (let w = 10; w < 20; w++) expect(s.windows.activity[w]).toBeCloseTo(3 / Math.SQRT2, 1);
  });

  it('computes audio RMS in dBFS and peak per 0.1 s window', () => {
    const audio: StreamInfo = { name: 'audio', kind: 'audio', sensor: 'audio', channels: ['left', 'right'], unit: 'pcm', nominalRateHz: 16000, fullScale: 1 };
    const t = Array.from({ length: 16000 }, (_, i) => BigInt(Math.round((i * 1e9) / 16000)));
    const l = t.map((_, i) => (i < 8000 ? 0 : 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000)));
    const s = analyze(audio, t, [l, l]);
    expect(s.windows.windowS).toBeCloseTo(0.1, 12);
    expect(s.windows.count).toBe(10);
    expect(s.windows.activity[0]).toBe(-120);
    // A sine of amplitude 0.5 has RMS 0.354 = −9.03 dBFS.
    expect(s.windows.activity[7]).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 2);
    expect(s.windows.level[7]).toBeCloseTo(0.5, 3);
  });

  it('leaves samples before the first one out of the windows and reports the latest time', () => {
    const t = [10_000_000_000n, 10_500_000_000n, 9_000_000_000n, 12_500_000_000n];
    const s = analyze({ ...ACCEL, channels: ['v'] }, t, [[1, 2, 3, 4]]);
    expect(s.windows.n).toEqual([2, 0, 1]);
    expect(s.lastNs).toBe('12500000000');
    expect(s.durationS).toBe(2.5);
    expect(check(s, 'backwards_timestamps').value).toBe(1);
  });
});

describe('qualityReport', () => {
  it('is the worst status of all checks', () => {
    const { t, v } = restingRows(10);
    const ok = analyze(ACCEL, t, v);
    const bad = analyze({ ...ACCEL, name: 'gyro', nominalRateHz: 400 }, t, v);
    const r = qualityReport([ok, bad]);
    expect(r.status).toBe('bad');
    expect(r.checks).toHaveLength(ok.checks.length + bad.checks.length);
    expect(qualityReport([]).status).toBe('bad');
  });
});
