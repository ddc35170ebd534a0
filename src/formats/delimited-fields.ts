/**
 * Allocation-free field parsers for delimited text of any dialect: a delimiter byte (plus a second one, TAB,
 * when fields are separated by white space), a decimal mark (`.` or `,`). Like csv-fields.ts, each parser
 * starts at `p`, stops at a delimiter or at `e`, and leaves the stop position in `fld.cursor`.
 */

import { decimal, fieldEnd, fieldText, parseDecimal } from './decimal-field.js';

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
