/**
 * Allocation-free parsers of CSV fields straight from bytes, for the hot loop of the CSV readers. Each parser
 * reads a field starting at `p` and stops at a comma or at `e` (the end of the line or of a quoted field),
 * leaving the stop position in `field.cursor`. No strings are made on the fast path.
 */

import { decimal, parseDecimal } from './decimal-field.js';

export const COMMA = 44;
export const QUOTE = 34;
const TWO32 = 4294967296;

/** Results the parsers leave behind (one shared object: no allocation per field). */
export const field = {
  /** Position where the last field parser stopped (a comma or the end). */
  cursor: 0,
  /** The last time parsed, as the high (signed) and low 32-bit words of an int64. */
  timeHi: 0,
  timeLo: 0,
  /** Set by parseNumber when the field held text that is not a number (the value returned is NaN). */
  bad: false,
  /**
   * Set by parseNumber (false otherwise) when the value returned may differ from `Number(text)` in the last
   * bits: the digits did not fit 2^53 or the decimal exponent was beyond ±22.
   */
  approx: false,
};


/** Parses a decimal number (sign, digits, fraction, exponent) ending at a comma; empty or `NaN` → NaN. */
export function parseNumber(b: Uint8Array, p0: number, e: number): number {
  const v = parseDecimal(b, p0, e, COMMA, COMMA, 46);
  field.cursor = decimal.cursor;
  field.approx = decimal.approx;
  if (decimal.bad) {
    field.bad = true;
    decimal.bad = false;
  }
  return v;
}

/** Slow path for a time field: spaces around the digits, or anything that must be rejected. */
function parseTimeSlow(b: Uint8Array, p: number, e: number): boolean {
  let z = p;
  while (z < e && b[z] !== COMMA) z++;
  field.cursor = z;
  const text = new TextDecoder().decode(b.subarray(p, z)).trim();
  if (!/^\d{1,19}$/.test(text)) return false;
  const v = BigInt(text);
  if (v > 0x7fffffffffffffffn) return false;
  field.timeHi = Number(v >> 32n);
  field.timeLo = Number(v & 0xffffffffn);
  return true;
}

/** Parses a non-negative integer of up to 19 digits into (timeHi, timeLo) exactly, without BigInt. */
export function parseTime(b: Uint8Array, p0: number, e: number): boolean {
  let p = p0;
  let hi = 0;
  let lo = 0;
  let nd = 0;
  while (p < e) {
    const d = b[p]! - 48;
    if (d < 0 || d > 9) break;
    lo = lo * 10 + d;
    const carry = Math.floor(lo / TWO32);
    lo -= carry * TWO32;
    hi = hi * 10 + carry;
    nd++;
    p++;
  }
  if (nd === 0 || nd > 19 || (p < e && b[p] !== COMMA) || hi >= 2147483648) return parseTimeSlow(b, p0, e);
  field.cursor = p;
  field.timeHi = hi;
  field.timeLo = lo;
  return true;
}

/** Index of the quote closing a field that opens at `p` (a quote), honouring `""` escapes; `e` if none. */
export function closingQuote(b: Uint8Array, p: number, e: number): number {
  let q = p + 1;
  while (q < e) {
    if (b[q] === QUOTE) {
      if (q + 1 < e && b[q + 1] === QUOTE) {
        q += 2;
        continue;
      }
      return q;
    }
    q++;
  }
  return e;
}
