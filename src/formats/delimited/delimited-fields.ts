/**
 * Allocation-free field parsers for delimited text of any dialect: a delimiter byte (plus a second one, TAB,
 * when fields are separated by white space), a decimal mark (`.` or `,`). Like csv-fields.ts, each parser
 * starts at `p`, stops at a delimiter or at `e`, and leaves the stop position in `fld.cursor`.
 */

import { decimal, fieldEnd, fieldText, parseDecimal } from '../common/decimal-field.js';

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const BILLION = 1e9;

/** Results the parsers leave behind (one shared object: no allocation per field). */
export const fld = {
  cursor: 0,
  /** Set when a value field held text that is not a number (the value returned is NaN). */
  bad: false,
  /** An exact time: sign × (hi × 10⁹ + lo) whole units plus `fracNs` nanoseconds. */
  neg: false,
  hi: 0,
  lo: 0,
  fracNs: 0,
};

function isDelim(c: number, d1: number, d2: number): boolean {
  return c === d1 || c === d2;
}

export { fieldEnd, fieldText };

/** Parses a decimal number (sign, digits, decimal mark `dec`, exponent); empty or `NaN` → NaN. */
export function parseValue(b: Uint8Array, p0: number, e: number, d1: number, d2: number, dec: number): number {
  const v = parseDecimal(b, p0, e, d1, d2, dec, 17);
  fld.cursor = decimal.cursor;
  if (decimal.bad) {
    fld.bad = true;
    decimal.bad = false;
  }
  return v;
}

/** Exact slow path: spaces, an exponent, many digits. Splits the decimal text into whole units and ns. */
function parseExactSlow(b: Uint8Array, p: number, e: number, d1: number, d2: number, dec: number, nsPerUnit: number): boolean {
  const z = fieldEnd(b, p, e, d1, d2);
  fld.cursor = z;
  let text = fieldText(b, p, z);
  if (dec === 44) text = text.replace(',', '.');
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/.exec(text);
  if (m === null || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return false;
  let int = m[2] ?? '';
  let frac = m[3] ?? '';
  const exp = Number(m[4] ?? '0');
  if (exp > 0) {
    frac = frac.padEnd(exp, '0');
    int += frac.slice(0, exp);
    frac = frac.slice(exp);
  } else if (exp < 0) {
    int = int.padStart(-exp + 1, '0');
    frac = int.slice(int.length + exp) + frac;
    int = int.slice(0, int.length + exp);
  }
  int = int.replace(/^0+(?=\d)/, '');
  if (int.length > 19) return false;
  fld.neg = m[1] === '-';
  fld.hi = int.length > 9 ? Number(int.slice(0, -9)) : 0;
  fld.lo = Number(int.slice(-9) || '0');
  const digits = frac.slice(0, 15);
  fld.fracNs = digits === '' ? 0 : Math.round((Number(digits) / POW10[digits.length]!) * nsPerUnit);
  return true;
}

/**
 * Parses a time number exactly (no double rounding of 19-digit epoch nanoseconds): sets `fld.neg`, `fld.hi`,
 * `fld.lo` (whole units = hi × 10⁹ + lo) and `fld.fracNs` (the fraction in ns). False when it is not a number.
 */
export function parseExactTime(b: Uint8Array, p0: number, e: number, d1: number, d2: number, dec: number, nsPerUnit: number): boolean {
  let p = p0;
  let neg = false;
  if (p < e && b[p] === 45) {
    neg = true;
    p++;
  }
  let hi = 0;
  let lo = 0;
  let nd = 0;
  while (p < e) {
    const d = b[p]! - 48;
    if (d < 0 || d > 9) break;
    lo = lo * 10 + d;
    hi *= 10;
    if (lo >= BILLION) {
      const carry = Math.floor(lo / BILLION);
      lo -= carry * BILLION;
      hi += carry;
    }
    nd++;
    p++;
  }
  let frac = 0;
  let fd = 0;
  if (p < e && b[p] === dec) {
    p++;
    while (p < e) {
      const d = b[p]! - 48;
      if (d < 0 || d > 9) break;
      if (fd < 15) {
        frac = frac * 10 + d;
        fd++;
      }
      p++;
    }
  }
  const c = p < e ? b[p]! : d1;
  if (nd === 0 || nd > 19 || !isDelim(c, d1, d2)) return parseExactSlow(b, p0, e, d1, d2, dec, nsPerUnit);
  fld.cursor = p;
  fld.neg = neg;
  fld.hi = hi;
  fld.lo = lo;
  fld.fracNs = fd === 0 ? 0 : Math.round((frac / POW10[fd]!) * nsPerUnit);
  return true;
}

/** Results of parseIsoField: Unix milliseconds (an integer, UTC) and the nanoseconds below them. */
export const isoField = { ms: 0, subNs: 0 };

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function two(b: Uint8Array, p: number): number {
  const a = b[p]! - 48;
  const c = b[p + 1]! - 48;
  return a >= 0 && a <= 9 && c >= 0 && c <= 9 ? a * 10 + c : -1;
}

/**
 * Fast path for an ISO 8601 date-time field (`2019-10-16T12:09:01.702+02:00`, a space for `T`, `Z`, `±hh`,
 * `±hhmm`, up to 9 fraction digits) straight from bytes: sets `isoField` (UTC) and `fld.cursor`. False for
 * anything else (spaces, `UTC`, odd widths): the caller then parses the field's text.
 */
export function parseIsoField(b: Uint8Array, p: number, e: number, d1: number, d2: number): boolean {
  if (p + 16 > e || b[p + 4] !== 45 || b[p + 7] !== 45 || b[p + 13] !== 58) return false;
  const sep = b[p + 10];
  if (sep !== 84 && sep !== 32 && sep !== 116) return false;
  const y = two(b, p) * 100 + two(b, p + 2);
  const mo = two(b, p + 5);
  const d = two(b, p + 8);
  const h = two(b, p + 11);
  const mi = two(b, p + 14);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59) return false;
  let q = p + 16;
  let s = 0;
  let frac = 0;
  if (q < e && b[q] === 58) {
    if (q + 3 > e) return false;
    s = two(b, q + 1);
    if (s < 0 || s > 60) return false;
    q += 3;
    // A decimal comma (`12:09:01,702`) only where the comma is not the delimiter.
    if (q < e && (b[q] === 46 || (b[q] === 44 && d1 !== 44 && d2 !== 44))) {
      q++;
      let nd = 0;
      while (q < e) {
        const x = b[q]! - 48;
        if (x < 0 || x > 9) break;
        if (nd < 9) frac = frac * 10 + x;
        nd++;
        q++;
      }
      if (nd === 0) return false;
      if (nd < 9) frac *= POW10[9 - nd]!;
    }
  }
  let offMin = 0;
  if (q < e && (b[q] === 90 || b[q] === 122)) q++;
  else if (q < e && (b[q] === 43 || b[q] === 45)) {
    const sign = b[q] === 45 ? -1 : 1;
    if (q + 3 > e) return false;
    const oh = two(b, q + 1);
    if (oh < 0) return false;
    q += 3;
    let om = 0;
    if (q < e && b[q] === 58) q++;
    if (q + 2 <= e && b[q]! >= 48 && b[q]! <= 57) {
      om = two(b, q);
      if (om < 0) return false;
      q += 2;
    }
    offMin = sign * (oh * 60 + om);
  }
  if (q < e && b[q] !== d1 && b[q] !== d2) return false;
  fld.cursor = q;
  const sec = ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi - offMin) * 60 + s;
  const msInSec = Math.floor(frac / 1e6);
  isoField.ms = sec * 1000 + msInSec;
  isoField.subNs = frac - msInSec * 1e6;
  return true;
}
