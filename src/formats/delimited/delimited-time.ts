/**
 * What a time column of a delimited text file counts: its unit (ns/µs/ms/s) from its name or, failing that,
 * from its magnitude (Unix epoch in one of the four units, or fractional seconds from a start), ISO 8601
 * date-times (`T` or a space, fractional seconds, with or without an offset), or times of day
 * (`HH:MM:SS.fff`, no date: a relative clock). Decided on the head's rows; when the numbers could mean several things the caller is told
 * why, so it can reject the file naming the column instead of guessing.
 */

import type { WallClock } from '../../domain/stream.js';
import { NS_PER_UNIT, TIME_UNIT_WORDS, type TimeUnit } from './delimited-units.js';
import { toNumber } from './delimited-dialect.js';

/** Unix seconds that count as a wall clock: 1990-01-01 … 2100-01-01. */
const EPOCH_MIN_S = 631_152_000;
const EPOCH_MAX_S = 4_102_444_800;
/** A relative clock this far from zero (1 h) started elsewhere (boot): its times are counted from the first row. */
const SHIFT_ABOVE_S = 3600;

export type TimeMode = 'abs' | 'rel' | 'iso' | 'clock';

export interface TimeReading {
  ok: true;
  /** `abs`: epoch numbers parsed exactly; `rel`: small numbers (doubles); `iso`: date-time text; `clock`: time of day. */
  mode: TimeMode;
  unit: TimeUnit;
  /** Wall-clock (Unix epoch) times. */
  absolute: boolean;
  /** Which wall clock absolute times are: `utc` (epoch numbers, ISO with `Z` or an offset) or `device-local`. */
  clock: WallClock;
  /** Subtracted from every time (ns) so a relative clock far from zero starts at 0. */
  shiftNs: number;
  /** What a person should be told about how the column was read (inferred unit, assumed zone), or null. */
  note: string | null;
  /** Times of the head's rows in ns relative to the first (for cross-checking two time columns). */
  offsetsNs: number[];
}

export interface TimeProblem {
  ok: false;
  reason: string;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses an ISO 8601 date-time (`2024-03-01T12:00:00.123+01:00`) to Unix ns; `zone` tells whether one was given. */
export function parseIsoTime(text: string): { ns: bigint; zone: boolean } | null {
  const m = ISO.exec(text.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? '0'));
  if (!Number.isFinite(ms) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s ?? '0') > 60) return null;
  let offsetMin = 0;
  if (zone !== undefined && /^[+-]/.test(zone)) {
    const digits = zone.replace(':', '');
    offsetMin = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || '0')) * (zone.startsWith('-') ? -1 : 1);
  }
  const fracNs = frac === undefined ? 0n : BigInt(frac.slice(0, 9).padEnd(9, '0'));
  return { ns: (BigInt(ms) - BigInt(offsetMin) * 60_000n) * 1_000_000n + fracNs, zone: zone !== undefined };
}

const CLOCK = /^(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$/;

/** Parses a time of day (`HH:MM:SS`, `H:MM:SS.fff`) to ns since midnight, or null. */
export function parseClockTime(text: string): number | null {
  const m = CLOCK.exec(text);
  if (m === null) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = Number(m[3]);
  if (h > 23 || mi > 59 || s > 60) return null;
  const frac = m[4] === undefined ? 0 : Number(m[4].padEnd(9, '0'));
  return ((h * 60 + mi) * 60 + s) * 1e9 + frac;
}

export function looksLikeClockTime(text: string): boolean {
  return CLOCK.test(text.trim());
}

export function looksLikeIsoTime(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text.trim());
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function describeRate(stepS: number): string {
  if (!(stepS > 0)) return 'no step';
  const hz = 1 / stepS;
  return hz >= 1 ? `${Number(hz.toPrecision(3))} Hz` : `one row every ${Number(stepS.toPrecision(3))} s`;
}

/**
 * Reads a time column from its name's unit (or null) and the head's values.
 * @param label how to name the column in messages (`column "timestamp"`)
 */
export function readTimeColumn(label: string, nameUnit: TimeUnit | null, values: readonly string[], decimalComma: boolean): TimeReading | TimeProblem {
  const present = values.filter((v) => v !== '');
  if (present.length === 0) return { ok: false, reason: `${label} is empty in the first rows` };
  const first = present[0] ?? '';
  if (looksLikeIsoTime(first)) {
    const parsed = present.map(parseIsoTime);
    const bad = parsed.findIndex((p) => p === null);
    if (bad >= 0) return { ok: false, reason: `${label} holds ${JSON.stringify(present[bad])}, which is not an ISO 8601 date-time like the rows before it` };
    const ns = parsed.map((p) => p?.ns ?? 0n);
    const zone = parsed[0]?.zone === true;
    return {
      ok: true,
      mode: 'iso',
      unit: 'ms',
      absolute: true,
      clock: zone ? 'utc' : 'device-local',
      shiftNs: 0,
      note: zone
        ? null
        : `${label} holds date-times without a time zone (${JSON.stringify(first)}); they were read as the device's local time, to be put on UTC with the recording's time zone`,
      offsetsNs: ns.map((v) => Number(v - (ns[0] ?? 0n))),
    };
  }
  if (looksLikeClockTime(first)) {
    const parsed = present.map((v) => parseClockTime(v.trim()));
    const bad = parsed.findIndex((p) => p === null);
    if (bad >= 0) return { ok: false, reason: `${label} holds ${JSON.stringify(present[bad])}, which is not a time of day like the rows before it` };
    const ns = parsed.map((p) => p ?? 0);
    const first0 = ns[0] ?? 0;
    let day = 0;
    const offsets = ns.map((v, i) => {
      if (i > 0 && v < (ns[i - 1] ?? 0) - 43_200e9) day += 86_400e9;
      return v + day - first0;
    });
    return {
      ok: true,
      mode: 'clock',
      unit: 'ns',
      absolute: false,
      clock: 'utc',
      shiftNs: first0,
      note: `${label} holds times of day without a date (${JSON.stringify(first)}); they were read as a relative clock counted from the first row`,
      offsetsNs: offsets,
    };
  }
  const nums = present.map((v) => toNumber(v, decimalComma));
  const bad = nums.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) return { ok: false, reason: `${label} holds ${JSON.stringify(present[bad]?.slice(0, 40))}, which is neither a number nor an ISO 8601 date-time` };
  const v0 = nums[0] ?? 0;
  const steps = nums.slice(1).map((v, i) => v - (nums[i] ?? 0));
  const step = median(steps);
  const integers = present.every((v) => /^[+-]?\d+$/.test(v.trim()));
  const epochUnit = (u: TimeUnit): boolean => {
    const s = (v0 * NS_PER_UNIT[u]) / 1e9;
    return s >= EPOCH_MIN_S && s <= EPOCH_MAX_S;
  };
  const offsets = (u: TimeUnit): number[] => nums.map((v) => Math.round((v - v0) * NS_PER_UNIT[u]));
  const make = (u: TimeUnit, absolute: boolean, note: string | null): TimeReading => {
    const shift = !absolute && Math.abs(v0 * NS_PER_UNIT[u]) >= SHIFT_ABOVE_S * 1e9;
    const shiftNote = shift
      ? `${label} starts at ${v0} ${TIME_UNIT_WORDS[u]} (a clock that started before the recording, such as time since boot); times are counted from the first row`
      : null;
    const notes = [note, shiftNote].filter((n) => n !== null);
    return {
      ok: true,
      mode: absolute ? 'abs' : 'rel',
      unit: u,
      absolute,
      clock: 'utc',
      shiftNs: shift ? Math.round(v0 * NS_PER_UNIT[u]) : 0,
      note: notes.length > 0 ? notes.join('; ') : null,
      offsetsNs: offsets(u),
    };
  };
  if (nameUnit !== null) {
    return make(nameUnit, epochUnit(nameUnit), null);
  }
  const epoch = (['s', 'ms', 'us', 'ns'] as const).find(epochUnit);
  if (epoch !== undefined) {
    return make(epoch, true, `${label} has no unit in its name; its magnitude (${first}) reads as Unix epoch ${TIME_UNIT_WORDS[epoch]}`);
  }
  if (integers) {
    return {
      ok: false,
      reason:
        `${label} holds whole numbers (${present.slice(0, 3).join(', ')}, …) with no unit in its name: they could be seconds (${describeRate(step)}), ` +
        `milliseconds (${describeRate(step / 1000)}) or sample numbers; put the unit in the column name, e.g. "${label.replace(/^column "|"$/g, '')}_ms" or "time (s)"`,
    };
  }
  const hz = 1 / step;
  if (!(hz >= 0.01 && hz <= 100_000)) {
    return { ok: false, reason: `${label} has no unit in its name and read as seconds its rows would be ${describeRate(step)} apart, which no sensor does; put the unit in the column name` };
  }
  return make('s', false, `${label} has no unit in its name; its fractional values were read as seconds (${describeRate(step)})`);
}
