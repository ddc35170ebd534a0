import type { ImportedLabel, ReaderEvent, RecordingMetadata } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { field, parseNumber, parseTime } from '../common/csv-fields.js';
import {
  JsonTokenizer, T_BEGIN_ARRAY, T_BEGIN_OBJECT, T_END, T_END_ARRAY, T_END_OBJECT, T_FALSE, T_NEED_MORE, T_NUMBER, T_STRING, T_TRUE,
} from '../common/json-tokenizer.js';
import { SensorGroup } from './sensor-logger-json-groups.js';
import { looksLikeG } from './sensor-logger-names.js';
import { STANDARD_GRAVITY } from '../../domain/units.js';
import { adjustSensorLoggerStream, isWatchStream, sessionFromFields, type SensorLoggerSession } from './sensor-logger-zip.js';
import type { FormatReader, SniffInput } from '../types.js';

/**
 * Sensor Logger's JSON export: one top-level array of flat records, every value a string —
 * `{"sensor":"Accelerometer","time":"1698501144401773000","seconds_elapsed":"0.2167","z":"…","y":"…","x":"…"}`
 * — records of all sensors in one array (grouped by sensor, or interleaved). Stream-parsed with the byte
 * tokenizer (never `JSON.parse` of the file), grouped by `sensor` into streams named as the ZIP export's
 * files would be (`Accelerometer` → `accelerometer`). `Metadata` records give the platform and
 * standardisation (frames, units); `Annotation` records become imported labels.
 */

const MAX_DEPTH = 64;
const MAX_SENSORS = 256;
const MAX_FIELDS = 1024;
const MAX_LABELS = 100_000;
/** Values buffered across all sensors before the fullest is emitted early (bounds memory with many sensors). */
const MAX_BUFFERED_CELLS = 8 * 1024 * 1024;

const R_START = 0;
const R_ARRAY = 1;
const R_KEY = 2;
const R_VALUE = 3;
const R_SKIP = 4;
const R_END = 5;

const enc = new TextEncoder();
const K_SENSOR = enc.encode('sensor');
const K_TIME = enc.encode('time');
const K_ELAPSED = enc.encode('seconds_elapsed');
const KEY_FIELD = 0;
const KEY_SENSOR = 1;
const KEY_TIME = 2;
const KEY_IGNORED = 3;

class Counters {
  notObjects = 0;
  noSensor = 0;
  noTime = 0;
  nested = 0;
}

class SlJsonParser {
  readonly tok = new JsonTokenizer(MAX_DEPTH);
  readonly out: ReaderEvent[] = [];
  readonly groups = new Map<string, SensorGroup>();
  readonly counters = new Counters();
  session: SensorLoggerSession | null = null;
  private state = R_START;
  private skipDepth = 0;
  private recordingEmitted = false;
  private readonly pending: ReaderEvent[] = [];
  private labels = 0;
  // The record being read.
  private keys: string[] = [];
  private nums = new Float64Array(MAX_FIELDS);
  private strs: (string | null)[] = [];
  private nFields = 0;
  private sensor: string | null = null;
  private hasTime = false;
  private timeHi = 0;
  private timeLo = 0;
  private keyKind = KEY_FIELD;
  /** Per field of the record: its text was not a number (and not empty / NaN). */
  private readonly bad = new Uint8Array(MAX_FIELDS);
  private readonly keyCache: { bytes: Uint8Array; text: string }[][] = [];

  /** Reads every complete token buffered so far. */
  pump(): void {
    const tok = this.tok;
    for (;;) {
      const t = tok.next();
      if (t === T_NEED_MORE) return;
      switch (this.state) {
        case R_START:
          if (t !== T_BEGIN_ARRAY) throw new AppError('format_corrupt', 'A Sensor Logger JSON export is one array of records ("[{…},{…}]"); this JSON starts with something else.');
          this.state = R_ARRAY;
          break;
        case R_ARRAY:
          if (t === T_BEGIN_OBJECT) this.beginRecord();
          else if (t === T_END_ARRAY) this.state = R_END;
          else {
            this.counters.notObjects++;
            if (t === T_BEGIN_ARRAY) this.skip(R_ARRAY);
          }
          break;
        case R_KEY:
          if (t === T_END_OBJECT) {
            this.endRecord();
            this.state = R_ARRAY;
          } else {
            this.key();
            this.state = R_VALUE;
          }
          break;
        case R_VALUE:
          this.state = R_KEY;
          if (t === T_BEGIN_OBJECT || t === T_BEGIN_ARRAY) {
            this.counters.nested++;
            this.skip(R_KEY);
          } else this.value(t);
          break;
        case R_SKIP:
          if ((t === T_END_OBJECT || t === T_END_ARRAY) && tok.depth === this.skipDepth) this.state = this.afterSkip;
          break;
        default:
          if (t === T_END) return;
      }
    }
  }

  private afterSkip = R_ARRAY;

  private skip(then: number): void {
    this.skipDepth = this.tok.depth - 1;
    this.afterSkip = then;
    this.state = R_SKIP;
  }

  private beginRecord(): void {
    this.nFields = 0;
    this.sensor = null;
    this.hasTime = false;
    this.state = R_KEY;
  }

  private key(): void {
    const tok = this.tok;
    this.keyKind = tok.equals(K_SENSOR) ? KEY_SENSOR : tok.equals(K_TIME) ? KEY_TIME : tok.equals(K_ELAPSED) ? KEY_IGNORED : KEY_FIELD;
    if (this.keyKind !== KEY_FIELD) return;
    const slot = this.nFields;
    if (slot >= MAX_FIELDS) throw new AppError('format_limits', `A record at byte ${tok.offset} has more than ${MAX_FIELDS} fields.`);
    const cache = (this.keyCache[slot] ??= []);
    let text: string | null = null;
    for (const c of cache) {
      if (tok.equals(c.bytes)) {
        text = c.text;
        break;
      }
    }
    if (text === null) {
      text = tok.text();
      if (cache.length < 16 && !tok.escaped) cache.push({ bytes: tok.buf.slice(tok.start, tok.end), text });
    }
    this.keys[slot] = text;
  }

  private value(t: number): void {
    const tok = this.tok;
    const isText = t === T_STRING || t === T_NUMBER;
    if (this.keyKind === KEY_IGNORED) return;
    if (this.keyKind === KEY_SENSOR) {
      if (t === T_STRING) this.sensor = tok.text();
      return;
    }
    if (this.keyKind === KEY_TIME) {
      this.hasTime = isText && parseTime(tok.buf, tok.start, tok.end) && field.cursor === tok.end;
      this.timeHi = field.timeHi;
      this.timeLo = field.timeLo;
      return;
    }
    const slot = this.nFields++;
    let v = Number.NaN;
    this.bad[slot] = 0;
    if (isText && !tok.escaped) {
      field.bad = false;
      v = parseNumber(tok.buf, tok.start, tok.end);
      if (field.cursor !== tok.end) field.bad = true;
      if (field.bad) {
        v = Number.NaN;
        this.bad[slot] = 1;
      }
    } else if (isText) {
      this.bad[slot] = 1;
    } else if (t === T_TRUE || t === T_FALSE) {
      v = t === T_TRUE ? 1 : 0;
    }
    this.nums[slot] = v;
    const wantText = this.sensor === null || this.sensor === 'Metadata' || this.sensor === 'Annotation';
    this.strs[slot] = wantText && isText ? tok.text() : null;
  }

  private timeNs(): bigint {
    return (BigInt(this.timeHi) << 32n) | BigInt(this.timeLo >>> 0);
  }

  private endRecord(): void {
    const sensor = this.sensor;
    if (sensor === null) {
      this.counters.noSensor++;
      return;
    }
    if (sensor === 'Metadata') {
      const fields = new Map<string, string>();
      for (let i = 0; i < this.nFields; i++) fields.set(this.keys[i]!, this.strs[i] ?? '');
      this.session = sessionFromFields(fields);
      this.emitLater({ type: 'metadata', metadata: this.session.metadata });
      return;
    }
    if (!this.hasTime) {
      this.counters.noTime++;
      return;
    }
    if (sensor === 'Annotation') {
      const i = this.keys.slice(0, this.nFields).indexOf('text');
      const label: ImportedLabel = { label: ((i >= 0 ? this.strs[i] : null) ?? '').trim().slice(0, 500) || 'annotation', startNs: this.timeNs(), endNs: null, origin: 'Sensor Logger JSON "Annotation" records' };
      if (this.labels++ < MAX_LABELS) this.emitLater({ type: 'annotation', annotation: label });
      return;
    }
    let g = this.groups.get(sensor);
    if (g === undefined) {
      if (this.groups.size >= MAX_SENSORS) throw new AppError('format_limits', `The JSON holds more than ${MAX_SENSORS} different sensors; this is not a Sensor Logger export.`);
      g = new SensorGroup(sensor, this.keys.slice(0, this.nFields));
      this.groups.set(sensor, g);
    }
    if (g.dropped) {
      g.total++;
      return;
    }
    const row = g.beginRow(this.timeNs());
    for (let i = 0; i < this.nFields; i++) {
      const ch = g.channelOf(this.keys[i]!);
      if (ch < 0) g.unknownKeys++;
      else {
        if (this.bad[i] === 1) g.textValues[ch]!++;
        g.values[ch]![row] = this.nums[i]!;
      }
    }
    this.buffered += g.rowCells;
    if (g.full) this.emit(g);
    else if (this.buffered > MAX_BUFFERED_CELLS) this.emitFullest();
  }

  private buffered = 0;

  private emitFullest(): void {
    let best: SensorGroup | null = null;
    for (const g of this.groups.values()) if (best === null || g.bufferedCells > best.bufferedCells) best = g;
    if (best !== null && best.n > 0) this.emit(best);
  }

  private emitLater(ev: ReaderEvent): void {
    if (this.recordingEmitted) this.out.push(ev);
    else this.pending.push(ev);
  }

  private emitRecording(): void {
    let start: bigint | null = null;
    for (const g of this.groups.values()) if (g.firstNs !== null && (start === null || g.firstNs < start)) start = g.firstNs;
    this.out.push({ type: 'recording', startTimeNs: start, absoluteTime: true });
    this.recordingEmitted = true;
    this.out.push(...this.pending.splice(0));
  }

  /** Per sensor: the fields left out because they hold text (reported once at the end). */
  private readonly textFields = new Map<string, string[]>();

  /** Emits a group's buffered rows (declaring its stream first). */
  emit(g: SensorGroup): void {
    if (!this.recordingEmitted) this.emitRecording();
    if (!g.declared) {
      g.declared = true;
      const text = g.decideChannels();
      if (text.length > 0) this.textFields.set(g.sensor, text);
      if (g.kept?.length === 0) {
        // Every field is text (a device list, network names): nothing to store as samples.
        g.dropped = true;
        this.buffered -= g.bufferedCells;
        g.flush();
        return;
      }
      const info = g.info();
      let inferredG = false;
      // iOS writes uncalibrated acceleration in g unless standardised; without the Metadata record to say so,
      // the values' magnitude does.
      if ((this.session?.platform ?? null) === null && /^(watch_)?accelerometer_uncalibrated(_\d+)?$/.test(g.name) && looksLikeG(g.keptValues(), g.n)) {
        info.originalUnit = 'g';
        inferredG = true;
      }
      const adjusted = adjustSensorLoggerStream(info, this.session);
      g.scale = adjusted.scale ?? (inferredG ? adjusted.info.channels.map(() => STANDARD_GRAVITY) : null);
      if (inferredG) {
        this.pending.push({
          type: 'warning',
          code: 'unit_inferred',
          message: `"${g.sensor}": the values' median norm is about 1, so they are in g (Sensor Logger on iOS without "Standardise Units & Frames"); converted to m/s^2.`,
        });
      }
      this.out.push({ type: 'stream', stream: adjusted.info });
    }
    if (g.dropped) return;
    this.buffered -= g.bufferedCells;
    this.out.push({ type: 'chunk', stream: g.name, chunk: g.flush() });
  }

  /** After the last token: the remaining rows, the end-of-file checks and the warnings. */
  finish(): void {
    for (const g of this.groups.values()) if (g.n > 0) this.emit(g);
    let total = 0;
    for (const g of this.groups.values()) total += g.total;
    if (total === 0) throw new AppError('no_samples', 'The Sensor Logger JSON export holds no sensor records with a time.');
    if ([...this.groups.values()].every((g) => g.dropped)) {
      throw new AppError('no_samples', `The Sensor Logger JSON export's records hold only text fields (${[...this.textFields.values()].flat().slice(0, 20).join(', ')}), no numbers; there are no samples to read.`);
    }
    this.out.push(...this.pending.splice(0));
    const c = this.counters;
    const warn = (code: string, count: number, message: string): void => {
      if (count > 0) this.out.push({ type: 'warning', code, message, count });
    };
    warn('json_record_skipped', c.notObjects, `${c.notObjects} element(s) of the array are not records; skipped.`);
    warn('json_record_skipped', c.noSensor, `${c.noSensor} record(s) have no "sensor" field; skipped.`);
    warn('json_record_skipped', c.noTime, `${c.noTime} record(s) have no integer "time" (Unix ns); skipped.`);
    warn('json_nested_value', c.nested, `${c.nested} field value(s) are objects or arrays, not numbers; ignored.`);
    if (this.labels > MAX_LABELS) warn('labels_truncated', this.labels - MAX_LABELS, `Only the first ${MAX_LABELS} annotations were imported.`);
    const watch: string[] = [];
    for (const g of this.groups.values()) {
      warn('json_unknown_field', g.unknownKeys, `"${g.sensor}": ${g.unknownKeys} value(s) in fields its first record did not have; ignored.`);
      warn('json_non_numeric', g.nonNumeric, `"${g.sensor}": ${g.nonNumeric} value(s) are not numbers; stored as missing.`);
      const text = this.textFields.get(g.sensor);
      if (text !== undefined) {
        this.out.push({
          type: 'warning',
          code: 'json_text_fields_skipped',
          message: g.dropped
            ? `"${g.sensor}": every field (${text.map((f) => `"${f}"`).join(', ')}) holds text, not numbers; its ${g.total} record(s) were not stored as samples.`
            : `"${g.sensor}": field(s) ${text.map((f) => `"${f}"`).join(', ')} hold text (identifiers, names or hex payloads), not numbers; not stored as channels.`,
          count: text.length,
        });
      }
      if (isWatchStream(g.name)) watch.push(g.name);
    }
    if (watch.length > 0) {
      const onlyWatch = watch.length === this.groups.size;
      const metadata: RecordingMetadata = { session: { watchStreams: watch.join(', ') }, ...(onlyWatch ? { device: { kind: 'watch' } } : {}) };
      this.out.push({ type: 'metadata', metadata });
    }
  }
}

async function* readSensorLoggerJson(source: AsyncIterable<Uint8Array>): AsyncGenerator<ReaderEvent> {
  const p = new SlJsonParser();
  for await (const piece of source) {
    p.tok.feed(piece);
    p.pump();
    if (p.out.length > 0) yield* p.out.splice(0);
  }
  p.tok.finish();
  p.pump();
  p.finish();
  yield* p.out.splice(0);
}

/** `[` then `{` with a `"sensor"` key in the first record (maybe "Metadata"), and a `"time"` key soon after. */
function sniffSensorLoggerJson(input: SniffInput): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(input.head.subarray(0, 8192)).replace(/^\uFEFF/, '');
  const m = /^\s*\[\s*\{([^}]*)\}?/.exec(text);
  if (m === null) return false;
  return /"sensor"\s*:/.test(m[1]!) && /"time"\s*:\s*"?\d/.test(text);
}

/** Sensor Logger JSON export: one array of flat string records of all sensors → one stream per sensor. */
export const sensorLoggerJsonReader: FormatReader = {
  name: 'sensor-logger-json',
  description: 'Sensor Logger JSON export (one array of records {"sensor","time" in ns,"seconds_elapsed",<fields>}, all values strings)',
  sniff: sniffSensorLoggerJson,
  read: (source) => readSensorLoggerJson(source),
};
