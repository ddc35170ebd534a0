import type { ImportedLabel, RecordingMetadata, StreamInfo } from '../../domain/stream.js';
import { columnIndex, parseSmallCsv } from '../common/csv-small.js';
import { describeSensor, streamNameFromFilename } from './sensor-logger-names.js';
import { STANDARD_GRAVITY as G } from '../../domain/units.js';
import { isTimeZone } from '../../domain/time-zone.js';

/**
 * What the ZIP container knows about Sensor Logger's export besides the per-sensor CSVs (which the
 * `sensor-logger-csv` reader reads): `Metadata.csv` (device, platform, app version, recording start,
 * time zone, per-sensor sampling periods, the "Standardise Units & Frames" flag), `Annotation.csv`
 * (`time,seconds_elapsed,text,millisecond_press_duration`), the coordinate frame of every stream, the watch
 * streams, and the units that depend on platform and standardisation (iOS writes uncalibrated and wrist
 * acceleration in g unless standardisation is on).
 */


/** Sensor Logger's recording facts from Metadata.csv (or the JSON export's Metadata record). */
export interface SensorLoggerSession {
  platform: 'ios' | 'android' | null;
  /** "Standardise Units & Frames" (Android conventions on both platforms); null when the file does not say. */
  standardised: boolean | null;
  /** When Start Recording was tapped (seconds_elapsed = 0), Unix ns. */
  startNs: bigint | null;
  /** Nominal rate per stream name, from `sensors` + `sampleRateMs`. */
  ratesHz: Map<string, number>;
  metadata: RecordingMetadata;
}

function parseBool(v: string | undefined): boolean | null {
  const s = (v ?? '').trim().toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  return null;
}

/** An epoch time in s, ms, µs or ns (told apart by magnitude) → ns; null when it is not an integer time. */
export function epochToNs(v: string | undefined): bigint | null {
  const s = (v ?? '').trim();
  if (!/^\d{9,19}$/.test(s)) return null;
  const n = BigInt(s);
  if (s.length <= 11) return n * 1_000_000_000n;
  if (s.length <= 14) return n * 1_000_000n;
  if (s.length <= 17) return n * 1_000n;
  return n;
}

/** True when a CSV header is Sensor Logger's Metadata.csv (not a sensor file). */
export function isSensorLoggerMetadataHeader(header: readonly string[]): boolean {
  return columnIndex(header, 'device name') >= 0 && columnIndex(header, 'platform') >= 0 && columnIndex(header, 'time') < 0;
}

/** Reads Sensor Logger's metadata from a header and one row of values (CSV or JSON record). */
export function sessionFromFields(fields: ReadonlyMap<string, string>): SensorLoggerSession {
  const get = (...names: string[]): string | undefined => {
    for (const n of names) {
      for (const [k, v] of fields) if (k.trim().toLowerCase().replace(/[\s_]+/g, ' ') === n) return v.trim();
    }
    return undefined;
  };
  const platformText = (get('platform') ?? '').toLowerCase();
  const platform = platformText === 'ios' ? 'ios' : platformText === 'android' ? 'android' : null;
  const standardised = parseBool(get('standardisation', 'standardization'));
  const startNs = epochToNs(get('recording epoch time'));
  const tz = get('recording timezone');
  const session: Record<string, string | number | boolean | null> = {};
  const put = (key: string, v: string | undefined): void => {
    if (v !== undefined && v !== '') session[key] = v.slice(0, 1000);
  };
  put('schemaVersion', get('version'));
  put('recordingTime', get('recording time'));
  put('sensors', get('sensors'));
  put('sampleRateMs', get('sampleratems', 'sample rate ms'));
  put('platformVersion', get('platform version'));
  if (standardised !== null) session.standardisation = standardised;
  const device: NonNullable<RecordingMetadata['device']> = { kind: 'phone', app: 'Sensor Logger' };
  if (platform !== null) device.platform = platform === 'ios' ? 'iOS' : 'Android';
  const model = get('device name');
  if (model) device.model = model.slice(0, 200);
  const appVersion = get('appversion', 'app version');
  if (appVersion) device.appVersion = appVersion.slice(0, 50);
  const serial = get('device id');
  if (serial) device.serial = serial.slice(0, 200);
  // Every column as the app wrote it, for what the named fields above do not cover.
  const verbatim: Record<string, string> = {};
  for (const [k, v] of fields) if (k.trim() !== '' && Object.keys(verbatim).length < 200) verbatim[k.trim().slice(0, 200)] = v.trim().slice(0, 1000);
  const metadata: RecordingMetadata = { device, session, fields: verbatim };
  if (tz && isTimeZone(tz)) metadata.timezone = tz;
  const ratesHz = new Map<string, number>();
  const sensors = (get('sensors') ?? '').split('|');
  const periods = (get('sampleratems', 'sample rate ms') ?? '').split('|');
  sensors.forEach((s, i) => {
    const ms = Number(periods[i]);
    if (s.trim() !== '' && Number.isFinite(ms) && ms > 0) ratesHz.set(streamNameFromFilename(s.trim().replace(/\s+/g, '')), 1000 / ms);
  });
  return { platform, standardised, startNs, ratesHz, metadata };
}

/** Parses Metadata.csv (header + one row); null when it is not Sensor Logger's. */
export function parseSensorLoggerMetadata(text: string): SensorLoggerSession | null {
  const rows = parseSmallCsv(text);
  const header = rows[0];
  const values = rows[1];
  if (header === undefined || values === undefined || !isSensorLoggerMetadataHeader(header)) return null;
  return sessionFromFields(new Map(header.map((h, i) => [h, values[i] ?? ''])));
}

/** True when a CSV header is an annotation file (`time` or `start`, plus `text` or `label`). */
export function isAnnotationHeader(header: readonly string[]): boolean {
  const hasTime = columnIndex(header, 'time', 'start', 'start time') >= 0;
  return hasTime && columnIndex(header, 'text', 'label', 'annotation') >= 0;
}

export interface AnnotationRead {
  labels: ImportedLabel[];
  /** Rows whose time could not be read. */
  badRows: number;
  firstBadLine: number;
}

/**
 * Reads Annotation.csv: one instantaneous marker per row at `time` (Unix ns), labelled with `text`; a range
 * when the file has `start`/`end` columns. Rows without a usable time are counted, not fatal.
 */
export function parseAnnotations(text: string, origin: string, session: SensorLoggerSession | null): AnnotationRead {
  const rows = parseSmallCsv(text);
  const header = rows[0] ?? [];
  const iStart = columnIndex(header, 'start', 'start time');
  const iTime = iStart >= 0 ? iStart : columnIndex(header, 'time');
  const iEnd = columnIndex(header, 'end', 'end time');
  const iElapsed = columnIndex(header, 'seconds elapsed');
  const iText = columnIndex(header, 'text', 'label', 'annotation');
  const out: AnnotationRead = { labels: [], badRows: 0, firstBadLine: 0 };
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!;
    let startNs = epochToNs(row[iTime]);
    if (startNs === null && session?.startNs != null && iElapsed >= 0) {
      const s = Number(row[iElapsed]);
      if (Number.isFinite(s)) startNs = session.startNs + BigInt(Math.round(s * 1e9));
    }
    if (startNs === null) {
      if (out.badRows === 0) out.firstBadLine = r + 1;
      out.badRows++;
      continue;
    }
    const endNs = iEnd >= 0 ? epochToNs(row[iEnd]) : null;
    const label = (row[iText] ?? '').trim().slice(0, 500) || 'annotation';
    out.labels.push({ label, startNs, endNs: endNs !== null && endNs >= startNs ? endNs : null, origin });
  }
  return out;
}

/** Streams that come from the companion watch app (Apple Watch / Wear OS). */
export function isWatchStream(name: string): boolean {
  return name.startsWith('watch_') || name === 'wrist_motion' || name === 'heart_rate';
}

/** Kinds, sensors and units Sensor Logger streams have beyond sensor-logger-names' table. */
function describeSlStream(name: string): { kind: StreamInfo['kind']; sensor: string; unit: string } {
  const key = name.replace(/_\d+$/, '');
  if (key === 'wrist_motion') return { kind: 'imu', sensor: 'wrist_motion', unit: 'mixed' };
  if (key === 'heart_rate') return { kind: 'other', sensor: 'heart_rate', unit: 'bpm' };
  if (key.startsWith('watch_')) return describeSensor(key.slice('watch_'.length));
  return describeSensor(key);
}

/** A stream as the container re-describes it, and the per-channel factors to bring its values to SI. */
export interface StreamAdjustment {
  info: StreamInfo;
  scale: number[] | null;
}

/**
 * Applies what Metadata.csv says to one Sensor Logger stream: frame (ios / android /
 * sensor-logger-standardized, never flipping axes), nominal rate, watch streams as IMU, and g → m/s² for
 * the iOS streams Sensor Logger writes in g when standardisation is off.
 */
export function adjustSensorLoggerStream(input: StreamInfo, session: SensorLoggerSession | null): StreamAdjustment {
  const info: StreamInfo = { ...input };
  const desc = describeSlStream(info.name);
  if (input.unit === 'unknown' || desc.sensor === 'wrist_motion') {
    info.kind = desc.kind;
    info.sensor = desc.sensor;
    info.unit = desc.unit;
  }
  let scale: number[] | null = null;
  if (session !== null) {
    if (session.standardised === true) info.frame = 'sensor-logger-standardized';
    else if (session.platform !== null) info.frame = session.platform;
    const rate = session.ratesHz.get(info.name.replace(/_\d+$/, ''));
    if (info.nominalRateHz === null && rate !== undefined) info.nominalRateHz = rate;
    const inG = session.platform === 'ios' && session.standardised !== true;
    const base = info.name.replace(/_\d+$/, '');
    // (A member reader that already found g by the values' magnitude has converted them: originalUnit 'g'.)
    if (inG && input.originalUnit !== 'g' && (base === 'accelerometer_uncalibrated' || base === 'watch_accelerometer_uncalibrated')) {
      scale = info.channels.map(() => G);
      info.unit = 'm/s^2';
      info.originalUnit = 'g';
    } else if (inG && base === 'wrist_motion') {
      scale = info.channels.map((c) => (/^(acceleration|gravity)[xyz]$/i.test(c) ? G : 1));
      if (scale.every((s) => s === 1)) scale = null;
      else info.originalUnit = 'g (acceleration and gravity channels)';
    }
  }
  if (info.name.replace(/_\d+$/, '') === 'watch_barometer') {
    // The watch reports pressure in kPa unless standardised (then mbar = hPa, as the phone).
    const kPa = session?.standardised !== true;
    info.calibration = { ...info.calibration, channel_units: `pressure: ${kPa ? (session === null ? 'kPa unless standardised, else hPa' : 'kPa') : 'hPa'}; relativeAltitude: m` };
  }
  if (desc.sensor === 'wrist_motion') {
    const accelUnit =
      scale !== null || session?.platform === 'android' || session?.standardised === true
        ? 'm/s^2'
        : session?.platform === 'ios'
          ? 'g'
          : 'g on iOS unless standardised, else m/s^2';
    info.calibration = {
      ...info.calibration,
      channel_units: `rotationRate*: rad/s; acceleration*, gravity*: ${accelUnit}; quaternion*: 1; pitch, roll, yaw: rad`,
    };
  }
  return { info, scale };
}
