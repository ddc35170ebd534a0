/**
 * What a delimited-text column name says: its words, an axis (x/y/z/w), a unit (`(m/s^2)`, `[ms]`, `_g`), and
 * which sensor it belongs to (`acc_x`, `accX`, `acc.x`, `x_acc`, `Accel-X (g)`, `Acceleration x`, `gyro_x`, `gx`,
 * `Linear Acceleration x`, …), whichever order the sensor and the axis come in.
 * Pure string work on the header only; the hot loop never calls it.
 */

export interface ColumnName {
  /** The name as written (quotes removed). */
  raw: string;
  /** Lowercase words of the name without its unit: `Linear Acceleration x (m/s^2)` → [linear, acceleration, x]. */
  words: string[];
  /** `x`, `y`, `z` or `w` when the name ends in an axis. */
  axis: string | null;
  /** The unit the name carries (`m/s^2`, `g`, `deg/s`, `ms`, …) as written, or null. */
  unit: string | null;
  /** The sensor its words name (accelerometer, gyroscope, …), or null. */
  sensor: string | null;
  /** Words left once the sensor and axis words are taken: a body location (`wrist`), a device number. */
  qualifier: string[];
}

/** Sensor names a stream can get; the order matters: the first whose words match wins. */
const SENSOR_WORDS: [string, string[][]][] = [
  ['user_acceleration', [['linear', 'acc*'], ['user', 'acc*'], ['body', 'acc*'], ['lin', 'acc*'], ['lacc'], ['linacc'], ['useracceleration'], ['useracc'], ['linearacceleration']]],
  ['gravity', [['gravity'], ['grav']]],
  ['gyroscope', [['gyro*'], ['gyr'], ['rotation', 'rate'], ['rotationrate'], ['angular', 'velocity'], ['rot', 'rate']]],
  ['magnetometer', [['mag'], ['magn*'], ['magnetic*'], ['compass']]],
  ['accelerometer', [['acc*'], ['total', 'acc*'], ['totalacc*']]],
  ['orientation', [['orientation'], ['attitude'], ['quaternion'], ['quat'], ['euler']]],
];

/** `ax`, `gy`, `mz`, `qw`: one-letter sensor prefixes common in IMU logs. */
const LETTER_SENSORS: Record<string, string> = { a: 'accelerometer', g: 'gyroscope', m: 'magnetometer', q: 'orientation' };

const ORIENTATION_CHANNELS = new Set(['roll', 'pitch', 'yaw', 'azimuth', 'heading']);

/** Unit words that may trail a name without brackets (`acc_x_g`, `gyro_z_dps`). */
const TRAILING_UNITS = new Set(['g', 'mg', 'ms2', 'mps2', 'dps', 'rads', 'rad', 'deg', 'ut', 'nt', 'gauss', 's', 'ms', 'us', 'ns', 'sec']);

function wordMatches(word: string, pattern: string): boolean {
  return pattern.endsWith('*') ? word.startsWith(pattern.slice(0, -1)) : word === pattern;
}

/** Splits `Linear Acceleration x`, `acc_x`, `accX`, `userAcceleration.x`, `x-axis` into lowercase words. */
export function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9µ°]+/)
    .filter((w) => w !== '');
}

/** Removes a bracketed unit: `Time (s)` → [`Time`, `s`], `acc x [m/s^2]` → [`acc x`, `m/s^2`]. */
function takeBracketUnit(name: string): { rest: string; unit: string | null } {
  const m = /^(.*?)\s*[([]\s*([^()[\]]{1,24})\s*[)\]]\s*$/.exec(name);
  if (m === null) return { rest: name, unit: null };
  return { rest: m[1] ?? '', unit: m[2] ?? null };
}

/** Finds the sensor named by `words` and returns it with the indexes of the words it used. */
function findSensor(words: readonly string[]): { sensor: string; used: number[] } | null {
  for (const [sensor, patterns] of SENSOR_WORDS) {
    for (const pattern of patterns) {
      for (let i = 0; i + pattern.length <= words.length; i++) {
        if (pattern.every((p, k) => wordMatches(words[i + k] ?? '', p))) {
          return { sensor, used: pattern.map((_, k) => i + k) };
        }
      }
    }
  }
  return null;
}

/** Reads a column name into words, axis, unit and sensor. */
export function parseColumnName(raw: string): ColumnName {
  const { rest, unit: bracketUnit } = takeBracketUnit(raw.trim());
  let unit = bracketUnit;
  let words = splitWords(rest);
  let axis: string | null = null;
  // `acc_x_g`: a unit word after the axis
  if (unit === null && words.length >= 3 && TRAILING_UNITS.has(words[words.length - 1] ?? '') && /^[xyzw]$/.test(words[words.length - 2] ?? '')) {
    unit = words[words.length - 1] ?? null;
    words = words.slice(0, -1);
  }
  const axisWords = words.filter((w) => w !== 'axis');
  const last = axisWords[axisWords.length - 1] ?? '';
  if (/^[xyzw]$/.test(last)) {
    axis = last;
    words = axisWords.slice(0, -1);
  } else if (axisWords.length >= 1 && /^[agmq][xyzw]$/.test(last)) {
    // `gx`, `ax`, `qw`
    axis = last.charAt(1);
    words = [...axisWords.slice(0, -1), last.charAt(0)];
  } else if (/^[a-z]{3,}[xyz]$/.test(last) && findSensor([last.slice(0, -1)]) !== null) {
    // `accx`, `gyrox`
    axis = last.slice(-1);
    words = [...axisWords.slice(0, -1), last.slice(0, -1)];
  } else if (axisWords.length >= 2 && /^[xyzw]$/.test(axisWords[0] ?? '') && findSensor(axisWords.slice(1)) !== null) {
    // axis first: `x_acc`, `y_gyro`, `xAccel`, `X axis acceleration`
    axis = axisWords[0] ?? null;
    words = axisWords.slice(1);
  } else {
    words = axisWords;
  }
  let sensor: string | null = null;
  let qualifier = words;
  const found = findSensor(words);
  if (found !== null) {
    sensor = found.sensor;
    qualifier = words.filter((_, i) => !found.used.includes(i));
  } else if (axis !== null && words.length >= 1 && LETTER_SENSORS[words[words.length - 1] ?? ''] !== undefined) {
    sensor = LETTER_SENSORS[words[words.length - 1] ?? ''] ?? null;
    qualifier = words.slice(0, -1);
  } else if (axis === null && words.length === 1 && ORIENTATION_CHANNELS.has(words[0] ?? '')) {
    sensor = 'orientation';
  }
  return { raw, words, axis, unit, sensor, qualifier };
}

/** The sensor a file name names (`acc_exp01_user01.txt`, `Gyroscope.csv`), a hint for unnamed columns. */
export function findSensorInText(filename: string): string | null {
  const base = filename.split(/[/\\]/).pop() ?? '';
  return findSensor(splitWords(base.replace(/\.[A-Za-z0-9]{1,5}$/, '')))?.sensor ?? null;
}

const TIME_WORDS = new Set(['time', 'timestamp', 'timestamps', 'epoch', 'ts', 't', 'datetime', 'elapsed', 'millis', 'ms', 'msec', 'nanos', 'ns', 'micros', 'us', 'sec', 'secs', 'seconds', 'milliseconds', 'microseconds', 'nanoseconds', 'utc', 'unixtime']);
const NOT_TIME_WORDS = new Set(['zone', 'timezone', 'tz', 'offset', 'format', 'step', 'delta', 'diff', 'dt', 'interval']);
const LABEL_WORDS = new Set(['label', 'labels', 'activity', 'activities', 'class', 'annotation', 'annotations', 'gesture', 'behavior', 'behaviour', 'action', 'tag', 'state', 'event', 'condition', 'task']);
const INDEX_NAMES = new Set(['', 'index', 'idx', 'sample', 'samples', 'sample no', 'sample number', 'row', 'n', 'no', 'nr', '#', 'id', 'unnamed 0', 'count', 'counter', 'seq', 'sequence']);

/** True when the name reads as a time column (`time`, `Time (s)`, `timestamp_ms`, `epoch`, `seconds_elapsed`). */
export function isTimeName(c: ColumnName): boolean {
  if (c.axis !== null || c.sensor !== null) return false;
  if (c.words.some((w) => NOT_TIME_WORDS.has(w))) return false;
  return c.words.length > 0 && c.words.length <= 4 && c.words.some((w) => TIME_WORDS.has(w));
}

/** True when the name reads as a label column (`label`, `activity`, `class`, `activity_id`). */
export function isLabelName(c: ColumnName): boolean {
  return c.axis === null && c.sensor === null && c.words.length <= 3 && c.words.some((w) => LABEL_WORDS.has(w));
}

/** True for a row-index column (`''`, `index`, `sample`, `Unnamed: 0`): neither time nor data. */
export function isIndexName(c: ColumnName): boolean {
  return c.unit === null && c.axis === null && c.sensor === null && INDEX_NAMES.has(c.words.join(' '));
}

/** A stream name from words: only [a-z0-9_], `sensor` when nothing is left. */
export function snake(words: readonly string[]): string {
  const s = words.join('_').replace(/[^a-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
  return s === '' ? 'sensor' : s;
}
