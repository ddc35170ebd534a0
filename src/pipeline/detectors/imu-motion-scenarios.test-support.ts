/**
 * Synthetic wearable recordings with known still / moving answers for the activity detector's tests: phones
 * on a table, in a pocket, on the waist, and watches on the wrist, at 50 and 100 Hz, built from the physics of
 * each case (gravity turned by posture and sway, the body's acceleration added, sensor noise), and MotionSense
 * trials with still stretches spliced in. Test-only: nothing outside `*.test.ts` imports it.
 */
import { gaussian } from '../signals.test-support.js';
import { G } from './imu-common.js';
import { accelStream, motionSense, T0 } from './imu-signals.test-support.js';
import type { StreamInfo } from '../../domain/stream.js';
import type { DetectorOutput } from './types.js';
import { classAgreement, type BoundaryErrors } from '../../evaluation/class-agreement.js';
import { frameConfusion, frameGrid } from '../../evaluation/frame-metrics.js';
import { clipIntervals } from '../../evaluation/intervals.js';

export type Vec = [number, number, number];
export type MotionLabel = 'still' | 'moving';
/** A stretch of the reference; time not covered (postural transitions) is not scored. */
export interface ReferenceSpan {
  label: MotionLabel;
  startS: number;
  endS: number;
}

export interface Scenario {
  name: string;
  stream: StreamInfo;
  t: BigInt64Array;
  values: Float32Array[];
  reference: ReferenceSpan[];
}

/** v turned by θ (rad) about the x axis, then by φ about the y axis. */
export function tilt(v: Vec, theta: number, phi: number): Vec {
  const [x, y0, z0] = v;
  const y = y0 * Math.cos(theta) - z0 * Math.sin(theta);
  const z1 = y0 * Math.sin(theta) + z0 * Math.cos(theta);
  return [x * Math.cos(phi) + z1 * Math.sin(phi), y, -x * Math.sin(phi) + z1 * Math.cos(phi)];
}

function unit(v: Vec): Vec {
  const n = Math.hypot(...v);
  return [v[0] / n, v[1] / n, v[2] / n];
}

const add = (a: Vec, b: Vec): Vec => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a: Vec, k: number): Vec => [a[0] * k, a[1] * k, a[2] * k];
const TAU = 2 * Math.PI;
const deg = Math.PI / 180;

/**
 * One recording from a function of time giving the acceleration in g (gravity included unless the stream says
 * otherwise), sampled at `rateHz`, stored in m/s² with per-axis noise N(0, noiseMs2²).
 */
function build(name: string, seconds: number, rateHz: number, fn: (ts: number) => Vec, reference: ReferenceSpan[], opts: { noiseMs2?: number; seed?: number; stream?: Partial<StreamInfo> } = {}): Scenario {
  const n = Math.round(seconds * rateHz);
  const noise = opts.noiseMs2 ?? 0.01;
  const g = gaussian(opts.seed ?? 7);
  const t = new BigInt64Array(n);
  const values = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) {
    const ts = i / rateHz;
    t[i] = T0 + BigInt(Math.round(ts * 1e9));
    const a = fn(ts);
    for (let c = 0; c < 3; c++) values[c]![i] = a[c]! * G + noise * g();
  }
  return { name, stream: accelStream({ nominalRateHz: rateHz, ...opts.stream }), t, values, reference };
}

/** Vertical bounce, side sway and fore-aft surge of the trunk while walking at `stepHz` steps/s, in g (body axes: x side, y up, z forward). */
function gaitTrunk(ts: number, stepHz: number, vertical: number): Vec {
  return [
    0.4 * vertical * Math.sin(TAU * (stepHz / 2) * ts),
    vertical * Math.sin(TAU * stepHz * ts) + 0.35 * vertical * Math.sin(TAU * 2 * stepHz * ts + 0.7),
    0.6 * vertical * Math.sin(TAU * stepHz * ts + 1.2),
  ];
}

/** A smooth bump 0 → 1 → 0 over [t0, t0 + d] (a raised cosine), 0 outside. */
function bump(ts: number, t0: number, d: number): number {
  if (ts < t0 || ts > t0 + d) return 0;
  return 0.5 - 0.5 * Math.cos((TAU * (ts - t0)) / d);
}

/** Still postures: slow sway (tilt) and breathing, plus a tiny body acceleration. */
function sway(ts: number, amplitudeDeg: number): { theta: number; phi: number; body: Vec } {
  const theta = amplitudeDeg * deg * (0.7 * Math.sin(TAU * 0.13 * ts) + 0.3 * Math.sin(TAU * 0.31 * ts + 1));
  const phi = amplitudeDeg * deg * 0.6 * Math.sin(TAU * 0.21 * ts + 2);
  const body: Vec = [0.002 * Math.sin(TAU * 0.27 * ts), 0.002 * Math.sin(TAU * 0.3 * ts), 0];
  return { theta, phi, body };
}

/**
 * The synthetic cases. Body axes of the device: a phone upright in a trouser pocket or on the belt has gravity
 * along −y (Android convention reads +y up; the sign does not matter to the detector), a phone on a table and a
 * watch with the arm resting on a desk along z.
 */
export function scenarios(): Scenario[] {
  const pocketUp = unit([0.15, 0.95, 0.2]);
  const out: Scenario[] = [];

  out.push(build('phone on a table, 50 Hz (noise 0.01 m/s², slow drift)', 180, 50, (ts) => [0.001 * Math.sin(TAU * ts / 300), 0, 1 + 0.002 * (ts / 180)], [{ label: 'still', startS: 0, endS: 180 }]));

  out.push(build('phone in the pocket, sitting with sway and breathing, 50 Hz', 180, 50, (ts) => {
    const s = sway(ts, 2);
    const seated = unit([0.2, 0.25, 0.95]); // thigh horizontal: the pocketed phone lies flat-ish
    return add(tilt(seated, s.theta, s.phi), s.body);
  }, [{ label: 'still', startS: 0, endS: 180 }], { noiseMs2: 0.02 }));

  out.push(build('phone in the pocket, standing with postural sway and weight shifts, 100 Hz', 180, 100, (ts) => {
    const s = sway(ts, 3);
    // A shift of weight from one leg to the other every 30 s: 1.5 s, 40 mg of hip motion, a 4° lean.
    const shift = bump(ts % 30, 12, 1.5);
    return add(tilt(pocketUp, s.theta + 4 * deg * shift, s.phi), add(s.body, [0.04 * shift * Math.sin(TAU * 1.3 * ts), 0.02 * shift, 0]));
  }, [{ label: 'still', startS: 0, endS: 180 }], { noiseMs2: 0.02, seed: 3 }));

  out.push(build('phone on the waist, slow walking at 0.8 steps/s, 50 Hz', 120, 50, (ts) => {
    const trunk = gaitTrunk(ts, 0.8, 0.07);
    return add(tilt(pocketUp, 3 * deg * Math.sin(TAU * 0.4 * ts), 0), trunk);
  }, [{ label: 'moving', startS: 0, endS: 120 }], { noiseMs2: 0.02, seed: 5 }));

  // Stand 20 s, walk 30 s, stand 15 s, sit down (2.5 s), sit 40 s, stand up (2.5 s), walk 25 s, stand 20 s.
  const plan: [number, number, 'stand' | 'walk' | 'sit' | 'down' | 'up'][] = [
    [0, 20, 'stand'], [20, 50, 'walk'], [50, 65, 'stand'], [65, 67.5, 'down'], [67.5, 107.5, 'sit'], [107.5, 110, 'up'], [110, 135, 'walk'], [135, 155, 'stand'],
  ];
  const phase = (ts: number): [number, number, string] => {
    const p = plan.find(([a, b]) => ts >= a && ts < b) ?? plan[plan.length - 1]!;
    return [p[0], p[1], p[2]];
  };
  const postureRef: ReferenceSpan[] = plan.filter((p) => p[2] !== 'down' && p[2] !== 'up').map(([a, b, what]) => ({ label: what === 'walk' ? 'moving' : 'still', startS: a, endS: b }));
  out.push(build('phone on the waist: walking bouts, standing, sitting down and up, 50 Hz', 155, 50, (ts) => {
    const [a, b, what] = phase(ts);
    const s = sway(ts, 1.5);
    const upright = tilt(pocketUp, s.theta, s.phi);
    const seated = tilt(pocketUp, s.theta - 30 * deg, s.phi); // the pelvis tilts back when seated
    if (what === 'stand') return add(upright, s.body);
    if (what === 'sit') return add(seated, s.body);
    if (what === 'walk') return add(tilt(pocketUp, 3 * deg * Math.sin(TAU * 0.9 * ts), 0), gaitTrunk(ts, 1.8, 0.3));
    // Sit-to-stand and stand-to-sit: the trunk leans 30° and the body accelerates up to 0.3 g and back.
    const f = (ts - a) / (b - a);
    const lean = (what === 'down' ? f : 1 - f) * -30 * deg;
    return add(tilt(pocketUp, lean, 0), [0, 0.3 * Math.sin(TAU * f) * (what === 'down' ? -1 : 1), 0.15 * Math.sin(Math.PI * f)]);
  }, postureRef, { noiseMs2: 0.02, seed: 9 }));

  out.push(build('phone in the pocket, 100 Hz: sitting, walking (thigh swing), sitting', 120, 100, (ts) => {
    const s = sway(ts, 1);
    if (ts < 30 || ts >= 90) return add(tilt(unit([0.2, 0.25, 0.95]), s.theta, s.phi), s.body);
    if (ts < 32) return add(tilt(pocketUp, -70 * deg * (1 - (ts - 30) / 2), 0), [0, 0.25 * Math.sin(Math.PI * (ts - 30)), 0]);
    if (ts >= 88) return add(tilt(pocketUp, -70 * deg * ((ts - 88) / 2), 0), [0, -0.25 * Math.sin(Math.PI * (ts - 88)), 0]);
    // The thigh swings ±20° at the stride frequency; the trunk bounces at the step frequency.
    return add(tilt(pocketUp, 20 * deg * Math.sin(TAU * 0.95 * ts), 0), gaitTrunk(ts, 1.9, 0.35));
  }, [{ label: 'still', startS: 0, endS: 30 }, { label: 'moving', startS: 32, endS: 88 }, { label: 'still', startS: 90, endS: 120 }], { seed: 13 }));

  const wristRest = unit([0.1, -0.2, 0.97]);
  out.push(build('watch, 100 Hz: seated, walking with arm swing, seated', 120, 100, (ts) => {
    const s = sway(ts, 1);
    if (ts < 30 || ts >= 90) return add(tilt(wristRest, s.theta, s.phi), s.body);
    // The arm hangs (gravity along the forearm, x) and swings ±25° at the stride frequency: the gravity
    // vector turns, and the wrist's tangential and centripetal accelerations add up to ≈ 0.3 g.
    const swing = 25 * deg * Math.sin(TAU * 0.9 * ts);
    const tangential = -0.6 * (TAU * 0.9) ** 2 * 25 * deg * Math.sin(TAU * 0.9 * ts) / 9.81;
    return add(tilt(unit([-0.95, 0.1, 0.3]), 0, swing), add([0, 0, tangential], scale(gaitTrunk(ts, 1.8, 0.25), 0.8)));
  }, [{ label: 'still', startS: 0, endS: 30 }, { label: 'moving', startS: 30, endS: 90 }, { label: 'still', startS: 90, endS: 120 }], { noiseMs2: 0.02, seed: 17 }));

  const typingRng = gaussian(23);
  const strikes = Array.from({ length: 800 }, (_, i) => i * 0.2 + 0.08 * typingRng());
  out.push(build('watch, 100 Hz: typing while seated (key strikes, a reach for the mouse every 20 s)', 150, 100, (ts) => {
    const s = sway(ts, 2);
    // Key strikes every ≈ 0.2 s: a 10 mg jolt decaying in 30 ms.
    const k = Math.max(0, Math.floor(ts / 0.2) - 1);
    let jolt = 0;
    for (let i = k; i < k + 3 && i < strikes.length; i++) {
      const d = ts - strikes[i]!;
      if (d >= 0 && d < 0.1) jolt += 0.01 * Math.exp(-d / 0.03) * Math.sin(TAU * 25 * d);
    }
    const reach = bump(ts % 20, 10, 0.8);
    return add(tilt(wristRest, s.theta + 15 * deg * reach, s.phi), [0.06 * reach * Math.sin(TAU * 1.25 * (ts % 20 - 10)), 0, jolt]);
  }, [{ label: 'still', startS: 0, endS: 150 }], { noiseMs2: 0.02, seed: 19 }));

  out.push(build('watch, 50 Hz: eating while seated (a 2 s hand-to-mouth gesture every 15 s)', 150, 50, (ts) => {
    const s = sway(ts, 2);
    // The forearm lifts 70° and turns 60° and the wrist travels ≈ 30 cm: up to 0.15 g along the way.
    const u = ts % 15;
    const lift = bump(u, 6, 2);
    const travel = u >= 6 && u < 8 ? 0.15 * Math.sin((TAU * (u - 6)) / 2) : 0;
    return add(tilt(wristRest, s.theta + 70 * deg * lift, s.phi + 60 * deg * lift), [0, travel, 0.5 * travel]);
  }, [{ label: 'still', startS: 0, endS: 150 }], { noiseMs2: 0.02, seed: 29 }));
  return out;
}

/**
 * A MotionSense trial with still stretches of a phone at rest before, between and after (`stillS` each): the
 * trial is cut in two at its middle. At rest the phone reads gravity on one axis (iOS: −1 g on z) with
 * N(0, 0.01 m/s²) noise and a slow drift of 0.002 g; the user acceleration is that noise alone.
 */
export function splicedMotionSense(trial: 'wlk_15' | 'jog_16' | 'ups_12' | 'dws_1', which: 'total' | 'user', stillS = 20): Scenario {
  const src = motionSense(trial, which);
  const rate = 50;
  const n = src.t.length;
  const half = Math.floor(n / 2);
  const still = Math.round(stillS * rate);
  const total = 3 * still + n;
  const t = new BigInt64Array(total);
  const values = [new Float32Array(total), new Float32Array(total), new Float32Array(total)];
  const g = gaussian(31);
  let w = 0;
  const rest = (count: number): void => {
    for (let i = 0; i < count; i++, w++) {
      const drift = 0.002 * Math.sin((TAU * w) / (rate * 120));
      const a: Vec = which === 'total' ? [drift, 0, -1 + drift] : [drift, 0, drift];
      for (let c = 0; c < 3; c++) values[c]![w] = a[c]! * G + 0.01 * g();
    }
  };
  const copy = (from: number, to: number): void => {
    for (let i = from; i < to; i++, w++) for (let c = 0; c < 3; c++) values[c]![w] = src.values[c]![i]!;
  };
  rest(still);
  copy(0, half);
  rest(still);
  copy(half, n);
  rest(still);
  for (let i = 0; i < total; i++) t[i] = T0 + BigInt(i) * 20_000_000n;
  const s = (k: number): number => k / rate;
  const reference: ReferenceSpan[] = [
    { label: 'still', startS: 0, endS: s(still) },
    { label: 'moving', startS: s(still), endS: s(still + half) },
    { label: 'still', startS: s(still + half), endS: s(2 * still + half) },
    { label: 'moving', startS: s(2 * still + half), endS: s(2 * still + n) },
    { label: 'still', startS: s(2 * still + n), endS: s(total) },
  ];
  return { name: `MotionSense ${trial} (${which}) with still stretches`, stream: src.stream, t, values, reference };
}

/** Still / moving of a detector's output as spans in seconds from `t0`. */
export function predictedSpans(out: DetectorOutput, t0: bigint = T0): ReferenceSpan[] {
  return (out.segments ?? []).map((s) => ({
    label: s.kind === 'still' ? 'still' : 'moving',
    startS: Number(BigInt(s.startNs) - t0) / 1e9,
    endS: Number(BigInt(s.endNs) - t0) / 1e9,
  }));
}

/**
 * Still vs moving of a prediction against the reference, scored by the evaluation library as `npm run
 * evaluate` scores it (10 ms frames; boundaries matched one to one within 10 s, same direction).
 */
export function scoreMotion(reference: readonly ReferenceSpan[], predicted: readonly ReferenceSpan[]): { agreement: number | null; boundaries: BoundaryErrors } {
  const labels = ['still', 'moving'];
  const span = { startS: Math.min(...reference.map((r) => r.startS)), endS: Math.max(...reference.map((r) => r.endS)) };
  const grid = frameGrid(span);
  const ref = clipIntervals(reference, span);
  const pred = clipIntervals(predicted, span);
  const result = classAgreement({ grid, labels, original: ref, map: undefined, reference: ref, prediction: pred, confusion: frameConfusion(grid, ref, pred, labels) });
  return { agreement: result.frameAgreement, boundaries: result.boundaries };
}
