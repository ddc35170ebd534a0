import type { SegmentDraft, StreamSummary } from './types.js';

/**
 * Segmentation parameters, chosen from physics and kept here so a change is one reviewed line.
 * - Motion: the std of the acceleration magnitude over 1 s is ~0.01–0.03 m/s² for a phone on a table,
 *   ~0.05–0.15 m/s² in the pocket of someone sitting, and ~1–3 m/s² while walking; 0.2 m/s² splits them.
 *   For gyroscopes (rad/s) at rest the std is ~0.001–0.01 rad/s and turning/walking gives > 0.3 rad/s.
 * - Audio: noise floor = 10th percentile of the 0.1 s window levels; a window is sound when it is more than
 *   10 dB above the floor and above −50 dBFS.
 */
export const SEGMENT_PARAMS = {
  /** Gaps at least this long split sessions (shorter dropouts stay inside one session). */
  sessionMinGapS: 1,
  /** Still when the window's magnitude std is below this, per unit. */
  stillMax: { 'm/s^2': 0.2, 'rad/s': 0.1 } as Record<string, number>,
  /** Motion bouts shorter than this are merged into their longer neighbour. */
  minMotionBoutS: 2,
  /** A window takes part when it holds at least this fraction of the samples the rate implies. */
  minWindowFill: 0.5,
  noiseFloorPercentile: 0.1,
  soundMarginDb: 10,
  minSoundDb: -50,
  /** Sound bouts shorter than this are dropped. */
  minSoundS: 0.2,
  /**
   * Silences up to this long between sounds are bridged (hangover). 0.1 s (one window) keeps the pauses
   * between counted words in pyAudioAnalysis' count.wav (0.1–0.2 s) while bridging dips inside a word; on
   * its three labelled files the sound/speech agreement is 0.88, 0.95 and 0.87 (0.73 for count.wav at 0.3 s).
   */
  hangoverS: 0.1,
} as const;

/** Sensors whose magnitude does not show motion (gravity is low-pass filtered by the OS). */
const NO_MOTION_SENSORS = new Set(['gravity']);

type Label = 'still' | 'moving' | 'sound' | 'silence';
interface Bout {
  label: Label;
  /** First window and one past the last. */
  w0: number;
  w1: number;
}

function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Time helpers for one stream: window index → seconds from the recording start. */
interface Frame {
  offsetS: number;
  windowS: number;
  endS: number;
}

/**
 * Splits one stream into segments: `session` runs between gaps, then `still`/`moving` bouts for motion
 * streams (accelerometers in m/s², gyroscopes in rad/s) or `sound`/`silence` bouts for audio. The window-level
 * detectors (detectors/window-level.ts) each take their part of this.
 * @param recordingStartNs the recording's earliest sample across streams; segment times are seconds from it.
 */
export function segmentStream(summary: StreamSummary, recordingStartNs: bigint): SegmentDraft[] {
  return [...sessionSegments(summary, recordingStartNs), ...motionSegments(summary, recordingStartNs), ...audioSegments(summary, recordingStartNs)];
}

function frameOf(summary: StreamSummary, recordingStartNs: bigint): Frame | null {
  if (summary.firstNs === null || summary.samples === 0) return null;
  const offsetS = Number(BigInt(summary.firstNs) - recordingStartNs) / 1e9;
  const dtS = summary.measuredRateHz !== null && summary.measuredRateHz > 0 ? 1 / summary.measuredRateHz : 0;
  return { offsetS, windowS: summary.windows.windowS, endS: summary.durationS + dtS };
}

/** The `session` segments of a stream: its runs between gaps of at least `sessionMinGapS`. */
export function sessionSegments(summary: StreamSummary, recordingStartNs: bigint): SegmentDraft[] {
  const frame = frameOf(summary, recordingStartNs);
  return frame === null ? [] : sessions(summary, frame);
}

/** The threshold that splits still from moving for this stream, or null when it is not a motion stream. */
export function stillThreshold(summary: StreamSummary): number | null {
  const { kind, unit, sensor } = summary.stream;
  const stillMax = SEGMENT_PARAMS.stillMax[unit];
  return kind === 'imu' && stillMax !== undefined && !NO_MOTION_SENSORS.has(sensor) ? stillMax : null;
}

/** `still` / `moving` bouts of a motion stream, from its 1 s window activity; none for other streams. */
export function motionSegments(summary: StreamSummary, recordingStartNs: bigint): SegmentDraft[] {
  const frame = frameOf(summary, recordingStartNs);
  const stillMax = stillThreshold(summary);
  return frame === null || stillMax === null ? [] : motion(summary, frame, stillMax);
}

/** `sound` / `silence` bouts of an audio stream, from its 0.1 s window levels; none for other streams. */
export function audioSegments(summary: StreamSummary, recordingStartNs: bigint): SegmentDraft[] {
  const frame = frameOf(summary, recordingStartNs);
  return frame === null || summary.stream.kind !== 'audio' ? [] : audio(summary, frame);
}

/**
 * Sessions: the stream split at gaps of at least `sessionMinGapS`. Only the listed gaps (the first 1,000)
 * can split, so a stream with more gaps ends in one long last session.
 */
function sessions(summary: StreamSummary, f: Frame): SegmentDraft[] {
  const out: SegmentDraft[] = [];
  let start = 0;
  const push = (s: number, e: number, gapAfterS: number | null): void => {
    out.push({
      kind: 'session',
      stream: summary.stream.name,
      startS: round(f.offsetS + s),
      endS: round(f.offsetS + e),
      attributes: { durationS: round(e - s), ...(gapAfterS !== null ? { gapAfterS: round(gapAfterS) } : {}) },
    });
  };
  // A session ends one sample period after its last sample, like the stream's last session.
  const dtS = f.endS - summary.durationS;
  for (const g of summary.gaps) {
    if (g.endS - g.startS < SEGMENT_PARAMS.sessionMinGapS) continue;
    const end = Math.min(g.startS + dtS, g.endS);
    push(start, end, g.endS - end);
    start = g.endS;
  }
  push(start, f.endS, null);
  return out;
}

/** Which windows take part: enough samples for the rate (any sample when the rate is unknown). */
function validWindows(summary: StreamSummary): boolean[] {
  const { n, windowS } = summary.windows;
  const rate = summary.measuredRateHz ?? summary.stream.nominalRateHz;
  const need = rate !== null && rate > 0 ? Math.max(2, SEGMENT_PARAMS.minWindowFill * rate * windowS) : 2;
  return n.map((k) => k >= need);
}

/** Runs of equal labels; invalid windows (null) end a run and belong to none. */
function runs(labels: (Label | null)[]): Bout[] {
  const out: Bout[] = [];
  let cur: Bout | null = null;
  for (let w = 0; w < labels.length; w++) {
    const label = labels[w] ?? null;
    if (cur !== null && label !== cur.label) {
      out.push(cur);
      cur = null;
    }
    if (label === null) continue;
    if (cur === null) cur = { label, w0: w, w1: w + 1 };
    else cur.w1 = w + 1;
  }
  if (cur !== null) out.push(cur);
  return out;
}

/** Merges adjacent bouts with the same label. */
function coalesce(bouts: Bout[]): Bout[] {
  const out: Bout[] = [];
  for (const b of bouts) {
    const last = out[out.length - 1];
    if (last !== undefined && last.label === b.label && last.w1 === b.w0) last.w1 = b.w1;
    else out.push({ ...b });
  }
  return out;
}

/**
 * Relabels bouts shorter than `minWindows` as their longer adjacent neighbour, shortest first (a bout is
 * flipped only when no adjacent bout is shorter), until none can change. Isolated short bouts stay.
 */
function absorbShort(input: Bout[], minWindows: number): Bout[] {
  let bouts = coalesce(input);
  for (;;) {
    let changed = false;
    for (let i = 0; i < bouts.length; i++) {
      const b = bouts[i]!;
      const len = b.w1 - b.w0;
      if (len >= minWindows) continue;
      const prev = i > 0 && bouts[i - 1]!.w1 === b.w0 ? bouts[i - 1] : undefined;
      const next = i + 1 < bouts.length && bouts[i + 1]!.w0 === b.w1 ? bouts[i + 1] : undefined;
      const pl = prev !== undefined ? prev.w1 - prev.w0 : -1;
      const nl = next !== undefined ? next.w1 - next.w0 : -1;
      if (pl < 0 && nl < 0) continue;
      if ((pl >= 0 && pl < len) || (nl >= 0 && nl < len)) continue;
      const target = pl >= nl ? prev : next;
      if (target !== undefined && target.label !== b.label) {
        b.label = target.label;
        changed = true;
      }
    }
    bouts = coalesce(bouts);
    if (!changed) return bouts;
  }
}

function times(b: Bout, f: Frame): { startS: number; endS: number } {
  const s = b.w0 * f.windowS;
  const e = Math.min(b.w1 * f.windowS, f.endS);
  return { startS: round(f.offsetS + s), endS: round(f.offsetS + Math.max(s, e)) };
}

function motion(summary: StreamSummary, f: Frame, stillMax: number): SegmentDraft[] {
  const { activity, level } = summary.windows;
  const valid = validWindows(summary);
  const labels = activity.map((a, w): Label | null => (valid[w] === true ? (a < stillMax ? 'still' : 'moving') : null));
  const minWindows = Math.ceil(SEGMENT_PARAMS.minMotionBoutS / summary.windows.windowS - 1e-9);
  return absorbShort(runs(labels), minWindows).map((b) => {
    let sumA = 0;
    let maxA = 0;
    let sumL = 0;
    let k = 0;
    for (let w = b.w0; w < b.w1; w++) {
      if (valid[w] !== true) continue;
      const a = activity[w] ?? 0;
      sumA += a;
      sumL += level[w] ?? 0;
      if (a > maxA) maxA = a;
      k++;
    }
    return {
      kind: b.label === 'still' ? 'still' : 'moving',
      stream: summary.stream.name,
      ...times(b, f),
      attributes: {
        sensor: summary.stream.sensor,
        unit: summary.stream.unit,
        meanActivity: round(k > 0 ? sumA / k : 0),
        maxActivity: round(maxA),
        meanLevel: round(k > 0 ? sumL / k : 0),
        threshold: stillMax,
        windows: k,
      },
    };
  });
}

/** The p-quantile (0..1) of some numbers (nearest rank); NaN for none. */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

function audio(summary: StreamSummary, f: Frame): SegmentDraft[] {
  const { activity, level, windowS } = summary.windows;
  const valid = validWindows(summary);
  const floorDb = percentile(activity.filter((_, w) => valid[w] === true), SEGMENT_PARAMS.noiseFloorPercentile);
  if (Number.isNaN(floorDb)) return [];
  const thresholdDb = Math.max(floorDb + SEGMENT_PARAMS.soundMarginDb, SEGMENT_PARAMS.minSoundDb);
  const labels = activity.map((a, w): Label | null => (valid[w] === true ? (a > thresholdDb ? 'sound' : 'silence') : null));
  let bouts = runs(labels);
  // Hangover: bridge short silences between two sounds, then drop sounds too short to be events.
  const hang = Math.round(SEGMENT_PARAMS.hangoverS / windowS);
  bouts = coalesce(
    bouts.map((b, i): Bout => {
      const prev = bouts[i - 1];
      const next = bouts[i + 1];
      const inner = prev?.label === 'sound' && next?.label === 'sound' && prev.w1 === b.w0 && next.w0 === b.w1;
      return b.label === 'silence' && inner && b.w1 - b.w0 <= hang ? { ...b, label: 'sound' } : b;
    }),
  );
  const minSound = Math.round(SEGMENT_PARAMS.minSoundS / windowS);
  bouts = coalesce(bouts.map((b): Bout => (b.label === 'sound' && b.w1 - b.w0 < minSound ? { ...b, label: 'silence' } : b)));
  return bouts.map((b) => {
    let energy = 0;
    let peak = 0;
    let k = 0;
    for (let w = b.w0; w < b.w1; w++) {
      if (valid[w] !== true) continue;
      energy += 10 ** ((activity[w] ?? -120) / 10);
      peak = Math.max(peak, level[w] ?? 0);
      k++;
    }
    const meanLevelDb = k > 0 && energy > 0 ? Math.max(-120, 10 * Math.log10(energy / k)) : -120;
    return {
      kind: b.label === 'sound' ? 'sound' : 'silence',
      stream: summary.stream.name,
      ...times(b, f),
      attributes: {
        sensor: summary.stream.sensor,
        meanLevelDb: round(meanLevelDb, 2),
        peak: round(peak, 5),
        thresholdDb: round(thresholdDb, 2),
        noiseFloorDb: round(floorDb, 2),
        windows: k,
      },
    };
  });
}
