/**
 * Allocation-free parsers of CSV fields straight from bytes, for the hot loop of the CSV readers. Each parser
 * reads a field starting at `p` and stops at a comma or at `e` (the end of the line or of a quoted field),
 * leaving the stop position in `field.cursor`. No strings are made on the fast path.
 */

export const COMMA = 44;
export const QUOTE = 34;
const SPACE = 32;
const TAB = 9;
const TWO32 = 4294967296;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

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


function isNanText(b: Uint8Array, a: number, z: number): boolean {
  if (z - a !== 3) return false;
  return (b[a]! | 0x20) === 110 && (b[a + 1]! | 0x20) === 97 && (b[a + 2]! | 0x20) === 110;
}

/** Slow path for a value field: spaces, `NaN`, infinity words or garbage. */
function parseNumberSlow(b: Uint8Array, p: number, e: number): number {
  let z = p;
  while (z < e && b[z] !== COMMA) z++;
  field.cursor = z;
  let a = p;
  while (a < z && (b[a] === SPACE || b[a] === TAB)) a++;
  let y = z;
  while (y > a && (b[y - 1] === SPACE || b[y - 1] === TAB)) y--;
  if (a === y) return Number.NaN;
  if (isNanText(b, a, y)) return Number.NaN;
  const text = new TextDecoder().decode(b.subarray(a, y));
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || /^[+-]?(inf|infinity)$/i.test(text)) {
    return /inf/i.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text);
  }
  field.bad = true;
  return Number.NaN;
}

/** Parses a decimal number (sign, digits, fraction, exponent); empty or `NaN` → NaN. */
export function parseNumber(b: Uint8Array, p0: number, e: number): number {
  let p = p0;
  let neg = false;
  let c = p < e ? b[p]! : COMMA;
  if (c === 45) {
    neg = true;
    p++;
  } else if (c === 43) {
    p++;
  }
  let m = 0;
  let nd = 0;
  let ex = 0;
  while (p < e) {
    const d = b[p]! - 48;
    if (d < 0 || d > 9) break;
    m = m * 10 + d;
    nd++;
    p++;
  }
  if (p < e && b[p] === 46) {
    p++;
    while (p < e) {
      const d = b[p]! - 48;
      if (d < 0 || d > 9) break;
      m = m * 10 + d;
      nd++;
      ex--;
      p++;
    }
  }
  if (nd > 0 && p < e && (b[p]! | 0x20) === 101) {
    let q = p + 1;
    let eneg = false;
    if (q < e && (b[q] === 45 || b[q] === 43)) {
      eneg = b[q] === 45;
      q++;
    }
    let x = 0;
    let xd = 0;
    while (q < e) {
      const d = b[q]! - 48;
      if (d < 0 || d > 9) break;
      x = x * 10 + d;
      xd++;
      q++;
    }
    if (xd > 0) {
      ex += eneg ? -x : x;
      p = q;
    }
  }
  c = p < e ? b[p]! : COMMA;
  if (nd === 0 || c !== COMMA) {
    field.approx = false;
    if (nd === 0 && p === p0 && c === COMMA) {
      field.cursor = p;
      return Number.NaN;
    }
    return parseNumberSlow(b, p0, e);
  }
  field.cursor = p;
  field.approx = m >= 9007199254740992 || ex > 22 || ex < -22;
  let v: number;
  if (ex === 0) v = m;
  else if (ex > 0) v = ex <= 22 ? m * POW10[ex]! : m * 10 ** ex;
  else v = ex >= -22 ? m / POW10[-ex]! : m / 10 ** -ex;
  return neg ? -v : v;
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
