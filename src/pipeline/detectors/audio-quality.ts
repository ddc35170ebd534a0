import { chunkTimeAt } from '../../domain/chunk-times.js';
import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import type { CheckStatus, QualityCheck } from '../types.js';
import { ActiveLevel } from './audio-active-level.js';
import { powerDb, round2 } from './audio-levels.js';
import { withOverrides } from './options.js';
import type { DetectorFactory, DetectorOutput, StreamDetector } from './types.js';

export const AUDIO_QUALITY = { name: 'audio-quality', version: '1.0.0', optionPrefix: 'audioQuality' } as const;

/** Thresholds of the audio checks; a study overrides them with detector options `audioQuality.<name>`. */
export interface AudioQualityThresholds {
  /** Active level (P.56-style, dBFS) below this is `warn`: too quiet to hear or to label well. */
  levelLowDb: number;
  /** Active level above this is `warn`: so hot that peaks are likely to clip. */
  levelHighDb: number;
  /** |mean| of a channel (fraction of full scale): warn / bad at or above. */
  dcWarn: number;
  dcBad: number;
  /** A sample is at full scale when |x| ≥ clipLevel × full scale… */
  clipLevel: number;
  /** …and counts as clipped inside a run of at least this many such samples on one channel. */
  clipMinRun: number;
  /** Clipped samples as a fraction of all samples: warn / bad at or above. */
  clipWarnFraction: number;
  clipBadFraction: number;
  /** A window is silent when its RMS is below this (dBFS). */
  silenceLevelDb: number;
  silenceWindowS: number;
  /** Share of silent windows: warn / bad at or above (bad: a muted or dead microphone). */
  silenceWarnFraction: number;
  silenceBadFraction: number;
}

export const AUDIO_QUALITY_DEFAULTS: Readonly<AudioQualityThresholds> = Object.freeze({
  levelLowDb: -45,
  levelHighDb: -6,
  dcWarn: 0.01,
  dcBad: 0.1,
  clipLevel: 0.999,
  clipMinRun: 3,
  clipWarnFraction: 0.0001,
  clipBadFraction: 0.01,
  silenceLevelDb: -60,
  silenceWindowS: 0.1,
  silenceWarnFraction: 0.9,
  silenceBadFraction: 0.99,
});

/** Level frames for the active level. */
const FRAME_S = 0.01;

function num(x: number, digits = 3): string {
  return Number.isInteger(x) ? x.toLocaleString('en-US') : Number(x.toPrecision(digits)).toString();
}

function pct(x: number): string {
  return `${num(x * 100, 2)}%`;
}

/**
 * The audio quality checks, in one pass over the samples with fixed memory: `audio_level` (active level,
 * with the overall RMS in the message), `dc_offset` (worst channel mean), `audio_clipping` (samples inside
 * runs at full scale) and `silence_fraction` (share of 100 ms windows below −60 dBFS). Levels are the mean
 * power over channels, so channels in opposite phase do not cancel. Emits checks only, no events.
 */
export class AudioQualityDetector implements StreamDetector {
  readonly name = AUDIO_QUALITY.name;
  readonly version = AUDIO_QUALITY.version;
  private readonly th: AudioQualityThresholds;
  private readonly nCh: number;
  private readonly clipAt: number;
  private rate = Number.NaN;
  private frameLen = 0;
  private framesPerWindow = 0;
  /** Per-channel: Σx, finite samples, NaNs, current run at full scale, clipped samples, clip runs. */
  private readonly sum: Float64Array;
  private readonly count: Float64Array;
  private readonly nan: Float64Array;
  private readonly run: Float64Array;
  private readonly clipped: Float64Array;
  private readonly clipRuns: Float64Array;
  /** Partial sums of x² per frame slot of the current chunk (slot 0 carries the unfinished frame). */
  private slots = new Float64Array(0);
  private fill = 0;
  private totalPower = 0;
  private samples = 0;
  private windowPower = 0;
  private windowFrames = 0;
  private windows = 0;
  private silentWindows = 0;
  private zeroWindows = 0;
  private readonly active = new ActiveLevel();

  constructor(private readonly stream: StreamInfo, options?: Record<string, unknown>) {
    this.th = withOverrides(AUDIO_QUALITY_DEFAULTS, options, AUDIO_QUALITY.optionPrefix);
    this.nCh = stream.channels.length;
    this.clipAt = this.th.clipLevel * (stream.fullScale ?? 1);
    const z = (): Float64Array => new Float64Array(this.nCh);
    this.sum = z();
    this.count = z();
    this.nan = z();
    this.run = z();
    this.clipped = z();
    this.clipRuns = z();
    if (stream.nominalRateHz !== null && stream.nominalRateHz > 0) this.setRate(stream.nominalRateHz);
  }

  private setRate(rate: number): void {
    this.rate = rate;
    this.frameLen = Math.max(1, Math.round(rate * FRAME_S));
    this.framesPerWindow = Math.max(1, Math.round(this.th.silenceWindowS / (this.frameLen / rate)));
  }

  push(chunk: SampleChunk): void {
    const n = chunk.length;
    if (n === 0) return;
    if (Number.isNaN(this.rate)) {
      const span = n > 1 ? Number(chunkTimeAt(chunk, n - 1) - chunkTimeAt(chunk, 0)) : 0;
      if (!(span > 0)) return;
      this.setRate(((n - 1) * 1e9) / span);
    }
    const F = this.frameLen;
    const nSlots = Math.ceil((this.fill + n) / F) + 1;
    if (this.slots.length < nSlots) {
      const s = new Float64Array(Math.max(nSlots, 1024));
      s[0] = this.slots[0] ?? 0;
      this.slots = s;
    }
    const slots = this.slots;
    for (let c = 0; c < this.nCh; c++) {
      const v = chunk.values[c];
      if (v !== undefined) this.channel(c, v, n, slots);
    }
    const total = this.fill + n;
    const done = Math.floor(total / F);
    const norm = 1 / (F * this.nCh);
    for (let k = 0; k < done; k++) this.frame(slots[k]! * norm);
    const carry = slots[done]!;
    slots.fill(0, 0, done + 2);
    slots[0] = carry;
    this.fill = total - done * F;
    this.samples += n;
  }

  private channel(c: number, v: Float32Array, n: number, slots: Float64Array): void {
    const F = this.frameLen;
    const clipAt = this.clipAt;
    const minRun = this.th.clipMinRun;
    let s1 = 0;
    let cnt = 0;
    let nan = 0;
    let sq = 0;
    let run = this.run[c]!;
    let clipped = 0;
    let runs = 0;
    let i = 0;
    let slot = 0;
    let end = Math.min(n, F - this.fill);
    while (i < n) {
      let e = 0;
      for (; i < end; i++) {
        const x = v[i]!;
        if (x !== x) {
          nan++;
          run = 0;
          continue;
        }
        s1 += x;
        cnt++;
        e += x * x;
        if (x >= clipAt || x <= -clipAt) {
          run++;
          if (run === minRun) {
            clipped += minRun;
            runs++;
          } else if (run > minRun) clipped++;
        } else run = 0;
      }
      slots[slot++]! += e;
      sq += e;
      end = Math.min(n, end + F);
    }
    this.sum[c]! += s1;
    this.count[c]! += cnt;
    this.nan[c]! += nan;
    this.run[c] = run;
    this.clipped[c]! += clipped;
    this.clipRuns[c]! += runs;
    this.totalPower += sq;
  }

  private frame(power: number): void {
    this.active.add(power);
    this.windowPower += power;
    if (++this.windowFrames === this.framesPerWindow) this.endWindow(this.windowPower / this.windowFrames);
  }

  private endWindow(power: number): void {
    this.windows++;
    if (powerDb(power) < this.th.silenceLevelDb) this.silentWindows++;
    if (power === 0) this.zeroWindows++;
    this.windowPower = 0;
    this.windowFrames = 0;
  }

  finish(): DetectorOutput {
    // A last partial frame / window counts when at least half full.
    if (this.frameLen > 0 && this.fill >= this.frameLen / 2) this.frame((this.slots[0] ?? 0) / (this.fill * this.nCh));
    if (this.windowFrames >= this.framesPerWindow / 2) this.endWindow(this.windowPower / this.windowFrames);
    // No samples: nothing to judge here (the stream analyzer's sample_count check says so).
    if (this.samples === 0) return { events: [], checks: [] };
    return { events: [], checks: [this.levelCheck(), this.dcCheck(), this.clipCheck(), this.silenceCheck()] };
  }

  private check(name: string, status: CheckStatus, value: number, threshold: number, unit: string, message: string): QualityCheck {
    return { name, stream: this.stream.name, status, value, threshold, unit, message };
  }

  private levelCheck(): QualityCheck {
    const s = this.stream.name;
    const values = this.count.reduce((a, b) => a + b, 0);
    const rmsDb = powerDb(values > 0 ? this.totalPower / values : 0);
    const act = this.active.result();
    const th = this.th;
    if (act === null) {
      return this.check('audio_level', 'warn', rmsDb, th.levelLowDb, 'dBFS', `Audio "${s}" is digital silence throughout; check the microphone was on and not muted.`);
    }
    const lvl = round2(act.levelDb);
    const facts = `active level ${num(lvl)} dBFS over ${pct(act.activeShare)} of the time (overall RMS ${num(round2(rmsDb))} dBFS)`;
    if (lvl < th.levelLowDb) {
      return this.check('audio_level', 'warn', lvl, th.levelLowDb, 'dBFS', `Audio "${s}" is quiet: ${facts}, under ${num(th.levelLowDb)} dBFS; move the microphone closer or raise its gain.`);
    }
    if (lvl > th.levelHighDb) {
      return this.check('audio_level', 'warn', lvl, th.levelHighDb, 'dBFS', `Audio "${s}" is very loud: ${facts}, over ${num(th.levelHighDb)} dBFS; lower the input gain to leave headroom.`);
    }
    return this.check('audio_level', 'ok', lvl, th.levelLowDb, 'dBFS', `Audio "${s}": ${facts}.`);
  }

  private dcCheck(): QualityCheck {
    const s = this.stream.name;
    let worst = 0;
    let worstCh = 0;
    for (let c = 0; c < this.nCh; c++) {
      const m = this.count[c]! > 0 ? this.sum[c]! / this.count[c]! : 0;
      if (Math.abs(m) > Math.abs(worst)) {
        worst = m;
        worstCh = c;
      }
    }
    const fs = this.stream.fullScale ?? 1;
    const rel = Math.abs(worst) / fs;
    const status: CheckStatus = rel >= this.th.dcBad ? 'bad' : rel >= this.th.dcWarn ? 'warn' : 'ok';
    const ch = this.stream.channels[worstCh] ?? String(worstCh);
    const message =
      status === 'ok'
        ? `Audio "${s}" has no DC offset to speak of (largest channel mean ${num(Number(worst.toPrecision(3)))} of full scale).`
        : `Audio "${s}" channel "${ch}" sits at ${num(Number((worst / fs).toPrecision(3)))} of full scale on average (DC offset); the microphone or its preamp is biased — high-pass the audio before level or spectral features.`;
    return this.check('dc_offset', status, Number(rel.toPrecision(4)), this.th.dcWarn, 'FS', message);
  }

  private clipCheck(): QualityCheck {
    const s = this.stream.name;
    const values = this.count.reduce((a, b) => a + b, 0);
    const clipped = this.clipped.reduce((a, b) => a + b, 0);
    const runs = this.clipRuns.reduce((a, b) => a + b, 0);
    const frac = values > 0 ? clipped / values : 0;
    const status: CheckStatus = frac >= this.th.clipBadFraction ? 'bad' : frac >= this.th.clipWarnFraction ? 'warn' : 'ok';
    const message =
      clipped === 0
        ? `Audio "${s}" does not clip (no run of ${this.th.clipMinRun} samples at full scale).`
        : `Audio "${s}" clips: ${num(clipped)} samples (${pct(frac)}) in ${num(runs)} runs at full scale${status === 'ok' ? ', too few to matter' : '; lower the input gain, clipped sound distorts features and labels'}.`;
    return this.check('audio_clipping', status, Number(frac.toPrecision(4)), this.th.clipWarnFraction, 'fraction', message);
  }

  private silenceCheck(): QualityCheck {
    const s = this.stream.name;
    const w = this.windows;
    const frac = w > 0 ? this.silentWindows / w : 1;
    const status: CheckStatus = frac >= this.th.silenceBadFraction ? 'bad' : frac >= this.th.silenceWarnFraction ? 'warn' : 'ok';
    const zero = this.zeroWindows > 0 ? ` (${pct(w > 0 ? this.zeroWindows / w : 0)} digital zeros)` : '';
    const share = `${pct(frac)} of its ${num(this.th.silenceWindowS)} s windows are below ${num(this.th.silenceLevelDb)} dBFS${zero}`;
    const message =
      status === 'bad'
        ? `Audio "${s}" is silent: ${share}; the microphone was likely muted, blocked or dead.`
        : status === 'warn'
          ? `Audio "${s}" is mostly silent: ${share}; check the microphone's gain and placement.`
          : `Audio "${s}": ${share}.`;
    return this.check('silence_fraction', status, Number(frac.toPrecision(4)), this.th.silenceBadFraction, 'fraction', message);
  }
}

/** Audio level, DC offset, clipping and silence checks on audio streams; null for other kinds. */
export const audioQuality: DetectorFactory = (stream, options) =>
  stream.kind === 'audio' && stream.channels.length > 0 ? new AudioQualityDetector(stream, options) : null;
