/**
 * Thresholds of the quality checks. Every check flags (ok / warn / bad) and never changes data, so these
 * decide only what a person is told to look at. Fractions are of the stream's samples unless said otherwise.
 */
export interface QualityThresholds {
  /** An interval is a gap when dt > max(gapPeriodFactor × expected period, gapMinS). */
  gapPeriodFactor: number;
  gapMinS: number;
  /** Gaps are `bad` when they cover at least this fraction of the stream's span (any gap is `warn`). */
  gapBadFraction: number;
  /** Fewer samples than this is `warn` (0 is `bad`). */
  minSamples: number;
  /** A stream shorter than this is `warn`. */
  minDurationS: number;
  /** |measured − nominal| / nominal above these is warn / bad. */
  rateWarnFraction: number;
  rateBadFraction: number;
  /** Std of the sampling interval as a fraction of the period: warn / bad above. */
  jitterWarnFraction: number;
  jitterBadFraction: number;
  /** Duplicate timestamps: any is `warn`, this fraction or more is `bad`. */
  duplicateBadFraction: number;
  /** Backwards timestamps: any is `warn`, this fraction or more is `bad`. */
  backwardsBadFraction: number;
  /** NaN / empty values: any is `warn`, this fraction of all values or more is `bad`. */
  missingBadFraction: number;
  /**
   * Non-finite values the file wrote (`Infinity`, `NaN`, `1e309`; stored as NaN): any is `warn`, this fraction
   * of all values or more is `bad` (by default only a stream of nothing else).
   */
  nonFiniteBadFraction: number;
  /** Clipped values as a fraction of all values: warn / bad at or above. */
  clipWarnFraction: number;
  clipBadFraction: number;
  /** IMU: a run of at least this many consecutive samples at the channel's maximum counts as clipping. */
  clipMinRun: number;
  /** IMU: "at the maximum" means |v| ≥ clipRelativeLevel × max |v|. */
  clipRelativeLevel: number;
  /** IMU: consecutive plateau values differ by at most this fraction of the maximum (a stuck reading). */
  clipFlatTolerance: number;
  /**
   * IMU: a plateau counts only when the channel's standard deviation is at least this fraction of it, so a
   * constant channel (gravity on a table, a quaternion at rest) is not mistaken for a saturated sensor.
   */
  clipMinSpread: number;
  /** Full-scale streams (audio): |x| ≥ clipFullScaleLevel × fullScale is clipped (32767/32768 for PCM16). */
  clipFullScaleLevel: number;
}

export const DEFAULT_THRESHOLDS: Readonly<QualityThresholds> = Object.freeze({
  gapPeriodFactor: 3,
  gapMinS: 0.1,
  gapBadFraction: 0.05,
  minSamples: 10,
  minDurationS: 1,
  rateWarnFraction: 0.02,
  rateBadFraction: 0.1,
  jitterWarnFraction: 0.2,
  jitterBadFraction: 0.5,
  duplicateBadFraction: 0.01,
  backwardsBadFraction: 0.001,
  missingBadFraction: 0.05,
  nonFiniteBadFraction: 1,
  clipWarnFraction: 0.0001,
  clipBadFraction: 0.01,
  clipMinRun: 3,
  clipRelativeLevel: 0.999,
  clipFlatTolerance: 1e-4,
  clipMinSpread: 0.05,
  clipFullScaleLevel: 32767 / 32768,
});
