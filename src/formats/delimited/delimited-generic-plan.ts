/**
 * Plans the reading of a generic delimited text file from its head: finds the time column by name (or, with
 * no header, by position and monotony: a number, an ISO 8601 date-time or a time of day), how it counts, the
 * label columns, and groups the other numeric columns into streams. A text column is imported as labels when
 * it is categorical (few values in long runs), else listed as skipped — never read as numbers. Anything it
 * cannot decide becomes `csv_ambiguous` naming the column, not a guess.
 */

import { AppError } from '../../lib/errors.js';
import { isValueText, toNumber, type Dialect } from './delimited-dialect.js';
import { isIndexName, isLabelName, isTimeName, parseColumnName, type ColumnName } from './delimited-names.js';
import { MAX_COLUMNS, type LabelPlan, type Plan, type TimePlan } from './delimited-plan.js';
import { buildStreams, withRate, type Column } from './delimited-streams.js';
import { looksLikeClockTime, looksLikeIsoTime, readTimeColumn, type TimeReading } from './delimited-time.js';
import { NS_PER_UNIT, timeUnitFromName, type TimeUnit } from './delimited-units.js';

type Warning = { code: string; message: string };

/** A rate the preamble states (`… at 30 Hz …`, `# rate: 100 Hz`), or null. */
export function rateFromPreamble(preamble: readonly string[]): number | null {
  for (const line of preamble) {
    const m = /(\d+(?:[.,]\d+)?)\s*Hz\b/i.exec(line);
    const hz = m === null ? Number.NaN : Number((m[1] ?? '').replace(',', '.'));
    if (hz > 0 && hz <= 100_000) return hz;
  }
  return null;
}

/** UCI HAR raw-data files (`acc_exp01_user01.txt`, `gyro_exp01_user01.txt`): 50 Hz, g and rad/s. */
function uciHar(filename: string): { sensor: 'accelerometer' | 'gyroscope'; unit: string } | null {
  const base = (filename.split(/[/\\]/).pop() ?? '').toLowerCase();
  const m = /^(acc|gyro)_exp\d+_user\d+\.txt$/.exec(base);
  if (m === null) return null;
  return m[1] === 'acc' ? { sensor: 'accelerometer', unit: 'g' } : { sensor: 'gyroscope', unit: 'rad/s' };
}

function column(dialect: Dialect, index: number, name: ColumnName): Column {
  return { index, name, values: dialect.rows.map((r) => r[index] ?? '') };
}

/** Share of the non-empty head values that are numbers (or non-finite words such as `NaN`, `Infinity`). */
function numericShare(values: readonly string[], decimalComma: boolean): number {
  const present = values.filter((v) => v !== '');
  if (present.length === 0) return Number.NaN;
  return present.filter((v) => isValueText(v, decimalComma)).length / present.length;
}

/** Most label columns one file may import (the rest are listed as skipped). */
const MAX_LABEL_COLUMNS = 8;
/** A categorical text column has at most this many distinct values in the head, each at most this long. */
const MAX_CATEGORIES = 50;
const MAX_CATEGORY_CHARS = 64;
/** Text that is an identifier or a date, not a category: a UUID, a long hex string, a date or time. */
const NOT_CATEGORY = /^([0-9a-f]{8}-[0-9a-f]{4}-|(0x)?[0-9a-f]{8,}$|[0-9a-f]{2}([:-][0-9a-f]{2}){5}$|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2})/i;

/**
 * True when a text column reads as categories (an activity, a user, a device model): few distinct values,
 * none an identifier or a date, in runs of 20 rows or more on average. Such a column's runs become labels.
 */
function isCategorical(values: readonly string[]): boolean {
  const present = values.filter((v) => v !== '');
  if (present.length === 0) return false;
  const distinct = new Set(present);
  if (distinct.size > MAX_CATEGORIES) return false;
  for (const v of distinct) if (v.length > MAX_CATEGORY_CHARS || NOT_CATEGORY.test(v)) return false;
  let changes = 0;
  for (let i = 1; i < present.length; i++) if (present[i] !== present[i - 1]) changes++;
  return changes + 1 <= Math.max(1, present.length / 20);
}

/** True when the second reading's offsets match the first's (within 2 ms or 1 %). */
function agrees(a: readonly number[], b: readonly number[]): boolean {
  const n = Math.min(a.length, b.length, 200);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (Math.abs(x - y) > Math.max(2e6, 0.01 * Math.abs(x))) return false;
  }
  return true;
}

/** Picks the time column among several candidates (they must agree, or the file is ambiguous); null when there is none. */
export function chooseTime(cols: readonly Column[], dialect: Dialect, warnings: Warning[]): { col: Column; reading: TimeReading } | null {
  if (cols.length === 0) return null;
  const readings = cols.map((c) => ({ col: c, r: readTimeColumn(`column "${c.name.raw}"`, timeUnitFromName(c.name.unit, c.name.words), c.values, dialect.decimalComma) }));
  const ok = readings.flatMap((x) => (x.r.ok ? [{ col: x.col, reading: x.r }] : []));
  if (readings.length === 1) {
    const only = readings[0]!;
    if (!only.r.ok) throw new AppError('csv_ambiguous', `Cannot read the time: ${only.r.reason}.`, { column: only.col.name.raw });
    return { col: only.col, reading: only.r };
  }
  const primary = ok.find((x) => x.reading.mode === 'abs') ?? ok.find((x) => x.reading.mode === 'iso') ?? ok[0];
  if (primary === undefined) {
    const r = readings[0]!;
    throw new AppError('csv_ambiguous', `Cannot read the time: ${r.r.ok ? '' : r.r.reason}.`, { column: r.col.name.raw });
  }
  for (const other of readings) {
    if (other.col === primary.col) continue;
    const units: TimeUnit[] = other.r.ok ? [other.r.unit] : ['s', 'ms', 'us', 'ns'];
    const raw = other.col.values.map((v) => toNumber(v, dialect.decimalComma));
    const match =
      other.r.ok && other.r.mode === 'iso'
        ? agrees(primary.reading.offsetsNs, other.r.offsetsNs)
        : units.some((u) => agrees(primary.reading.offsetsNs, raw.map((v) => ((v - (raw[0] ?? 0)) * NS_PER_UNIT[u]))));
    if (!match) {
      throw new AppError(
        'csv_ambiguous',
        `Two candidate time columns disagree: "${primary.col.name.raw}" and "${other.col.name.raw}" do not advance together, so it is not clear which one times the samples; remove or rename one of them.`,
        { column: other.col.name.raw, columns: [primary.col.name.raw, other.col.name.raw] },
      );
    }
  }
  warnings.push({
    code: 'time_column_chosen',
    message: `Several time columns (${cols.map((c) => `"${c.name.raw}"`).join(', ')}) agree; "${primary.col.name.raw}" was used.`,
  });
  return primary;
}

function timePlan(col: Column, r: TimeReading): TimePlan {
  return { kind: 'column', index: col.index, name: col.name.raw, mode: r.mode, unit: r.unit, absolute: r.absolute, shiftNs: r.shiftNs, clock: r.clock };
}

function basePlan(dialect: Dialect, time: TimePlan, warnings: Warning[]): Plan {
  return { dialect, time, streams: [], labels: [], fileLabel: null, warnings, metadata: null, what: 'delimited text file' };
}

/** Plans a file whose first table line is a header. */
function planWithHeader(dialect: Dialect, header: readonly string[], filename: string): Plan {
  const warnings: Warning[] = [];
  const cols = header.map((h, i) => column(dialect, i, parseColumnName(h)));
  const timeCols = cols.filter((c) => isTimeName(c.name));
  const labelCols = cols.filter((c) => !isTimeName(c.name) && isLabelName(c.name));
  const labels: LabelPlan[] = labelCols.map((c) => ({ index: c.index, name: c.name.raw, origin: `label column "${c.name.raw}"` }));
  const ignored: Column[] = [];
  const data: Column[] = [];
  for (const c of cols) {
    if (timeCols.includes(c) || labelCols.includes(c) || isIndexName(c.name)) continue;
    const share = numericShare(c.values, dialect.decimalComma);
    if (share >= 0.5 || (Number.isNaN(share) && c.name.sensor !== null)) data.push(c);
    else if (!Number.isNaN(share) && isCategorical(c.values)) labels.push({ index: c.index, name: c.name.raw, origin: `text column "${c.name.raw}"` });
    else ignored.push(c);
  }
  const chosen = chooseTime(timeCols, dialect, warnings);
  let time: TimePlan;
  if (chosen !== null) {
    time = timePlan(chosen.col, chosen.reading);
    if (chosen.reading.note !== null) warnings.push({ code: 'time_inferred', message: `${chosen.reading.note}.` });
  } else {
    const rate = rateFromPreamble(dialect.preamble);
    if (rate === null) {
      throw new AppError(
        'csv_ambiguous',
        `No time column: none of the columns (${header.slice(0, 12).map((h) => `"${h}"`).join(', ')}${header.length > 12 ? ', …' : ''}) is named like a time (time, timestamp, "Time (s)", epoch, …) and the file states no sampling rate, so the samples cannot be placed in time.`,
        { column: header[0] },
      );
    }
    time = { kind: 'rate', rateHz: rate, indexField: null };
    warnings.push({ code: 'rate_assumed', message: `No time column; the ${rate} Hz stated in the file's preamble was used: row n is at n / ${rate} s.` });
  }
  if (data.length === 0) {
    throw new AppError('csv_missing_column', `The file has no numeric data columns besides the time (columns: ${header.slice(0, 12).join(', ')}).`, { line: dialect.skipLines });
  }
  const built = buildStreams(data, filename, dialect.decimalComma, 'unknown');
  warnings.push(...built.warnings);
  const plan = basePlan(dialect, time, warnings);
  plan.streams = time.kind === 'rate' ? withRate(built.streams, time.rateHz) : built.streams;
  plan.labels = labels.slice(0, MAX_LABEL_COLUMNS);
  for (const l of labels.slice(MAX_LABEL_COLUMNS)) ignored.push(cols[l.index]!);
  const text = plan.labels.filter((l) => l.origin.startsWith('text'));
  if (text.length > 0) {
    warnings.push({
      code: 'text_columns_labels',
      message: `Text column${text.length === 1 ? '' : 's'} ${text.map((l) => `"${l.name}"`).join(', ')} ${text.length === 1 ? 'holds' : 'hold'} categories in long runs; each run was imported as a label.`,
    });
  }
  if (ignored.length > 0) {
    warnings.push({
      code: 'columns_ignored',
      message: `Columns that are not numbers, time or labels were skipped (not stored): ${ignored.map((c) => `"${c.name.raw}"`).join(', ')}.`,
    });
  }
  return plan;
}

/**
 * A white-space separated file whose first two fields are a date and a time (`2019-10-16 12:09:01.702 x y z`):
 * the two are one ISO 8601 time, so the table is read as `time x y z` (the row parser takes the date, the
 * space and the time as one field).
 */
function joinDateAndTime(dialect: Dialect): Dialect | null {
  const first = dialect.rows[0];
  if (!dialect.whitespace || dialect.fieldCount !== 5 || first === undefined) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(first[0] ?? '') || !looksLikeIsoTime(`${first[0]} ${first[1]}`)) return null;
  return { ...dialect, fieldCount: 4, rows: dialect.rows.map((r) => [`${r[0]} ${r[1]}`, ...r.slice(2)]) };
}

/** Plans a file without a header: columns by count (3 → x,y,z; 4 → time,x,y,z). */
function planWithoutHeader(dialect0: Dialect, filename: string): Plan {
  const dialect = joinDateAndTime(dialect0) ?? dialect0;
  const n = dialect.fieldCount;
  const warnings: Warning[] = [];
  const name = (axis: string): ColumnName => ({ raw: axis, words: [], axis, unit: null, sensor: null, qualifier: [] });
  const uci = uciHar(filename);
  const xyz = (from: number): Column[] =>
    ['x', 'y', 'z'].map((a, k) => {
      const c = column(dialect, from + k, name(a));
      if (uci !== null) c.name = { ...c.name, sensor: uci.sensor, unit: uci.unit };
      return c;
    });
  let time: TimePlan;
  let cols: Column[];
  if (n === 3) {
    const preambleRate = rateFromPreamble(dialect.preamble);
    const rate = preambleRate ?? (uci !== null ? 50 : null);
    if (rate === null) {
      throw new AppError(
        'csv_ambiguous',
        'The file has 3 unnamed numeric columns (read as x, y, z) but no time column and no stated sampling rate, so the samples cannot be placed in time; add a header with a time column (e.g. "time_s,acc_x,acc_y,acc_z").',
        { column: 'column 1' },
      );
    }
    time = { kind: 'rate', rateHz: rate, indexField: null };
    cols = xyz(0);
    const from = preambleRate !== null ? "the file's preamble" : `the UCI HAR raw-data convention for a file named like "${filename.split(/[/\\]/).pop() ?? ''}" (${uci?.sensor} in ${uci?.unit})`;
    warnings.push({
      code: 'rate_assumed',
      message: `No header and no time column: the 3 columns were read as x, y, z at ${rate} Hz, the rate of ${from}; the rate is an assumption, not in the file.`,
    });
  } else if (n === 4) {
    const first = column(dialect, 0, name('column 1'));
    const sample = (first.values.find((v) => v !== '') ?? '').trim();
    const kind = looksLikeIsoTime(sample) ? 'ISO 8601 date-times' : looksLikeClockTime(sample) ? 'times of day' : 'numbers';
    const r = readTimeColumn('column 1', null, first.values, dialect.decimalComma);
    const offsets = r.ok ? r.offsetsNs : first.values.map((v) => toNumber(v, dialect.decimalComma));
    const monotonic = offsets.length >= 2 && offsets.every((v, i) => i === 0 || v >= (offsets[i - 1] ?? v)) && (offsets[offsets.length - 1] ?? 0) > (offsets[0] ?? 0);
    if (kind !== 'numbers' && !r.ok) throw new AppError('csv_ambiguous', `Cannot read the time: ${r.reason}.`, { column: 'column 1' });
    if (!monotonic) {
      throw new AppError(
        'csv_ambiguous',
        `The file has 4 unnamed columns and column 1 (${kind}) does not increase, so it is not a time; add a header that names the columns (e.g. "timestamp_ms,acc_x,acc_y,acc_z").`,
        { column: 'column 1' },
      );
    }
    if (!r.ok) throw new AppError('csv_ambiguous', `Cannot read the time: ${r.reason}.`, { column: 'column 1' });
    time = timePlan(first, r);
    if (r.note !== null) warnings.push({ code: 'time_inferred', message: `${r.note}.` });
    cols = xyz(1);
    warnings.push({ code: 'columns_inferred', message: `No header: column 1 was read as the time (${kind} that increase) and columns 2–4 as x, y, z.` });
  } else {
    throw new AppError(
      'csv_ambiguous',
      `The file has ${n} unnamed columns and no header, so it is not clear which is the time and which sensor each column is; add a header row (e.g. "time_s,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z").`,
      { column: 'column 1' },
    );
  }
  const built = buildStreams(cols, filename, dialect.decimalComma, 'unknown');
  warnings.push(...built.warnings);
  const plan = basePlan(dialect, time, warnings);
  plan.streams = time.kind === 'rate' ? withRate(built.streams, time.rateHz) : built.streams;
  return plan;
}

/** Plans the reading of a delimited text file; throws `csv_ambiguous`/`format_limits` when it cannot. */
export function planDelimited(dialect: Dialect, filename: string): Plan {
  if (dialect.fieldCount > MAX_COLUMNS) {
    throw new AppError('format_limits', `The table has ${dialect.fieldCount} columns; FieldSense reads at most ${MAX_COLUMNS} from one file.`, { columns: dialect.fieldCount });
  }
  if (dialect.rows.length === 0) {
    throw new AppError('no_samples', `The file has ${dialect.header === null ? 'no rows' : 'a header but no data rows'} in its first 64 KiB.`);
  }
  const plan = dialect.header === null ? planWithoutHeader(dialect, filename) : planWithHeader(dialect, dialect.header, filename);
  if (dialect.preamble.length > 0) {
    plan.warnings.unshift({ code: 'preamble_skipped', message: `${dialect.preamble.length} line(s) before the table were skipped (first: ${JSON.stringify(dialect.preamble[0]?.slice(0, 80))}).` });
  }
  return plan;
}
