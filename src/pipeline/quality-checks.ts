import type { StreamInfo } from '../domain/stream.js';
import type { QualityThresholds } from './quality-thresholds.js';
import type { CheckStatus, QualityCheck } from './types.js';

/** What the analyzer measured, in the units the checks speak. */
export interface StreamStats {
  stream: StreamInfo;
  samples: number;
  durationS: number;
  measuredRateHz: number | null;
  /** Expected sampling period (nominal, or the median of the first intervals). */
  periodS: number | null;
  jitterMs: number | null;
  gapCount: number;
  gapTotalS: number;
  longestGapS: number;
  longestGapAtS: number;
  gapThresholdS: number;
  duplicates: number;
  backwards: number;
  /** Missing values (empty cells, nulls: a plain NaN) per channel. */
  nanPerChannel: number[];
  /** Values the file wrote that are no number (`Infinity`, `NaN`, `1e309`): stored as NaN, per channel. */
  nonFinitePerChannel: number[];
  /** Null when clipping cannot be judged for this stream (no range: orientation, barometer, …). */
  clipping: { perChannel: number[]; level: string; max: number[] } | null;
  windowsTruncated: boolean;
}

const RANK: Record<CheckStatus, number> = { ok: 0, warn: 1, bad: 2 };

/** The worst of some statuses (`ok` for none). */
export function worstStatus(statuses: CheckStatus[]): CheckStatus {
  let worst: CheckStatus = 'ok';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

function num(x: number, digits = 3): string {
  return Number.isInteger(x) ? x.toLocaleString('en-US') : Number(x.toPrecision(digits)).toString();
}

function pct(x: number): string {
  return `${num(x * 100, 2)}%`;
}

/** Status for a count: 0 → ok, a fraction ≥ bad → bad, else warn. */
function countStatus(count: number, total: number, badFraction: number): CheckStatus {
  if (count === 0) return 'ok';
  return total > 0 && count / total >= badFraction ? 'bad' : 'warn';
}

/** The quality checks of one stream, in a stable order with stable names. */
export function buildChecks(s: StreamStats, th: QualityThresholds): QualityCheck[] {
  const stream = s.stream.name;
  const checks: QualityCheck[] = [];
  const add = (c: Omit<QualityCheck, 'stream'>): void => {
    checks.push({ ...c, stream });
  };

  add({
    name: 'sample_count',
    status: s.samples === 0 ? 'bad' : s.samples < th.minSamples ? 'warn' : 'ok',
    value: s.samples,
    threshold: th.minSamples,
    unit: 'samples',
    message:
      s.samples === 0
        ? `Stream "${stream}" has no samples; check the sensor was enabled while recording.`
        : s.samples < th.minSamples
          ? `Stream "${stream}" has only ${num(s.samples)} samples; too few to judge its quality.`
          : `Stream "${stream}" has ${num(s.samples)} samples.`,
  });

  add({
    name: 'duration',
    status: s.samples === 0 ? 'bad' : s.durationS < th.minDurationS ? 'warn' : 'ok',
    value: s.durationS,
    threshold: th.minDurationS,
    unit: 's',
    message:
      s.durationS < th.minDurationS
        ? `Stream "${stream}" spans only ${num(s.durationS)} s (under ${num(th.minDurationS)} s); check the recording was not stopped early.`
        : `Stream "${stream}" spans ${num(s.durationS, 6)} s.`,
  });

  const nominal = s.stream.nominalRateHz;
  if (s.measuredRateHz === null) {
    add({
      name: 'sample_rate',
      status: 'warn',
      unit: 'Hz',
      ...(nominal !== null ? { threshold: nominal } : {}),
      message: `Stream "${stream}" has too few evenly spaced samples to measure its rate.`,
    });
  } else if (nominal === null || nominal <= 0) {
    add({
      name: 'sample_rate',
      status: 'ok',
      value: s.measuredRateHz,
      unit: 'Hz',
      message: `Stream "${stream}" was sampled at ${num(s.measuredRateHz, 4)} Hz; the file declares no nominal rate to compare with.`,
    });
  } else {
    const dev = Math.abs(s.measuredRateHz - nominal) / nominal;
    const status: CheckStatus = dev > th.rateBadFraction ? 'bad' : dev > th.rateWarnFraction ? 'warn' : 'ok';
    add({
      name: 'sample_rate',
      status,
      value: s.measuredRateHz,
      threshold: nominal,
      unit: 'Hz',
      message:
        status === 'ok'
          ? `Stream "${stream}" was sampled at ${num(s.measuredRateHz, 4)} Hz as declared (${num(nominal)} Hz).`
          : `Stream "${stream}" was sampled at ${num(s.measuredRateHz, 4)} Hz but declares ${num(nominal)} Hz (${pct(dev)} off); check the device's rate setting or clock.`,
    });
  }

  if (s.jitterMs === null || s.periodS === null) {
    add({ name: 'jitter', status: 'ok', unit: 'ms', message: `Stream "${stream}" has too few intervals to measure timing jitter.` });
  } else {
    const periodMs = s.periodS * 1000;
    const frac = s.jitterMs / periodMs;
    const status: CheckStatus = frac > th.jitterBadFraction ? 'bad' : frac > th.jitterWarnFraction ? 'warn' : 'ok';
    add({
      name: 'jitter',
      status,
      value: s.jitterMs,
      threshold: th.jitterWarnFraction * periodMs,
      unit: 'ms',
      message:
        status === 'ok'
          ? `Stream "${stream}" has steady timing (interval std ${num(s.jitterMs)} ms for a ${num(periodMs)} ms period).`
          : `Stream "${stream}" has irregular timing: interval std ${num(s.jitterMs)} ms is ${pct(frac)} of the ${num(periodMs)} ms period; resample before analyses that assume a fixed rate.`,
    });
  }

  const span = s.durationS;
  const gapFrac = span > 0 ? s.gapTotalS / span : 0;
  add({
    name: 'gaps',
    status: s.gapCount === 0 ? 'ok' : gapFrac >= th.gapBadFraction ? 'bad' : 'warn',
    value: s.gapCount,
    threshold: s.gapThresholdS,
    unit: 'gaps',
    message:
      s.gapCount === 0
        ? `Stream "${stream}" has no gaps longer than ${num(s.gapThresholdS)} s.`
        : `Stream "${stream}" has ${num(s.gapCount)} gap(s) longer than ${num(s.gapThresholdS)} s, ${num(s.gapTotalS)} s in all (${pct(gapFrac)} of the stream); the longest is ${num(s.longestGapS)} s at ${num(s.longestGapAtS, 6)} s. Check the app kept running (battery saving, backgrounding) during those times.`,
  });

  add({
    name: 'duplicate_timestamps',
    status: countStatus(s.duplicates, s.samples, th.duplicateBadFraction),
    value: s.duplicates,
    threshold: 0,
    unit: 'samples',
    message:
      s.duplicates === 0
        ? `Stream "${stream}" has no duplicate timestamps.`
        : `Stream "${stream}" has ${num(s.duplicates)} sample(s) with the same time as the previous one (${pct(s.duplicates / Math.max(1, s.samples))}); deduplicate before computing rates.`,
  });

  add({
    name: 'backwards_timestamps',
    status: countStatus(s.backwards, s.samples, th.backwardsBadFraction),
    value: s.backwards,
    threshold: 0,
    unit: 'samples',
    message:
      s.backwards === 0
        ? `Stream "${stream}" has timestamps in order.`
        : `Stream "${stream}" has ${num(s.backwards)} time(s) going backwards; the device clock was adjusted or files were merged out of order. Sort or split the data before use.`,
  });

  const nanTotal = s.nanPerChannel.reduce((a, b) => a + b, 0);
  const values = s.samples * Math.max(1, s.nanPerChannel.length);
  const worstNan = s.nanPerChannel.reduce((best, k, i) => (k > (s.nanPerChannel[best] ?? 0) ? i : best), 0);
  add({
    name: 'missing_values',
    status: countStatus(nanTotal, values, th.missingBadFraction),
    value: nanTotal,
    threshold: 0,
    unit: 'values',
    message:
      nanTotal === 0
        ? `Stream "${stream}" has no missing values.`
        : `Stream "${stream}" has ${num(nanTotal)} missing (empty) value(s), ${pct(nanTotal / Math.max(1, values))} of all; most in channel "${s.stream.channels[worstNan] ?? '?'}". They are kept as NaN: interpolate or drop them in analyses.`,
  });

  const nonFinite = s.nonFinitePerChannel.reduce((a, b) => a + b, 0);
  const worstNonFinite = s.nonFinitePerChannel.reduce((best, k, i) => (k > (s.nonFinitePerChannel[best] ?? 0) ? i : best), 0);
  add({
    name: 'non_finite',
    status: countStatus(nonFinite, values, th.nonFiniteBadFraction),
    value: nonFinite,
    threshold: 0,
    unit: 'values',
    message:
      nonFinite === 0
        ? `Stream "${stream}" has no non-finite values.`
        : `Stream "${stream}" has ${num(nonFinite)} non-finite value(s) (Infinity, NaN or a number too large for float32), ${pct(nonFinite / Math.max(1, values))} of all; most in channel "${s.stream.channels[worstNonFinite] ?? '?'}". They are stored as NaN: the device or its export wrote them, so check the sensor or the exporting software.`,
  });

  if (s.clipping === null) {
    add({ name: 'clipping', status: 'ok', value: 0, unit: 'values', message: `Clipping is not judged for stream "${stream}" (its values have no fixed range).` });
  } else {
    const total = s.clipping.perChannel.reduce((a, b) => a + b, 0);
    const frac = values > 0 ? total / values : 0;
    const status: CheckStatus = total === 0 ? 'ok' : frac >= th.clipBadFraction ? 'bad' : frac >= th.clipWarnFraction ? 'warn' : 'ok';
    const worst = s.clipping.perChannel.reduce((best, k, i) => (k > (s.clipping?.perChannel[best] ?? 0) ? i : best), 0);
    add({
      name: 'clipping',
      status,
      value: total,
      threshold: th.clipWarnFraction,
      unit: 'values',
      message:
        total === 0
          ? `Stream "${stream}" shows no clipping.`
          : `Stream "${stream}" has ${num(total)} value(s) at the ${s.clipping.level} (${pct(frac)}), most in channel "${s.stream.channels[worst] ?? '?'}" at ±${num(s.clipping.max[worst] ?? 0, 4)}; ${status === 'ok' ? 'too few to matter.' : 'the signal saturated: lower the gain or raise the sensor range.'}`,
    });
  }
  if (s.windowsTruncated) {
    add({
      name: 'windows',
      status: 'warn',
      message: `Stream "${stream}" spans more time than the feature windows cover; samples beyond the last window were left out of segmentation.`,
    });
  }
  return checks;
}
