import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { channelUnitsNote, describeSensor, streamNameFromFilename } from './sensor-logger-names.js';

/**
 * Per-sensor row buffers of the Sensor Logger JSON reader: records of all sensors arrive interleaved (or
 * grouped), and each sensor's rows are collected here until a chunk of 65,536 rows is full. Buffers start
 * small and double, so a file with thirty slow sensors does not hold thirty full chunks.
 */

export const ROWS_PER_CHUNK = 65_536;
const FIRST_CAPACITY = 1024;
export const MAX_CHANNELS = 512;
/** Values one chunk may hold: wide sensors get shorter chunks (512 channels → 8,192 rows). */
const MAX_CHUNK_CELLS = 4 * 1024 * 1024;

/** Keys that are not channels. */
export const NON_CHANNEL_KEYS = new Set(['sensor', 'time', 'seconds_elapsed']);

export class SensorGroup {
  readonly name: string;
  readonly channels: string[];
  private readonly keyToChannel = new Map<string, number>();
  private cap = FIRST_CAPACITY;
  /** Rows per chunk for this sensor's width. */
  readonly chunkRows: number;
  t: BigInt64Array;
  values: Float32Array[];
  n = 0;
  total = 0;
  declared = false;
  /** Per-channel factors to SI, decided when the stream is declared. */
  scale: number[] | null = null;
  firstNs: bigint | null = null;
  /** Rows whose keys the first record of the sensor did not have. */
  unknownKeys = 0;
  /** Per channel: values that were text, not numbers. */
  readonly textValues: number[];
  /** Channels kept (decided when the stream is declared: text channels are left out); null before. */
  kept: number[] | null = null;
  /** Every channel held text: no stream, the records are counted and dropped. */
  dropped = false;

  constructor(
    readonly sensor: string,
    keys: readonly string[],
  ) {
    this.name = streamNameFromFilename(sensor);
    const valueKeys = keys.filter((k) => !NON_CHANNEL_KEYS.has(k));
    if (valueKeys.length > MAX_CHANNELS) {
      throw new AppError('format_limits', `The "${sensor}" records have ${valueKeys.length} fields; at most ${MAX_CHANNELS} are accepted.`);
    }
    const lower = valueKeys.map((k) => k.toLowerCase());
    const xi = lower.indexOf('x');
    const yi = lower.indexOf('y');
    const zi = lower.indexOf('z');
    let order = valueKeys.map((_, i) => i);
    if (xi >= 0 && yi >= 0 && zi >= 0) order = [xi, yi, zi, ...order.filter((i) => i !== xi && i !== yi && i !== zi)];
    this.channels = order.map((i) => valueKeys[i]!);
    this.channels.forEach((c, i) => this.keyToChannel.set(c, i));
    this.textValues = this.channels.map(() => 0);
    this.chunkRows = Math.max(1, Math.min(ROWS_PER_CHUNK, Math.floor(MAX_CHUNK_CELLS / Math.max(1, this.channels.length))));
    this.cap = Math.min(FIRST_CAPACITY, this.chunkRows);
    this.t = new BigInt64Array(this.cap);
    this.values = this.channels.map(() => new Float32Array(this.cap));
  }

  channelOf(key: string): number {
    return this.keyToChannel.get(key) ?? -1;
  }

  /** Starts a row at time `t` (all channels missing until set). */
  beginRow(t: bigint): number {
    if (this.n === this.cap) this.grow();
    const row = this.n;
    this.t[row] = t;
    for (const v of this.values) v[row] = Number.NaN;
    if (this.firstNs === null) this.firstNs = t;
    this.n++;
    this.total++;
    return row;
  }

  get full(): boolean {
    return this.n === this.chunkRows;
  }

  /** 4-byte cells one row takes (its values and its 8-byte time). */
  get rowCells(): number {
    return this.channels.length + 2;
  }

  /** Cells held in the buffer now. */
  get bufferedCells(): number {
    return this.n * this.rowCells;
  }

  private grow(): void {
    const cap = Math.min(this.chunkRows, this.cap * 2);
    const t = new BigInt64Array(cap);
    t.set(this.t.subarray(0, this.n));
    this.t = t;
    this.values = this.values.map((v) => {
      const w = new Float32Array(cap);
      w.set(v.subarray(0, this.n));
      return w;
    });
    this.cap = cap;
  }

  /**
   * Decides, from the rows read so far, which channels hold text (ids, names, hex payloads: more than half of
   * their values are not numbers) and are left out of the stream; returns their names.
   */
  decideChannels(): string[] {
    const text = new Set(this.channels.flatMap((_, c) => (this.textValues[c]! * 2 > this.total ? [c] : [])));
    this.kept = this.channels.flatMap((_, c) => (text.has(c) ? [] : [c]));
    return [...text].map((c) => this.channels[c]!);
  }

  /** Text values in the kept channels (stored as missing). */
  get nonNumeric(): number {
    return (this.kept ?? []).reduce((a, c) => a + this.textValues[c]!, 0);
  }

  /** Takes the buffered rows as a chunk (scaled to SI) and starts over. */
  flush(): SampleChunk {
    const n = this.n;
    const scale = this.scale;
    const kept = this.kept ?? this.channels.map((_, c) => c);
    const values = kept.map((ch, c) => {
      const v = this.values[ch]!;
      const out = v.length === n ? v : v.slice(0, n);
      const f = scale?.[c] ?? 1;
      if (f !== 1) for (let i = 0; i < n; i++) out[i] = out[i]! * f;
      return out;
    });
    const chunk: SampleChunk = { length: n, t: this.t.length === n ? this.t : this.t.slice(0, n), values };
    // Start smaller again (an eighth of a chunk after a full one), so that hundreds of sensors never hold
    // full-size buffers at once; a busy sensor grows back in three doublings.
    this.cap = Math.max(Math.min(FIRST_CAPACITY, this.chunkRows), n === this.chunkRows ? Math.floor(this.chunkRows / 8) : 0);
    this.t = new BigInt64Array(this.cap);
    this.values = this.channels.map(() => new Float32Array(this.cap));
    this.n = 0;
    return chunk;
  }

  /** The stream as the file describes it (before Sensor Logger's platform rules): its kept channels. */
  info(): StreamInfo {
    const d = describeSensor(this.name);
    const channels = (this.kept ?? this.channels.map((_, c) => c)).map((c) => this.channels[c]!);
    const info: StreamInfo = { name: this.name, kind: d.kind, sensor: d.sensor, channels, unit: d.unit, nominalRateHz: null };
    const note = channelUnitsNote(d, channels);
    if (note !== null) info.calibration = { channel_units: note };
    return info;
  }

  /** The kept channels' buffered values (for a look at their magnitude before the stream is declared). */
  keptValues(): Float32Array[] {
    return (this.kept ?? []).map((c) => this.values[c]!);
  }
}
